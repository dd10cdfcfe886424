package io.eiscope.engine.spec;

import java.util.List;
import java.util.Map;

/**
 * The EG paper's Mod-Cog comparison (science.md §3.3a), scaled to a small machine: the paper's
 * rule settings and schedule shape, with a smaller network, batch, window and update count and
 * learning rates at which that network trains without diverging (docs/validation.md, "Mod-Cog":
 * at 128 units EG from 0.5 (the paper: 3.5) and GD from 0.3 blew the ReLU recurrence up within
 * 3,000 updates, and EG 0.25 in 3 of 5 seeds within 6,000). These are the runs {@code tools/validation/mod-cog.sh} makes.
 */
final class ModCogPresets {
    private ModCogPresets() {}

    static final String GROUP = "Mod-Cog: EG vs GD (Cornford et al. 2024)";

    /** Paper: 2,500 ReLU units, batch 512, windows of 350 steps, 6 epochs of 1,000 updates. Here: 128, 32, 100, 6,000. */
    static final long HIDDEN = 128;

    static final int BATCH = 32;
    static final long SEQ_LEN = 100;
    static final long UPDATES = 6_000;
    /** The paper's warm-up (500 of 6,000 updates) and cool-down (1,000). */
    static final long WARMUP = UPDATES / 12, COOLDOWN = UPDATES / 6;

    static List<Preset> entries() {
        return List.of(preset("mod-cog-eg", "EG", "eg", 0.15, 1e-7), preset("mod-cog-gd", "GD", "sgd", 0.05, 1e-6));
    }

    /**
     * The §3.3a table's settings (the pruning run's weight decays): momentum 0.925, global-norm
     * clipping at 2, a linear warm-up, constant, then a linear cool-down to 0 (the paper's shares
     * of the updates); learning rates for this network's size.
     */
    private static Preset preset(String name, String label, String rule, double lr, double weightDecay) {
        Map<String, Object> ruleParams = Map.of(
                "learning_rate",
                lr,
                "momentum",
                0.925,
                "weight_decay",
                weightDecay,
                "clip_norm",
                2.0,
                "clip_scope",
                "global",
                "schedule",
                "warmup_cooldown",
                "warmup_steps",
                WARMUP,
                "cooldown_steps",
                COOLDOWN,
                "schedule_steps",
                UPDATES);
        SimulationConfig c = new SimulationConfig(
                label + " on Mod-Cog (Cornford et al. 2024)",
                new ComponentConfig(
                        "rnn",
                        Map.of(
                                "hidden",
                                List.of(HIDDEN),
                                "bias",
                                false,
                                "recurrent_init",
                                "normal",
                                "nonlinearity",
                                "relu")),
                new ComponentConfig(rule, ruleParams),
                new ComponentConfig("mod_cog", Map.of("tasks", "all", "seq_len", SEQ_LEN, "test_size", 128L)),
                5,
                BATCH,
                500,
                UPDATES);
        return new Preset(
                name,
                label + " on the 82 Mod-Cog tasks (Cornford et al. 2024)",
                "A ReLU RNN of " + HIDDEN
                        + " units (normal cells with std 1/sqrt(n_h), no cell biases: EG cannot move a zero bias) learns all"
                        + " 82 Mod-Cog tasks, windows of " + SEQ_LEN + " steps, batch " + BATCH + ", " + UPDATES
                        + " updates, with " + label + ": lr " + lr + ", momentum 0.925, weight decay " + weightDecay
                        + ", global-norm clipping at 2, lr warm-up over " + WARMUP + " updates, constant, then a linear"
                        + " cool-down to 0 over the last " + COOLDOWN
                        + ". The paper trains 2,500 units at batch 512 with"
                        + " EG lr 3.5 and GD 0.1; at this size EG from 0.25 and GD from 0.3 blow the ReLU recurrence up, so"
                        + " the rates are this network's (docs/validation.md, Mod-Cog). Watch dec_acc and"
                        + " test_dec_acc (accuracy is acc over every step).",
                References.CORNFORD_2024,
                GROUP,
                c);
    }
}

package io.eiscope.engine.spec;

import java.util.List;
import java.util.Map;

/**
 * The EG paper's Mod-Cog comparison (science.md §3.3a), scaled to a small machine: the paper's
 * rule settings and schedule shape, with a smaller network, batch and update count (stated in
 * each preset's doc).
 */
final class ModCogPresets {
    private ModCogPresets() {}

    static final String GROUP = "Mod-Cog: EG vs GD (Cornford et al. 2024)";

    /** Paper: 2,500 ReLU units, batch 512, 6 epochs of 1,000 updates. Here: 128 units, batch 32, 6,000 updates. */
    static final long HIDDEN = 128;

    static final int BATCH = 32;
    static final long UPDATES = 6_000;

    static List<Preset> entries() {
        return List.of(preset("mod-cog-eg", "EG", "eg", 3.5, 1e-7), preset("mod-cog-gd", "GD", "sgd", 0.1, 1e-6));
    }

    /**
     * The §3.3a table's settings (the pruning run's weight decays): momentum 0.925, global-norm
     * clipping at 2, warm-up over 500 updates, constant, then a linear cool-down to 0 over the last
     * 1,000.
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
                500L,
                "cooldown_steps",
                1_000L,
                "schedule_steps",
                UPDATES);
        SimulationConfig c = new SimulationConfig(
                label + " on Mod-Cog (Cornford et al. 2024)",
                new ComponentConfig("rnn", Map.of("hidden", List.of(HIDDEN), "bias", false)),
                new ComponentConfig(rule, ruleParams),
                new ComponentConfig("mod_cog", Map.of("tasks", "all", "seq_len", 350L, "test_size", 128L)),
                5,
                BATCH,
                500,
                UPDATES);
        return new Preset(
                name,
                label + " on the 82 Mod-Cog tasks (Cornford et al. 2024)",
                "A ReLU RNN of " + HIDDEN
                        + " units (no cell biases: EG cannot move a zero bias) learns all 82 Mod-Cog tasks, "
                        + "windows of 350 steps, batch " + BATCH + ", " + UPDATES + " updates, with " + label
                        + " at the paper's "
                        + "settings: lr " + lr + ", momentum 0.925, weight decay " + weightDecay
                        + ", global-norm clipping at 2, "
                        + "lr warm-up over 500 updates then constant then a linear cool-down to 0 over the last 1,000. The paper "
                        + "trains 2,500 units at batch 512; these smaller sizes fit a small machine, and the learning rates are "
                        + "the paper's, not re-tuned for them. Watch dec_acc and test_dec_acc (accuracy is acc over every step).",
                References.CORNFORD_2024,
                GROUP,
                c);
    }
}

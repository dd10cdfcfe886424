package io.eiscope.engine.spec;

import io.eiscope.engine.spec.Catalogue.Entry;
import io.eiscope.engine.spec.Catalogue.TaskFactory;
import io.eiscope.engine.task.ModCog;
import io.eiscope.engine.task.ModCogRule;
import java.util.List;

/** The catalogue entry of the Mod-Cog suite ({@link ModCog}). */
final class ModCogCatalogue {
    private ModCogCatalogue() {}

    static Entry<TaskFactory> entry() {
        return new Entry<>(
                new ComponentDescriptor(
                        "mod_cog",
                        "Mod-Cog multi-task suite (82 tasks)",
                        "The Mod-Cog cognitive tasks (Khona, Chandra et al. 2022; the 20 of Yang et al. 2019 plus their interval "
                                + "(int r/l) and sequence (seq r/l) extensions) as the EG paper trained them, generated trial by trial "
                                + "at dt = 100 ms. Each example is a window of seq_len steps of back-to-back trials, each task drawn "
                                + "uniformly from the selection (never the same twice in a row). Inputs per step: 33 (fixation, then "
                                + "two rings of 16 units, one per modality, stimuli as Gaussian bumps) plus a one-hot rule over the "
                                + "selected tasks; 17 outputs (fixation, then 16 ring directions) at every step. Loss: MSE to the "
                                + "one-hot fixation target on non-decision steps plus cross-entropy with label smoothing 0.1 on "
                                + "decision steps (where the fixation input is 0); accuracy = acc over all steps (target fixation "
                                + "outside decisions), dec_acc over decision steps. A no-go decision (dms non-match, dnms match, ...) "
                                + "is answered with the fixation class. Training windows are fresh every batch; the held-out set is "
                                + "drawn once from the seed, without the training input noise.",
                        References.CORNFORD_2024,
                        List.of(
                                ParamDescriptor.nameList(
                                        "tasks",
                                        "all",
                                        ModCogRule.names(),
                                        "'all' (the 82 tasks) or comma-separated task names, e.g. 'go, anti, dm1'; the rule input "
                                                + "is one-hot over the selected tasks, in the suite's order. The 20 Yang et al. "
                                                + "tasks: " + String.join(", ", ModCogRule.YANG19) + "."),
                                ParamDescriptor.integer(
                                        "seq_len",
                                        350,
                                        40,
                                        2000,
                                        "Steps (of 100 ms) per example window: 350 in the EG paper. Trials are 10 to 34 steps, so "
                                                + "from 40 every window holds a decision (dec_acc is defined)."),
                                ParamDescriptor.number(
                                        "sigma",
                                        1.0,
                                        0.0,
                                        10.0,
                                        "Neurogym's stimulus noise of the dm and match tasks: std sigma / sqrt(dt) = sigma / 10 per "
                                                + "step (part of every trial, held-out ones too)."),
                                ParamDescriptor.number(
                                        "input_noise",
                                        0.1,
                                        0.0,
                                        10.0,
                                        "Std of the Gaussian noise added to every training input, rule included (0.1 in the EG "
                                                + "paper); held-out windows stay clean."),
                                ParamDescriptor.integer(
                                        "test_size",
                                        128,
                                        1,
                                        10_000,
                                        "Held-out windows (kept in memory: test_size x seq_len x (33 + tasks) floats)."))),
                (p, seed, ctx) -> new ModCog(
                        new ModCog.Hyper(
                                ModCogRule.select(p.text("tasks")),
                                (int) p.integer("seq_len"),
                                p.number("sigma"),
                                p.number("input_noise"),
                                (int) p.integer("test_size")),
                        seed));
    }
}

package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.SoftmaxCrossEntropy;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.Params;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Matrix;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A steady-state training step of every recurrent model family (forward through time, per-step
 * softmax cross-entropy, BPTT, corrected and clipped SGD, projection and sign freezing)
 * allocates nothing once warm, for a readout at the last step and at every step.
 */
class RecurrentTrainingStepAllocationTest {
    static final Catalogue CATALOGUE = Catalogue.standard();

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static long bytesOf(Runnable step, int steps) {
        long before = allocatedBytes();
        for (int i = 0; i < steps; i++) step.run();
        return allocatedBytes() - before;
    }

    @Test
    void steadyStateRecurrentStepsAllocateNoBytes() {
        List<Map.Entry<String, Map<String, Object>>> models = List.of(
                Map.entry(
                        "rnn",
                        Map.of("hidden", List.of(16L), "freeze_recurrent_signs", true, "freeze_readout_signs", true)),
                Map.entry("column_ei_rnn", Map.of("hidden", List.of(16L))),
                Map.entry("dann_rnn", Map.of("hidden", List.of(16L, 12L))),
                Map.entry("ctrnn", Map.of("hidden", 16L, "alpha", 0.5, "init_rank", 2L)));
        for (boolean everyStep : new boolean[] {false, true}) {
            TaskShape shape = new TaskShape(5, 6, 3, everyStep);
            for (var m : models) {
                var entry = Catalogue.find("model", CATALOGUE.models(), m.getKey());
                Model model = entry.factory()
                        .create(
                                Params.resolve("model", entry.descriptor(), m.getValue()),
                                shape,
                                new Rng(1),
                                EngineContext.of(java.nio.file.Path.of(".")));
                var ruleEntry = Catalogue.find("learning_rule", CATALOGUE.rules(), "sgd");
                LearningRule rule = ruleEntry
                        .factory()
                        .create(Params.resolve(
                                "learning_rule",
                                ruleEntry.descriptor(),
                                Map.of(
                                        "learning_rate",
                                        0.01,
                                        "momentum",
                                        0.9,
                                        "correct_inhibitory",
                                        true,
                                        "clip_norm",
                                        1.0,
                                        "clip_scope",
                                        "layer")));
                int batch = 8, scored = shape.scoredSteps();
                Rng rng = new Rng(2);
                Matrix x = Matrix.zeros(batch, shape.inputSize());
                for (int i = 0; i < x.size(); i++) x.set(i, (float) rng.nextDouble());
                int[] labels = new int[batch * scored], predictions = new int[batch * scored];
                for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(shape.outputs());
                Matrix dLogits = Matrix.zeros(batch * scored, shape.outputs()),
                        dOut = dLogits.reshapeView(batch, shape.outputWidth());
                Matrix logits = model.forward(x)
                        .reshapeView(batch * scored, shape.outputs()); // B x (scored k) seen as (B scored) x k
                Runnable step = () -> {
                    model.forward(x); // into the memory logits views
                    SoftmaxCrossEntropy.meanLoss(logits, labels, dLogits, predictions);
                    model.backward(dOut);
                    rule.update(model.parameters());
                    model.project();
                };
                bytesOf(step, 5_000);
                long few = bytesOf(step, 100), many = bytesOf(step, 2_100);
                assertThat(many - few)
                        .as("%s (every step: %s): bytes allocated by 2000 extra steps", m.getKey(), everyStep)
                        .isLessThan(1024);
            }
        }
    }
}

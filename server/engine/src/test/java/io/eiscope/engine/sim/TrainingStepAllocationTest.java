package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.SoftmaxCrossEntropy;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.Params;
import io.eiscope.engine.tensor.Matrix;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hot path of {@link Simulation#trainStep} after the batch is drawn (forward, softmax
 * cross-entropy, backward, learning-rule update, projection) allocates nothing once warm, at
 * batch 1 (the gemv and outer-product routes) as at larger batches.
 */
class TrainingStepAllocationTest {
    static final Catalogue CATALOGUE = Catalogue.standard();

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static long bytesOf(Runnable step, int steps) {
        long before = allocatedBytes();
        for (int i = 0; i < steps; i++) step.run();
        return allocatedBytes() - before;
    }

    @ParameterizedTest
    @CsvSource({"1,0.0", "16,0.0", "16,0.9"})
    void aSteadyStateMlpStepAllocatesNoBytes(int batch, double momentum) {
        var modelEntry = Catalogue.find("model", CATALOGUE.models(), "mlp");
        Model model = modelEntry
                .factory()
                .create(
                        Params.resolve("model", modelEntry.descriptor(), Map.of("hidden", List.of(48L, 32L))),
                        io.eiscope.engine.task.TaskShape.flat(60, 10),
                        new Rng(1),
                        EngineContext.of(java.nio.file.Path.of(".")));
        var ruleEntry = Catalogue.find("learning_rule", CATALOGUE.rules(), "sgd");
        LearningRule rule = ruleEntry
                .factory()
                .create(Params.resolve(
                        "learning_rule", ruleEntry.descriptor(), Map.of("learning_rate", 0.01, "momentum", momentum)));
        Rng rng = new Rng(2);
        Matrix x = Matrix.zeros(batch, 60), dLogits = Matrix.zeros(batch, 10);
        for (int i = 0; i < x.size(); i++) x.set(i, (float) rng.nextDouble());
        int[] labels = new int[batch], predictions = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(10);
        Runnable step = () -> {
            Matrix logits = model.forward(x);
            SoftmaxCrossEntropy.meanLoss(logits, labels, dLogits, predictions);
            model.backward(dLogits);
            rule.update(model.parameters());
            model.project();
        };
        bytesOf(step, 20_000); // buffers, optimiser state and the JIT settle
        long few = bytesOf(step, 100), many = bytesOf(step, 5_100);
        // The difference cancels the measurement's own cost; 5000 steps of even 8 bytes would be 40 kB.
        assertThat(many - few).as("bytes allocated by 5000 extra steps").isLessThan(1024);
    }
}

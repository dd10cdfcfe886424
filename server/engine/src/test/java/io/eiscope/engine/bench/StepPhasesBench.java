package io.eiscope.engine.bench;

import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.SoftmaxCrossEntropy;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.Params;
import io.eiscope.engine.tensor.Matrix;
import java.util.Map;

/**
 * Where a training step's time goes (batch 1 unless told), by the clock: the forward pass with the loss, the backward pass, and
 * the update with the projection, each timed with {@link System#nanoTime} around it over the second half of
 * {@code steps} steps (the first half warms up). A sampling profiler does not tell these apart reliably here: on
 * JDK 25 JFR's samples mostly fail to walk OpenBLAS's frames, which shrinks {@code sgemv}'s share.
 *
 * <p>Not a test. Usage: {@code java -cp ... io.eiscope.engine.bench.StepPhasesBench mlp|dann|rnn100|rnn500 [--rule sgd]
 * [--momentum 0] [--steps 40000] [--batch 1]}; the models are {@link TrainStepBench}'s (784-500-500-10, 784-3×(500E,
 * 50I)-10, and the ReLU RNNs on row-sequential MNIST: 28 steps of 28 pixels, a batch row one 784-pixel image). Prints one line: model, batch, JDK, and the mean microseconds of each phase and of the step.
 */
public final class StepPhasesBench {
    private StepPhasesBench() {}

    public static void main(String[] args) {
        String model = args[0], ruleName = "sgd";
        double momentum = 0;
        int steps = 40_000, batch = 1;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rule" -> ruleName = args[i + 1];
                case "--momentum" -> momentum = Double.parseDouble(args[i + 1]);
                case "--steps" -> steps = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        var factory = TrainStepBench.MODELS.get(model);
        if (factory == null)
            throw new IllegalArgumentException("model is one of " + TrainStepBench.MODELS.keySet() + ", got " + model);
        Model m = factory.apply(1);
        var entry = Catalogue.find("learning_rule", Catalogue.standard().rules(), ruleName);
        Map<String, Object> params =
                momentum > 0 ? Map.of("learning_rate", 1e-3, "momentum", momentum) : Map.of("learning_rate", 1e-3);
        LearningRule rule = entry.factory().create(Params.resolve("learning_rule", entry.descriptor(), params));
        Matrix x = Matrix.zeros(batch, 784), dLogits = Matrix.zeros(batch, 10);
        Rng rng = new Rng(2);
        for (int i = 0; i < batch * 784; i++) x.set(i, (float) rng.nextGaussian());
        int[] label = new int[batch];
        long forward = 0, backward = 0, update = 0;
        int timed = 0;
        for (int step = 0; step < steps; step++) {
            for (int r = 0; r < batch; r++) label[r] = (step + r) % 10;
            long t0 = System.nanoTime();
            SoftmaxCrossEntropy.meanLoss(m.forward(x), label, dLogits, null);
            long t1 = System.nanoTime();
            m.backward(dLogits);
            long t2 = System.nanoTime();
            rule.updateAndProject(m.parameters());
            m.projectBeyondParameters();
            long t3 = System.nanoTime();
            if (step >= steps / 2) {
                forward += t1 - t0;
                backward += t2 - t1;
                update += t3 - t2;
                timed++;
            }
        }
        System.out.printf(
                "PHASES\t%s\tbatch %d\tjdk %d\tforward+loss %.1f us\tbackward %.1f us\tupdate %.1f us\tstep %.1f us%n",
                model,
                batch,
                Runtime.version().feature(),
                forward / 1e3 / timed,
                backward / 1e3 / timed,
                update / 1e3 / timed,
                (forward + backward + update) / 1e3 / timed);
    }
}

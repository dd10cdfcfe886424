package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The E/I and normalised layers and the recurrent networks keep their work buffers per batch size: repeated steps allocate nothing. */
class SteadyStateAllocationTest {

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Bytes allocated by {@code steps} forward/backward pairs on one batch size. */
    private static long bytesOf(Runnable step, int steps) {
        long before = allocatedBytes();
        for (int i = 0; i < steps; i++) step.run();
        return allocatedBytes() - before;
    }

    @Test
    void repeatedStepsOfTheNewLayersAllocateNothing() {
        Blas blas = Blas.best();
        for (Layer layer : List.of(
                new DannLayer("dann", 30, 20, 4, Activation.RELU, blas),
                new EiDense("ei", 30, 20, 4, Activation.RELU, blas),
                new ColumnEiDense("colei", 30, 5, 20, Activation.RELU, blas),
                new LayerNormDense("ln", 30, 20, Activation.RELU, blas))) {
            Rng rng = new Rng(1);
            LayerGradientCheck.randomise(layer, rng, List.of());
            Matrix x = LayerGradientCheck.uniform(8, layer.inputSize(), 0, 1, rng);
            Matrix dh = Matrix.zeros(8, layer.outputSize());
            Runnable step = () -> {
                layer.forward(x);
                dh.fill(0.01f);
                layer.backward(dh, true);
            };
            bytesOf(step, 3000); // warm-up, buffers and JIT
            long few = bytesOf(step, 100), many = bytesOf(step, 2100);
            assertThat(many - few)
                    .as("%s: bytes allocated by 2000 extra steps", layer.name())
                    .isLessThan(1024);
        }
    }

    @Test
    void repeatedStepsOfRecurrentNetworksAllocateNothing() {
        Blas blas = Blas.best();
        Rng rng = new Rng(3);
        // The standard RNN with its readout at the last step, and a leaky two-cell stack scored at every step.
        RecurrentNet standard = Rnn.create(new TaskShape(7, 6, 4, false), new int[] {12}, blas, rng);
        RecurrentNet leaky = new RecurrentNet(
                new TaskShape(5, 4, 3, true),
                List.of(
                        new RecurrentCell(
                                "rnn0",
                                Connectivity.Plain.create("rnn0.U", 10, 5, 5),
                                Connectivity.Plain.create("rnn0.W", 10, 10, 10),
                                null,
                                0.3,
                                blas),
                        new RecurrentCell(
                                "rnn1",
                                new Connectivity.Dann("rnn1.U", 8, 10, 2),
                                new Connectivity.Dann("rnn1.W", 8, 8, 2),
                                null,
                                1.0,
                                blas)),
                new Dense("readout", 8, 3, Activation.IDENTITY, blas));
        for (RecurrentNet net : List.of(standard, leaky)) {
            for (Parameter p : net.parameters()) {
                boolean positive = p.sign() == Parameter.Sign.NON_NEGATIVE;
                p.value()
                        .copyFrom(LayerGradientCheck.uniform(
                                p.value().rows, p.value().cols, positive ? 0.05 : -0.3, 0.3, rng));
            }
            Matrix x = LayerGradientCheck.uniform(8, net.shape().inputSize(), 0, 1, rng);
            Matrix dOut = Matrix.zeros(8, net.shape().outputWidth());
            dOut.fill(0.01f);
            Runnable step = () -> {
                net.forward(x);
                net.backward(dOut);
                net.parameters(); // read every step by the learning rule
            };
            bytesOf(step, 3000);
            long few = bytesOf(step, 100), many = bytesOf(step, 2100);
            assertThat(many - few)
                    .as("%s: bytes allocated by 2000 extra steps", net.layers())
                    .isLessThan(1024);
        }
    }
}

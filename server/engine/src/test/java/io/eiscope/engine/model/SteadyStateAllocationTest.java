package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The E/I and normalised layers keep their work buffers per batch size: repeated steps allocate nothing. */
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
        for (Layer layer : List.of(new DannLayer("dann", 30, 20, 4, Activation.RELU, blas), new EiDense("ei", 30, 20, 4, Activation.RELU, blas),
                new ColumnEiDense("colei", 30, 5, 20, Activation.RELU, blas), new LayerNormDense("ln", 30, 20, Activation.RELU, blas))) {
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
            assertThat(many - few).as("%s: bytes allocated by 2000 extra steps", layer.name()).isLessThan(1024);
        }
    }
}

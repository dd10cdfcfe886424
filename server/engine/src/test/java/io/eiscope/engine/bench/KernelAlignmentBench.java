package io.eiscope.engine.bench;

import io.eiscope.engine.model.RecurrentNet;
import io.eiscope.engine.model.Rnn;
import io.eiscope.engine.observe.KernelAlignment;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * CPU time (of the calling thread, so robust to other load on the machine) and wall time of one
 * tangent kernel ({@link KernelAlignment#tangentKernel}) of a standard RNN on a random probe, for Liu et al. 2024's two settings: neurogym 2AF-like (300 units, 8 steps, 3
 * outputs at every step, 32 trials: 768 output scalars) and sequential-MNIST-like (100 units, 28
 * steps of 28 inputs, 10 outputs at the last step, 32 trials: 320 output scalars). Not a test.
 * Usage: {@code java -cp ... io.eiscope.engine.bench.KernelAlignmentBench [runs]}, with
 * {@code OPENBLAS_NUM_THREADS=1} and without {@code OPENBLAS_CORETYPE}/{@code OPENBLAS_L2_SIZE}.
 */
public final class KernelAlignmentBench {
    private KernelAlignmentBench() {}

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        time(
                "2AF-like: 300 units, 8 steps x 32 trials x 3 outputs (every step)",
                new TaskShape(3, 8, 3, true),
                300,
                runs);
        time(
                "sMNIST-like: 100 units, 28 steps, 32 trials x 10 outputs (last step)",
                new TaskShape(28, 28, 10, false),
                100,
                runs);
    }

    private static void time(String label, TaskShape shape, int units, int runs) {
        Blas blas = Blas.best();
        RecurrentNet net = Rnn.create(shape, new int[] {units}, blas, new Rng(1));
        int trials = KernelAlignment.trials(shape, units, 32);
        Rng rng = new Rng(2);
        Matrix x = Matrix.zeros(trials, shape.inputSize());
        for (int i = 0; i < x.size(); i++) x.set(i, (float) rng.nextDouble());
        KernelAlignment.tangentKernel(net, 0, x, blas); // warm-up
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] ms = new double[runs], cpu = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
            KernelAlignment.tangentKernel(net, 0, x, blas);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        System.out.printf(
                "%s: K %dx%d, CPU median %.1f ms (min %.1f, max %.1f), wall median %.1f ms, of %d, %s%n",
                label,
                trials * shape.outputWidth(),
                trials * shape.outputWidth(),
                cpu[runs / 2],
                cpu[0],
                cpu[runs - 1],
                ms[runs / 2],
                runs,
                blas.name());
    }
}

package io.eiscope.engine.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.model.Activation;
import io.eiscope.engine.model.Connectivity;
import io.eiscope.engine.model.Dense;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.RecurrentCell;
import io.eiscope.engine.model.RecurrentNet;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tangent kernel against two independent references: per-output backward passes of one trial
 * at a time, each reading the cell's whole weight gradient {@code dF_a/dW}, and central finite
 * differences of the outputs; and the alignment's invariants.
 */
class KernelAlignmentTest {
    private static final Blas BLAS = Blas.best();

    static RecurrentCell plainCell(String name, int in, int n, double alpha) {
        return new RecurrentCell(
                name,
                Connectivity.Plain.create(name + ".U", n, in, in),
                Connectivity.Plain.create(name + ".W", n, n, n),
                Parameter.of(name + ".b", 1, n, Parameter.Sign.FREE, Parameter.Role.BIAS, in, n),
                alpha,
                BLAS);
    }

    static RecurrentNet net(TaskShape shape, List<RecurrentCell> cells, long seed, boolean positive) {
        int top = cells.get(cells.size() - 1).units();
        RecurrentNet net =
                new RecurrentNet(shape, cells, new Dense("readout", top, shape.outputs(), Activation.IDENTITY, BLAS));
        Rng rng = new Rng(seed);
        for (Parameter p : net.parameters()) {
            boolean nonNegative = positive || p.sign() == Parameter.Sign.NON_NEGATIVE;
            for (int i = 0; i < p.value().size(); i++)
                p.value().set(i, (float)
                        (nonNegative ? 0.05 + 0.25 * rng.nextDouble() : 1.2 * (rng.nextDouble() - 0.5)));
        }
        return net;
    }

    static Matrix inputs(int batch, TaskShape shape, long seed, boolean positive) {
        Rng rng = new Rng(seed);
        Matrix x = Matrix.zeros(batch, shape.inputSize());
        for (int i = 0; i < x.size(); i++) x.set(i, (float) (positive ? rng.nextDouble() : 2 * rng.nextDouble() - 0.7));
        return x;
    }

    /** dF_a/dW for every output scalar a = b * outputWidth + j, by one backward pass of trial b alone per output. */
    static List<double[]> perOutputGradients(RecurrentNet net, int cell, Matrix x) {
        int m = net.shape().outputWidth();
        Connectivity w = net.cells().get(cell).recurrent();
        List<double[]> out = new ArrayList<>();
        for (int b = 0; b < x.rows; b++) {
            Matrix xb = Matrix.of(1, x.cols, x.rowsView(b, 1).toArray());
            for (int j = 0; j < m; j++) {
                net.forward(xb);
                Matrix seed = Matrix.zeros(1, m);
                seed.set(j, 1f);
                net.backward(seed);
                float[] g = w.effectiveGrad().toArray();
                double[] gd = new double[g.length];
                for (int i = 0; i < g.length; i++) gd[i] = g[i];
                out.add(gd);
            }
        }
        return out;
    }

    static double[][] gram(List<double[]> g) {
        double[][] k = new double[g.size()][g.size()];
        for (int a = 0; a < g.size(); a++) {
            for (int c = 0; c < g.size(); c++) {
                double s = 0;
                for (int i = 0; i < g.get(a).length; i++) s += g.get(a)[i] * g.get(c)[i];
                k[a][c] = s;
            }
        }
        return k;
    }

    static void assertKernel(Matrix k, double[][] ref, double relative) {
        double largest = 0;
        for (double[] row : ref) for (double v : row) largest = Math.max(largest, Math.abs(v));
        assertThat(largest).isPositive();
        assertThat(k.rows).isEqualTo(ref.length);
        for (int a = 0; a < ref.length; a++) {
            for (int c = 0; c < ref.length; c++)
                assertThat((double) k.get(a, c)).as("K[%d, %d]", a, c).isCloseTo(ref[a][c], within(relative * largest));
        }
    }

    @Test
    void everyStepKernelOfALeakyCellEqualsTheGramOfPerOutputGradients() {
        TaskShape shape = new TaskShape(3, 5, 2, true);
        RecurrentNet net = net(shape, List.of(plainCell("rnn0", 3, 6, 0.6)), 1, false);
        Matrix x = inputs(4, shape, 2, false);
        double[][] ref = gram(perOutputGradients(net, 0, x));
        assertKernel(KernelAlignment.tangentKernel(net, 0, x, BLAS), ref, 1e-5);
        for (boolean byStepPairs : new boolean[] {true, false}) {
            // One block, several blocks with a smaller last one, blocks of one column or one output.
            for (int block : new int[] {1 << 20, 4 * 40 * 6, 15 * 15 * 5 * 5, 1})
                assertKernel(KernelAlignment.tangentKernel(net, 0, x, BLAS, byStepPairs, block), ref, 1e-5);
        }
    }

    @Test
    void lastStepKernelOfEitherCellOfAStack() {
        TaskShape shape = new TaskShape(2, 4, 3, false);
        RecurrentNet net = net(shape, List.of(plainCell("rnn0", 2, 5, 1.0), plainCell("rnn1", 5, 4, 1.0)), 3, false);
        Matrix x = inputs(3, shape, 4, false);
        for (int cell = 0; cell < 2; cell++) {
            double[][] ref = gram(perOutputGradients(net, cell, x));
            assertKernel(KernelAlignment.tangentKernel(net, cell, x, BLAS, true, 1 << 20), ref, 1e-5);
            assertKernel(KernelAlignment.tangentKernel(net, cell, x, BLAS, false, 1 << 20), ref, 1e-5);
        }
    }

    @Test
    void dannCellKernelIsTakenWithRespectToTheEffectiveRecurrentMatrix() {
        TaskShape shape = new TaskShape(3, 4, 2, true);
        RecurrentCell cell = new RecurrentCell(
                "rnn0",
                new Connectivity.Dann("rnn0.U", 5, 3, 1),
                new Connectivity.Dann("rnn0.W", 5, 5, 2),
                Parameter.of("rnn0.b", 1, 5, Parameter.Sign.FREE, Parameter.Role.BIAS, 3, 5),
                1.0,
                BLAS);
        RecurrentNet net = net(shape, List.of(cell), 5, false);
        Matrix x = inputs(3, shape, 6, true);
        assertKernel(KernelAlignment.tangentKernel(net, 0, x, BLAS), gram(perOutputGradients(net, 0, x)), 1e-5);
    }

    @Test
    void kernelMatchesFiniteDifferencesOfTheOutputs() {
        // All weights and inputs positive: every unit is active, so the outputs are polynomials in W.
        TaskShape shape = new TaskShape(2, 3, 2, true);
        RecurrentNet net = net(shape, List.of(plainCell("rnn0", 2, 4, 1.0)), 7, true);
        Matrix x = inputs(2, shape, 8, true);
        Matrix w = net.cells().get(0).recurrent().parameters().get(0).value();
        int outputs = x.rows * shape.outputWidth();
        List<double[]> grads = new ArrayList<>();
        for (int a = 0; a < outputs; a++) grads.add(new double[w.size()]);
        float eps = 1e-2f;
        for (int i = 0; i < w.size(); i++) {
            float v = w.get(i);
            w.set(i, v + eps);
            float[] up = net.forward(x).toArray();
            w.set(i, v - eps);
            float[] down = net.forward(x).toArray();
            w.set(i, v);
            for (int a = 0; a < outputs; a++) grads.get(a)[i] = ((double) up[a] - down[a]) / (2 * eps);
        }
        assertKernel(KernelAlignment.tangentKernel(net, 0, x, BLAS), gram(grads), 2e-3);
    }

    @Test
    void aOneStepNetworkHasAZeroKernelAndNoAlignment() {
        TaskShape shape = TaskShape.flat(3, 2);
        RecurrentNet net = net(shape, List.of(plainCell("rnn0", 3, 4, 1.0)), 9, false);
        for (boolean byStepPairs : new boolean[] {true, false}) {
            Matrix k = KernelAlignment.tangentKernel(net, 0, inputs(2, shape, 10, false), BLAS, byStepPairs, 1 << 20);
            for (int i = 0; i < k.size(); i++) assertThat(k.get(i)).isZero();
            assertThat(KernelAlignment.alignment(k, k)).isNaN();
        }
    }

    @Test
    void alignmentIsOneForProportionalKernelsAndBoundedOtherwise() {
        TaskShape shape = new TaskShape(3, 5, 2, true);
        RecurrentNet net = net(shape, List.of(plainCell("rnn0", 3, 6, 1.0)), 11, false);
        Matrix x = inputs(4, shape, 12, false);
        Matrix k0 = KernelAlignment.tangentKernel(net, 0, x, BLAS);
        assertThat(KernelAlignment.alignment(k0, KernelAlignment.tangentKernel(net, 0, x, BLAS)))
                .isCloseTo(1, within(1e-12));
        Matrix scaled = k0.copy();
        BLAS.scal(3f, scaled);
        assertThat(KernelAlignment.alignment(k0, scaled)).isCloseTo(1, within(1e-6));
        Rng rng = new Rng(13);
        for (int trial = 0; trial < 20; trial++) {
            Matrix a = Matrix.zeros(5, 5), b = Matrix.zeros(5, 5);
            for (int i = 0; i < 25; i++) {
                a.set(i, (float) rng.nextGaussian());
                b.set(i, (float) rng.nextGaussian());
            }
            assertThat(KernelAlignment.alignment(a, b)).isBetween(-1.0, 1.0);
            Matrix minus = a.copy();
            BLAS.scal(-1f, minus);
            assertThat(KernelAlignment.alignment(a, minus)).isCloseTo(-1, within(1e-6));
            // Two Gram (positive semi-definite) kernels align in [0, 1].
            assertThat(KernelAlignment.alignment(
                            KernelAlignment.representationKernel(a, BLAS),
                            KernelAlignment.representationKernel(b, BLAS)))
                    .isBetween(0.0, 1.0);
        }
    }

    @Test
    void trainingChangesTheKernelSoTheAlignmentDropsBelowOne() {
        TaskShape shape = new TaskShape(3, 5, 2, true);
        RecurrentNet net = net(shape, List.of(plainCell("rnn0", 3, 6, 1.0)), 14, false);
        Matrix x = inputs(4, shape, 15, false);
        Matrix k0 = KernelAlignment.tangentKernel(net, 0, x, BLAS);
        Matrix w = net.cells().get(0).recurrent().parameters().get(0).value();
        Rng rng = new Rng(16);
        for (int i = 0; i < w.size(); i++) w.set(i, w.get(i) + (float) (0.3 * rng.nextGaussian()));
        double ka = KernelAlignment.alignment(k0, KernelAlignment.tangentKernel(net, 0, x, BLAS));
        assertThat(ka).isBetween(0.0, 0.999);
    }

    @Test
    void trialsAreCappedByTheKernelAndDeltaBudgets() {
        assertThat(KernelAlignment.trials(new TaskShape(3, 8, 3, true), 300, 32))
                .isEqualTo(32);
        assertThat(KernelAlignment.trials(new TaskShape(3, 8, 3, true), 300, 10))
                .isEqualTo(10);
        assertThat(KernelAlignment.trials(new TaskShape(28, 28, 10, false), 100, 32))
                .isEqualTo(32);
        assertThat(KernelAlignment.trials(new TaskShape(1, 100, 50, true), 100, 32))
                .isEqualTo(1);
        assertThat(KernelAlignment.trials(new TaskShape(28, 28, 10, true), 1000, 32))
                .isEqualTo(4); // 2^25 / (280 * 28 * 1000)
    }
}

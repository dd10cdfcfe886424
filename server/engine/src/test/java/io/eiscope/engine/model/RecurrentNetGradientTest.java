package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Backpropagation through time against central finite differences of an independent
 * double-precision reference of the whole network (cells unrolled per example, readout at the
 * last or every step), for every cell family: standard, column-E/I, DANN, the leaky CTRNN and a
 * two-cell stack, and for every readout the recurrent models use: dense, column-E/I, DANN and
 * linear without bias (the CTRNN's). The loss is a fixed random linear function of the outputs, so every output
 * of every step carries gradient.
 */
class RecurrentNetGradientTest {
    private static final double STEP = 1e-6;

    /** What the reference needs to know about a connectivity: its kind and sizes. */
    private record Conn(String kind, String prefix, int inhibitory) {}

    private record CellSpec(String name, Conn input, Conn recurrent, boolean bias, double alpha, boolean tanh) {
        CellSpec(String name, Conn input, Conn recurrent, boolean bias, double alpha) {
            this(name, input, recurrent, bias, alpha, false);
        }

        CellSpec withTanh() {
            return new CellSpec(name, input, recurrent, bias, alpha, true);
        }
    }

    /** The readout's kind ({@code dense}, {@code column}, {@code dann}, {@code linear}) and its inhibitory count. */
    private record ReadoutSpec(String kind, int inhibitory) {
        static final ReadoutSpec DENSE = new ReadoutSpec("dense", 0);

        Layer build(int in, int out) {
            return switch (kind) {
                case "dense" -> new Dense("readout", in, out, Activation.IDENTITY, false, Blas.best());
                case "column" -> new ColumnEiDense("readout", in, inhibitory, out, Activation.IDENTITY, Blas.best());
                case "dann" -> new EiDense("readout", in, out, inhibitory, Activation.IDENTITY, Blas.best());
                case "linear" -> new LinearNeuron("readout", in, out, 0.0, Blas.best());
                default -> throw new IllegalArgumentException(kind);
            };
        }
    }

    @Test
    void standardCellLastStep() {
        check(List.of(plainCell("rnn0", 3, 5, true, 1.0)), new TaskShape(3, 4, 2, false), 11);
    }

    @Test
    void columnEiCellLastStep() {
        CellSpec spec =
                new CellSpec("rnn0", new Conn("column", "rnn0.U", 0), new Conn("column", "rnn0.W", 2), true, 1.0);
        RecurrentCell cell = new RecurrentCell(
                "rnn0",
                new Connectivity.ColumnSigned("rnn0.U", 6, 3, 0, true, 3, 4),
                new Connectivity.ColumnSigned("rnn0.W", 6, 6, 2, true, 6, 4),
                bias("rnn0", 6),
                1.0,
                Blas.best());
        check(List.of(new Built(spec, cell)), new TaskShape(3, 5, 3, false), 12);
    }

    @Test
    void dannCellEveryStep() {
        CellSpec spec = new CellSpec("rnn0", new Conn("dann", "rnn0.U", 2), new Conn("dann", "rnn0.W", 2), true, 1.0);
        RecurrentCell cell = new RecurrentCell(
                "rnn0",
                new Connectivity.Dann("rnn0.U", 5, 3, 2),
                new Connectivity.Dann("rnn0.W", 5, 5, 2),
                bias("rnn0", 5),
                1.0,
                Blas.best());
        check(List.of(new Built(spec, cell)), new TaskShape(3, 4, 2, true), 13);
    }

    @Test
    void leakyCtrnnWithoutBiasEveryStep() {
        check(List.of(plainCell("rnn0", 2, 6, false, 0.3)), new TaskShape(2, 5, 3, true), 14);
    }

    @Test
    void leakyCtrnnWithoutBiasLastStep() {
        check(List.of(plainCell("rnn0", 2, 6, false, 0.3)), new TaskShape(2, 5, 3, false), 23);
    }

    @Test
    void leakyCellOverAStandardCellLastStep() {
        check(
                List.of(plainCell("rnn0", 3, 5, true, 1.0), plainCell("rnn1", 5, 4, false, 0.4)),
                new TaskShape(3, 3, 2, false),
                24);
    }

    @Test
    void columnEiCellWithAColumnEiReadoutEveryStep() {
        CellSpec spec = new CellSpec(
                "rnn0", new Conn("column", "rnn0.U_pos", 0), new Conn("column", "rnn0.W_pos", 2), true, 1.0);
        RecurrentCell cell = new RecurrentCell(
                "rnn0",
                new Connectivity.ColumnSigned("rnn0.U_pos", 6, 3, 0, true, 3, 6),
                new Connectivity.ColumnSigned("rnn0.W_pos", 6, 6, 2, false, 6, 6),
                bias("rnn0", 6),
                1.0,
                Blas.best());
        check(List.of(new Built(spec, cell)), new ReadoutSpec("column", 2), new TaskShape(3, 4, 3, true), 16);
    }

    @Test
    void dannCellWithADannReadoutLastStep() {
        CellSpec spec = new CellSpec("rnn0", new Conn("dann", "rnn0.U", 1), new Conn("dann", "rnn0.W", 2), true, 1.0);
        RecurrentCell cell = new RecurrentCell(
                "rnn0",
                new Connectivity.Dann("rnn0.U", 5, 3, 1),
                new Connectivity.Dann("rnn0.W", 5, 5, 2),
                bias("rnn0", 5),
                1.0,
                Blas.best());
        check(List.of(new Built(spec, cell)), new ReadoutSpec("dann", 2), new TaskShape(3, 4, 3, false), 17);
    }

    @Test
    void leakyCtrnnWithALinearReadoutWithoutBiasEveryStep() {
        check(
                List.of(plainCell("rnn0", 2, 6, false, 0.4)),
                new ReadoutSpec("linear", 0),
                new TaskShape(2, 5, 3, true),
                18);
    }

    @Test
    void tanhCellLastStep() {
        check(List.of(tanh(plainCell("rnn0", 3, 5, true, 1.0))), new TaskShape(3, 4, 2, false), 21);
    }

    @Test
    void leakyTanhCtrnnEveryStep() {
        check(List.of(tanh(plainCell("rnn0", 2, 6, false, 0.3))), new TaskShape(2, 5, 3, true), 22);
    }

    @Test
    void tanhColumnEiCellOverATanhCellEveryStep() {
        CellSpec spec = new CellSpec(
                        "rnn1", new Conn("column", "rnn1.U", 0), new Conn("column", "rnn1.W", 2), true, 1.0)
                .withTanh();
        RecurrentCell cell = new RecurrentCell(
                "rnn1",
                new Connectivity.ColumnSigned("rnn1.U", 6, 5, 0, true, 5, 4),
                new Connectivity.ColumnSigned("rnn1.W", 6, 6, 2, true, 6, 4),
                bias("rnn1", 6),
                1.0,
                Activation.TANH,
                Blas.best());
        check(
                List.of(tanh(plainCell("rnn0", 3, 5, true, 1.0)), new Built(spec, cell)),
                new TaskShape(3, 4, 3, true),
                23);
    }

    @Test
    void aCellRefusesANonLinearityOtherThanReluOrTanh() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RecurrentCell(
                        "rnn0",
                        Connectivity.Plain.create("rnn0.U", 3, 2, 2),
                        Connectivity.Plain.create("rnn0.W", 3, 3, 3),
                        null,
                        1.0,
                        Activation.IDENTITY,
                        Blas.best()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("relu or tanh, got IDENTITY");
    }

    /** The same cell with tanh units. */
    private static Built tanh(Built plain) {
        RecurrentCell c = plain.cell();
        return new Built(
                plain.spec().withTanh(),
                new RecurrentCell(
                        c.name(), c.input(), c.recurrent(), c.bias(), c.alpha(), Activation.TANH, Blas.best()));
    }

    @Test
    void twoStackedCells() {
        check(
                List.of(plainCell("rnn0", 3, 5, true, 1.0), plainCell("rnn1", 5, 4, true, 1.0)),
                new TaskShape(3, 3, 2, false),
                15);
    }

    private record Built(CellSpec spec, RecurrentCell cell) {}

    private static Built plainCell(String name, int in, int n, boolean withBias, double alpha) {
        CellSpec spec = new CellSpec(
                name, new Conn("plain", name + ".U", 0), new Conn("plain", name + ".W", 0), withBias, alpha);
        RecurrentCell cell = new RecurrentCell(
                name,
                Connectivity.Plain.create(name + ".U", n, in, in),
                Connectivity.Plain.create(name + ".W", n, n, n),
                withBias ? bias(name, n) : null,
                alpha,
                Blas.best());
        return new Built(spec, cell);
    }

    private static Parameter bias(String name, int n) {
        return Parameter.of(name + ".b", 1, n, Parameter.Sign.FREE, Parameter.Role.BIAS, n, n);
    }

    private static void check(List<Built> built, TaskShape shape, long seed) {
        check(built, ReadoutSpec.DENSE, shape, seed);
    }

    /**
     * At batch 3 and 4: OpenBLAS runs the small recurrence products faster with {@code W^T} as it lies from 4 rows on,
     * so at 4 the cells multiply by a transposed copy of W ({@link Blas#untransposedFaster}), at 3 by W transposed.
     */
    private static void check(List<Built> built, ReadoutSpec readoutSpec, TaskShape shape, long seed) {
        for (int batch : new int[] {3, 4}) check(built, readoutSpec, shape, seed, batch);
    }

    private static void check(List<Built> built, ReadoutSpec readoutSpec, TaskShape shape, long seed, int batch) {
        Rng rng = new Rng(seed);
        List<RecurrentCell> cells = built.stream().map(Built::cell).toList();
        int top = cells.get(cells.size() - 1).units();
        Layer readout = readoutSpec.build(top, shape.outputs());
        RecurrentNet net = new RecurrentNet(shape, cells, readout);
        for (Parameter p : net.parameters()) {
            boolean positive = p.sign() == Parameter.Sign.NON_NEGATIVE;
            for (int i = 0; i < p.value().size(); i++)
                p.value().set(i, (float) (positive ? 0.05 + 0.5 * rng.nextDouble() : rng.nextDouble() - 0.5));
        }
        Matrix x = Matrix.zeros(batch, shape.inputSize());
        for (int i = 0; i < x.size(); i++) x.set(i, (float) (2 * rng.nextDouble() - 0.5));
        Matrix out = net.forward(x);
        assertThat(out.rows).isEqualTo(batch);
        assertThat(out.cols).isEqualTo(shape.outputWidth());

        Map<String, double[]> params = new HashMap<>();
        for (Parameter p : net.parameters()) params.put(p.name(), toDouble(p.value()));
        double[] xd = toDouble(x);
        double[] ref = reference(built, readoutSpec, shape, params, xd, batch);
        boolean someInactive = false;
        for (int i = 0; i < out.size(); i++)
            assertThat((double) out.get(i))
                    .as("output %d", i)
                    .isCloseTo(ref[i], Offset.offset(1e-5 * Math.max(1, Math.abs(ref[i]))));

        double[] c = new double[out.size()];
        Matrix dOut = Matrix.zeros(out.rows, out.cols);
        for (int i = 0; i < c.length; i++) {
            c[i] = 2 * rng.nextDouble() - 1;
            dOut.set(i, (float) c[i]);
        }
        net.backward(dOut);
        int checked = 0;
        for (Parameter p : net.parameters()) {
            double[] target = params.get(p.name());
            double[] numeric = new double[target.length];
            for (int i = 0; i < target.length; i++) {
                double v = target[i];
                target[i] = v + STEP;
                double up = dot(c, reference(built, readoutSpec, shape, params, xd, batch));
                target[i] = v - STEP;
                double down = dot(c, reference(built, readoutSpec, shape, params, xd, batch));
                target[i] = v;
                numeric[i] = (up - down) / (2 * STEP);
            }
            double largest = 0;
            for (double v : numeric) largest = Math.max(largest, Math.abs(v));
            assertThat(largest).as("gradient of %s is not all zero", p.name()).isGreaterThan(0);
            for (int i = 0; i < target.length; i++) {
                assertThat((double) p.grad().get(i))
                        .as("d%s[%d]", p.name(), i)
                        .isCloseTo(numeric[i], Offset.offset(1e-4 * Math.abs(numeric[i]) + 1e-5 * largest + 1e-9));
                checked++;
            }
        }
        for (RecurrentCell cell : cells) {
            Matrix h = cell.hidden();
            for (int i = 0; i < h.size(); i++) if (h.get(i) == 0f) someInactive = true;
        }
        assertThat(checked)
                .isEqualTo(net.parameters().stream()
                        .mapToInt(p -> p.value().size())
                        .sum());
        assertThat(someInactive || cells.get(0).alpha() < 1 || cells.get(0).nonlinearity() == Activation.TANH)
                .as("some ReLU units inactive, so both branches are checked")
                .isTrue();
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** The network in double precision, one example at a time; outputs in the task's B x outputWidth layout. */
    private static double[] reference(
            List<Built> built, ReadoutSpec readout, TaskShape shape, Map<String, double[]> p, double[] x, int batch) {
        int t = shape.steps(), d = shape.stepInputs(), k = shape.outputs();
        double[] out = new double[batch * shape.outputWidth()];
        for (int b = 0; b < batch; b++) {
            List<double[]> states = new ArrayList<>();
            for (Built c : built) states.add(new double[c.cell().units()]);
            for (int s = 0; s < t; s++) {
                double[] in = new double[d];
                System.arraycopy(x, b * shape.inputSize() + s * d, in, 0, d);
                for (int l = 0; l < built.size(); l++) {
                    CellSpec spec = built.get(l).spec();
                    int n = built.get(l).cell().units();
                    double[][] u = effective(spec.input(), p, n, in.length);
                    double[][] w = effective(spec.recurrent(), p, n, n);
                    double[] h = states.get(l), next = new double[n];
                    for (int i = 0; i < n; i++) {
                        double a = spec.bias() ? p.get(spec.name() + ".b")[i] : 0;
                        for (int j = 0; j < in.length; j++) a += u[i][j] * in[j];
                        for (int j = 0; j < n; j++) a += w[i][j] * h[j];
                        double z = (1 - spec.alpha()) * h[i] + spec.alpha() * a;
                        next[i] = spec.tanh() ? Math.tanh(z) : Math.max(0, z);
                    }
                    states.set(l, next);
                    in = next;
                }
                if (shape.everyStep() || s == t - 1) {
                    double[][] wr = readoutMatrix(readout, p, k, in.length);
                    double[] br = p.get("readout.b");
                    int at = b * shape.outputWidth() + (shape.everyStep() ? s * k : 0);
                    for (int o = 0; o < k; o++) {
                        double y = br == null ? 0 : br[o];
                        for (int j = 0; j < in.length; j++) y += wr[o][j] * in[j];
                        out[at + o] = y;
                    }
                }
            }
        }
        return out;
    }

    /** The readout's effective matrix ({@code rows x cols}) from its parameters. */
    private static double[][] readoutMatrix(ReadoutSpec r, Map<String, double[]> p, int rows, int cols) {
        return switch (r.kind()) {
            case "dense" -> effective(new Conn("plain", "readout.W", 0), p, rows, cols);
            case "linear" -> effective(new Conn("plain", "readout.w", 0), p, rows, cols);
            case "column" -> effective(new Conn("column", "readout.W_pos", r.inhibitory()), p, rows, cols);
            case "dann" -> effective(new Conn("dann", "readout.W", r.inhibitory()), p, rows, cols);
            default -> throw new IllegalArgumentException(r.kind());
        };
    }

    private static double[][] effective(Conn c, Map<String, double[]> p, int rows, int cols) {
        double[][] w = new double[rows][cols];
        switch (c.kind()) {
            case "plain" -> {
                double[] v = p.get(c.prefix());
                for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) w[i][j] = v[i * cols + j];
            }
            case "column" -> {
                double[] v = p.get(c.prefix());
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++) w[i][j] = (j >= cols - c.inhibitory() ? -1 : 1) * v[i * cols + j];
            }
            case "dann" -> {
                double[] ex = p.get(c.prefix() + "ex"), ix = p.get(c.prefix() + "ix"), ei = p.get(c.prefix() + "ei");
                int ni = c.inhibitory();
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        double s = ex[i * cols + j];
                        for (int m = 0; m < ni; m++) s -= ei[i * ni + m] * ix[m * cols + j];
                        w[i][j] = s;
                    }
                }
            }
            default -> throw new IllegalArgumentException(c.kind());
        }
        return w;
    }

    private static double[] toDouble(Matrix m) {
        double[] out = new double[m.size()];
        for (int i = 0; i < out.length; i++) out[i] = m.get(i);
        return out;
    }
}

package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a float32 {@link Layer} against an independent double-precision reference of its
 * forward pass: (1) the two forwards agree; (2) the layer's analytic gradients of a fixed
 * random linear loss {@code L = sum(c ⊙ h)}, for every parameter and for the input, agree with
 * central finite differences of the reference in double precision.
 *
 * <p>Tolerance: {@link #RELATIVE} of the finite difference plus {@link #ABSOLUTE} times the
 * largest gradient of the tensor (float32 round-off of sums over the batch and fan-in).
 */
final class LayerGradientCheck {
    static final double RELATIVE = 1e-4;
    static final double ABSOLUTE = 1e-6;
    private static final double STEP = 1e-6;

    /** A layer's forward pass in double: parameters by short name ({@code Wex}, {@code b}, ...), x {@code B x d}. */
    @FunctionalInterface
    interface Reference {
        double[][] forward(Map<String, double[][]> params, double[][] x);
    }

    private LayerGradientCheck() {}

    /** Runs both checks; returns the number of gradient elements compared. */
    static int check(Layer layer, Matrix x, Reference reference, Rng rng) {
        Map<String, double[][]> params = new HashMap<>();
        for (Parameter p : layer.parameters()) params.put(shortName(p), toDouble(p.value()));
        double[][] xd = toDouble(x);

        Matrix h = layer.forward(x);
        double[][] hRef = reference.forward(params, xd);
        double scale = Math.max(1.0, maxAbs(hRef));
        for (int r = 0; r < h.rows; r++)
            for (int k = 0; k < h.cols; k++)
                assertThat((double) h.get(r, k))
                        .as("forward h[%d][%d]", r, k)
                        .isCloseTo(hRef[r][k], org.assertj.core.data.Offset.offset(1e-5 * scale));

        Matrix c = Matrix.zeros(h.rows, h.cols);
        for (int i = 0; i < c.size(); i++) c.set(i, (float) (2 * rng.nextDouble() - 1));
        double[][] cd = toDouble(c);
        Matrix dx = layer.backward(c.copy(), true);

        int checked = 0;
        for (Parameter p : layer.parameters())
            checked += compare(
                    p.name(), toDouble(p.grad()), params.get(shortName(p)), () -> loss(reference, params, xd, cd));
        checked += compare(layer.name() + ".x", toDouble(dx), xd, () -> loss(reference, params, xd, cd));
        return checked;
    }

    /** Perturbs each element of {@code target} in place (restoring it) and compares with {@code analytic}. */
    private static int compare(
            String what, double[][] analytic, double[][] target, java.util.function.DoubleSupplier loss) {
        double[][] numeric = new double[target.length][target[0].length];
        for (int r = 0; r < target.length; r++) {
            for (int k = 0; k < target[r].length; k++) {
                double v = target[r][k];
                target[r][k] = v + STEP;
                double up = loss.getAsDouble();
                target[r][k] = v - STEP;
                double down = loss.getAsDouble();
                target[r][k] = v;
                numeric[r][k] = (up - down) / (2 * STEP);
            }
        }
        double largest = maxAbs(numeric);
        for (int r = 0; r < target.length; r++)
            for (int k = 0; k < target[r].length; k++)
                assertThat(analytic[r][k])
                        .as("d%s[%d][%d]", what, r, k)
                        .isCloseTo(
                                numeric[r][k],
                                org.assertj.core.data.Offset.offset(
                                        RELATIVE * Math.abs(numeric[r][k]) + ABSOLUTE * largest + 1e-12));
        return target.length * target[0].length;
    }

    private static double loss(Reference reference, Map<String, double[][]> params, double[][] x, double[][] c) {
        double[][] h = reference.forward(params, x);
        double l = 0;
        for (int r = 0; r < h.length; r++) for (int k = 0; k < h[r].length; k++) l += c[r][k] * h[r][k];
        return l;
    }

    /** For checks of ReLU layers: some outputs of {@code h} are 0 and some positive, so both branches are covered. */
    static void assertActiveAndInactive(Matrix h) {
        int zeros = 0;
        for (int i = 0; i < h.size(); i++) if (h.get(i) == 0f) zeros++;
        assertThat(zeros).as("inactive ReLU outputs").isBetween(1, h.size() - 1);
    }

    /** A {@code rows x cols} float matrix with entries uniform in [lo, hi). */
    static Matrix uniform(int rows, int cols, double lo, double hi, Rng rng) {
        Matrix m = Matrix.zeros(rows, cols);
        for (int i = 0; i < m.size(); i++) m.set(i, (float) (lo + (hi - lo) * rng.nextDouble()));
        return m;
    }

    /** Fills every parameter uniformly in [0.1, 1) when sign-constrained, else in [-1, 1), except those named in {@code keep}. */
    static void randomise(Layer layer, Rng rng, List<String> keep) {
        for (Parameter p : layer.parameters()) {
            if (keep.contains(shortName(p))) continue;
            boolean positive = p.sign() == Parameter.Sign.NON_NEGATIVE;
            p.value().copyFrom(uniform(p.value().rows, p.value().cols, positive ? 0.1 : -1, 1, rng));
        }
    }

    static String shortName(Parameter p) {
        return p.name().substring(p.name().lastIndexOf('.') + 1);
    }

    static double[][] toDouble(Matrix m) {
        double[][] out = new double[m.rows][m.cols];
        for (int r = 0; r < m.rows; r++) for (int k = 0; k < m.cols; k++) out[r][k] = m.get(r, k);
        return out;
    }

    private static double maxAbs(double[][] a) {
        double m = 0;
        for (double[] row : a) for (double v : row) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** A copy of {@code m} that later passes of the layer that owns {@code m} cannot overwrite. */
    static Matrix copy(Matrix m) {
        Matrix c = Matrix.zeros(m.rows, m.cols);
        c.copyFrom(m);
        return c;
    }

    /** {@code actual} and {@code expected} hold the same floats, bit for bit, element by element. */
    static void assertSameBits(Matrix actual, Matrix expected, String what) {
        assertThat(actual.size()).as(what).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++)
            assertThat(Float.floatToRawIntBits(actual.get(i)))
                    .as("%s[%d]: %s against %s", what, i, actual.get(i), expected.get(i))
                    .isEqualTo(Float.floatToRawIntBits(expected.get(i)));
    }
}

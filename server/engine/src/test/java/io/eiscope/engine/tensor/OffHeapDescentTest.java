package io.eiscope.engine.tensor;

import static io.eiscope.engine.tensor.SpecialFloats.bitsOrNaN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link OffHeapDescent}'s in-place lanes against {@code w - lr (s g + wd w)} (and {@code Math.max(…, 0)}),
 * written out here, bit for bit: values of every kind, rows of every length up to past a vector's tail, and the
 * rows × columns of the models' layers. These run only on JDK 22+ (server/engine/pom.xml, profile lanes22),
 * where the kernels exist; JDK 17's runs take the chunked loops, which their own tests hold to the same formula.
 */
class OffHeapDescentTest {
    private static final float[] RATES = {
        1e-3f, 0.1f, 1f, 40f, 0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NaN
    };
    private static final float[] DECAYS = {0f, 1e-4f, 0.5f, -0f, Float.NaN};

    @Test
    void theLanesRunOnTheJdkThisProfileStarted() {
        assertThat(Runtime.version().feature()).isGreaterThanOrEqualTo(22);
        assertThat(OffHeapDescent.available())
                .as("the build must compile src/lanes22/java (-Deiscope.jdk22) and the JVM add jdk.incubator.vector")
                .isTrue();
    }

    @Test
    void rowsOfADeferredGradientHaveTheBitsOfTheScalarFormula() {
        Random rng = new Random(22);
        int[][] shapes = {{1, 1}, {3, 7}, {2, 8}, {5, 9}, {4, 63}, {3, 64}, {2, 65}, {7, 100}, {10, 500}, {6, 784}};
        for (int round = 0; round < 600; round++) {
            int[] shape = shapes[round % shapes.length];
            int rows = shape[0], cols = shape[1];
            float lr = RATES[rng.nextInt(RATES.length)], wd = DECAYS[rng.nextInt(DECAYS.length)];
            boolean clamp = rng.nextBoolean();
            float[] w = values(rng, rows * cols, round),
                    x = values(rng, rows, round + 1),
                    y = values(rng, cols, round + 2);
            Matrix value = Matrix.of(rows, cols, w);
            OffHeapDescent.descendRows(value, x, y, lr, wd, clamp);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++) {
                    float wi = w[r * cols + j], v = wi - lr * (x[r] * y[j] + wd * wi);
                    float want = clamp ? Math.max(v, 0f) : v;
                    assertThat(bitsOrNaN(value.get(r, j)))
                            .as(
                                    "w %s, x %s, y %s, lr %s, wd %s, clamp %s at [%d, %d] of %dx%d: %s against %s",
                                    wi, x[r], y[j], lr, wd, clamp, r, j, rows, cols, value.get(r, j), want)
                            .isEqualTo(bitsOrNaN(want));
                }
        }
    }

    @Test
    void aWrittenGradientHasTheBitsOfTheScalarFormula() {
        Random rng = new Random(23);
        for (int round = 0; round < 600; round++) {
            int n = round % 10 == 0 ? 392_000 / 50 : rng.nextInt(1100);
            float lr = RATES[rng.nextInt(RATES.length)], wd = DECAYS[rng.nextInt(DECAYS.length)];
            boolean clamp = rng.nextBoolean();
            float[] w = values(rng, n, round), g = values(rng, n, round + 1);
            Matrix value = Matrix.of(1, n, w), grad = Matrix.of(1, n, g);
            OffHeapDescent.descend(value, grad, lr, wd, clamp);
            for (int i = 0; i < n; i++) {
                float v = w[i] - lr * (g[i] + wd * w[i]), want = clamp ? Math.max(v, 0f) : v;
                assertThat(bitsOrNaN(value.get(i)))
                        .as("w %s, g %s, lr %s, wd %s, clamp %s [%d of %d]", w[i], g[i], lr, wd, clamp, i, n)
                        .isEqualTo(bitsOrNaN(want));
                assertThat(Float.floatToRawIntBits(grad.get(i))).isEqualTo(Float.floatToRawIntBits(g[i]));
            }
        }
    }

    @Test
    void heavyBallHasTheBitsOfTheScalarFormulaForRowsAndWrittenGradients() {
        Random rng = new Random(24);
        float[] moments = {0.9f, 0f, 0.5f, 0.99f, Float.NaN};
        int[][] shapes = {{1, 1}, {3, 7}, {2, 8}, {4, 63}, {2, 65}, {10, 500}, {2, 784}};
        for (int round = 0; round < 800; round++) {
            int[] shape = shapes[round % shapes.length];
            int rows = shape[0], cols = shape[1], n = rows * cols;
            float lr = RATES[rng.nextInt(RATES.length)], wd = DECAYS[rng.nextInt(DECAYS.length)];
            float mu = moments[rng.nextInt(moments.length)], keep = rng.nextBoolean() ? 1f : 0.75f;
            boolean first = rng.nextInt(4) == 0, nesterov = rng.nextBoolean(), clamp = rng.nextBoolean();
            boolean rowsOf = rng.nextBoolean();
            float[] w = values(rng, n, round), b = values(rng, n, round + 1), g = values(rng, n, round + 2);
            float[] x = values(rng, rows, round + 3), y = values(rng, cols, round + 4);
            if (round % 3 == 0) for (int i = 0; i < n; i += 2) b[i] = (float) (rng.nextGaussian() * 0x1p-127);
            Matrix value = Matrix.of(rows, cols, w), buf = Matrix.of(rows, cols, b);
            OffHeapDescent.momentum(
                    value,
                    buf,
                    rowsOf ? null : Matrix.of(rows, cols, g),
                    rowsOf ? x : null,
                    rowsOf ? y : null,
                    lr,
                    wd,
                    mu,
                    keep,
                    first,
                    nesterov,
                    clamp);
            for (int i = 0; i < n; i++) {
                float gi = rowsOf ? x[i / cols] * y[i % cols] : g[i], di = gi + wd * w[i];
                float bi = flush(first ? di : mu * b[i] + keep * di);
                float v = w[i] - lr * (nesterov ? di + mu * bi : bi), want = clamp ? Math.max(v, 0f) : v;
                if (bitsOrNaN(buf.get(i)) == bitsOrNaN(bi) && bitsOrNaN(value.get(i)) == bitsOrNaN(want)) continue;
                String what = String.format(
                        "w %s, b %s, g %s, lr %s, wd %s, mu %s, keep %s, first %s, nesterov %s, clamp %s, rows %s [%d of %dx%d]",
                        w[i], b[i], gi, lr, wd, mu, keep, first, nesterov, clamp, rowsOf, i, rows, cols);
                assertThat(bitsOrNaN(buf.get(i))).as("buffer: " + what).isEqualTo(bitsOrNaN(bi));
                assertThat(bitsOrNaN(value.get(i))).as("value: " + what).isEqualTo(bitsOrNaN(want));
            }
        }
    }

    @Test
    void adamHasTheBitsOfTheScalarFormulaForRowsAndWrittenGradients() {
        Random rng = new Random(25);
        int[][] shapes = {{1, 1}, {3, 7}, {2, 8}, {4, 63}, {2, 65}, {10, 500}, {2, 784}};
        float[] betas = {0.9f, 0.999f, 0f, 0.5f};
        for (int round = 0; round < 800; round++) {
            int[] shape = shapes[round % shapes.length];
            int rows = shape[0], cols = shape[1], n = rows * cols;
            float b1 = betas[rng.nextInt(betas.length)], b2 = betas[rng.nextInt(betas.length)];
            float c1 = 1 - b1, c2 = 1 - b2, l2 = DECAYS[rng.nextInt(DECAYS.length)];
            float shrink = rng.nextBoolean() ? 1f : 0.999f, eps = rng.nextBoolean() ? 1e-8f : 0f;
            float stepSize = RATES[rng.nextInt(RATES.length)], sqrtBias2 = rng.nextBoolean() ? 1f : 0.0316f;
            boolean rowsOf = rng.nextBoolean();
            float[] w = values(rng, n, round), m = values(rng, n, round + 1), v = values(rng, n, round + 2);
            float[] g = values(rng, n, round + 3), x = values(rng, rows, round + 4), y = values(rng, cols, round + 5);
            if (round % 3 == 0) for (int i = 0; i < n; i += 2) m[i] = (float) (rng.nextGaussian() * 0x1p-127);
            Matrix value = Matrix.of(rows, cols, w), mv = Matrix.of(rows, cols, m), vv = Matrix.of(rows, cols, v);
            OffHeapDescent.adam(
                    value,
                    rowsOf ? null : Matrix.of(rows, cols, g),
                    rowsOf ? x : null,
                    rowsOf ? y : null,
                    mv,
                    vv,
                    b1,
                    b2,
                    c1,
                    c2,
                    l2,
                    shrink,
                    eps,
                    stepSize,
                    sqrtBias2);
            for (int i = 0; i < n; i++) {
                float wi = w[i] * shrink, gi = (rowsOf ? x[i / cols] * y[i % cols] : g[i]) + l2 * wi;
                float mi = flush(b1 * m[i] + c1 * gi), vi = flush(b2 * v[i] + c2 * gi * gi);
                float want = wi - stepSize * (mi / ((float) Math.sqrt(vi) / sqrtBias2 + eps));
                if (bitsOrNaN(mv.get(i)) == bitsOrNaN(mi)
                        && bitsOrNaN(vv.get(i)) == bitsOrNaN(vi)
                        && bitsOrNaN(value.get(i)) == bitsOrNaN(want)) continue;
                String what = String.format(
                        "w %s, m %s, v %s, g %s, b1 %s, b2 %s, l2 %s, shrink %s, eps %s, step %s, bias %s, rows %s [%d of %dx%d]",
                        w[i], m[i], v[i], gi, b1, b2, l2, shrink, eps, stepSize, sqrtBias2, rowsOf, i, rows, cols);
                assertThat(bitsOrNaN(mv.get(i))).as("m: " + what).isEqualTo(bitsOrNaN(mi));
                assertThat(bitsOrNaN(vv.get(i))).as("v: " + what).isEqualTo(bitsOrNaN(vi));
                assertThat(bitsOrNaN(value.get(i))).as("value: " + what).isEqualTo(bitsOrNaN(want));
            }
        }
    }

    /** Momentum's flush of subnormals to {@code +0}, written out: the learning package's branch-free form. */
    private static float flush(float x) {
        return Math.abs(x) < Float.MIN_NORMAL ? 0f : x;
    }

    @Test
    void aViewIsUpdatedWhereItLiesAndNothingBesideIt() {
        Matrix whole = Matrix.of(4, 80, values(new Random(5), 320, 1));
        float[] before = whole.toArray();
        Matrix middle = whole.rowsView(1, 2);
        float[] x = {2f, -3f}, y = new float[80];
        for (int j = 0; j < y.length; j++) y[j] = j - 40f;
        OffHeapDescent.descendRows(middle, x, y, 0.25f, 0f, false);
        for (int i = 0; i < 320; i++) {
            int r = i / 80, j = i % 80;
            float want = r == 1 || r == 2 ? before[i] - 0.25f * (x[r - 1] * y[j] + 0f * before[i]) : before[i];
            assertThat(bitsOrNaN(whole.get(i))).as("[%d, %d]", r, j).isEqualTo(bitsOrNaN(want));
        }
    }

    @Test
    void mismatchedShapesAreRefusedBeforeAnyWrite() {
        Matrix value = Matrix.of(2, 3, new float[] {1, 2, 3, 4, 5, 6});
        assertThatThrownBy(() -> OffHeapDescent.descendRows(value, new float[1], new float[3], 1f, 0f, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2x3");
        assertThatThrownBy(() -> OffHeapDescent.descend(value, Matrix.zeros(1, 5), 1f, 0f, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5 values for 6");
        assertThat(value.toArray()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void warmUpdatesOfEveryKindAllocateNothing() {
        Random rng = new Random(3);
        Matrix value = Matrix.of(50, 784, values(rng, 50 * 784, 1)),
                grad = Matrix.of(50, 784, values(rng, 50 * 784, 2));
        float[] x = values(rng, 50, 3), y = values(rng, 784, 4);
        Matrix buf = Matrix.zeros(50, 784), m = Matrix.zeros(50, 784), v = Matrix.zeros(50, 784);
        LanesAllocation.assertWarmChunksAllocateNothing(i -> {
            boolean rows = (i & 1) == 0, clamp = (i & 2) == 0;
            switch ((i >> 2) % 3) {
                case 0 -> {
                    if (rows) OffHeapDescent.descendRows(value, x, y, 1e-6f, 0f, clamp);
                    else OffHeapDescent.descend(value, grad, 1e-6f, 0f, clamp);
                }
                case 1 ->
                    OffHeapDescent.momentum(
                            value, buf, rows ? null : grad, x, y, 1e-6f, 0f, 0.9f, 1f, i < 8, clamp, clamp);
                default ->
                    OffHeapDescent.adam(
                            value,
                            rows ? null : grad,
                            x,
                            y,
                            m,
                            v,
                            0.9f,
                            0.999f,
                            0.1f,
                            0.001f,
                            0f,
                            1f,
                            1e-8f,
                            1e-6f,
                            0.5f);
            }
        });
    }

    /** {@code n} random floats of every kind ({@link SpecialFloats#value}), mixed by {@code seed}. */
    private static float[] values(Random rng, int n, int seed) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = SpecialFloats.value(rng, i + seed, SpecialFloats.KINDS);
        return a;
    }
}

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
    void aWarmUpdateAllocatesNothing() {
        Random rng = new Random(3);
        Matrix value = Matrix.of(50, 784, values(rng, 50 * 784, 1)),
                grad = Matrix.of(50, 784, values(rng, 50 * 784, 2));
        float[] x = values(rng, 50, 3), y = values(rng, 784, 4);
        LanesAllocation.assertWarmChunksAllocateNothing(i -> {
            if ((i & 1) == 0) OffHeapDescent.descendRows(value, x, y, 1e-6f, 0f, (i & 2) == 0);
            else OffHeapDescent.descend(value, grad, 1e-6f, 0f, (i & 2) == 0);
        });
    }

    /** {@code n} random floats of every kind ({@link SpecialFloats#value}), mixed by {@code seed}. */
    private static float[] values(Random rng, int n, int seed) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = SpecialFloats.value(rng, i + seed, SpecialFloats.KINDS);
        return a;
    }
}

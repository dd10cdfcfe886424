package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The batch-times-weights products the engine computes itself, bit for bit against their definition: each element
 * a chain of {@link Math#fma} over k from zero, in order, then {@code alpha} and {@code beta} one rounding each.
 * The reference below is written from that definition, element by element, not from the kernel's blocks.
 */
class RowProductsTest {
    /** The product itself, whatever this machine's lanes (Blas.best() takes it only where they are wide). */
    private static void rows(boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        Blas.checkGemm(false, transB, a, b, c);
        RowProducts.gemm(transB, alpha, a, b, beta, c);
    }

    /** op(A) (m x k, A not transposed) times op(B) as {@code gemm(false, transB, ...)} defines it, with c0 as C. */
    private static float[] reference(boolean transB, float alpha, Matrix a, Matrix b, float beta, float[] c0) {
        int m = a.rows, k = a.cols, n = transB ? b.rows : b.cols;
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int kk = 0; kk < k; kk++) {
                    float bk = transB ? b.get(j, kk) : b.get(kk, j);
                    s = Math.fma(a.get(i, kk), bk, s);
                }
                float t = alpha * s;
                c[i * n + j] = beta == 0f ? t : t + beta * c0[i * n + j];
            }
        }
        return c;
    }

    private static Matrix gaussian(int rows, int cols, Random rnd) {
        Matrix x = Matrix.zeros(rows, cols);
        for (int i = 0; i < x.size(); i++) x.set(i, (float) rnd.nextGaussian());
        return x;
    }

    private static void assertSameBits(Matrix c, float[] expected, String what) {
        assertThat(c.size()).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            int got = Float.floatToRawIntBits(c.get(i)), want = Float.floatToRawIntBits(expected[i]);
            if (got != want)
                throw new AssertionError(
                        what + ": element " + i + " is " + c.get(i) + ", the fma chain gives " + expected[i]);
        }
    }

    @Test
    void theTestJvmRunsTheLanes() {
        assertThat(RowProducts.inLanes())
                .as("surefire adds jdk.incubator.vector, so the products below run in lanes")
                .isTrue();
        assertThat(RowProducts.TILE % 8)
                .as("the lanes' block, %d rows", RowProducts.TILE)
                .isZero();
        assertThat(RowProducts.WIDE_LANES)
                .as("the VM's MaxVectorSize says what the lanes' width says (a JVM without them decides alike)")
                .isEqualTo(RowProducts.TILE == 32);
    }

    @Test
    void theEnginesBlasTakesThemWhereTheLanesAreWide() {
        assertThat(RowProducts.takes(false, 32, 500, 784))
                .as("taken where a block of the lanes is 32 rows (it is %d here)", RowProducts.TILE)
                .isEqualTo(RowProducts.TILE == 32);
        if (!RowProducts.WIDE_LANES) return; // narrow lanes: OpenBLAS computes it, in its own order
        Random rnd = new Random(11);
        Matrix x = gaussian(32, 784, rnd), w = gaussian(500, 784, rnd), c = Matrix.zeros(32, 500);
        float[] expected = reference(true, 1f, x, w, 0f, new float[32 * 500]);
        Blas.best().gemm(false, true, 1f, x, w, 0f, c);
        assertSameBits(c, expected, "Blas.best(), 32 x 500 x 784");
    }

    @Test
    void forwardAndBackwardProductsAreTheFmaChainsBitForBit() {
        Random rnd = new Random(42);
        int[][] shapes = {{32, 500, 784}, {32, 128, 1024}, {30, 257, 521}, {28, 131, 1001}, {31, 600, 219}};
        float[][] alphaBeta = {{1f, 0f}, {-1f, 1f}, {0.37f, 0.3f}, {1f, 1f}, {-2.5f, 0f}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            assertThat(RowProducts.takes(false, m, n, k))
                    .as("%s taken", java.util.Arrays.toString(s))
                    .isTrue();
            for (boolean transB : new boolean[] {true, false}) {
                Matrix a = gaussian(m, k, rnd), b = transB ? gaussian(n, k, rnd) : gaussian(k, n, rnd);
                for (float[] ab : alphaBeta) {
                    Matrix c = gaussian(m, n, rnd);
                    float[] expected = reference(transB, ab[0], a, b, ab[1], c.toArray());
                    rows(transB, ab[0], a, b, ab[1], c);
                    assertSameBits(
                            c,
                            expected,
                            java.util.Arrays.toString(s) + (transB ? " X W^T" : " D W") + " alpha " + ab[0] + " beta "
                                    + ab[1]);
                }
            }
        }
    }

    @Test
    void withBetaZeroTheOutputIsNotRead() {
        Random rnd = new Random(3);
        Matrix a = gaussian(32, 200, rnd), w = gaussian(700, 200, rnd), c = Matrix.zeros(32, 700);
        c.fill(Float.NaN);
        float[] expected = reference(true, 1f, a, w, 0f, new float[32 * 700]);
        rows(true, 1f, a, w, 0f, c);
        assertSameBits(c, expected, "C full of NaN, beta 0");
    }

    @Test
    void viewsOfLargerMatricesAreReadAndWrittenInPlace() {
        Random rnd = new Random(5);
        Matrix big = gaussian(3 * 32, 300, rnd), w = gaussian(300, 450, rnd), out = gaussian(3 * 32, 450, rnd);
        float[] before = out.toArray();
        Matrix a = big.rowsView(32, 32), c = out.rowsView(64, 32);
        float[] expected = reference(false, 1f, a, w, 1f, c.toArray());
        rows(false, 1f, a, w, 1f, c);
        assertSameBits(c, expected, "rows 32..63 times W into rows 64..95");
        for (int i = 0; i < 64 * 450; i++)
            assertThat(out.get(i)).as("element %d outside the view", i).isEqualTo(before[i]);
    }

    @Test
    void theScalarLoopWithoutTheModuleGivesTheSameBits() {
        Random rnd = new Random(9);
        int n = 137, k = 211, mp = RowProducts.TILE;
        Matrix w = gaussian(n, k, rnd);
        float[] bt = new float[k * mp];
        for (int i = 0; i < bt.length; i++) bt[i] = (float) rnd.nextGaussian();
        float[] scalar = new float[n * mp], lanes = new float[n * mp];
        FloatBuffer data = w.data();
        RowProducts.productsScalar(data, k, 1, n, k, bt, mp, scalar);
        RowProducts.products(data, k, 1, n, k, bt, mp, lanes); // the lanes: theTestJvmRunsTheLanes
        for (int i = 0; i < scalar.length; i++)
            assertThat(Float.floatToRawIntBits(lanes[i]))
                    .as("element %d: lanes %s, scalar %s", i, lanes[i], scalar[i])
                    .isEqualTo(Float.floatToRawIntBits(scalar[i]));
    }

    @Test
    void otherShapesStayWithOpenBlas() {
        assertThat(RowProducts.takes(false, 32, 500, 500)).as("32 rows").isEqualTo(RowProducts.WIDE_LANES);
        assertThat(RowProducts.takes(false, 27, 500, 500)).as("27 rows").isFalse();
        assertThat(RowProducts.takes(false, 33, 500, 500)).as("33 rows").isFalse();
        assertThat(RowProducts.takes(true, 32, 500, 500)).as("op(A) transposed").isFalse();
        assertThat(RowProducts.takes(false, 32, 100, 100))
                .as("100 x 100 weights")
                .isFalse();
        assertThat(RowProducts.takes(false, 32, 2048, 64)).as("a side of 64").isFalse();
        assertThat(RowProducts.takes(false, 32, 300, 300))
                .as("300 x 300 (under 2^17)")
                .isFalse();
    }
}

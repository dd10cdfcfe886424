package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A weight gradient at batch 1 is an outer product, which a matrix that allows it keeps as its two
 * factors until read ({@link Matrix#setOuterProduct}): every way of reading it must see {@code x[r] * y[c]},
 * the bits {@code sgemm} gives, computed here in the test.
 */
class DeferredOuterProductTest {
    private static final Blas BLAS = Blas.best();

    /** 5 x 777: chunks of 1,024 start mid-row and span up to three rows. */
    private static final int ROWS = 5, COLS = 777;

    private final Random rng = new Random(11);
    private final Matrix x = random(ROWS, 1), y = random(1, COLS);

    @Test
    void theBlasWritesABatchOfOnesWeightGradientAsItsFactorsOnlyWhereAllowed() {
        assertThat(BLAS).isInstanceOf(OpenBlas.class);
        Matrix allowed = deferrable(), plain = Matrix.zeros(ROWS, COLS);
        BLAS.gemm(false, false, 1f, x, y, 0f, allowed);
        BLAS.gemm(false, false, 1f, x, y, 0f, plain);
        assertThat(allowed.deferred()).isTrue();
        assertThat(plain.deferred()).isFalse();
        assertProduct(plain.toArray());
        assertThat(allowed.deferred()).isTrue(); // reading another matrix left it alone
        assertProduct(allowed.toArray());
        assertThat(allowed.deferred()).isFalse();
    }

    @Test
    void chunksReadAtAnyOffsetAreTheProductAndLeaveItDeferred() {
        Matrix g = product();
        float[] out = new float[1025];
        int[][] spans = {
            {0, 1024}, {1024, 1024}, {3072, 813}, {500, 900}, {776, 2}, {0, 1}, {ROWS * COLS - 3, 3}, {2 * COLS, COLS}
        };
        for (int[] span : spans) {
            java.util.Arrays.fill(out, Float.NaN);
            g.read(span[0], out, span[1]);
            for (int k = 0; k < span[1]; k++) {
                int i = span[0] + k;
                assertThat(out[k]).as("element %d", i).isEqualTo(x.get(i / COLS) * y.get(i % COLS));
            }
            assertThat(out[span[1]]).as("past the span").isNaN();
        }
        assertThat(g.deferred()).isTrue();
        g.read(0, out, 10); // after the factors have been read in any order, the matrix still holds them all
        assertProduct(g.toArray());
    }

    @Test
    void aDeferredProductIsReadAWholeRowAtATimeWhenItsRowsFitAChunk() {
        Matrix g = product();
        assertThat(g.readChunk(1024)).isEqualTo(COLS);
        assertThat(g.readChunk(700)).as("rows longer than the chunk").isEqualTo(700);
        g.data();
        assertThat(g.readChunk(1024)).as("written out").isEqualTo(1024);
        Matrix narrow = Matrix.zeros(40, 63);
        narrow.allowDeferredOuterProduct();
        BLAS.gemm(false, false, 1f, random(40, 1), random(1, 63), 0f, narrow);
        assertThat(narrow.deferred()).isTrue();
        assertThat(narrow.readChunk(1024)).as("rows too short for vector loops").isEqualTo(1024);
    }

    @Test
    void everyAccessorSeesTheProduct() {
        float[] expected = new float[ROWS * COLS];
        for (int i = 0; i < expected.length; i++) expected[i] = x.get(i / COLS) * y.get(i % COLS);
        double absSum = 0;
        for (float e : expected) absSum += Math.abs(e);

        assertThat(product().get(2, 3)).isEqualTo(expected[2 * COLS + 3]);
        assertThat(product().get(ROWS * COLS - 1)).isEqualTo(expected[ROWS * COLS - 1]);
        assertThat(product().data().get(COLS)).isEqualTo(expected[COLS]);
        assertThat(Float.intBitsToFloat(product().bits().get(7))).isEqualTo(expected[7]);
        assertThat(product().copy().toArray()).isEqualTo(expected);
        float[] out = new float[ROWS * COLS];
        product().copyTo(out);
        assertThat(out).isEqualTo(expected);
        // Native BLAS reads the memory through its pointer: the product must be written by then.
        assertThat((double) BLAS.asum(product()))
                .isCloseTo(absSum, org.assertj.core.data.Percentage.withPercentage(1e-3));
        assertThat(product().maxAbs()).isEqualTo(maxAbs(expected));
        Matrix target = Matrix.zeros(ROWS, COLS);
        target.copyFrom(product());
        assertThat(target.toArray()).isEqualTo(expected);
    }

    @Test
    void writesAfterTheProductKeepItsOtherElements() {
        Matrix g = product();
        g.set(1, 2, 42f);
        float[] got = g.toArray();
        for (int i = 0; i < got.length; i++)
            assertThat(got[i]).isEqualTo(i == COLS + 2 ? 42f : x.get(i / COLS) * y.get(i % COLS));

        // beta = 1 adds to the product, as onto written memory (the eager product, from a matrix that does not defer)
        Matrix deferred = product(), eager = Matrix.zeros(ROWS, COLS);
        BLAS.gemm(false, false, 1f, x, y, 0f, eager);
        Matrix x2 = random(ROWS, 1), y2 = random(1, COLS);
        BLAS.gemm(false, false, 0.5f, x2, y2, 1f, deferred);
        BLAS.gemm(false, false, 0.5f, x2, y2, 1f, eager);
        assertThat(deferred.toArray()).isEqualTo(eager.toArray());
    }

    @Test
    void wholeWritesReplaceTheProduct() {
        Matrix g = product();
        g.fill(3f);
        assertThat(g.deferred()).isFalse();
        assertThat(g.toArray()).containsOnly(3f);

        g = product();
        float[] values = new float[ROWS * COLS];
        java.util.Arrays.fill(values, -1f);
        g.copyFrom(values);
        assertThat(g.toArray()).containsOnly(-1f);

        g = product(); // a second product replaces the first, whether it was read or not
        Matrix x2 = random(ROWS, 1), y2 = random(1, COLS);
        BLAS.gemm(false, false, 1f, x2, y2, 0f, g);
        float[] got = g.toArray();
        for (int i = 0; i < got.length; i++) assertThat(got[i]).isEqualTo(x2.get(i / COLS) * y2.get(i % COLS));
    }

    @Test
    void theFactorsAreCopiedSoChangingThemLaterChangesNothing() {
        Matrix g = product();
        float[] x0 = x.toArray(), y0 = y.toArray();
        x.fill(0f);
        y.fill(Float.NaN);
        float[] got = g.toArray();
        for (int i = 0; i < got.length; i++) assertThat(got[i]).isEqualTo(x0[i / COLS] * y0[i % COLS]);
    }

    @Test
    void aMatrixSeenThroughAViewIsWrittenAtOnce() {
        Matrix before = deferrable();
        Matrix view = before.rowsView(1, 2);
        BLAS.gemm(false, false, 1f, x, y, 0f, before);
        assertThat(before.deferred()).isFalse();
        assertThat(view.get(0, 5)).isEqualTo(x.get(1) * y.get(5));

        Matrix after = product(); // a view taken of a deferred product sees it too
        Matrix reshaped = after.reshapeView(/* rows= */ COLS, /* cols= */ ROWS);
        assertThat(reshaped.get(COLS * ROWS - 1)).isEqualTo(x.get(ROWS - 1) * y.get(COLS - 1));
        BLAS.gemm(false, false, 1f, random(ROWS, 1), y, 0f, after);
        assertThat(after.deferred()).isFalse();
    }

    private Matrix product() {
        Matrix g = deferrable();
        BLAS.gemm(false, false, 1f, x, y, 0f, g);
        assertThat(g.deferred()).isTrue();
        return g;
    }

    private static Matrix deferrable() {
        Matrix g = Matrix.zeros(ROWS, COLS);
        g.fill(Float.NaN); // beta = 0 must not read this
        g.allowDeferredOuterProduct();
        return g;
    }

    private void assertProduct(float[] got) {
        for (int i = 0; i < got.length; i++)
            assertThat(got[i]).as("element %d", i).isEqualTo(x.get(i / COLS) * y.get(i % COLS));
    }

    private Matrix random(int rows, int cols) {
        Matrix m = Matrix.zeros(rows, cols);
        for (int i = 0; i < m.size(); i++) m.set(i, (float) rng.nextGaussian());
        return m;
    }

    private static float maxAbs(float[] a) {
        float max = 0;
        for (float v : a) max = Math.max(max, Math.abs(v));
        return max;
    }
}

package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Matrix.allWithin and maxAbs, the divergence check's measures: NaN never within, the largest magnitude, NaN wins, infinity counts. */
class MatrixMaxAbsTest {
    @Test
    void theLargestMagnitudeOfAnySign() {
        assertThat(Matrix.of(2, 2, new float[] {0.5f, -7f, 3f, 6.5f}).maxAbs()).isEqualTo(7f);
        assertThat(Matrix.of(1, 1, new float[] {-0f}).maxAbs()).isEqualTo(0f);
    }

    @Test
    void withinALimitMeansFiniteAndNoLarger() {
        assertThat(Matrix.of(1, 3, new float[] {-5f, 1f, 5f}).allWithin(5f)).isTrue();
        assertThat(Matrix.of(1, 3, new float[] {-5.5f, 1f, 5f}).allWithin(5f)).isFalse();
        assertThat(Matrix.of(1, 2, new float[] {Float.NaN, 0f}).allWithin(Float.MAX_VALUE))
                .isFalse();
        assertThat(Matrix.of(1, 2, new float[] {Float.POSITIVE_INFINITY, 0f}).allWithin(Float.MAX_VALUE))
                .isFalse();
    }

    @Test
    void aNanAnywhereMakesItNanAndInfinityIsLargest() {
        assertThat(Matrix.of(1, 3, new float[] {1e30f, Float.NaN, 2f}).maxAbs()).isNaN();
        assertThat(Matrix.of(1, 3, new float[] {Float.NaN, Float.POSITIVE_INFINITY, 2f})
                        .maxAbs())
                .isNaN();
        assertThat(Matrix.of(1, 3, new float[] {1f, Float.NEGATIVE_INFINITY, 2f})
                        .maxAbs())
                .isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void overManyChunksTheyAgreeWithAScalarLoopWhereverTheExtremeIs() {
        int n = 3 * Elementwise.CHUNK + 17;
        Random rng = new Random(5);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian() * 1e-3f;
        float[] extremes = {-2e6f, 3e5f, Float.NaN, Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, Float.MIN_VALUE};
        for (int at : new int[] {0, Elementwise.CHUNK - 1, Elementwise.CHUNK, n - 1}) {
            for (float x : extremes) {
                float[] w = v.clone();
                w[at] = x;
                Matrix m = Matrix.of(1, n, w);
                float largest = 0;
                boolean within = true, finite = true;
                for (float y : w) {
                    largest = Float.isNaN(y) || Float.isNaN(largest) ? Float.NaN : Math.max(largest, Math.abs(y));
                    within &= Math.abs(y) <= 1e6f;
                    finite &= Float.isFinite(y);
                }
                String where = x + " at " + at;
                if (Float.isNaN(largest)) assertThat(m.maxAbs()).as(where).isNaN();
                else assertThat(m.maxAbs()).as(where).isEqualTo(largest);
                assertThat(m.allWithin(1e6f)).as(where).isEqualTo(within);
                assertThat(m.allFinite()).as(where).isEqualTo(finite);
            }
        }
    }

    @Test
    void limitsAtZeroAndBelow() {
        assertThat(Matrix.of(1, 2, new float[] {0f, -0f}).allWithin(-0f)).isTrue();
        assertThat(Matrix.of(1, 2, new float[] {0f, Float.MIN_VALUE}).allWithin(0f))
                .isFalse();
        assertThat(Matrix.zeros(0, 3).allWithin(0f)).isTrue();
        assertThat(Matrix.zeros(0, 3).maxAbs()).isZero();
        assertThatThrownBy(() -> Matrix.of(1, 1, new float[] {0f}).allWithin(-1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a magnitude limit is >= 0, got -1.0");
    }

    @Test
    void theMagnitudesSumKeepsNanAndInfinityWhereverTheyAreInEveryImplementation() {
        int n = 1000;
        Random rng = new Random(6);
        float[] v = new float[n];
        double exact = 0;
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
            exact += Math.abs(v[i]);
        }
        for (Blas blas : new Blas[] {Blas.best(), new JavaBlas()}) {
            assertThat((double) blas.asum(Matrix.of(1, n, v)))
                    .as(blas.name())
                    .isCloseTo(exact, org.assertj.core.data.Offset.offset(exact * 1e-5));
            for (int at : new int[] {0, 63, 64, 500, n - 1}) {
                for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
                    float[] w = v.clone();
                    w[at] = bad;
                    float sum = blas.asum(Matrix.of(1, n, w));
                    if (Float.isNaN(bad))
                        assertThat(sum).as(blas.name() + " NaN at " + at).isNaN();
                    else assertThat(sum).as(blas.name() + " -inf at " + at).isEqualTo(Float.POSITIVE_INFINITY);
                }
            }
        }
    }

    @Test
    void aSumBeyondHalfTheLimitIsCheckedElementByElement() {
        float[] v = new float[2000];
        java.util.Arrays.fill(v, 999f); // sum 2e6, each within 1e6: the sum alone cannot tell
        assertThat(Matrix.of(1, v.length, v).allWithin(1e6f)).isTrue();
        v[1234] = Math.nextUp(1e6f);
        assertThat(Matrix.of(1, v.length, v).allWithin(1e6f)).isFalse();
        float[] one = new float[3000];
        one[2999] = 1e6f; // exactly at the limit: within
        assertThat(Matrix.of(1, one.length, one).allWithin(1e6f)).isTrue();
        one[2999] = Math.nextUp(1e6f);
        assertThat(Matrix.of(1, one.length, one).allWithin(1e6f)).isFalse();
        one[2999] = 4.9e5f; // under half the limit: the sum alone says within
        assertThat(Matrix.of(1, one.length, one).allWithin(1e6f)).isTrue();
    }
}

package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

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
}

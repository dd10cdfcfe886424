package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Heatmap pooling: blocks as documented, the value of largest magnitude with its sign, NaN kept visible. */
class MagnitudePoolingTest {
    @Test
    void aFiveBySevenMatrixToTwoByThreeTakesEachBlocksStrongestValue() {
        // Row blocks [0,2) and [2,5); column blocks [0,2), [2,4), [4,7).
        float[] m = {
            1, -2, 0, 0, 0, 0, 9,
            0, 0, 3, 0, 0, -8, 0,
            0, 0, 0, 0, 0, 0, 0,
            -7, 0, 0, 0, 5, 0, 0,
            0, 6, 0, -4, 0, 0, -5,
        };
        assertThat(MagnitudePooling.pool(m, 5, 7, 2, 3)).containsExactly(-2, 3, 9, -7, -4, 5);
        assertThat(MagnitudePooling.pooled(5, 2)).isEqualTo(2);
        assertThat(MagnitudePooling.pooled(5, 0)).as("0: all").isEqualTo(5);
        assertThat(MagnitudePooling.pooled(5, 9))
                .as("never more than there are")
                .isEqualTo(5);
    }

    @Test
    void withinTheLimitsItIsACopyAndAVectorIsOneRow() {
        float[] m = {1, 2, 3, 4};
        float[] same = MagnitudePooling.pool(m, 2, 2, 0, 5);
        assertThat(same).containsExactly(1, 2, 3, 4).isNotSameAs(m);
        assertThat(MagnitudePooling.pool(new float[] {0.1f, -0.5f, 0.2f, 0.3f, -0.1f, 0f}, 1, 6, 1, 3))
                .containsExactly(-0.5f, 0.3f, -0.1f);
    }

    @Test
    void aNanInABlockShowsAndAShapeMismatchIsRefused() {
        assertThat(MagnitudePooling.pool(new float[] {1e30f, Float.NaN, 2, 3}, 1, 4, 1, 2))
                .containsExactly(Float.NaN, 3f);
        assertThatThrownBy(() -> MagnitudePooling.pool(new float[3], 2, 2, 1, 1))
                .hasMessageContaining("has 4 values, got 3");
    }
}

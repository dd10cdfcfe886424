package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** The objectives against hand-computed values and finite differences. */
class ObjectiveTest {

    @Test
    void binaryCrossEntropyWithLogitsMatchesItsDefinitionAndGradient() {
        Matrix z = Matrix.of(3, 1, new float[] {2f, -1f, 0.5f}),
                y = Matrix.of(3, 1, new float[] {1f, 1f, 0f}),
                d = Matrix.zeros(3, 1);
        var r = new Objective.BinaryCrossEntropyWithLogits().compute(z, y, d);
        double expected = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(1)) + Math.log1p(Math.exp(0.5))) / 3;
        assertThat(r.loss()).isCloseTo(expected, within(1e-9));
        assertThat(r.accuracy()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(d.get(1)).isCloseTo((float) ((1 / (1 + Math.exp(1)) - 1) / 3), within(1e-7f));
    }

    @Test
    void meanSquaredErrorHasNoAccuracyAndTheGradientOfTheMean() {
        Matrix z = Matrix.of(2, 1, new float[] {0.5f, -2f}),
                y = Matrix.of(2, 1, new float[] {1f, -1f}),
                d = Matrix.zeros(2, 1);
        var mse = new Objective.MeanSquaredError();
        var r = mse.compute(z, y, d);
        assertThat(r.loss()).isCloseTo((0.25 + 1) / 2, within(1e-9));
        assertThat(r.accuracy()).isNaN();
        assertThat(mse.hasAccuracy()).isFalse();
        assertThat(d.toArray()).containsExactly(new float[] {-0.5f, -1f}, within(1e-7f));
    }

    @Test
    void softmaxCrossEntropyReadsClassIndicesFromTheTargetColumn() {
        Matrix z = Matrix.of(2, 3, new float[] {1f, 2f, 0f, 0f, 0f, 3f}), y = Matrix.of(2, 1, new float[] {1f, 0f});
        var r = new Objective.SoftmaxCrossEntropy().compute(z, y, null);
        var reference = io.eiscope.engine.model.SoftmaxCrossEntropy.compute(z, new int[] {1, 0}, null);
        assertThat(r.loss()).isEqualTo(reference.loss());
        assertThat(r.accuracy()).isEqualTo(0.5);
    }
}

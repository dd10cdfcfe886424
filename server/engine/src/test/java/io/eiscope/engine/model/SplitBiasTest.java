package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** Split biases b = b_pos + b_neg (science.md §3.1). */
class SplitBiasTest {

    @Test
    void aSplitBiasActsAsTheirSumAndBothHalvesGetTheBiasGradient() {
        Blas blas = Blas.best();
        Dense split = new Dense("l", 3, 2, Activation.RELU, true, blas),
                plain = new Dense("l", 3, 2, Activation.RELU, blas);
        float[] w = {0.3f, -0.2f, 0.5f, 0.1f, 0.4f, -0.6f};
        split.weight().value().copyFrom(w);
        plain.weight().value().copyFrom(w);
        split.bias().value().copyFrom(new float[] {0.2f, 0.1f});
        split.negativeBias().value().copyFrom(new float[] {-0.05f, -0.3f});
        plain.bias().value().copyFrom(new float[] {0.2f - 0.05f, 0.1f - 0.3f});
        Matrix x = Matrix.of(2, 3, new float[] {1f, 2f, -1f, 0.5f, 0f, 1f});
        // Equal up to float rounding: b_pos + b_neg is added in two roundings, the plain bias in one.
        assertThat(split.forward(x).toArray())
                .containsExactly(plain.forward(x).toArray(), org.assertj.core.data.Offset.offset(1e-6f));
        split.backward(Matrix.of(2, 2, new float[] {1f, -1f, 0.5f, 2f}), false);
        plain.backward(Matrix.of(2, 2, new float[] {1f, -1f, 0.5f, 2f}), false);
        assertThat(split.bias().grad().toArray())
                .containsExactly(plain.bias().grad().toArray());
        assertThat(split.negativeBias().grad().toArray())
                .containsExactly(plain.bias().grad().toArray());
        assertThat(split.parameters()).extracting(Parameter::name).containsExactly("l.W", "l.b_pos", "l.b_neg");
    }

    @Test
    void theHalvesAreUniformOnEitherSideOfZeroWithBoundRootTwoOverFanIn() {
        FeedForwardNet net = Mlp.create(50, new int[] {400}, 3, new WeightInit.He(), true, Blas.best(), new Rng(1));
        Dense first = (Dense) net.layerList().get(0);
        double bound = Math.sqrt(2.0 / 50), sum = 0;
        for (float b : first.bias().value().toArray()) {
            assertThat(b).isBetween(0f, (float) bound);
            sum += b;
        }
        for (float b : first.negativeBias().value().toArray()) assertThat(b).isBetween((float) -bound, 0f);
        assertThat(sum / 400).isBetween(0.4 * bound, 0.6 * bound);
    }
}

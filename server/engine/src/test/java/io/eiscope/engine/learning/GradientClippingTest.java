package io.eiscope.engine.learning;

import static io.eiscope.engine.learning.Tensors.free;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.learning.GradientClipping.Scope;
import io.eiscope.engine.model.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Norm clipping: a group with norm > max is multiplied by max / (norm + 1e-6) (science.md §1.4.3). */
class GradientClippingTest {

    static Parameter grad(String name, float... g) {
        return free(name, new float[g.length], g);
    }

    @Test
    void perTensorClippingRescalesOnlyTensorsAboveTheBound() {
        Parameter a = grad("layer0.W", 3f, 4f), b = grad("layer0.b", 0.3f, 0.4f);
        new GradientClipping(1, Scope.TENSOR).apply(List.of(a, b));
        double scale = 1 / (5 + 1e-6);
        assertThat(a.grad().toArray())
                .containsExactly(new float[] {(float) (3 * scale), (float) (4 * scale)}, within(1e-7f));
        assertThat(b.grad().toArray()).containsExactly(0.3f, 0.4f);
    }

    @Test
    void perLayerClippingUsesTheNormOfTheLayersGradientsConcatenated() {
        // layer0: norm sqrt(3^2 + 4^2) = 5; layer1: norm 12; order interleaved on purpose
        Parameter w0 = grad("layer0.W", 3f),
                w1 = grad("layer1.W", 12f),
                b0 = grad("layer0.b", 4f),
                w10 = grad("layer10.W", 1f);
        new GradientClipping(2, Scope.LAYER).apply(List.of(w0, w1, b0, w10));
        assertThat(w0.grad().get(0)).isCloseTo((float) (3 * 2 / (5 + 1e-6)), within(1e-7f));
        assertThat(b0.grad().get(0)).isCloseTo((float) (4 * 2 / (5 + 1e-6)), within(1e-7f));
        assertThat(w1.grad().get(0)).isCloseTo((float) (12 * 2 / (12 + 1e-6)), within(1e-6f));
        assertThat(w10.grad().get(0)).isEqualTo(1f);
    }

    @Test
    void globalClippingUsesTheNormOfAllGradients() {
        // norm sqrt(9 + 16 + 144) = 13
        Parameter a = grad("layer0.W", 3f), b = grad("layer0.b", 4f), c = grad("layer1.W", 12f);
        new GradientClipping(2.6, Scope.GLOBAL).apply(List.of(a, b, c));
        double scale = 2.6 / (13 + 1e-6);
        assertThat(a.grad().get(0)).isCloseTo((float) (3 * scale), within(1e-7f));
        assertThat(b.grad().get(0)).isCloseTo((float) (4 * scale), within(1e-7f));
        assertThat(c.grad().get(0)).isCloseTo((float) (12 * scale), within(1e-6f));
    }

    @Test
    void aNormEqualToTheBoundIsLeftAlone() {
        Parameter a = grad("layer0.W", 3f, 4f);
        new GradientClipping(5, Scope.GLOBAL).apply(List.of(a));
        assertThat(a.grad().toArray()).containsExactly(3f, 4f);
    }

    @Test
    void layersAreNamePrefixesBeforeTheFirstDot() {
        assertThat(GradientClipping.sameLayer("layer0.W", "layer0.b")).isTrue();
        assertThat(GradientClipping.sameLayer("layer1.W", "layer10.W")).isFalse();
        assertThat(GradientClipping.sameLayer("cell.U.pos", "cell.W")).isTrue();
        assertThat(GradientClipping.sameLayer("readout", "readout.W")).isTrue();
    }

    @Test
    void theBoundMustBePositive() {
        assertThatThrownBy(() -> new GradientClipping(0, Scope.TENSOR))
                .hasMessage("clip_norm must be a finite number > 0, got 0.0");
        assertThat(new GradientClipping(1, Scope.LAYER)).hasToString("GradientClipping[maxNorm=1.0, scope=LAYER]");
    }
}

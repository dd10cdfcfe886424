package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The column-E/I layer against an independent double-precision reference (Cornford et al. 2021 §1.5). */
class ColumnEiDenseTest {

    /** {@code h = f(x (W_pos D)^T + b)} with the last {@code ni} columns of D negative, plain loops in double. */
    static double[][] reference(Map<String, double[][]> p, double[][] x, int ni, boolean relu) {
        double[][] w = p.get("W_pos"), b = p.get("b");
        int d = x[0].length;
        double[][] h = new double[x.length][w.length];
        for (int r = 0; r < x.length; r++) {
            for (int k = 0; k < w.length; k++) {
                double z = b[0][k];
                for (int m = 0; m < d; m++) z += (m < d - ni ? 1 : -1) * w[k][m] * x[r][m];
                h[r][k] = relu ? Math.max(z, 0) : z;
            }
        }
        return h;
    }

    private static int checkGradients(Activation f, int nIn, int ni, int nOut, int batch, long seed) {
        Rng rng = new Rng(seed);
        ColumnEiDense layer = new ColumnEiDense("layer1", nIn, ni, nOut, f, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of());
        Matrix x = LayerGradientCheck.uniform(batch, nIn, 0, 1, rng);
        int checked = LayerGradientCheck.check(layer, x, (p, xd) -> reference(p, xd, ni, f == Activation.RELU), rng);
        if (f == Activation.RELU) LayerGradientCheck.assertActiveAndInactive(layer.forward(x));
        return checked;
    }

    @Test
    void analyticGradientsOfAHiddenLayerMatchDoubleFiniteDifferences() {
        assertThat(checkGradients(Activation.RELU, 7, 2, 5, 4, 31)).isEqualTo(5 * 7 + 5 + 4 * 7);
    }

    @Test
    void analyticGradientsOfAnAllExcitatoryLinearLayerMatchDoubleFiniteDifferences() {
        checkGradients(Activation.IDENTITY, 5, 0, 3, 3, 32);
    }

    @Test
    void effectiveWeightNegatesTheInhibitoryColumns() {
        ColumnEiDense layer = new ColumnEiDense("l", 3, 1, 2, Activation.RELU, Blas.best());
        layer.weight().value().copyFrom(new float[] {1, 2, 3, 4, 5, 6});
        assertThat(layer.effectiveWeight().orElseThrow().toArray()).containsExactly(1, 2, -3, 4, 5, -6);
        assertThat(layer.excitatoryInputs()).isEqualTo(2);
        assertThat(layer.parameters()).extracting(Parameter::name).containsExactly("l.W_pos", "l.b");
        assertThat(layer.parameters().get(0).sign()).isEqualTo(Parameter.Sign.NON_NEGATIVE);
    }

    @Test
    void anInputWithoutExcitatoryColumnsIsRejected() {
        assertThatThrownBy(() -> new ColumnEiDense("l", 3, 3, 2, Activation.RELU, Blas.best()))
                .hasMessageContaining("inhibitory inputs must be in [0, 3), got 3");
    }
}

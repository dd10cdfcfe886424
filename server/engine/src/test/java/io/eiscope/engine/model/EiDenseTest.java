package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The subtractive-only DANN layer against an independent double-precision reference (Cornford et al. 2021 §1.1). */
class EiDenseTest {

    /** {@code h = f((Wex - Wei Wix) x + b)}, plain loops in double. */
    static double[][] reference(Map<String, double[][]> p, double[][] x, boolean relu) {
        double[][] wex = p.get("Wex"), wix = p.get("Wix"), wei = p.get("Wei"), b = p.get("b");
        int ne = wex.length, ni = wix.length, d = x[0].length;
        double[][] h = new double[x.length][ne];
        for (int r = 0; r < x.length; r++) {
            for (int k = 0; k < ne; k++) {
                double z = b[0][k];
                for (int m = 0; m < d; m++) {
                    double w = wex[k][m];
                    for (int j = 0; j < ni; j++) w -= wei[k][j] * wix[j][m];
                    z += w * x[r][m];
                }
                h[r][k] = relu ? Math.max(z, 0) : z;
            }
        }
        return h;
    }

    private static int checkGradients(Activation f, int d, int ne, int ni, int batch, long seed) {
        Rng rng = new Rng(seed);
        EiDense layer = new EiDense("layer0", d, ne, ni, f, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of());
        Matrix wei = layer.eiWeights().wei().value();
        for (int i = 0; i < wei.size(); i++) wei.set(i, wei.get(i) / ni);
        Matrix x = LayerGradientCheck.uniform(batch, d, 0, 1, rng);
        int checked = LayerGradientCheck.check(layer, x, (p, xd) -> reference(p, xd, f == Activation.RELU), rng);
        if (f == Activation.RELU) LayerGradientCheck.assertActiveAndInactive(layer.forward(x));
        return checked;
    }

    @Test
    void analyticGradientsOfAHiddenLayerMatchDoubleFiniteDifferences() {
        assertThat(checkGradients(Activation.RELU, 5, 4, 3, 3, 21)).isEqualTo(4 * 5 + 3 * 5 + 4 * 3 + 4 + 3 * 5);
    }

    @Test
    void analyticGradientsOfALinearLayerWithOneInhibitoryUnitMatchDoubleFiniteDifferences() {
        checkGradients(Activation.IDENTITY, 6, 3, 1, 4, 22);
    }

    @Test
    void theSubtractiveLayerHasNoGainAndNoShunt() {
        EiDense layer = new EiDense("layer1", 4, 3, 2, Activation.RELU, Blas.best());
        assertThat(layer.parameters())
                .extracting(Parameter::name)
                .containsExactly("layer1.Wex", "layer1.Wix", "layer1.Wei", "layer1.b");
        assertThat(layer.parameters()).allSatisfy(p -> {
            assertThat(p.fanIn()).isEqualTo(4);
            assertThat(p.excitatoryUnits()).isEqualTo(3);
        });
    }

    @Test
    void forwardEqualsTheEffectiveWeightTimesTheInput() {
        Rng rng = new Rng(5);
        EiDense layer = new EiDense("l", 6, 4, 2, Activation.IDENTITY, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of("b"));
        Matrix x = LayerGradientCheck.uniform(3, 6, 0, 1, rng);
        Matrix expected = Matrix.zeros(3, 4);
        Blas.best().gemm(false, true, 1f, x, layer.effectiveWeight().orElseThrow(), 0f, expected);
        Matrix h = layer.forward(x);
        for (int i = 0; i < h.size(); i++)
            assertThat(h.get(i)).isCloseTo(expected.get(i), org.assertj.core.data.Offset.offset(1e-5f));
    }
}

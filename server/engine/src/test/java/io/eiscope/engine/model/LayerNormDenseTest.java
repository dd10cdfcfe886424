package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The layer-normalised dense layer against an independent double-precision reference (Cornford et al. 2021 §1.5). */
class LayerNormDenseTest {

    /** {@code zHat = W x + b; h = f(g (zHat - mu) / sqrt(var_unbiased + 1e-5) + b)}, plain loops in double. */
    static double[][] reference(Map<String, double[][]> p, double[][] x, boolean relu) {
        double[][] w = p.get("W"), g = p.get("g"), b = p.get("b");
        int n = w.length;
        double[][] h = new double[x.length][n];
        for (int r = 0; r < x.length; r++) {
            double[] zHat = new double[n];
            double mu = 0, var = 0;
            for (int k = 0; k < n; k++) {
                zHat[k] = b[0][k];
                for (int m = 0; m < x[r].length; m++) zHat[k] += w[k][m] * x[r][m];
                mu += zHat[k] / n;
            }
            for (int k = 0; k < n; k++) var += (zHat[k] - mu) * (zHat[k] - mu) / (n - 1);
            double sigma = Math.sqrt(var + 1e-5);
            for (int k = 0; k < n; k++) {
                double z = g[0][k] / sigma * (zHat[k] - mu) + b[0][k];
                h[r][k] = relu ? Math.max(z, 0) : z;
            }
        }
        return h;
    }

    private static int checkGradients(Activation f, int nIn, int nOut, int batch, long seed) {
        Rng rng = new Rng(seed);
        LayerNormDense layer = new LayerNormDense("layer1", nIn, nOut, f, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of());
        Matrix x = LayerGradientCheck.uniform(batch, nIn, -1, 1, rng);
        int checked = LayerGradientCheck.check(layer, x, (p, xd) -> reference(p, xd, f == Activation.RELU), rng);
        if (f == Activation.RELU) LayerGradientCheck.assertActiveAndInactive(layer.forward(x));
        return checked;
    }

    @Test
    void analyticGradientsOfAHiddenLayerMatchDoubleFiniteDifferences() {
        assertThat(checkGradients(Activation.RELU, 5, 6, 3, 41)).isEqualTo(6 * 5 + 6 + 6 + 3 * 5);
    }

    @Test
    void analyticGradientsOfALinearLayerMatchDoubleFiniteDifferences() {
        checkGradients(Activation.IDENTITY, 4, 3, 4, 42);
    }

    @Test
    void withUnitGainAndZeroBiasEachSampleHasZeroMeanAndUnitUnbiasedVarianceAcrossUnits() {
        Rng rng = new Rng(3);
        FeedForwardNet net = LayerNormMlp.create(20, new int[] {}, 8, Blas.best(), rng);
        Matrix z = net.forward(LayerGradientCheck.uniform(5, 20, 0, 1, rng));
        for (int r = 0; r < z.rows; r++) {
            double mean = 0, var = 0;
            for (int k = 0; k < 8; k++) mean += z.get(r, k) / 8;
            for (int k = 0; k < 8; k++) var += (z.get(r, k) - mean) * (z.get(r, k) - mean) / 7;
            assertThat(mean).isCloseTo(0, Offset.offset(1e-6));
            assertThat(var).isCloseTo(1, Offset.offset(1e-3));
        }
    }

    @Test
    void aSingleUnitCannotBeNormalised() {
        assertThatThrownBy(() -> new LayerNormDense("l", 3, 1, Activation.IDENTITY, Blas.best()))
                .hasMessageContaining("nOut >= 2");
    }
}

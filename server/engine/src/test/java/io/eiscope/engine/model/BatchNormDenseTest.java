package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The batch-normalised dense layer against an independent double-precision reference (Cornford et al. 2021 §1.5). */
class BatchNormDenseTest {

    /** Each unit's batch mean and unbiased variance of {@code zHat = W x + b}, plain loops in double: {@code [mean, var]} per unit. */
    static double[][] batchMoments(Map<String, double[][]> p, double[][] x) {
        double[][] w = p.get("W"), b = p.get("b");
        int n = w.length, batch = x.length;
        double[][] out = new double[n][2];
        for (int k = 0; k < n; k++) {
            double[] zHat = new double[batch];
            for (int r = 0; r < batch; r++) {
                zHat[r] = b[0][k];
                for (int m = 0; m < x[r].length; m++) zHat[r] += w[k][m] * x[r][m];
                out[k][0] += zHat[r] / batch;
            }
            for (int r = 0; r < batch; r++) out[k][1] += (zHat[r] - out[k][0]) * (zHat[r] - out[k][0]) / (batch - 1);
        }
        return out;
    }

    /** {@code h = f(g (zHat - mu) / sqrt(var + 1e-5) + b)}, mu and var per unit over the batch. */
    static double[][] reference(Map<String, double[][]> p, double[][] x, boolean relu) {
        double[][] w = p.get("W"), g = p.get("g"), b = p.get("b"), moments = batchMoments(p, x);
        double[][] h = new double[x.length][w.length];
        for (int r = 0; r < x.length; r++) {
            for (int k = 0; k < w.length; k++) {
                double zHat = b[0][k];
                for (int m = 0; m < x[r].length; m++) zHat += w[k][m] * x[r][m];
                double z = g[0][k] * (zHat - moments[k][0]) / Math.sqrt(moments[k][1] + 1e-5) + b[0][k];
                h[r][k] = relu ? Math.max(z, 0) : z;
            }
        }
        return h;
    }

    private static int checkGradients(Activation f, int nIn, int nOut, int batch, long seed) {
        Rng rng = new Rng(seed);
        BatchNormDense layer = new BatchNormDense("layer1", nIn, nOut, f, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of());
        Matrix x = LayerGradientCheck.uniform(batch, nIn, -1, 1, rng);
        int checked = LayerGradientCheck.check(layer, x, (p, xd) -> reference(p, xd, f == Activation.RELU), rng);
        if (f == Activation.RELU) LayerGradientCheck.assertActiveAndInactive(layer.forward(x));
        return checked;
    }

    /**
     * Float32 forward and backward against central differences of the double reference; the
     * tolerance (1e-4 relative plus 1e-6 of the tensor's largest gradient, LayerGradientCheck) holds
     * the float round-off of the batch sums, which the unbiased normalisation over 6 examples
     * amplifies by at most 1/sigma.
     */
    @Test
    void analyticGradientsOfAHiddenLayerMatchDoubleFiniteDifferences() {
        assertThat(checkGradients(Activation.RELU, 5, 4, 6, 51)).isEqualTo(4 * 5 + 4 + 4 + 6 * 5);
    }

    @Test
    void analyticGradientsOfALinearLayerMatchDoubleFiniteDifferences() {
        checkGradients(Activation.IDENTITY, 3, 5, 4, 52);
    }

    @Test
    void theBatchStatisticsAreEachUnitsMeanAndUnbiasedDeviationOverTheBatch() {
        Rng rng = new Rng(7);
        BatchNormDense layer = new BatchNormDense("layer0", 6, 4, Activation.RELU, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of());
        Matrix x = LayerGradientCheck.uniform(9, 6, 0, 1, rng);
        Map<String, double[][]> p = Map.of(
                "W", LayerGradientCheck.toDouble(layer.weight().value()),
                "b", LayerGradientCheck.toDouble(layer.bias().value()));
        double[][] moments = batchMoments(p, LayerGradientCheck.toDouble(x));
        layer.forward(x);
        float[] mean = layer.lastMean(), invSigma = layer.lastInverseSigma();
        for (int k = 0; k < 4; k++) {
            assertThat((double) mean[k]).as("mu of unit %d", k).isCloseTo(moments[k][0], Offset.offset(1e-5));
            assertThat((double) invSigma[k])
                    .as("1/sigma of unit %d", k)
                    .isCloseTo(1 / Math.sqrt(moments[k][1] + 1e-5), Offset.offset(1e-4 / Math.sqrt(moments[k][1])));
        }
    }

    @Test
    void withUnitGainAndZeroBiasEachUnitHasZeroMeanAndUnitUnbiasedVarianceOverTheBatch() {
        Rng rng = new Rng(3);
        FeedForwardNet net = BatchNormMlp.create(20, new int[] {}, 8, Blas.best(), rng);
        Matrix z = net.forward(LayerGradientCheck.uniform(12, 20, 0, 1, rng));
        for (int k = 0; k < 8; k++) {
            double mean = 0, var = 0;
            for (int r = 0; r < 12; r++) mean += z.get(r, k) / 12;
            for (int r = 0; r < 12; r++) var += (z.get(r, k) - mean) * (z.get(r, k) - mean) / 11;
            assertThat(mean).isCloseTo(0, Offset.offset(1e-6));
            assertThat(var).isCloseTo(1, Offset.offset(1e-3));
        }
        assertThat(net.minimumBatchSize()).isEqualTo(2);
    }

    /** One example has no spread: the normalised value is 0 and every unit outputs f(b), finite. */
    @Test
    void aBatchOfOneGivesTheBiasNotNaN() {
        Rng rng = new Rng(5);
        BatchNormDense layer = new BatchNormDense("layer0", 3, 4, Activation.IDENTITY, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of());
        Matrix h = layer.forward(LayerGradientCheck.uniform(1, 3, 0, 1, rng));
        for (int k = 0; k < 4; k++)
            assertThat(h.get(0, k)).isEqualTo(layer.bias().value().get(k));
    }

    /**
     * The layer's element-wise passes (a batch row at a time through heap scratch) give the bits of the
     * per-element formulas, computed here one element at a time with the same product: {@code h}, and the
     * gradients of {@code W, g, b} and the input's.
     */
    @Test
    void elementwisePassesGiveTheBitsOfThePerElementFormulas() {
        for (Activation f : new Activation[] {Activation.RELU, Activation.IDENTITY}) {
            Rng rng = new Rng(23);
            int d = 6, n = 29, batch = 5;
            Blas blas = Blas.best();
            BatchNormDense layer = new BatchNormDense("l", d, n, f, blas);
            LayerGradientCheck.randomise(layer, rng, List.of());
            Matrix x = LayerGradientCheck.uniform(batch, d, -1, 1, rng),
                    dh = LayerGradientCheck.uniform(batch, n, -1, 1, rng);
            Matrix h = LayerGradientCheck.copy(layer.forward(x)),
                    dx = LayerGradientCheck.copy(layer.backward(LayerGradientCheck.copy(dh), true));

            boolean relu = f == Activation.RELU;
            Matrix g = layer.gain().value(), b = layer.parameters().get(2).value();
            Matrix nz = Matrix.zeros(batch, n), hRef = Matrix.zeros(batch, n);
            blas.gemm(false, true, 1f, x, layer.weight().value(), 0f, nz);
            double[] sum = new double[n], sumSquares = new double[n];
            float[] mean = new float[n], invSigma = new float[n];
            for (int r = 0; r < batch; r++)
                for (int k = 0; k < n; k++) {
                    float z = nz.get(r, k) + b.get(k);
                    nz.set(r, k, z);
                    sum[k] += z;
                    sumSquares[k] += (double) z * z;
                }
            for (int k = 0; k < n; k++) {
                double mu = sum[k] / batch, var = Math.max(0, (sumSquares[k] - sum[k] * mu) / (batch - 1));
                mean[k] = (float) mu;
                invSigma[k] = (float) (1 / Math.sqrt(var + BatchNormDense.EPSILON));
            }
            for (int r = 0; r < batch; r++)
                for (int k = 0; k < n; k++) {
                    float v = (nz.get(r, k) - mean[k]) * invSigma[k];
                    nz.set(r, k, v);
                    float z = g.get(k) * v + b.get(k);
                    hRef.set(r, k, relu ? Math.max(z, 0f) : z);
                }
            Matrix dg = Matrix.zeros(1, n), db = Matrix.zeros(1, n), dz = Matrix.zeros(batch, n);
            java.util.Arrays.fill(sum, 0);
            java.util.Arrays.fill(sumSquares, 0);
            for (int r = 0; r < batch; r++)
                for (int k = 0; k < n; k++) {
                    float dzi = relu && hRef.get(r, k) <= 0f ? 0f : dh.get(r, k);
                    float v = nz.get(r, k), dn = dzi * g.get(k);
                    dg.set(k, dg.get(k) + dzi * v);
                    db.set(k, db.get(k) + dzi);
                    dz.set(r, k, dn);
                    sum[k] += dn;
                    sumSquares[k] += (double) dn * v;
                }
            for (int k = 0; k < n; k++) {
                sum[k] /= batch;
                sumSquares[k] /= batch - 1;
            }
            for (int r = 0; r < batch; r++)
                for (int k = 0; k < n; k++) {
                    float v = (float) ((dz.get(r, k) - sum[k] - nz.get(r, k) * sumSquares[k]) * invSigma[k]);
                    dz.set(r, k, v);
                    db.set(k, db.get(k) + v);
                }
            Matrix dW = Matrix.zeros(n, d), dxRef = Matrix.zeros(batch, d);
            blas.gemm(true, false, 1f, dz, x, 0f, dW);
            blas.gemm(false, false, 1f, dz, layer.weight().value(), 0f, dxRef);

            if (relu) LayerGradientCheck.assertActiveAndInactive(h);
            LayerGradientCheck.assertSameBits(h, hRef, f + " h");
            LayerGradientCheck.assertSameBits(layer.gain().grad(), dg, f + " dg");
            LayerGradientCheck.assertSameBits(layer.parameters().get(2).grad(), db, f + " db");
            LayerGradientCheck.assertSameBits(layer.weight().grad(), dW, f + " dW");
            LayerGradientCheck.assertSameBits(dx, dxRef, f + " dx");
        }
    }
}

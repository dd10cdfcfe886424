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

/** The shunting DANN layer against an independent double-precision reference (Cornford et al. 2021 §1.1). */
class DannLayerTest {

    /** {@code h = f(g ⊙ (Wex x - Wei Wix x) / (Wei (e^alpha ⊙ Wix x) + 1e-8) + b)}, plain loops in double. */
    static double[][] reference(Map<String, double[][]> p, double[][] x, boolean relu) {
        double[][] wex = p.get("Wex"),
                wix = p.get("Wix"),
                wei = p.get("Wei"),
                alpha = p.get("alpha"),
                g = p.get("g"),
                b = p.get("b");
        int ne = wex.length, ni = wix.length;
        double[][] h = new double[x.length][ne];
        for (int r = 0; r < x.length; r++) {
            double[] zi = new double[ni];
            for (int j = 0; j < ni; j++) for (int m = 0; m < x[r].length; m++) zi[j] += wix[j][m] * x[r][m];
            for (int k = 0; k < ne; k++) {
                double ze = 0, sub = 0, gamma = 1e-8;
                for (int m = 0; m < x[r].length; m++) ze += wex[k][m] * x[r][m];
                for (int j = 0; j < ni; j++) {
                    sub += wei[k][j] * zi[j];
                    gamma += wei[k][j] * Math.exp(alpha[0][j]) * zi[j];
                }
                double z = g[0][k] * (ze - sub) / gamma + b[0][k];
                h[r][k] = relu ? Math.max(z, 0) : z;
            }
        }
        return h;
    }

    private static int checkGradients(Activation f, int d, int ne, int ni, int batch, long seed) {
        Rng rng = new Rng(seed);
        DannLayer layer = new DannLayer("layer1", d, ne, ni, f, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of());
        Matrix wei = layer.eiWeights().wei().value();
        for (int i = 0; i < wei.size(); i++) wei.set(i, wei.get(i) / ni); // keeps zHat of mixed sign
        Matrix x = LayerGradientCheck.uniform(batch, d, 0, 1, rng);
        int checked = LayerGradientCheck.check(layer, x, (p, xd) -> reference(p, xd, f == Activation.RELU), rng);
        if (f == Activation.RELU) LayerGradientCheck.assertActiveAndInactive(layer.forward(x));
        return checked;
    }

    @Test
    void analyticGradientsOfAHiddenLayerMatchDoubleFiniteDifferences() {
        int checked = checkGradients(Activation.RELU, 5, 4, 3, 3, 11);
        assertThat(checked).isEqualTo(4 * 5 + 3 * 5 + 4 * 3 + 3 + 4 + 4 + 3 * 5);
    }

    @Test
    void analyticGradientsOfALinearLayerWithOneInhibitoryUnitMatchDoubleFiniteDifferences() {
        checkGradients(Activation.IDENTITY, 6, 3, 1, 4, 12);
    }

    @Test
    void analyticGradientsMatchWithMoreInhibitoryThanExcitatoryUnits() {
        checkGradients(Activation.RELU, 4, 3, 5, 6, 14);
    }

    @Test
    void parametersHaveTheNamesShapesSignsAndRolesRulesRelyOn() {
        DannLayer layer = new DannLayer("layer2", 7, 5, 3, Activation.RELU, Blas.best());
        assertThat(layer.parameters())
                .extracting(Parameter::name)
                .containsExactly("layer2.Wex", "layer2.Wix", "layer2.Wei", "layer2.alpha", "layer2.g", "layer2.b");
        assertThat(layer.parameters())
                .extracting(p -> p.shape()[0] + "x" + p.shape()[1])
                .containsExactly("5x7", "3x7", "5x3", "1x3", "1x5", "1x5");
        assertThat(layer.parameters())
                .extracting(Parameter::sign)
                .containsExactly(
                        Parameter.Sign.NON_NEGATIVE,
                        Parameter.Sign.NON_NEGATIVE,
                        Parameter.Sign.NON_NEGATIVE,
                        Parameter.Sign.FREE,
                        Parameter.Sign.NON_NEGATIVE,
                        Parameter.Sign.FREE);
        assertThat(layer.parameters())
                .extracting(Parameter::role)
                .containsExactly(
                        Parameter.Role.EXCITATORY,
                        Parameter.Role.INHIBITORY_INPUT,
                        Parameter.Role.INHIBITORY_OUTPUT,
                        Parameter.Role.SHUNT,
                        Parameter.Role.GAIN,
                        Parameter.Role.BIAS);
        assertThat(layer.parameters()).allSatisfy(p -> {
            assertThat(p.fanIn()).isEqualTo(7);
            assertThat(p.excitatoryUnits()).isEqualTo(5);
        });
    }

    @Test
    void effectiveWeightIsWexMinusWeiTimesWix() {
        Rng rng = new Rng(4);
        DannLayer layer = new DannLayer("l", 3, 2, 2, Activation.RELU, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of());
        double[][] wex = LayerGradientCheck.toDouble(layer.eiWeights().wex().value());
        double[][] wix = LayerGradientCheck.toDouble(layer.eiWeights().wix().value());
        double[][] wei = LayerGradientCheck.toDouble(layer.eiWeights().wei().value());
        Matrix w = layer.effectiveWeight().orElseThrow();
        assertThat(w.rows).isEqualTo(2);
        assertThat(w.cols).isEqualTo(3);
        for (int k = 0; k < 2; k++)
            for (int m = 0; m < 3; m++)
                assertThat((double) w.get(k, m))
                        .isCloseTo(wex[k][m] - wei[k][0] * wix[0][m] - wei[k][1] * wix[1][m], Offset.offset(1e-6));
    }

    @Test
    void repeatedForwardCallsOfOneBatchSizeReuseTheOutputBuffer() {
        DannLayer layer = new DannLayer("l", 3, 2, 1, Activation.RELU, Blas.best());
        Matrix x = Matrix.zeros(4, 3);
        Matrix first = layer.forward(x);
        layer.forward(Matrix.zeros(2, 3));
        assertThat(layer.forward(x)).isSameAs(first);
        assertThat(layer.lastGamma().rows).isEqualTo(4);
    }

    @Test
    void nonlinearitiesOtherThanReluAndIdentityAreRejectedOrTheInputWidthIsWrong() {
        DannLayer layer = new DannLayer("l", 3, 2, 1, Activation.IDENTITY, Blas.best());
        assertThatThrownBy(() -> layer.forward(Matrix.zeros(1, 4))).hasMessageContaining("takes 3 inputs, got 4");
        assertThatThrownBy(() -> new DannLayer("l", 3, 0, 1, Activation.RELU, Blas.best()))
                .hasMessageContaining("ne=0");
    }

    /**
     * The layer's element-wise passes (a row at a time through heap scratch, one loop per result)
     * give the bits of the per-element formulas in float, computed here one element at a time with
     * the same products: {@code h}, and every parameter's and the input's gradient.
     */
    @Test
    void elementwisePassesGiveTheBitsOfThePerElementFormulas() {
        for (Activation f : new Activation[] {Activation.RELU, Activation.IDENTITY}) {
            Rng rng = new Rng(21);
            int d = 9, ne = 37, ni = 5, batch = 6;
            Blas blas = Blas.best();
            DannLayer layer = new DannLayer("l", d, ne, ni, f, blas);
            LayerGradientCheck.randomise(layer, rng, List.of());
            Matrix wei = layer.eiWeights().wei().value();
            for (int i = 0; i < wei.size(); i++) wei.set(i, wei.get(i) / ni); // zHat of mixed sign: ReLU masks some
            Matrix x = LayerGradientCheck.uniform(batch, d, 0, 1, rng);
            Matrix dh = LayerGradientCheck.uniform(batch, ne, -1, 1, rng);
            Matrix h = LayerGradientCheck.copy(layer.forward(x));
            Matrix dx = LayerGradientCheck.copy(layer.backward(LayerGradientCheck.copy(dh), true));

            Matrix wex = layer.eiWeights().wex().value(),
                    wix = layer.eiWeights().wix().value();
            Matrix alpha = layer.alpha().value(),
                    g = layer.gain().value(),
                    b = layer.eiWeights().b().value();
            Matrix zHat = Matrix.zeros(batch, ne), zI = Matrix.zeros(batch, ni), u = Matrix.zeros(batch, ni);
            Matrix gamma = Matrix.zeros(batch, ne), hRef = Matrix.zeros(batch, ne);
            blas.gemm(false, true, 1f, x, wex, 0f, zHat);
            blas.gemm(false, true, 1f, x, wix, 0f, zI);
            blas.gemm(false, true, -1f, zI, wei, 1f, zHat);
            float[] e = new float[ni];
            for (int j = 0; j < ni; j++) e[j] = (float) Math.exp(alpha.get(j));
            for (int r = 0; r < batch; r++) for (int j = 0; j < ni; j++) u.set(r, j, zI.get(r, j) * e[j]);
            blas.gemm(false, true, 1f, u, wei, 0f, gamma);
            for (int r = 0; r < batch; r++)
                for (int k = 0; k < ne; k++) {
                    float gm = gamma.get(r, k) + DannLayer.EPSILON;
                    gamma.set(r, k, gm);
                    float z = g.get(k) * zHat.get(r, k) / gm + b.get(k);
                    hRef.set(r, k, f == Activation.RELU ? Math.max(z, 0f) : z);
                }
            Matrix dg = Matrix.zeros(1, ne), db = Matrix.zeros(1, ne), dAlpha = Matrix.zeros(1, ni);
            Matrix dzHat = Matrix.zeros(batch, ne), dGamma = Matrix.zeros(batch, ne);
            for (int r = 0; r < batch; r++)
                for (int k = 0; k < ne; k++) {
                    float dz = f == Activation.RELU && hRef.get(r, k) <= 0f ? 0f : dh.get(r, k);
                    float gm = gamma.get(r, k), n = zHat.get(r, k) / gm, gk = g.get(k);
                    dg.set(k, dg.get(k) + dz * n);
                    db.set(k, db.get(k) + dz);
                    dzHat.set(r, k, dz * gk / gm);
                    dGamma.set(r, k, -dz * gk * n / gm);
                }
            Matrix dWex = Matrix.zeros(ne, d), dWei = Matrix.zeros(ne, ni), dWix = Matrix.zeros(ni, d);
            Matrix du = Matrix.zeros(batch, ni), dzI = Matrix.zeros(batch, ni), dxRef = Matrix.zeros(batch, d);
            blas.gemm(true, false, 1f, dzHat, x, 0f, dWex);
            blas.gemm(true, false, -1f, dzHat, zI, 0f, dWei);
            blas.gemm(true, false, 1f, dGamma, u, 1f, dWei);
            blas.gemm(false, false, 1f, dGamma, wei, 0f, du);
            for (int r = 0; r < batch; r++)
                for (int j = 0; j < ni; j++) {
                    dAlpha.set(j, dAlpha.get(j) + du.get(r, j) * u.get(r, j));
                    dzI.set(r, j, du.get(r, j) * e[j]);
                }
            blas.gemm(false, false, -1f, dzHat, wei, 1f, dzI);
            blas.gemm(true, false, 1f, dzI, x, 0f, dWix);
            blas.gemm(false, false, 1f, dzHat, wex, 0f, dxRef);
            blas.gemm(false, false, 1f, dzI, wix, 1f, dxRef);

            if (f == Activation.RELU) LayerGradientCheck.assertActiveAndInactive(h);
            LayerGradientCheck.assertSameBits(h, hRef, f + " h");
            LayerGradientCheck.assertSameBits(layer.gain().grad(), dg, f + " dg");
            LayerGradientCheck.assertSameBits(layer.eiWeights().b().grad(), db, f + " db");
            LayerGradientCheck.assertSameBits(layer.alpha().grad(), dAlpha, f + " dalpha");
            LayerGradientCheck.assertSameBits(layer.eiWeights().wex().grad(), dWex, f + " dWex");
            LayerGradientCheck.assertSameBits(layer.eiWeights().wei().grad(), dWei, f + " dWei");
            LayerGradientCheck.assertSameBits(layer.eiWeights().wix().grad(), dWix, f + " dWix");
            LayerGradientCheck.assertSameBits(dx, dxRef, f + " dx");
        }
    }
}

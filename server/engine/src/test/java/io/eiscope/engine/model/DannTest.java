package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.model.Dann.Inhibition;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** DANN networks and their initialisation (Cornford et al. 2021 §1.3; anchors of §6.4). */
class DannTest {

    @Test
    void scalesAndShuntGainsMatchTheReferenceConstants() {
        assertThat(Dann.scale(784, true)).isCloseTo(0.025253813613805267, Offset.offset(1e-15));
        assertThat(Dann.scale(500, false)).isCloseTo(0.04877047777309395, Offset.offset(1e-15));
        assertThat(Dann.logShunt(784)).isCloseTo(-2.49993991332813, Offset.offset(1e-13));
        assertThat(Dann.logShunt(500)).isCloseTo(-2.275039452364022, Offset.offset(1e-13));
    }

    @Test
    void theMnistArchitectureIsInitialisedAsInTheReferenceCode() {
        FeedForwardNet net = Dann.create(
                784,
                new int[] {500, 500},
                new int[] {50, 50},
                10,
                Inhibition.SUBTRACTIVE_DIVISIVE,
                Blas.best(),
                new Rng(1));
        DannLayer first = (DannLayer) net.layerList().get(0),
                hidden = (DannLayer) net.layerList().get(1);
        DannLayer output = (DannLayer) net.layerList().get(2);
        assertThat(output.outputSize()).isEqualTo(10);
        assertThat(output.inhibitoryUnits()).isEqualTo(1);
        assertExponential(first.eiWeights().wex().value(), Dann.scale(784, true));
        assertExponential(first.eiWeights().wix().value(), Dann.scale(784, true));
        assertExponential(hidden.eiWeights().wex().value(), Dann.scale(500, false));
        assertAll(hidden.eiWeights().wei().value(), 1f / 50);
        assertAll(hidden.alpha().value(), (float) Dann.logShunt(500));
        assertAll(first.alpha().value(), (float) Dann.logShunt(784));
        assertAll(hidden.gain().value(), 1f);
        assertAll(hidden.eiWeights().b().value(), 0f);
        assertAll(output.eiWeights().wei().value(), 1f);
        Matrix wex = output.eiWeights().wex().value(),
                wix = output.eiWeights().wix().value();
        for (int c = 0; c < 500; c++) {
            double mean = 0;
            for (int r = 0; r < 10; r++) mean += wex.get(r, c) / 10.0;
            assertThat((double) wix.get(0, c)).isCloseTo(mean, Offset.offset(1e-7 * (1 + mean)));
        }
    }

    @Test
    void withOneInhibitoryUnitTheSubtractiveOutputHasZeroMeanAcrossExcitatoryUnitsForEveryInput() {
        Rng rng = new Rng(2);
        Matrix x = LayerGradientCheck.uniform(16, 300, 0, 1, rng);
        for (Inhibition inhibition : Inhibition.values()) {
            FeedForwardNet net = Dann.create(300, new int[] {}, new int[] {}, 40, inhibition, Blas.best(), rng);
            Matrix z = net.forward(
                    x); // linear output layer, b = 0, g = 1: z = zHat (or zHat / gamma, gamma equal across units)
            for (int r = 0; r < z.rows; r++) {
                double mean = 0, scale = 0;
                for (int k = 0; k < z.cols; k++) {
                    mean += z.get(r, k) / z.cols;
                    scale = Math.max(scale, Math.abs(z.get(r, k)));
                }
                assertThat(mean).as("%s row %d", inhibition, r).isCloseTo(0, Offset.offset(1e-5 * scale));
            }
        }
    }

    @Test
    void hiddenLayersCentreTheirInputAndShuntToUnitScaleOnRectifiedNormalInputs() {
        Rng rng = new Rng(3);
        int d = 500, batch = 64;
        DannLayer layer = new DannLayer("layer1", d, 500, 50, Activation.IDENTITY, Blas.best());
        Dann.init(layer, false, rng);
        Matrix x = Matrix.zeros(batch, d);
        for (int i = 0; i < x.size(); i++) x.set(i, (float) Math.max(rng.nextGaussian(), 0));
        Matrix z = layer.forward(x);
        double mean = 0, gamma = 0;
        for (int i = 0; i < z.size(); i++) {
            mean += z.get(i) / z.size();
            gamma += layer.lastGamma().get(i) / z.size();
        }
        // Uncentred, the excitatory drive Wex x has mean s d E[x] = 9.7; with ni = 50 the inhibitory
        // estimate of that mean is itself noisy (about 0.1), exact only when ni = 1 (test above).
        assertThat(mean).isCloseTo(0, Offset.offset(0.3));
        assertThat(gamma).isCloseTo(1, Offset.offset(0.05));
    }

    @Test
    void oneInhibitoryCountIsNeededPerHiddenLayer() {
        assertThatThrownBy(() -> Dann.create(
                        4, new int[] {3, 3}, new int[] {1}, 2, Inhibition.SUBTRACTIVE, Blas.best(), new Rng(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 excitatory counts, 1 inhibitory");
    }

    private static void assertExponential(Matrix w, double scale) {
        double mean = 0, sq = 0, min = Double.MAX_VALUE;
        for (int i = 0; i < w.size(); i++) {
            mean += w.get(i);
            sq += (double) w.get(i) * w.get(i);
            min = Math.min(min, w.get(i));
        }
        mean /= w.size();
        double std = Math.sqrt(sq / w.size() - mean * mean);
        assertThat(min).isGreaterThanOrEqualTo(0);
        assertThat(mean).isCloseTo(scale, Offset.offset(0.02 * scale)); // Exp(s): mean = std = s
        assertThat(std).isCloseTo(scale, Offset.offset(0.02 * scale));
    }

    private static void assertAll(Matrix m, float expected) {
        for (int i = 0; i < m.size(); i++) assertThat(m.get(i)).isEqualTo(expected);
    }
}

package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The column-E/I MLP and its initialisation (Cornford et al. 2021 §1.5; anchors of §6.4). */
class ColumnEiMlpTest {

    @Test
    void fiveHundredFiftyUnitsAtRatioTenSplitIntoFiveHundredExcitatoryAndFiftyInhibitory() {
        assertThat(ColumnEiMlp.split(550, 10)).isEqualTo(new ColumnEiMlp.Split(500, 50));
    }

    @Test
    void theSplitMatchesTheReferenceFormulaAndCoversEveryUnit() {
        for (int total = 2; total < 300; total++) {
            for (int ratio = 1; ratio < 30; ratio++) {
                double frac = total / (ratio + 1.0);
                ColumnEiMlp.Split s = ColumnEiMlp.split(total, ratio);
                assertThat(s.inhibitory()).isEqualTo((int) Math.ceil(frac));
                assertThat(s.excitatory() + s.inhibitory()).isEqualTo(total);
                assertThat(s.excitatory()).isPositive();
            }
        }
        assertThatThrownBy(() -> ColumnEiMlp.split(1, 10)).hasMessageContaining("total=1");
    }

    @Test
    void hiddenInitialisationGivesZeroMeanInput() {
        double se = ColumnEiMlp.excitatoryScale(500, 50), si = ColumnEiMlp.inhibitoryScale(500, 50);
        assertThat(se).isCloseTo(0.014704852329065491, Offset.offset(1e-15));
        assertThat(500 * se).isCloseTo(50 * si, Offset.offset(1e-12));
        ColumnEiDense layer = new ColumnEiDense("layer1", 550, 50, 550, Activation.RELU, Blas.best());
        ColumnEiMlp.initHidden(layer, new Rng(1));
        Matrix w = layer.effectiveWeight().orElseThrow();
        double meanRowSum = 0, meanE = 0, meanI = 0;
        for (int r = 0; r < w.rows; r++) {
            for (int c = 0; c < w.cols; c++) {
                meanRowSum += w.get(r, c) / w.rows;
                if (c < 500) meanE += w.get(r, c) / (500.0 * w.rows);
                else meanI -= w.get(r, c) / (50.0 * w.rows);
            }
        }
        assertThat(meanE).isCloseTo(se, Offset.offset(0.01 * se));
        assertThat(meanI).isCloseTo(si, Offset.offset(0.02 * si));
        assertThat(meanRowSum).isCloseTo(0, Offset.offset(0.05 * 500 * se)); // E and I drives cancel on average
    }

    @Test
    void firstLayerIsAllExcitatoryWithTheCentringBias() {
        assertThat(ColumnEiMlp.firstLayerBias(784, 0.1307)).isCloseTo(-3.6596, Offset.offset(1e-12));
        FeedForwardNet net = ColumnEiMlp.create(784, new int[] {550, 550}, 10, 10, 0.2860, Blas.best(), new Rng(2));
        ColumnEiDense first = (ColumnEiDense) net.layerList().get(0),
                second = (ColumnEiDense) net.layerList().get(1);
        ColumnEiDense output = (ColumnEiDense) net.layerList().get(2);
        assertThat(first.inhibitoryInputs()).isZero();
        assertThat(first.bias().value().get(0)).isCloseTo(-8.008f, Offset.offset(1e-5f));
        assertThat(second.excitatoryInputs()).isEqualTo(500);
        assertThat(second.inhibitoryInputs()).isEqualTo(50);
        assertThat(output.inhibitoryInputs()).isEqualTo(50);
        assertThat(output.outputSize()).isEqualTo(10);
        assertThat(second.bias().value().get(0)).isZero();
        double mean = 0;
        Matrix w = first.weight().value();
        for (int i = 0; i < w.size(); i++) mean += w.get(i) / w.size();
        assertThat(mean).isCloseTo(Math.sqrt(1.0 / 784), Offset.offset(0.01 / 28));
    }
}

package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.model.WeightInit.Fan;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Plain-weight initialisations (Cornford et al. 2024 §3.2 of the science specification, and He). */
class WeightInitTest {

    private static Matrix filled(WeightInit init, int rows, int cols, long seed) {
        Matrix w = Matrix.zeros(rows, cols);
        init.fill(w, 1, new Rng(seed));
        return w;
    }

    private static double[] moments(Matrix w) {
        double mean = 0, sq = 0;
        for (int i = 0; i < w.size(); i++) {
            mean += w.get(i) / w.size();
            sq += (double) w.get(i) * w.get(i) / w.size();
        }
        return new double[] {mean, sq};
    }

    @Test
    void normalHasStdGainOverRootFanOnEitherSide() {
        double[] in = moments(filled(new WeightInit.Normal(2, Fan.IN), 100, 400, 1));
        double[] out = moments(filled(new WeightInit.Normal(2, Fan.OUT), 100, 400, 1));
        assertThat(in[0]).isCloseTo(0, Offset.offset(0.001));
        assertThat(in[1]).isCloseTo(4.0 / 400, Offset.offset(0.02 * 4 / 400));
        assertThat(out[1]).isCloseTo(4.0 / 100, Offset.offset(0.02 * 4 / 100));
    }

    @Test
    void uniformStaysWithinRootThreeStdAndHasThatStd() {
        Matrix w = filled(new WeightInit.Uniform(1 / Math.sqrt(3), Fan.IN), 200, 100, 2);
        for (int i = 0; i < w.size(); i++)
            assertThat(Math.abs(w.get(i))).isLessThanOrEqualTo(0.1f); // PyTorch's 1/sqrt(fan_in)
        assertThat(moments(w)[1]).isCloseTo(1.0 / 3 / 100, Offset.offset(0.02 / 3 / 100));
    }

    @Test
    void logNormalWithRatioOnePointFiveAndStdZeroPointOneHasTheReferenceMoments() {
        WeightInit.LogNormal init = new WeightInit.LogNormal(1, Fan.IN, 1.5);
        assertThat(init.sigmaLog()).isCloseTo(0.6064, Offset.offset(5e-5));
        Matrix w = filled(init, 400, 100, 3); // std = gain / sqrt(100) = 0.1
        double[] m = moments(w);
        assertThat(m[0]).isCloseTo(0, Offset.offset(0.002));
        assertThat(m[1]).isCloseTo(0.01, Offset.offset(0.0003));
        int positive = 0;
        double logMean = 0, logSq = 0;
        for (int i = 0; i < w.size(); i++) {
            if (w.get(i) > 0) positive++;
            double l = Math.log(Math.abs(w.get(i)));
            logMean += l / w.size();
            logSq += l * l / w.size();
        }
        assertThat(positive / (double) w.size()).isCloseTo(0.5, Offset.offset(0.01));
        assertThat(logMean).isCloseTo(init.muLog(0.1), Offset.offset(0.01));
        assertThat(Math.sqrt(logSq - logMean * logMean)).isCloseTo(0.6064, Offset.offset(0.01));
    }

    @Test
    void heDrawsTheSameWeightsAsTheBaselineMlpInitialisation() {
        Dense d = new Dense("l", 30, 20, Activation.RELU, Blas.best());
        Mlp.initHe(d, 2.0, new Rng(4));
        Matrix w = Matrix.zeros(20, 30);
        new WeightInit.He().fill(w, 1, new Rng(4));
        assertThat(w.toArray()).containsExactly(d.weight().value().toArray());
    }

    @Test
    void nonPositiveGainsAndRatiosAreRejected() {
        assertThatThrownBy(() -> new WeightInit.Normal(0, Fan.IN))
                .hasMessageContaining("gain must be a finite number > 0, got 0");
        assertThatThrownBy(() -> new WeightInit.LogNormal(1, Fan.IN, -1)).hasMessageContaining("mean_std_ratio");
    }
}

package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** The correlated regression data of science.md §4.4. */
class CorrelatedRegressionTest {

    @Test
    void theCholeskyFactorReproducesTheToeplitzCorrelation() {
        int d = 40;
        double[] c = CorrelatedRegression.correlation(d, 2),
                l = CorrelatedRegression.cholesky(CorrelatedRegression.correlation(d, 2), d);
        assertThat(c[1]).isEqualTo(-0.5);
        assertThat(c[2]).isEqualTo(0.2);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) s += l[i * d + k] * l[j * d + k];
                assertThat(s).isCloseTo(c[i * d + j], within(1e-12));
            }
    }

    @Test
    void thereAreFloorOfDToTheExponentSamplesWithPlusMinusOneTargets() {
        var t = new CorrelatedRegression(new CorrelatedRegression.Hyper(400, 0.5, 1), 1);
        assertThat(t.trainSize()).isEqualTo(20);
        assertThat(new CorrelatedRegression.Hyper(1000, 0.75, 2).samples()).isEqualTo(177);
        Matrix x = Matrix.zeros(20, 400), y = Matrix.zeros(20, 1);
        t.testBatch(0, x, y);
        for (float v : y.toArray()) assertThat(Math.abs(v)).isEqualTo(1f);
        assertThat(t.objective().hasAccuracy()).isFalse();
    }

    @Test
    void neighbouringInputsAreAntiCorrelated() {
        // Var(x_i) = 1 + 1/12, Cov(x_i, x_{i+1}) = -1/2, so the correlation is about -0.46
        var t = new CorrelatedRegression(new CorrelatedRegression.Hyper(400, 1, 2), 2);
        Matrix x = Matrix.zeros(400, 400), y = Matrix.zeros(400, 1);
        t.testBatch(0, x, y);
        double sxy = 0, sxx = 0;
        for (int e = 0; e < 400; e++)
            for (int i = 0; i < 399; i++) {
                sxy += x.get(e, i) * x.get(e, i + 1);
                sxx += x.get(e, i) * x.get(e, i);
            }
        assertThat(sxy / sxx).isCloseTo(-0.5 / (1 + 1.0 / 12), within(0.02));
    }
}

package io.eiscope.engine.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.learning.Potential;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The geometry statistics against closed-form values. */
class WeightStatisticsTest {

    @Test
    void theNormalCdfMatchesTabulatedValues() {
        assertThat(WeightStatistics.normalCdf(0)).isCloseTo(0.5, within(1e-7));
        assertThat(WeightStatistics.normalCdf(1)).isCloseTo(0.8413447461, within(1e-7));
        assertThat(WeightStatistics.normalCdf(-2.5)).isCloseTo(0.0062096653, within(1e-7));
    }

    @Test
    void deltaCdfOfATwoPointDistributionIsTheClosedFormIntegral() {
        // z = +-1: integral of Phi over (-inf, -1] = -Phi(-1) + phi(1) = 0.083316 on each tail, and
        // 2 (Phi(1) + phi(1) - phi(0) - 1/2) = 0.368748 between: 0.535380; the 1000-point grid is within dt/2
        double[] v = new double[1000];
        for (int i = 0; i < v.length; i++) v[i] = i % 2 == 0 ? 3 : -3;
        assertThat(WeightStatistics.deltaCdf(v, true)).isCloseTo(0.535380, within(0.006));
    }

    @Test
    void deltaCdfOfGaussianSamplesIsSmallAndOfAConstantUndefined() {
        SplittableRandom r = new SplittableRandom(1);
        double[] v = new double[20_000];
        for (int i = 0; i < v.length; i++) v[i] = 3 + 2 * r.nextGaussian();
        assertThat(WeightStatistics.deltaCdf(v, true)).isLessThan(0.02);
        assertThat(WeightStatistics.deltaCdf(v, false)).isGreaterThan(0.5);
        assertThat(WeightStatistics.deltaCdf(new double[] {1, 1, 1}, true)).isNaN();
    }

    @Test
    void theLogNormalFitRecoversMuAndSigmaOfLogNormalMagnitudes() {
        SplittableRandom r = new SplittableRandom(2);
        float[] w = new float[20_000];
        for (int i = 0; i < w.length; i++)
            w[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.exp(-3 + 0.6 * r.nextGaussian()));
        double[] fit = WeightStatistics.logNormalFit(w);
        assertThat(fit[0]).isCloseTo(-3, within(0.02));
        assertThat(fit[1]).isCloseTo(0.6, within(0.02));
        assertThat(fit[2]).isLessThan(0.02);
    }

    @Test
    void proportionalUpdatesHaveSlopeOneAndNoSignFlips() {
        float[] w0 = {0.1f, -0.2f, 0.4f, -0.8f}, wt = new float[4];
        for (int i = 0; i < 4; i++) wt[i] = w0[i] * 1.5f;
        assertThat(WeightStatistics.updateWeightSlope(w0, wt)).isCloseTo(1, within(1e-6));
        assertThat(WeightStatistics.signFlips(w0, wt)).isZero();
        assertThat(WeightStatistics.signFlips(w0, new float[] {-0.1f, -0.2f, 0f, 0.8f}))
                .isEqualTo(2);
        assertThat(WeightStatistics.cosine(w0, wt)).isCloseTo(1, within(1e-12));
        assertThat(WeightStatistics.cosine(new float[] {1, 0}, new float[] {1, 1}))
                .isCloseTo(Math.sqrt(0.5), within(1e-12));
    }

    @Test
    void theChangeMagnitudeIsTheRelativeDualNorm() {
        float[] w0 = {0.5f, -0.5f}, wt = {0.4f, -0.6f};
        // 3-norm: grad phi(w) = sign(w) w^2: (0.16 - 0.25, -0.36 + 0.25) over (0.25, -0.25)
        double expected = Math.hypot(0.09, 0.11) / Math.hypot(0.25, 0.25);
        assertThat(WeightStatistics.changeMagnitude(new Potential.PNorm(3), w0, wt))
                .isCloseTo(expected, within(1e-6));
    }

    @Test
    void theTruePotentialGivesTheLowestDeltaCdfOfAGaussianDualPerturbation() {
        // a miniature of the synthetic robustness study of Pogodin et al. (science.md §4.4)
        SplittableRandom r = new SplittableRandom(3);
        float[] w0 = new float[1000];
        for (int i = 0; i < w0.length; i++)
            w0[i] = (float) ((r.nextBoolean() ? 1 : -1) * 0.1 * Math.exp(0.5 * r.nextGaussian()));
        for (Potential truth : GeometryObservables.CANDIDATES) {
            float[] wt = new float[w0.length];
            double scale = 0.1 * Math.abs(truth.map(0.1));
            for (int i = 0; i < w0.length; i++)
                wt[i] = (float) truth.inverse(truth.map(w0[i]) + scale * r.nextGaussian(), w0[i]);
            double own = WeightStatistics.deltaCdf(WeightStatistics.dualChange(truth, w0, wt), false);
            for (Potential other : GeometryObservables.CANDIDATES) {
                if (other.equals(truth)) continue;
                assertThat(own)
                        .as("%s vs %s", truth.name(), other.name())
                        .isLessThan(WeightStatistics.deltaCdf(WeightStatistics.dualChange(other, w0, wt), false));
            }
        }
    }
}

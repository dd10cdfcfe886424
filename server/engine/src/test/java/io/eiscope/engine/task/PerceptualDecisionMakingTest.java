package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** The 2AF trials of neurogym's PerceptualDecisionMaking-v0 (science.md §5.3). */
class PerceptualDecisionMakingTest {
    private static final PerceptualDecisionMaking TRIALS = new PerceptualDecisionMaking();

    @Test
    void theDecisionIsTheSideWithTheLargerEvidenceAndCoherencesAreNeurogyms() {
        int n = 5_000;
        Matrix[] d = CognitiveTaskTest.trials(TRIALS, 0.0, 1, n);
        Matrix x = d[0], y = d[1];
        int[] perCoherence = new int[PerceptualDecisionMaking.COHERENCES.length];
        for (int r = 0; r < n; r++) {
            float s1 = x.get(r, 1), s2 = x.get(r, 2);
            for (int t = 0; t < 7; t++) {
                // a constant stimulus without noise, centred on 0.5
                assertThat(x.get(r, 3 * t + 1)).isEqualTo(s1);
                assertThat(x.get(r, 3 * t + 2)).isEqualTo(s2);
            }
            assertThat(x.get(r, 22)).isZero(); // no stimulus at the decision
            assertThat(x.get(r, 23)).isZero();
            assertThat((double) s1 + s2).isCloseTo(1, within(1e-6));
            double coherence = Math.abs(s1 - s2) * 100;
            int level = -1;
            for (int i = 0; i < perCoherence.length; i++)
                if (Math.abs(coherence - PerceptualDecisionMaking.COHERENCES[i]) < 1e-4) level = i;
            assertThat(level).as("coherence %s", coherence).isNotNegative();
            perCoherence[level]++;
            if (coherence > 0) assertThat(y.get(r, 7)).isEqualTo(s1 > s2 ? 1f : 2f);
        }
        // uniform over 5 levels: 5,000 trials, standard error 0.0057
        for (int count : perCoherence) assertThat(count / (double) n).isCloseTo(0.2, within(0.025));
    }

    @Test
    void withNoiseTheSampleMeanStillPointsToTheLabelAtHighCoherence() {
        int n = 3_000;
        Matrix clean = CognitiveTaskTest.trials(TRIALS, 0.0, 2, n)[0];
        Matrix[] noisy = CognitiveTaskTest.trials(TRIALS, 1.0, 2, n);
        int strong = 0, agree = 0;
        for (int r = 0; r < n; r++) {
            if (Math.abs(clean.get(r, 1) - clean.get(r, 2)) < 0.25) continue; // coherence 25.6 and 51.2 only
            double evidence = 0;
            for (int t = 0; t < 7; t++) evidence += noisy[0].get(r, 3 * t + 1) - noisy[0].get(r, 3 * t + 2);
            strong++;
            if ((evidence > 0 ? 1f : 2f) == noisy[1].get(r, 7)) agree++;
        }
        // the mean difference is >= 0.256 against a noise std of 0.1 sqrt(2/7) = 0.053 (z >= 4.8)
        assertThat(strong).isGreaterThan(1_000);
        assertThat(agree).isEqualTo(strong);
    }
}

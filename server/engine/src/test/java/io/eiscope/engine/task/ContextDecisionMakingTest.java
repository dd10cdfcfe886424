package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** The CXT trials of neurogym's ContextDecisionMaking-v0 (science.md §5.3). */
class ContextDecisionMakingTest {

    private static boolean isCoherence(double percent) {
        for (double c : ContextDecisionMaking.COHERENCES) if (Math.abs(percent - c) < 1e-4) return true;
        return false;
    }

    @Test
    void theContextInputNamesTheModalityWhoseEvidenceIsTheDecision() {
        int n = 4_000;
        Matrix[] d = CognitiveTaskTest.trials(new ContextDecisionMaking(), 0.0, 1, n);
        Matrix x = d[0], y = d[1];
        int contextTwo = 0, irrelevantAgrees = 0;
        for (int r = 0; r < n; r++) {
            float c1 = x.get(r, 5), c2 = x.get(r, 6);
            assertThat(c1 + c2).isEqualTo(1f);
            for (int t = 0; t < 8; t++) {
                assertThat(x.get(r, 7 * t + 5)).as("context1 at step %d", t).isEqualTo(c1);
                assertThat(x.get(r, 7 * t + 6)).as("context2 at step %d", t).isEqualTo(c2);
            }
            for (int t = 0; t < 8; t++)
                for (int k = 1; k <= 4; k++) {
                    // the stimulus lasts steps 0-1 and is constant without noise
                    float expected = t <= 1 ? x.get(r, k) : 0f;
                    assertThat(x.get(r, 7 * t + k)).as("step %d input %d", t, k).isEqualTo(expected);
                }
            float m1a = x.get(r, 1), m1b = x.get(r, 2), m2a = x.get(r, 3), m2b = x.get(r, 4);
            assertThat((double) m1a + m1b).isCloseTo(1, within(1e-6));
            assertThat((double) m2a + m2b).isCloseTo(1, within(1e-6));
            assertThat(isCoherence(Math.abs(m1a - m1b) * 100))
                    .as("modality 1 coherence")
                    .isTrue();
            assertThat(isCoherence(Math.abs(m2a - m2b) * 100))
                    .as("modality 2 coherence")
                    .isTrue();
            boolean second = c2 == 1f;
            float relevantChoice = second ? (m2a > m2b ? 1f : 2f) : (m1a > m1b ? 1f : 2f);
            float irrelevantChoice = second ? (m1a > m1b ? 1f : 2f) : (m2a > m2b ? 1f : 2f);
            assertThat(y.get(r, 7)).isEqualTo(relevantChoice);
            if (second) contextTwo++;
            if (irrelevantChoice == relevantChoice) irrelevantAgrees++;
        }
        // contexts are equally likely and the irrelevant modality is independent of the answer (standard error 0.008)
        assertThat(contextTwo / (double) n).isCloseTo(0.5, within(0.035));
        assertThat(irrelevantAgrees / (double) n).isCloseTo(0.5, within(0.035));
    }
}

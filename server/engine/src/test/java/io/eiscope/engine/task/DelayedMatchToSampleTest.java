package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** The DMS trials of neurogym's DelayMatchSample-v0 (science.md §5.3). */
class DelayedMatchToSampleTest {

    @Test
    void sampleAtStepZeroTestAtStepSixAndTheDecisionSaysWhetherTheyMatch() {
        int n = 4_000;
        Matrix[] d = CognitiveTaskTest.trials(new DelayedMatchToSample(), 0.0, 1, n);
        Matrix x = d[0], y = d[1];
        int matches = 0, sampleOnFirst = 0;
        for (int r = 0; r < n; r++) {
            float a1 = x.get(r, 1), a2 = x.get(r, 2), b1 = x.get(r, 6 * 3 + 1), b2 = x.get(r, 6 * 3 + 2);
            // one-hot sample and test: direction 0 lights stimulus 1, pi lights stimulus 2
            assertThat(a1 + a2).isEqualTo(1f);
            assertThat(a1).isIn(0f, 1f);
            assertThat(b1 + b2).isEqualTo(1f);
            assertThat(b1).isIn(0f, 1f);
            for (int t : new int[] {1, 2, 3, 4, 5, 7}) {
                assertThat(x.get(r, 3 * t + 1)).as("step %d", t).isZero();
                assertThat(x.get(r, 3 * t + 2)).as("step %d", t).isZero();
            }
            assertThat(x.get(r, 0)).isEqualTo(1f);
            assertThat(x.get(r, 18)).isEqualTo(1f);
            boolean match = a1 == b1;
            assertThat(y.get(r, 7)).isEqualTo(match ? 1f : 2f);
            if (match) matches++;
            if (a1 == 1f) sampleOnFirst++;
        }
        // 4,000 trials: standard error 0.008
        assertThat(matches / (double) n).isCloseTo(0.5, within(0.035));
        assertThat(sampleOnFirst / (double) n).isCloseTo(0.5, within(0.035));
    }
}

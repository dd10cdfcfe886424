package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** The r-of-k data of science.md §3.3c: input statistics, labels and label-noise rates. */
class RofKTest {
    private static final RofK.Hyper SMALL = new RofK.Hyper(300, 100, 50, 0.5, 0.05, 20_000, 2_000, false);

    private static int active(RofK t, int e) {
        int a = 0;
        for (int i = 0; i < t.hyper().relevant(); i++) a += t.input(e, i);
        return a;
    }

    @Test
    void inputsAreBernoulliWithTheGivenRate() {
        for (double p : new double[] {0.5, 0.2}) {
            RofK t = new RofK(new RofK.Hyper(130, 100, 50, p, 0, 2_000, 10, false), 1);
            long ones = 0;
            for (int e = 0; e < 2_000; e++) for (int i = 0; i < 130; i++) ones += t.input(e, i);
            // 260,000 draws: the standard error of the mean is below 0.001
            assertThat(ones / 260_000.0).as("rate %s", p).isCloseTo(p, within(0.004));
        }
    }

    @Test
    void heldOutLabelsAreCleanAndTrainingLabelsFlipAtTheNoiseRate() {
        RofK t = new RofK(SMALL, 2);
        int flippedUp = 0, flippedDown = 0, atUp = 0, atDown = 0;
        for (int e = 0; e < SMALL.trainSize(); e++) {
            int a = active(t, e);
            float clean = a >= 50 ? 1f : 0f;
            // noise nu = +-1 changes the label only at the boundary: a = 49 (nu = +1) or a = 50 (nu = -1)
            if (a == 49) {
                atUp++;
                if (t.label(e) == 1f) flippedUp++;
            } else if (a == 50) {
                atDown++;
                if (t.label(e) == 0f) flippedDown++;
            } else {
                assertThat(t.label(e)).isEqualTo(clean);
            }
        }
        // about 1,600 examples at each boundary count; rate 0.05 +- 3 standard errors (0.016)
        assertThat((double) flippedUp / atUp).isCloseTo(0.05, within(0.017));
        assertThat((double) flippedDown / atDown).isCloseTo(0.05, within(0.017));
        for (int e = SMALL.trainSize(); e < SMALL.trainSize() + 2 * SMALL.heldOutSize(); e++)
            assertThat(t.label(e)).isEqualTo(active(t, e) >= 50 ? 1f : 0f);
    }

    @Test
    void batchesCarryTheBitsAndLabelsAndTheTestSetIsServedByDefault() {
        RofK t = new RofK(new RofK.Hyper(70, 10, 5, 0.5, 0.05, 50, 20, false), 3);
        Matrix x = Matrix.zeros(20, 70), y = Matrix.zeros(20, 1);
        t.testBatch(0, x, y);
        for (int r = 0; r < 20; r++) {
            for (int i = 0; i < 70; i++) assertThat(x.get(r, i)).isEqualTo((float) t.input(70 + r, i));
            assertThat(y.get(r)).isEqualTo(t.label(70 + r));
        }
        RofK v = new RofK(new RofK.Hyper(70, 10, 5, 0.5, 0.05, 50, 20, true), 3);
        v.testBatch(0, x, y);
        assertThat(y.get(0)).isEqualTo(t.label(50));
        assertThat(t.objective().hasAccuracy()).isTrue();
        assertThat(t.targetWidth()).isEqualTo(1);
    }

    @Test
    void theSameSeedGivesTheSameDataAndBatches() {
        RofK a = new RofK(SMALL, 9), b = new RofK(SMALL, 9);
        Matrix xa = Matrix.zeros(64, 300),
                ya = Matrix.zeros(64, 1),
                xb = Matrix.zeros(64, 300),
                yb = Matrix.zeros(64, 1);
        for (int k = 0; k < 5; k++) {
            a.nextBatch(xa, ya);
            b.nextBatch(xb, yb);
            assertThat(xa.toArray()).containsExactly(xb.toArray());
            assertThat(ya.toArray()).containsExactly(yb.toArray());
        }
    }

    @Test
    void relevantInputsMustFitInTheInputs() {
        assertThatThrownBy(() -> new RofK.Hyper(50, 100, 50, 0.5, 0.05, 10, 10, false))
                .hasMessageContaining("relevant must be in [1, inputs = 50], got 100");
    }
}

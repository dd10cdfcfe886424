package io.eiscope.engine.learning;

import static io.eiscope.engine.learning.Tensors.scalar;
import static io.eiscope.engine.learning.Tensors.setGrad;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.learning.LearningRateSchedule.Constant;
import io.eiscope.engine.learning.LearningRateSchedule.Cosine;
import io.eiscope.engine.learning.LearningRateSchedule.StepDecay;
import io.eiscope.engine.learning.LearningRateSchedule.WarmupCooldown;
import io.eiscope.engine.model.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    private static final double TOL = 1e-12;

    @Test
    void constantGivesTheSameRateAtEveryUpdate() {
        assertThat(new Constant(0.3).rate(0)).isEqualTo(0.3);
        assertThat(new Constant(0.3).rate(1_000_000)).isEqualTo(0.3);
    }

    @Test
    void stepDecayMultipliesByTheFactorEveryKUpdates() {
        StepDecay s = new StepDecay(1.0, 3, 0.5);
        assertThat(new double[] {s.rate(0), s.rate(2), s.rate(3), s.rate(5), s.rate(6), s.rate(30)})
                .containsExactly(1, 1, 0.5, 0.5, 0.25, Math.pow(0.5, 10));
    }

    @Test
    void cosineFallsFromTheRateToTheFloorOverNUpdatesAndStaysThere() {
        Cosine s = new Cosine(1.0, 100, 0.1);
        assertThat(s.rate(0)).isCloseTo(1.0, within(TOL));
        assertThat(s.rate(50)).isCloseTo(0.55, within(TOL));
        assertThat(s.rate(25)).isCloseTo(0.1 + 0.9 * (1 + Math.sqrt(0.5)) / 2, within(TOL));
        assertThat(s.rate(75)).isCloseTo(0.1 + 0.9 * (1 - Math.sqrt(0.5)) / 2, within(TOL));
        assertThat(s.rate(100)).isEqualTo(0.1);
        assertThat(s.rate(10_000)).isEqualTo(0.1);
    }

    @Test
    void warmupConstantCooldownRampsUpHoldsAndRampsDownToTheFloor() {
        // warm-up over 4 updates, cool-down over the last 5 of 20
        WarmupCooldown s = new WarmupCooldown(1.0, 4, 5, 20, 0.0);
        assertThat(s.rate(0)).isCloseTo(0.25, within(TOL));
        assertThat(s.rate(1)).isCloseTo(0.5, within(TOL));
        assertThat(s.rate(3)).isCloseTo(1.0, within(TOL));
        assertThat(s.rate(4)).isEqualTo(1.0);
        assertThat(s.rate(14)).isEqualTo(1.0);
        assertThat(s.rate(15)).isCloseTo(0.8, within(TOL));
        assertThat(s.rate(17)).isCloseTo(0.4, within(TOL));
        assertThat(s.rate(19)).isCloseTo(0.0, within(TOL));
        assertThat(s.rate(25)).isEqualTo(0.0);
    }

    @Test
    void theCooldownEndsAtTheFloorAndNoCooldownHoldsTheRate() {
        WarmupCooldown toFloor = new WarmupCooldown(2.0, 0, 4, 10, 0.4);
        assertThat(toFloor.rate(0)).isEqualTo(2.0);
        assertThat(toFloor.rate(6)).isCloseTo(2.0 - 1.6 / 4, within(TOL));
        assertThat(toFloor.rate(9)).isCloseTo(0.4, within(TOL));
        assertThat(toFloor.rate(11)).isEqualTo(0.4);
        assertThat(new WarmupCooldown(2.0, 2, 0, 10, 0.0).rate(50)).isEqualTo(2.0);
    }

    @Test
    void theRuleCountsItsOwnUpdatesAndResetRestartsTheSchedule() {
        ComposedRule rule = new ComposedRule(
                new StepDecay(1.0, 2, 0.5), List.of(), new Momentum(Momentum.Hyper.plain()), new GradientDescent());
        Parameter p = scalar(0f, 1f);
        for (int i = 0; i < 4; i++) {
            setGrad(p, 1f);
            rule.update(List.of(p));
        }
        assertThat(p.value().get(0)).isEqualTo(-(1f + 1f + 0.5f + 0.5f));
        assertThat(rule.updates()).isEqualTo(4);
        assertThat(rule.learningRate()).isEqualTo(0.25);
        rule.reset();
        assertThat(rule.updates()).isZero();
        assertThat(rule.learningRate()).isEqualTo(1.0);
    }

    @Test
    void invalidSchedulesNameTheFieldAndWhatIsAllowed() {
        assertThatThrownBy(() -> new Constant(0)).hasMessage("learning_rate must be a finite number > 0, got 0.0");
        assertThatThrownBy(() -> new StepDecay(1, 0, 0.5)).hasMessage("step_every must be >= 1, got 0");
        assertThatThrownBy(() -> new StepDecay(1, 5, 1.5)).hasMessage("step_factor must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> new Cosine(0.1, 10, 0.2))
                .hasMessage("min_learning_rate must be in [0, learning_rate = 0.1], got 0.2");
        assertThatThrownBy(() -> new WarmupCooldown(0.1, 6, 5, 10, 0))
                .hasMessage("warmup_steps + cooldown_steps must be <= schedule_steps (10), got 6 + 5");
    }

    @Test
    void toStringPrintsEveryHyperParameter() {
        assertThat(new WarmupCooldown(0.1, 2, 3, 10, 0.01))
                .hasToString("WarmupCooldown[learningRate=0.1, warmup=2, cooldown=3, steps=10, minLearningRate=0.01]");
    }
}

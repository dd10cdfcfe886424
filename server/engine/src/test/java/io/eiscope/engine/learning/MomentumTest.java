package io.eiscope.engine.learning;

import static io.eiscope.engine.learning.Tensors.free;
import static io.eiscope.engine.learning.Tensors.scalar;
import static io.eiscope.engine.learning.Tensors.setGrad;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.model.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SGD (the {@link Momentum} direction with gradient descent) against values worked out by hand. */
class MomentumTest {
    private static final double TOL = 1e-6;

    static ComposedRule sgd(double lr, Momentum.Hyper hyper) {
        return new ComposedRule(
                new LearningRateSchedule.Constant(lr), List.of(), new Momentum(hyper), new GradientDescent());
    }

    /** Steps {@code rule} on one scalar weight {@code w0} with gradient {@code g} at every step; the weight after each step. */
    static double[] trajectory(ComposedRule rule, float w0, float g, int steps) {
        Parameter p = scalar(w0, g);
        double[] out = new double[steps];
        for (int s = 0; s < steps; s++) {
            setGrad(p, g);
            rule.update(List.of(p));
            out[s] = p.value().get(0);
        }
        return out;
    }

    @Test
    void plainSgdSubtractsTheLearningRateTimesTheGradient() {
        Parameter p = free("layer0.W", new float[] {1f, -2f}, new float[] {0.5f, 0.25f});
        sgd(0.1, Momentum.Hyper.plain()).update(List.of(p));
        assertThat(p.value().get(0)).isCloseTo(0.95f, within(1e-7f));
        assertThat(p.value().get(1)).isCloseTo(-2.025f, within(1e-7f));
        assertThat(p.grad().toArray()).containsExactly(0.5f, 0.25f);
    }

    @Test
    void heavyBallMomentumStartsItsBufferAtTheFirstGradient() {
        // buf: 0.5, 0.9*0.5 + 0.5 = 0.95, 0.9*0.95 + 0.5 = 1.355; w: 1 - 0.05, - 0.095, - 0.1355
        double[] w = trajectory(sgd(0.1, new Momentum.Hyper(0.9, 0, false, 0)), 1f, 0.5f, 3);
        assertThat(w[0]).isCloseTo(0.95, within(TOL));
        assertThat(w[1]).isCloseTo(0.855, within(TOL));
        assertThat(w[2]).isCloseTo(0.7195, within(TOL));
    }

    @Test
    void nesterovStepsAlongTheGradientPlusMomentumTimesTheBuffer() {
        // step 1: buf 0.5, d = 0.5 + 0.9*0.5 = 0.95; step 2: buf 0.95, d = 0.5 + 0.9*0.95 = 1.355
        double[] w = trajectory(sgd(0.1, new Momentum.Hyper(0.9, 0, true, 0)), 1f, 0.5f, 2);
        assertThat(w[0]).isCloseTo(0.905, within(TOL));
        assertThat(w[1]).isCloseTo(0.7695, within(TOL));
    }

    @Test
    void weightDecayIsAddedToTheGradientBeforeMomentum() {
        // step 1: d = 0.5 + 0.1*2 = 0.7, w = 1.93; step 2: d = 0.5 + 0.1*1.93 = 0.693, buf = 0.9*0.7 + 0.693 = 1.323
        double[] w = trajectory(sgd(0.1, new Momentum.Hyper(0.9, 0, false, 0.1)), 2f, 0.5f, 2);
        assertThat(w[0]).isCloseTo(1.93, within(TOL));
        assertThat(w[1]).isCloseTo(1.93 - 0.1323, within(TOL));
    }

    @Test
    void weightDecayWithoutMomentumShrinksTowardsZero() {
        double[] w = trajectory(sgd(0.1, new Momentum.Hyper(0, 0, false, 0.1)), 2f, 0.5f, 2);
        assertThat(w[0]).isCloseTo(1.93, within(TOL));
        assertThat(w[1]).isCloseTo(1.93 - 0.1 * (0.5 + 0.193), within(TOL));
    }

    @Test
    void dampeningScalesNewGradientsButNotTheFirst() {
        // buf: 0.5 (first step: the gradient itself), then 0.9*0.5 + (1 - 0.5)*0.5 = 0.7
        double[] w = trajectory(sgd(0.1, new Momentum.Hyper(0.9, 0.5, false, 0)), 1f, 0.5f, 2);
        assertThat(w[0]).isCloseTo(0.95, within(TOL));
        assertThat(w[1]).isCloseTo(0.88, within(TOL));
    }

    @Test
    void hyperParametersAreValidatedWithTheFieldAndWhatIsAllowed() {
        assertThatThrownBy(() -> new Momentum.Hyper(1.5, 0, false, 0))
                .hasMessage("momentum must be in [0, 1), got 1.5");
        assertThatThrownBy(() -> new Momentum.Hyper(0.9, 1, false, 0))
                .hasMessageStartingWith("dampening must be in [0, 1)");
        assertThatThrownBy(() -> new Momentum.Hyper(0, 0, false, -1)).hasMessageStartingWith("weight_decay must be");
        assertThatThrownBy(() -> new Momentum.Hyper(0, 0, true, 0))
                .hasMessageStartingWith("nesterov needs momentum > 0");
        assertThatThrownBy(() -> new Momentum.Hyper(0.9, 0.1, true, 0)).hasMessageContaining("dampening = 0");
    }

    @Test
    void toStringPrintsEveryHyperParameter() {
        assertThat(new Momentum(new Momentum.Hyper(0.9, 0.1, false, 0.01)).toString())
                .isEqualTo("Momentum[momentum=0.9, dampening=0.1, nesterov=false, weightDecay=0.01]");
    }
}

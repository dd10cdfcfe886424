package io.eiscope.engine.learning;

import static io.eiscope.engine.learning.Tensors.free;
import static io.eiscope.engine.learning.Tensors.param;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.learning.GradientClipping.Scope;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComposedRuleTest {

    static ComposedRule sgd(double lr, List<GradientTransform> transforms) {
        return new ComposedRule(
                new LearningRateSchedule.Constant(lr),
                transforms,
                new Momentum(Momentum.Hyper.plain()),
                new GradientDescent());
    }

    @Test
    void projectedSgdIsAGradientStepThenAClampOfTheNonNegativeTensors() {
        // science.md §1.4.1: p <- p - lr grad for every p, then clamp Wex (and Wix, Wei, g) to >= 0; alpha is free
        Parameter wex = param(
                "layer0.Wex", Sign.NON_NEGATIVE, Role.EXCITATORY, 2, 1, new float[] {0.05f, 0.5f}, new float[] {1f, 1f
                });
        Parameter alpha = param("layer0.alpha", Sign.FREE, Role.SHUNT, 2, 1, new float[] {0.05f}, new float[] {1f});
        sgd(0.1, List.of()).update(List.of(wex, alpha));
        wex.project();
        alpha.project();
        assertThat(wex.value().get(0)).isZero();
        assertThat(wex.value().get(1)).isCloseTo(0.4f, within(1e-7f));
        assertThat(alpha.value().get(0)).isCloseTo(-0.05f, within(1e-7f));
    }

    @Test
    void transformsRewriteTheGradientsInOrderBeforeTheStep() {
        // correction then clipping (science.md §1.4.3): Wix grads [6, 8] / sqrt(4) = [3, 4], norm 5, clipped to 1
        Parameter wix = param(
                "layer0.Wix", Sign.NON_NEGATIVE, Role.INHIBITORY_INPUT, 3, 4, new float[] {1f, 1f}, new float[] {6f, 8f
                });
        sgd(1, List.of(new InhibitoryCorrection(), new GradientClipping(1, Scope.TENSOR)))
                .update(List.of(wix));
        double scale = 1 / (5 + 1e-6);
        assertThat(wix.value().toArray())
                .containsExactly(new float[] {(float) (1 - 3 * scale), (float) (1 - 4 * scale)}, within(1e-7f));
    }

    @Test
    void stateForOtherParametersIsRejectedUntilReset() {
        ComposedRule rule = new ComposedRule(
                new LearningRateSchedule.Constant(0.1),
                List.of(),
                new Momentum(new Momentum.Hyper(0.9, 0, false, 0)),
                new GradientDescent());
        rule.update(List.of(free("a.W", new float[2], new float[2])));
        assertThatThrownBy(() -> rule.update(List.of(free("a.W", new float[3], new float[3]))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a.W");
        assertThatThrownBy(() -> rule.update(
                        List.of(free("a.W", new float[2], new float[2]), free("b.W", new float[1], new float[1]))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reset");
        rule.reset();
        rule.update(List.of(free("a.W", new float[3], new float[3])));
        assertThat(rule.updates()).isOne();
    }

    @Test
    void toStringPrintsEveryPartAndHyperParameter() {
        ComposedRule rule = new ComposedRule(
                new LearningRateSchedule.Cosine(0.1, 100, 0.001),
                List.of(new InhibitoryCorrection(), new GradientClipping(2, Scope.LAYER)),
                new Momentum(new Momentum.Hyper(0.9, 0, true, 1e-4)),
                new SignFrozenGradientDescent(1e-9));
        assertThat(rule)
                .hasToString("ComposedRule[schedule=Cosine[learningRate=0.1, steps=100, minLearningRate=0.001], "
                        + "transforms=[InhibitoryCorrection[], GradientClipping[maxNorm=2.0, scope=LAYER]], "
                        + "direction=Momentum[momentum=0.9, dampening=0.0, nesterov=true, weightDecay=1.0E-4], "
                        + "geometry=SignFrozenGradientDescent[theta=1.0E-9]]");
        assertThat(rule.preservesSigns()).isTrue();
    }

    @Test
    void aDirectionWithStateCannotBeSharedByASecondRule() {
        Direction d = new Momentum(new Momentum.Hyper(0.9, 0, false, 0));
        new ComposedRule(new LearningRateSchedule.Constant(0.1), List.of(), d, new GradientDescent())
                .update(List.of(free("a.W", new float[1], new float[1])));
        assertThatThrownBy(() ->
                        new ComposedRule(new LearningRateSchedule.Constant(0.1), List.of(), d, new GradientDescent()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

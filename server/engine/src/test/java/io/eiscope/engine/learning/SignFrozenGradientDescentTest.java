package io.eiscope.engine.learning;

import static io.eiscope.engine.learning.Tensors.free;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.model.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sign-constrained GD of the EG code (science.md §3.1, anchor of §6.4). */
class SignFrozenGradientDescentTest {
    private static final SignFrozenGradientDescent EG_CODE = new SignFrozenGradientDescent(1e-18);

    @Test
    void aStepThatWouldCrossZeroStopsAtThetaWithTheOldSign() {
        // §6.4: w = 0.01, g = 1, lr = 0.1 -> GD gives -0.09, frozen to +1e-18
        assertThat(EG_CODE.step(0.01f, 1f, 0.1f)).isEqualTo((float) 1e-18);
        assertThat(EG_CODE.step(-0.01f, -1f, 0.1f)).isEqualTo((float) -1e-18);
    }

    @Test
    void aStepThatKeepsTheSignIsPlainGradientDescent() {
        assertThat(EG_CODE.step(0.5f, 1f, 0.1f)).isCloseTo(0.4f, within(1e-7f));
        assertThat(EG_CODE.step(-0.5f, -2f, 0.1f)).isCloseTo(-0.3f, within(1e-7f));
        assertThat(EG_CODE.step(0.5f, -1f, 0.1f)).isCloseTo(0.6f, within(1e-7f));
    }

    @Test
    void aZeroWeightHasNoSignAndGoesWhereGradientDescentPutsIt() {
        assertThat(EG_CODE.step(0f, 1f, 0.1f)).isCloseTo(-0.1f, within(1e-7f));
        assertThat(EG_CODE.step(0f, -1f, 0.1f)).isCloseTo(0.1f, within(1e-7f));
    }

    @Test
    void thetaIsAParameter() {
        assertThat(new SignFrozenGradientDescent(1e-9).step(0.01f, 1f, 0.1f)).isEqualTo((float) 1e-9);
    }

    @Test
    void asARuleWithMomentumItFreezesSignsElementwise() {
        Parameter p = free("layer0.W", new float[] {0.01f, -0.01f, 0.5f}, new float[] {1f, -1f, 1f});
        new ComposedRule(
                        new LearningRateSchedule.Constant(0.1),
                        List.of(),
                        new Momentum(new Momentum.Hyper(0.9, 0, false, 0)),
                        EG_CODE)
                .update(List.of(p));
        assertThat(p.value().get(0)).isEqualTo((float) 1e-18);
        assertThat(p.value().get(1)).isEqualTo((float) -1e-18);
        assertThat(p.value().get(2)).isCloseTo(0.4f, within(1e-7f));
    }

    @Test
    void thetaMustBeAPositiveNormalFloatAtMostOneThousandth() {
        assertThatThrownBy(() -> new SignFrozenGradientDescent(0)).hasMessageStartingWith("theta must be in [");
        assertThatThrownBy(() -> new SignFrozenGradientDescent(0.1)).hasMessageEndingWith("got 0.1");
        assertThat(EG_CODE.preservesSigns()).isTrue();
        assertThat(new GradientDescent().preservesSigns()).isFalse();
    }
}

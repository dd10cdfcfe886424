package io.eiscope.engine.learning;

import static io.eiscope.engine.learning.Tensors.free;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.model.Parameter;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Exponentiated gradient, signed and unsigned (science.md §3.1, anchors of §6.4). */
class ExponentiatedGradientTest {
    private static final ExponentiatedGradient EG = new ExponentiatedGradient(true);
    private static final ExponentiatedGradient UNSIGNED = new ExponentiatedGradient(false);

    @Test
    void aNegativeWeightWithAPositiveGradientGrowsInMagnitudeAsTheAnchorSays() {
        // §6.4: w = -0.5, g = 0.2, lr = 0.1 -> -0.5 e^{0.02} = -0.510101
        assertThat(EG.step(-0.5f, 0.2f, 0.1f)).isCloseTo(-0.510101f, within(1e-6f));
    }

    @Test
    void aPositiveWeightIsMultipliedByExpOfMinusRateTimesGradient() {
        assertThat(EG.step(0.5f, 1f, 0.1f)).isCloseTo(0.452419f, within(1e-6f));
    }

    @Test
    void theUnsignedAblationDropsTheSignFactor() {
        assertThat(UNSIGNED.step(-0.5f, 0.2f, 0.1f)).isCloseTo((float) (-0.5 * Math.exp(-0.02)), within(1e-6f));
        assertThat(UNSIGNED.decayGradient(-0.3f)).isEqualTo(1f);
        assertThat(EG.decayGradient(-0.3f)).isEqualTo(-1f);
        assertThat(EG.decayGradient(0f)).isEqualTo(0f);
    }

    @Test
    void egNeverChangesASignAndKeepsZerosAtZero() {
        SplittableRandom r = new SplittableRandom(7);
        for (ExponentiatedGradient g : List.of(EG, UNSIGNED)) {
            for (int i = 0; i < 10_000; i++) {
                float w = (float) ((r.nextDouble() - 0.5) * Math.pow(10, -r.nextInt(6)));
                float d = (float) (r.nextGaussian() * 10);
                float next = g.step(w, d, (float) r.nextDouble(0, 2));
                assertThat(Math.signum(next))
                        .as("sign of %s after d = %s", w, d)
                        .isIn(Math.signum(w), 0f);
                assertThat(g.step(0f, d, 1f)).isEqualTo(0f);
            }
            assertThat(g.preservesSigns()).isTrue();
        }
    }

    @Test
    void coupledWeightDecayShrinksTheMagnitudeMultiplicatively() {
        // d = g + wd sign(w) with g = 0: w' = w exp(-lr wd) for either sign
        Parameter p = free("layer0.W", new float[] {0.5f, -0.5f, 0f}, new float[] {0f, 0f, 0f});
        new ComposedRule(
                        new LearningRateSchedule.Constant(0.1),
                        List.of(),
                        new Momentum(new Momentum.Hyper(0, 0, false, 0.2)),
                        EG)
                .update(List.of(p));
        float shrink = (float) Math.exp(-0.02);
        assertThat(p.value().toArray()).containsExactly(new float[] {0.5f * shrink, -0.5f * shrink, 0f}, within(1e-7f));
    }

    @Test
    void adamwEgIsTheExponentiatedAdamStepAfterDecoupledDecay() {
        // first step: m/den = g / (|g| + eps') = sign(g) up to eps, step size lr: w' = w(1 - lr wd) exp(-lr sign(w)
        // sign(g))
        Parameter p = free("layer0.W", new float[] {0.5f, -0.5f}, new float[] {2f, 2f});
        new ComposedRule(
                        new LearningRateSchedule.Constant(0.1),
                        List.of(),
                        new Adam(new Adam.Hyper(0.9, 0.999, 1e-8, 0.01, true)),
                        EG)
                .update(List.of(p));
        assertThat(p.value().get(0)).isCloseTo((float) (0.5 * 0.999 * Math.exp(-0.1)), within(1e-6f));
        assertThat(p.value().get(1)).isCloseTo((float) (-0.5 * 0.999 * Math.exp(0.1)), within(1e-6f));
    }
}

package io.eiscope.engine.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.model.Parameter;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Mirror descent and its potentials (science.md §4.1, anchors of §6.4). */
class MirrorDescentTest {
    private static final List<Potential> POTENTIALS = List.of(
            new Potential.PNorm(1.5),
            new Potential.PNorm(2),
            new Potential.PNorm(3),
            new Potential.PNorm(1.1),
            new Potential.NegativeEntropy());

    @Test
    void threeNormStepMatchesTheAnchor() {
        // §6.4: w = 0.5, g = 1, lr = 0.1 -> y = 0.25 - 0.1 = 0.15, w' = sqrt(0.15) = 0.387298
        assertThat(new MirrorDescent(new Potential.PNorm(3)).step(0.5f, 1f, 0.1f))
                .isCloseTo(0.387298f, within(1e-6f));
    }

    @Test
    void threeNormWeightsMayCrossZero() {
        // y = 0.25 - 0.5 = -0.25 -> w' = -0.5
        assertThat(new MirrorDescent(new Potential.PNorm(3)).step(0.5f, 1f, 0.5f))
                .isCloseTo(-0.5f, within(1e-6f));
    }

    @Test
    void negativeEntropyStepIsExponentiatedGradient() {
        // §6.4: w = 0.5, g = 1, lr = 0.1 -> 0.5 e^{-0.1} = 0.452419
        MirrorDescent md = new MirrorDescent(new Potential.NegativeEntropy());
        assertThat(md.step(0.5f, 1f, 0.1f)).isCloseTo(0.452419f, within(1e-6f));
        SplittableRandom r = new SplittableRandom(3);
        ExponentiatedGradient eg = new ExponentiatedGradient(true);
        for (int i = 0; i < 1000; i++) {
            float w = (float) (r.nextGaussian() * 0.1), d = (float) r.nextGaussian();
            assertThat(md.step(w, d, 0.3f)).isCloseTo(eg.step(w, d, 0.3f), within(Math.abs(w) * 1e-6f));
        }
        assertThat(md.step(0f, 1f, 0.1f)).isEqualTo(0f);
        assertThat(md.preservesSigns()).isTrue();
    }

    @Test
    void everyMirrorMapAndItsInverseRoundTrip() {
        SplittableRandom r = new SplittableRandom(11);
        for (Potential phi : POTENTIALS) {
            for (int i = 0; i < 2000; i++) {
                double w = r.nextGaussian() * Math.pow(10, -r.nextInt(4));
                assertThat(phi.inverse(phi.map(w), w)).as("%s at %s", phi, w).isCloseTo(w, within(Math.abs(w) * 1e-12));
            }
            assertThat(Potential.parse(phi.name())).isEqualTo(phi);
        }
    }

    @Test
    void twoNormMirrorDescentGivesBitIdenticalWeightsToSgd() {
        // both maps are exact identities (Math.pow(x, 1.0) == x) and lr * d is rounded as GD rounds it
        SplittableRandom r = new SplittableRandom(5);
        var hyper = new Momentum.Hyper(0.9, 0, true, 0.01);
        Parameter a = Tensors.free("layer0.W", new float[64], new float[64]);
        for (int i = 0; i < 64; i++) a.value().set(i, (float) (r.nextGaussian() * Math.pow(10, -r.nextInt(5))));
        Parameter b = Tensors.copy(List.of(a)).get(0);
        var sgd = new ComposedRule(
                new LearningRateSchedule.Constant(0.07), List.of(), new Momentum(hyper), new GradientDescent());
        var md = new ComposedRule(
                new LearningRateSchedule.Constant(0.07),
                List.of(),
                new Momentum(hyper),
                new MirrorDescent(new Potential.PNorm(2)));
        for (int step = 0; step < 200; step++) {
            for (int i = 0; i < 64; i++) {
                float g = (float) r.nextGaussian();
                a.grad().set(i, g);
                b.grad().set(i, g);
            }
            sgd.update(List.of(a));
            md.update(List.of(b));
        }
        assertThat(b.value().toArray()).containsExactly(a.value().toArray());
    }

    @Test
    void potentialsRejectBadNames() {
        assertThatThrownBy(() -> Potential.parse("1-norm")).hasMessageContaining("p must be a finite number > 1");
        assertThatThrownBy(() -> Potential.parse("entropy")).hasMessageContaining("got 'entropy'");
        assertThat(Potential.parse("2.5-norm")).isEqualTo(new Potential.PNorm(2.5));
    }
}

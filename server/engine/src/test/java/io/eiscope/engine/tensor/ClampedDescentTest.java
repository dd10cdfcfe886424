package io.eiscope.engine.tensor;

import static io.eiscope.engine.tensor.SpecialFloats.bitsOrNaN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ClampedDescent#descend} in lanes against {@code Math.max(w - lr (s g + wd w), 0)}, written out here,
 * bit for bit: weights, gradients, row factors, rates and decays of every kind (zeros of both signs, NaN,
 * infinities, subnormals, extremes), at every length up to 1,000 and a chunk's.
 */
class ClampedDescentTest {
    @Test
    void theEnginesTestsRunTheLanes() {
        assertThat(ClampedDescent.inLanes())
                .as("surefire's argLine must add the module jdk.incubator.vector (server/engine/pom.xml)")
                .isTrue();
    }

    @Test
    void theStepOnRandomValuesOfEveryKindHasTheBitsOfTheScalarFormula() {
        Random rng = new Random(8);
        float[] w = new float[1024], g = new float[1024], want = new float[1024];
        float[] rates = {
            1e-3f, 0.1f, 1f, 40f, 0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NaN
        };
        float[] decays = {0f, 1e-4f, 0.5f, -0f, Float.NaN};
        for (int round = 0; round < 4000; round++) {
            int len = round % 10 == 0 ? w.length : rng.nextInt(1001);
            float lr = rates[rng.nextInt(rates.length)], wd = decays[rng.nextInt(decays.length)];
            float s = rng.nextBoolean() ? 1f : SpecialFloats.value(rng, rng.nextInt(4), SpecialFloats.KINDS);
            for (int i = 0; i < w.length; i++) {
                w[i] = SpecialFloats.value(rng, i, SpecialFloats.KINDS);
                g[i] = SpecialFloats.value(rng, i + 1 + round, SpecialFloats.KINDS);
            }
            for (int i = 0; i < w.length; i++)
                want[i] = i < len ? Math.max(w[i] - lr * (s * g[i] + wd * w[i]), 0f) : w[i];
            float[] before = w.clone();
            ClampedDescent.descend(w, g, s, len, lr, wd);
            for (int i = 0; i < w.length; i++)
                assertThat(bitsOrNaN(w[i]))
                        .as(
                                "w %s, g %s, s %s, lr %s, wd %s [%d of %d]: %s against %s",
                                before[i], g[i], s, lr, wd, i, len, w[i], want[i])
                        .isEqualTo(bitsOrNaN(want[i]));
        }
    }

    @Test
    void negativesAndBothZerosBecomePositiveZeroAndNaNStays() {
        float[] w = {-1f, -0f, 0f, -Float.MAX_VALUE, Float.NaN, Float.intBitsToFloat(0xffc00000), 2f, -Float.MIN_VALUE};
        float[] padded = new float[128], g = new float[128];
        for (int i = 0; i < padded.length; i++) padded[i] = w[i % w.length];
        ClampedDescent.descend(padded, g, 1f, padded.length, 0.1f, 0f);
        for (int i = 0; i < padded.length; i++) {
            float before = w[i % w.length];
            if (Float.isNaN(before)) assertThat(padded[i]).isNaN();
            else if (before > 0) assertThat(padded[i]).isEqualTo(before);
            else
                assertThat(Float.floatToRawIntBits(padded[i]))
                        .as("+0 from %s", before)
                        .isZero();
        }
    }

    @Test
    void aChunkAfterWarmUpAllocatesNothing() {
        float[] w = new float[784], g = new float[784];
        Random rng = new Random(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = rng.nextFloat();
            g[i] = (float) rng.nextGaussian();
        }
        LanesAllocation.assertWarmChunksAllocateNothing(
                i -> ClampedDescent.descend(w, g, (i & 1) == 0 ? 1f : -1f, w.length, 1e-6f, 0f));
    }
}

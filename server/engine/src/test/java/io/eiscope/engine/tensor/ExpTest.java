package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link Exp#scaleByExp(float[], float[], int, float, boolean)} against the JDK's own
 * {@code Math.exp}, written out here, bit for bit: the exponential of every float of magnitude up
 * to 88.5 (the lanes' interval, [-87, 87], and past its ends), then the whole map on random weights,
 * directions and rates of every kind (zeros of both signs, NaN, infinities, subnormals), at every
 * length.
 */
class ExpTest {
    private static final int BLOCK = 4096;

    @Test
    void theEnginesTestsRunTheLanes() {
        // Without the module the other tests here would compare Math.exp with itself.
        assertThat(Exp.inLanes())
                .as("surefire's argLine must add the module jdk.incubator.vector (server/engine/pom.xml)")
                .isTrue();
    }

    @Test
    void theExpOfEveryFloatOfMagnitudeUpTo88AndAHalfHasTheBitsOfMathExp() {
        int last = Float.floatToRawIntBits(88.5f);
        int blocks = last / BLOCK + 1;
        // Both signs of each block; the blocks split between the cores (2.3e9 floats, about 15 s on two).
        long[] found = IntStream.range(0, blocks)
                .parallel()
                .mapToObj(b -> compareBlock(b * BLOCK, Math.min(BLOCK, last + 1 - b * BLOCK)))
                .reduce(new long[] {0, -1}, ExpTest::merge);
        assertThat(found[0])
                .as("floats whose exp differs from Math.exp's; the first: %s", firstAsText(found[1]))
                .isZero();
    }

    @Test
    void theMapOnRandomWeightsDirectionsAndRatesHasTheBitsOfTheScalarFormula() {
        Random rng = new Random(5);
        float[] w = new float[1000], d = new float[1000], want = new float[1000];
        float[] rates = {1e-6f, 1e-3f, 0.1f, 0.5f, 2.5f, 40f, 0f, -0f, Float.POSITIVE_INFINITY, Float.NaN};
        for (int round = 0; round < 4000; round++) {
            int len = rng.nextInt(w.length + 1);
            float lr = rates[rng.nextInt(rates.length)];
            boolean signed = rng.nextBoolean();
            for (int i = 0; i < w.length; i++) {
                w[i] = value(rng, i);
                d[i] = value(rng, i + 1);
            }
            for (int i = 0; i < w.length; i++) {
                float exponent = signed ? -lr * Math.signum(w[i]) * d[i] : -lr * d[i];
                want[i] = i < len ? w[i] * (float) Math.exp(exponent) : w[i];
            }
            float[] before = w.clone();
            Exp.scaleByExp(w, d, len, lr, signed);
            for (int i = 0; i < w.length; i++)
                assertThat(SpecialFloats.bitsOrNaN(w[i]))
                        .as(
                                "w %s, d %s, lr %s, signed %s [%d of %d]: %s against %s",
                                before[i], d[i], lr, signed, i, len, w[i], want[i])
                        .isEqualTo(SpecialFloats.bitsOrNaN(want[i]));
        }
    }

    @Test
    void aLargeChunkAfterWarmUpAllocatesNothing() {
        float[] w = new float[1024], d = new float[1024];
        Random rng = new Random(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
            d[i] = (float) rng.nextGaussian() * 1e-3f;
        }
        LanesAllocation.assertWarmChunksAllocateNothing(i -> Exp.scaleByExp(w, d, w.length, 1e-3f, (i & 1) == 0));
    }

    private static float value(Random rng, int i) {
        return SpecialFloats.value(rng, i, SPECIAL);
    }

    /** Every kind of float, and the ends of the lanes' interval and of exp's finite, normal results. */
    private static final float[] SPECIAL = concat(SpecialFloats.KINDS, new float[] {
        -87f,
        88f,
        Math.nextDown(-87f),
        Math.nextUp(88f),
        88.72283f,
        88.72284f,
        -103.97208f,
        -103.972084f,
        -87.33655f,
        -87.33654f
    });

    private static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /**
     * {mismatches, first mismatching bits or -1} over the magnitudes {@code [from, from + n)}, both
     * signs: {@code 1 exp(-(-1) x)} is {@code exp(x)} exactly.
     */
    private static long[] compareBlock(int from, int n) {
        float[] x = new float[2 * n];
        for (int i = 0; i < n; i++) {
            x[i] = Float.intBitsToFloat(from + i);
            x[n + i] = Float.intBitsToFloat((from + i) | 0x80000000);
        }
        float[] y = new float[x.length];
        Arrays.fill(y, 1f);
        Exp.scaleByExp(y, x, y.length, -1f, false);
        long count = 0, first = -1;
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits((float) Math.exp(x[i]))) {
                if (count++ == 0) first = Float.floatToRawIntBits(x[i]) & 0xffffffffL;
            }
        }
        return new long[] {count, first};
    }

    private static long[] merge(long[] a, long[] b) {
        return new long[] {a[0] + b[0], a[1] >= 0 ? a[1] : b[1]};
    }

    private static String firstAsText(long bits) {
        if (bits < 0) return "none";
        float x = Float.intBitsToFloat((int) bits);
        return x + " (exp " + (float) Math.exp(x) + ")";
    }
}

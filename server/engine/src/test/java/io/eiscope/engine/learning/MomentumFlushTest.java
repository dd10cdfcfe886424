package io.eiscope.engine.learning;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Heavy-ball gradient descent flushes subnormal momentum buffers without a branch
 * ({@link Adam#flushSubnormalBranchFree}), in a loop the JIT vectorises. These tests hold it to the
 * branch ({@link AdamTest#flushWithBranch}), bit for bit, on every float where the flush decides
 * something, through the rule itself (so the vectorised loop is what is checked, once compiled).
 */
class MomentumFlushTest {

    private static final int BLOCK = 1 << 20;
    private static final float LR = 0.5f, MU = 0.75f;

    /**
     * Two heavy-ball updates (dampening 0.5) of a zero tensor with {@code g} as the gradient both
     * times: checks the buffer after each ({@code flush(g)}, then {@code flush(mu b + (1 - 0.5) g)})
     * and the weights against the same formulas with the branch. Returns the number of elements checked.
     */
    private static int check(float[] g, boolean nesterov) {
        int n = g.length;
        Parameter p = new Parameter("layer0.W", Matrix.zeros(1, n), Matrix.of(1, n, g), Sign.FREE, Role.WEIGHT, n, 1);
        ComposedRule rule = new ComposedRule(
                new LearningRateSchedule.Constant(LR),
                List.of(),
                new Momentum(new Momentum.Hyper(MU, nesterov ? 0 : 0.5, nesterov, 0)),
                new GradientDescent());
        float keep = nesterov ? 1f : 0.5f;
        float[] w = new float[n], b = new float[n];
        for (int t = 1; t <= 2; t++) {
            rule.update(List.of(p));
            for (int i = 0; i < n; i++) {
                float d = g[i] + 0f * w[i]; // weight decay 0, as the rule writes it: NaN once w is infinite
                float bi = AdamTest.flushWithBranch(t == 1 ? d : MU * b[i] + keep * d);
                b[i] = bi;
                w[i] = w[i] - LR * (nesterov ? d + MU * bi : bi);
            }
            StateDict dict = new StateDict();
            rule.saveState(dict, "rule/", List.of(p));
            assertSameBits(dict.floats("rule/momentum_buffer/layer0.W"), b, "buffer after update " + t);
            assertSameBits(p.value().toArray(), w, "weights after update " + t);
        }
        return n;
    }

    /** Equal bits, except that where the expected value is NaN any NaN will do. */
    private static void assertSameBits(float[] actual, float[] expected, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i])) {
                assertThat(actual[i]).as("%s, element %d", what, i).isNaN();
            } else if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                assertThat(Integer.toHexString(Float.floatToRawIntBits(actual[i])))
                        .as("%s, element %d (%s)", what, i, expected[i])
                        .isEqualTo(Integer.toHexString(Float.floatToRawIntBits(expected[i])));
            }
        }
    }

    private static float[] randomBits(Random rng) {
        float[] g = new float[BLOCK];
        for (int i = 0; i < BLOCK; i++) g[i] = Float.intBitsToFloat(rng.nextInt());
        return g;
    }

    @Test
    void theBranchFreeFlushGivesTheBranchsBitsOnEveryFloatNearTheSmallestNormal() {
        Random rng = new Random(3);
        int checked = 0;
        // Random bit patterns first (every exponent, NaNs and infinities among them), long enough for the
        // JIT to compile the loop; then every float of magnitude below 2^-124 of both signs: all the
        // subnormals, both zeros, the smallest normal and the first two binades above it.
        for (int k = 0; k < 8; k++) checked += check(randomBits(rng), k % 2 == 1);
        for (int sign = 0; sign < 2; sign++) {
            for (int start = 0; start < 0x01800000; start += BLOCK) {
                float[] g = new float[BLOCK];
                for (int i = 0; i < BLOCK; i++) g[i] = Float.intBitsToFloat((sign << 31) | (start + i));
                checked += check(g, start % (2 * BLOCK) != 0);
            }
        }
        assertThat(checked).isEqualTo(8 * BLOCK + 2 * 0x01800000);
    }

    @Test
    void infinitiesStayAndNaNStaysNaN() {
        float[] g = {
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_NORMAL, -Float.MIN_VALUE, -0f, 0f
        };
        assertThat(check(g, false)).isEqualTo(g.length);
        assertThat(check(g, true)).isEqualTo(g.length);
        assertThat(Adam.flushSubnormalBranchFree(-Float.MIN_VALUE))
                .isEqualTo(0f)
                .matches(v -> 1 / v > 0, "+0");
        assertThat(Adam.flushSubnormalBranchFree(-Float.MIN_NORMAL)).isEqualTo(-Float.MIN_NORMAL);
        assertThat(Adam.flushSubnormalBranchFree(Math.nextDown(Float.MIN_NORMAL)))
                .isEqualTo(0f);
    }
}

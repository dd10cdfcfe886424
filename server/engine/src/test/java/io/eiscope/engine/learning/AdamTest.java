package io.eiscope.engine.learning;

import static io.eiscope.engine.learning.Tensors.free;
import static io.eiscope.engine.learning.Tensors.setGrad;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.model.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Adam and AdamW over three steps against the textbook update written out here in double
 * precision: {@code m_hat = m / (1 - b1^t)}, {@code v_hat = v / (1 - b2^t)},
 * {@code w -= lr m_hat / (sqrt(v_hat) + eps)}.
 */
class AdamTest {
    private static final float[] W0 = {0.5f, -0.3f};
    private static final float[][] GRADS = {{0.1f, -0.2f}, {0.3f, 0.1f}, {-0.2f, 0.4f}};

    static double[][] reference(double lr, double b1, double b2, double eps, double wd, boolean decoupled) {
        double[] w = {W0[0], W0[1]}, m = new double[2], v = new double[2];
        double[][] out = new double[GRADS.length][];
        for (int t = 1; t <= GRADS.length; t++) {
            for (int i = 0; i < 2; i++) {
                double g = GRADS[t - 1][i];
                if (decoupled) w[i] -= lr * wd * w[i];
                else g += wd * w[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t)), vHat = v[i] / (1 - Math.pow(b2, t));
                w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
            out[t - 1] = w.clone();
        }
        return out;
    }

    static void assertMatchesReference(double lr, Adam.Hyper h) {
        ComposedRule rule =
                new ComposedRule(new LearningRateSchedule.Constant(lr), List.of(), new Adam(h), new GradientDescent());
        Parameter p = free("layer0.W", W0.clone(), new float[2]);
        double[][] expected = reference(lr, h.beta1(), h.beta2(), h.eps(), h.weightDecay(), h.decoupled());
        for (int t = 0; t < GRADS.length; t++) {
            setGrad(p, GRADS[t]);
            rule.update(List.of(p));
            assertThat(p.value().get(0))
                    .as("w[0] after step %d", t + 1)
                    .isCloseTo((float) expected[t][0], within(2e-6f));
            assertThat(p.value().get(1))
                    .as("w[1] after step %d", t + 1)
                    .isCloseTo((float) expected[t][1], within(2e-6f));
        }
    }

    @Test
    void adamMatchesTheTextbookUpdateForThreeSteps() {
        assertMatchesReference(0.01, Adam.Hyper.adam());
    }

    @Test
    void epsIsAddedAfterTheSquareRoot() {
        // eps comparable to sqrt(v_hat) ~ 0.1: eps inside the root would move w by a few percent less per step
        assertMatchesReference(0.01, new Adam.Hyper(0.9, 0.999, 0.05, 0, false));
    }

    @Test
    void adamAddsItsL2DecayToTheGradient() {
        assertMatchesReference(0.01, new Adam.Hyper(0.8, 0.99, 1e-8, 0.5, false));
    }

    @Test
    void adamWDecaysTheWeightBeforeTheAdamStep() {
        assertMatchesReference(0.05, new Adam.Hyper(0.9, 0.999, 1e-8, 0.5, true));
        assertMatchesReference(1e-3, Adam.Hyper.adamW());
    }

    @Test
    void theFirstAdamStepMovesEveryWeightByTheLearningRateAgainstItsGradientSign() {
        // bias correction makes m_hat = g and v_hat = g^2 at t = 1, so the step is lr g / (|g| + eps)
        Parameter p = free("layer0.W", new float[] {1f, 1f, 1f}, new float[] {1e-3f, -50f, 2f});
        new ComposedRule(
                        new LearningRateSchedule.Constant(0.1),
                        List.of(),
                        new Adam(Adam.Hyper.adam()),
                        new GradientDescent())
                .update(List.of(p));
        assertThat(p.value().toArray()).containsExactly(new float[] {0.9f, 1.1f, 0.9f}, within(1e-5f));
    }

    @Test
    void hyperParametersAreValidatedWithTheFieldAndWhatIsAllowed() {
        assertThatThrownBy(() -> new Adam.Hyper(1, 0.999, 1e-8, 0, false))
                .hasMessage("beta1 must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new Adam.Hyper(0.9, -0.1, 1e-8, 0, false))
                .hasMessage("beta2 must be in [0, 1), got -0.1");
        assertThatThrownBy(() -> new Adam.Hyper(0.9, 0.999, 0, 0, false))
                .hasMessageStartingWith("eps must be a finite number > 0");
        assertThatThrownBy(() -> new Adam.Hyper(0.9, 0.999, 1e-8, Double.NaN, true))
                .hasMessageStartingWith("weight_decay");
    }

    @Test
    void toStringPrintsEveryHyperParameter() {
        assertThat(new Adam(Adam.Hyper.adamW()).toString())
                .isEqualTo("Adam[beta1=0.9, beta2=0.999, eps=1.0E-8, weightDecay=0.01, decoupled=true]");
    }

    /**
     * {@link Adam}'s step written out per element, with the branch that flushes subnormal moments, for
     * gradient descent or signed exponentiated gradient (AdamW-EG when decoupled; {@code Math.exp}): the
     * rule's chunked, branch-free loops (and EG's exponential in lanes) must give its bits.
     */
    private static void elementFormula(
            float[] w, float[] g, float[] m, float[] v, Adam.Hyper h, float lr, int t, boolean eg) {
        float b1 = (float) h.beta1(), b2 = (float) h.beta2(), eps = (float) h.eps();
        float c1 = (float) (1 - h.beta1()), c2 = (float) (1 - h.beta2());
        float l2 = h.decoupled() ? 0f : (float) h.weightDecay();
        float shrink = h.decoupled() ? (float) (1 - (double) lr * h.weightDecay()) : 1f;
        float stepSize = (float) (lr / (1 - Math.pow(h.beta1(), (double) t)));
        float sqrtBias2 = (float) Math.sqrt(1 - Math.pow(h.beta2(), (double) t));
        for (int i = 0; i < w.length; i++) {
            float wi = w[i] * shrink;
            float gi = g[i] + l2 * (eg ? Math.signum(wi) : wi);
            float mi = flushWithBranch(b1 * m[i] + c1 * gi);
            float vi = flushWithBranch(b2 * v[i] + c2 * gi * gi);
            m[i] = mi;
            v[i] = vi;
            float den = (float) Math.sqrt(vi) / sqrtBias2 + eps;
            float d = mi / den;
            w[i] = eg ? wi * (float) Math.exp(-stepSize * Math.signum(wi) * d) : wi - stepSize * d;
        }
    }

    @Test
    void theStepGivesTheBitsOfTheElementFormulaWithSubnormalMomentsAndZeros() {
        int n = 2 * io.eiscope.engine.tensor.Elementwise.CHUNK + 300; // two whole chunks and a part
        for (boolean eg : new boolean[] {false, true})
            for (Adam.Hyper h :
                    List.of(Adam.Hyper.adam(), Adam.Hyper.adamW(), new Adam.Hyper(0.5, 0.75, 1e-6, 0.1, false)))
                checkElementFormula(h, eg, n);
    }

    private static void checkElementFormula(Adam.Hyper h, boolean eg, int n) {
        float lr = eg ? 0.3f : 1e-3f;
        {
            java.util.Random rng = new java.util.Random(11);
            float[] w = new float[n], m = new float[n], v = new float[n];
            for (int i = 0; i < n; i++) w[i] = (float) rng.nextGaussian();
            w[0] = 0f;
            w[1] = -0f;
            Parameter p = free("layer0.W", w.clone(), new float[n]);
            ComposedRule rule = new ComposedRule(
                    new LearningRateSchedule.Constant(lr),
                    List.of(),
                    new Adam(h),
                    eg ? new ExponentiatedGradient(true) : new GradientDescent());
            for (int t = 1; t <= 4; t++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) g[i] = (float) rng.nextGaussian() * 0.01f;
                // Gradients that leave subnormal moments, and ones at the edges of the flush.
                for (int i = 2; i < n; i += 97)
                    g[i] = Float.intBitsToFloat(rng.nextInt(0x00800000) | (rng.nextInt() & 0x80000000));
                g[5] = Float.MIN_NORMAL * 10;
                g[6] = -Float.MIN_VALUE;
                g[7] = 0f;
                setGrad(p, g);
                rule.update(List.of(p));
                elementFormula(w, g, m, v, h, lr, t, eg);
                io.eiscope.engine.sim.StateDict dict = new io.eiscope.engine.sim.StateDict();
                rule.saveState(dict, "rule/", List.of(p));
                float[][] got = {
                    p.value().toArray(), dict.floats("rule/exp_avg/layer0.W"), dict.floats("rule/exp_avg_sq/layer0.W")
                };
                float[][] want = {w, m, v};
                for (int k = 0; k < 3; k++)
                    for (int i = 0; i < n; i++)
                        assertThat(Float.floatToRawIntBits(got[k][i]))
                                .as(
                                        "%s, EG %s, step %d, %s[%d]: %s against %s",
                                        h, eg, t, "wmv".charAt(k), i, got[k][i], want[k][i])
                                .isEqualTo(Float.floatToRawIntBits(want[k][i]));
            }
        }
    }

    /** The flush of subnormal moments as a branch: the definition the rule's branch-free loops are held to. */
    static float flushWithBranch(float x) {
        return Math.abs(x) < Float.MIN_NORMAL ? 0f : x;
    }
}

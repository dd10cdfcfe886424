package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.tensor.Elementwise;
import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.OffHeapDescent;

/**
 * The direction of Adam (Kingma and Ba 2015, "Adam: a method for stochastic optimization",
 * ICLR) and AdamW (Loshchilov and Hutter 2019, "Decoupled weight decay regularization", ICLR),
 * with PyTorch's semantics ({@code torch.optim.Adam}, {@code torch.optim.AdamW}). Per element
 * at update {@code t}:
 * <ol>
 *   <li>AdamW: {@code w = w (1 - lr wd)} (decoupled decay, before the Adam step); Adam:
 *       {@code g = g + wd * geometry.decayGradient(w)} (L2 added to the gradient);</li>
 *   <li>{@code m = b1 m + (1 - b1) g}; {@code v = b2 v + (1 - b2) g^2};</li>
 *   <li>{@code den = sqrt(v) / sqrt(1 - b2^t) + eps} (eps after the square root);</li>
 *   <li>{@code w = geometry.step(w, m / den, lr / (1 - b1^t))}.</li>
 * </ol>
 * With the exponentiated-gradient geometry the decoupled form is AdamW-EG of Cornford et al.
 * (2024), science.md §3.1. Two buffers per parameter: {@code m} and {@code v}.
 */
public final class Adam extends Direction {

    /**
     * Validated hyper-parameters; {@code toString} prints all of them.
     *
     * @param beta1       first-moment decay in [0, 1)
     * @param beta2       second-moment decay in [0, 1)
     * @param eps         added to the denominator, {@code > 0}
     * @param weightDecay finite, {@code >= 0}: L2 coefficient (Adam) or decoupled rate (AdamW)
     * @param decoupled   AdamW's decoupled decay instead of Adam's L2 term
     */
    public record Hyper(double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        public Hyper {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            if (!(eps > 0) || !Double.isFinite(eps))
                throw new IllegalArgumentException("eps must be a finite number > 0, got " + eps);
            if (!(weightDecay >= 0) || !Double.isFinite(weightDecay))
                throw new IllegalArgumentException("weight_decay must be a finite number >= 0, got " + weightDecay);
        }

        /** PyTorch's Adam defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
        public static Hyper adam() {
            return new Hyper(0.9, 0.999, 1e-8, 0, false);
        }

        /** PyTorch's AdamW defaults: betas (0.9, 0.999), eps 1e-8, decoupled weight decay 1e-2. */
        public static Hyper adamW() {
            return new Hyper(0.9, 0.999, 1e-8, 1e-2, true);
        }
    }

    private final Hyper hyper;

    public Adam(Hyper hyper) {
        this.hyper = hyper;
    }

    public Hyper hyper() {
        return hyper;
    }

    @Override
    protected int buffersPerParameter() {
        return 2;
    }

    /** PyTorch's names: {@code exp_avg} for {@code m}, {@code exp_avg_sq} for {@code v}. */
    @Override
    protected String bufferName(int j) {
        return j == 0 ? "exp_avg" : "exp_avg_sq";
    }

    @Override
    protected Direction fresh() {
        return new Adam(hyper);
    }

    @Override
    protected void step(Parameter p, Matrix[] buffers, long t, float lr, Geometry geometry) {
        Matrix w = p.value(), g = p.grad(), m = buffers[0], v = buffers[1];
        float b1 = (float) hyper.beta1(), b2 = (float) hyper.beta2(), eps = (float) hyper.eps();
        float c1 = (float) (1 - hyper.beta1()), c2 = (float) (1 - hyper.beta2());
        boolean decoupled = hyper.decoupled();
        float l2 = decoupled ? 0f : (float) hyper.weightDecay();
        float shrink = decoupled ? (float) (1 - (double) lr * hyper.weightDecay()) : 1f;
        float stepSize = (float) (lr / (1 - Math.pow(hyper.beta1(), (double) t)));
        float sqrtBias2 = (float) Math.sqrt(1 - Math.pow(hyper.beta2(), (double) t));
        if (geometry instanceof GradientDescent && OffHeapDescent.inPlace(w)) { // in place, in lanes (JDK 22+)
            boolean deferred = g.deferred();
            OffHeapDescent.adam(
                    w,
                    deferred ? null : g,
                    deferred ? g.outerRows() : null,
                    deferred ? g.outerColumns() : null,
                    m,
                    v,
                    b1,
                    b2,
                    c1,
                    c2,
                    l2,
                    shrink,
                    eps,
                    stepSize,
                    sqrtBias2);
        } else {
            chunks(w, g, m, v, b1, b2, c1, c2, l2, shrink, eps, stepSize, sqrtBias2, geometry);
        }
    }

    /**
     * Per element, in this order: {@code w = w shrink}; {@code g = g + l2 decayGradient(w)}; the
     * moments {@code m = b1 m + c1 g} and {@code v = b2 v + c2 g g}, each flushed
     * ({@link #flushSubnormalBranchFree}); {@code den = sqrt(v) / sqrtBias2 + eps};
     * {@code w = step(w, m / den, stepSize)}. A chunk at a time through heap scratch
     * ({@link Elementwise}), in loops C2 vectorises; gradient descent inline ({@code w - stepSize m /
     * den}), any other geometry over the chunk ({@link Geometry#step(float[], float[], int, float)}:
     * EG's exponential in lanes). {@code AdamTest} holds the weights to the element formula bit for
     * bit (NaN aside). JMH {@code adam}, 784 x 500: 1.68 ns an element against 3.30 an element at a
     * time; all in one loop the JIT ran it at 8.1 (docs/benchmarks.md).
     */
    private static void chunks(
            Matrix w,
            Matrix g,
            Matrix m,
            Matrix v,
            float b1,
            float b2,
            float c1,
            float c2,
            float l2,
            float shrink,
            float eps,
            float stepSize,
            float sqrtBias2,
            Geometry geometry) {
        boolean gd = geometry instanceof GradientDescent;
        float[][] scratch = Elementwise.scratch();
        float[] wa = scratch[0], ga = scratch[1], ma = scratch[2], va = scratch[3];
        int chunk = g.readChunk(Elementwise.CHUNK); // a deferred gradient's rows, one at a time
        for (int off = 0, n = w.size(); off < n; off += chunk) {
            int len = Math.min(chunk, n - off);
            w.data().get(off, wa, 0, len);
            g.read(off, ga, len);
            m.data().get(off, ma, 0, len);
            v.data().get(off, va, 0, len);
            if (gd) {
                for (int i = 0; i < len; i++) {
                    float wi = wa[i] * shrink;
                    wa[i] = wi;
                    ga[i] = ga[i] + l2 * wi;
                }
            } else {
                for (int i = 0; i < len; i++) wa[i] = wa[i] * shrink;
                geometry.addDecay(ga, wa, len, l2);
            }
            for (int i = 0; i < len; i++) ma[i] = flushSubnormalBranchFree(b1 * ma[i] + c1 * ga[i]);
            for (int i = 0; i < len; i++) {
                float gi = ga[i];
                va[i] = flushSubnormalBranchFree(b2 * va[i] + c2 * gi * gi);
            }
            if (gd) {
                for (int i = 0; i < len; i++) {
                    float den = (float) Math.sqrt(va[i]) / sqrtBias2 + eps;
                    wa[i] = wa[i] - stepSize * (ma[i] / den);
                }
            } else {
                for (int i = 0; i < len; i++) ga[i] = ma[i] / ((float) Math.sqrt(va[i]) / sqrtBias2 + eps);
                geometry.step(wa, ga, len, stepSize);
            }
            m.data().put(off, ma, 0, len);
            v.data().put(off, va, 0, len);
            w.data().put(off, wa, 0, len);
        }
    }

    /**
     * Zero for a subnormal moment (below 2^-126, about 1.2e-38), else the value. Moments of weights
     * whose gradients vanish decay through the subnormal range, where x86 arithmetic is about a
     * hundred times slower: on a DANN 784-(500E,50I)x2-10 with Adam, training fell from about 100 to
     * 13 steps/s after step 750 and stayed there. Such a moment changes the update by less than
     * 1e-30 (it is divided by at least eps); flushing it is deterministic, like everything else.
     *
     * <p>Without a branch or a comparison, so that a loop of it vectorises: {@code x}, or {@code +0}
     * where {@code |x|} is below the smallest normal float, the same bits as
     * {@code Math.abs(x) < Float.MIN_NORMAL ? 0 : x} for every {@code x} but NaN (which stays a NaN,
     * its payload aside; the tests hold it to that branch). Exactly, in float:
     * <ul>
     *   <li>{@code a = |x| 2^126 - (1 - 2^-24)} is at least 2^-24 for {@code |x| >= 2^-126} and at
     *       most -2^-24 below it ({@code |x| 2^126} is exact there, at most {@code 1 - 2^-23});</li>
     *   <li>{@code s = (a + |a|) 2^200} is then {@code +inf} or {@code +0}, {@code min(s, 1)} 1 or 0;</li>
     *   <li>{@code x min(s, 1) + 0} is {@code x} (never {@code -0} when kept) or {@code +0}.</li>
     * </ul>
     * With it the momentum pass takes 0.67 ns an element against 1.28 with the branch (JMH
     * {@code momentumProjected}, 784 x 500; docs/benchmarks.md).
     */
    static float flushSubnormalBranchFree(float x) {
        float a = Math.abs(x) * 0x1p126f - 0x1.fffffep-1f;
        float s = (a + Math.abs(a)) * 0x1p100f * 0x1p100f;
        return x * Math.min(s, 1f) + 0f;
    }

    @Override
    public String toString() {
        return "Adam" + hyper.toString().substring("Hyper".length());
    }
}

package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.tensor.ClampedDescent;
import io.eiscope.engine.tensor.Elementwise;
import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.OffHeapDescent;
import java.nio.FloatBuffer;

/**
 * The direction of PyTorch's SGD ({@code torch.optim.SGD}), also used by the EG and
 * mirror-descent optimisers of Cornford et al. (2024) and Pogodin et al. (2024) (science.md
 * §3.1, §4.1). Per element, in this order:
 * <ol>
 *   <li>coupled weight decay: {@code d = g + wd * geometry.decayGradient(w)} ({@code g + wd w}
 *       for gradient descent);</li>
 *   <li>momentum, if {@code mu > 0}: at the first update {@code buf = d}, then
 *       {@code buf = mu buf + (1 - dampening) d}; {@code d = nesterov ? d + mu buf : buf};</li>
 *   <li>{@code w = geometry.step(w, d, lr)}.</li>
 * </ol>
 * With {@code mu = 0} and {@code wd = 0} this is plain minibatch SGD. One buffer per parameter
 * when {@code mu > 0}, none otherwise.
 */
public final class Momentum extends Direction {

    /**
     * Validated hyper-parameters; {@code toString} prints all of them.
     *
     * @param momentum    {@code mu} in [0, 1)
     * @param dampening   in [0, 1); must be 0 with Nesterov (as in PyTorch)
     * @param nesterov    Nesterov momentum; needs {@code mu > 0}
     * @param weightDecay coupled L2 coefficient, finite and {@code >= 0}
     */
    public record Hyper(double momentum, double dampening, boolean nesterov, double weightDecay) {
        public Hyper {
            if (!(momentum >= 0 && momentum < 1))
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            if (!(dampening >= 0 && dampening < 1))
                throw new IllegalArgumentException("dampening must be in [0, 1), got " + dampening);
            if (!(weightDecay >= 0) || !Double.isFinite(weightDecay))
                throw new IllegalArgumentException("weight_decay must be a finite number >= 0, got " + weightDecay);
            if (nesterov && (momentum == 0 || dampening != 0))
                throw new IllegalArgumentException("nesterov needs momentum > 0 and dampening = 0, got momentum "
                        + momentum + " and dampening " + dampening);
        }

        /** Plain SGD: no momentum, no decay. */
        public static Hyper plain() {
            return new Hyper(0, 0, false, 0);
        }
    }

    private final Hyper hyper;

    public Momentum(Hyper hyper) {
        this.hyper = hyper;
    }

    public Hyper hyper() {
        return hyper;
    }

    @Override
    protected int buffersPerParameter() {
        return hyper.momentum() > 0 ? 1 : 0;
    }

    @Override
    protected String bufferName(int j) {
        return "momentum_buffer";
    }

    @Override
    protected Direction fresh() {
        return new Momentum(hyper);
    }

    @Override
    protected void step(Parameter p, Matrix[] buffers, long t, float lr, Geometry geometry) {
        update(p, buffers, t, lr, geometry, false);
    }

    @Override
    protected void stepAndProject(Parameter p, Matrix[] buffers, long t, float lr, Geometry geometry) {
        update(p, buffers, t, lr, geometry, p.constrained());
    }

    /**
     * One pass over {@code p}, in place on JDK 22+ for gradient descent ({@link #updateInPlace}), else a chunk at
     * a time through heap scratch ({@link Elementwise}): value,
     * gradient and buffer in, update (and projection) while the chunk is in L1, value and buffer
     * out. Gradient descent has its own loops, which C2 vectorises (an interface call per element
     * does not); other geometries get the chunk's directions and step it ({@link Geometry#step(float[],
     * float[], int, float)}: exponentiated gradient's exponential runs in lanes). The arithmetic, and so
     * every bit, is that of the per-element formulas in the class comment.
     */
    private void update(Parameter p, Matrix[] buffers, long t, float lr, Geometry geometry, boolean project) {
        float wd = (float) hyper.weightDecay();
        boolean first = t == 1, gd = geometry instanceof GradientDescent;
        if (gd && OffHeapDescent.inPlace(p.value())) {
            updateInPlace(p, buffers.length == 0 ? null : buffers[0], lr, wd, first, project);
            return;
        }
        FloatBuffer w = p.value().data();
        Matrix g = p.grad();
        FloatBuffer buf = buffers.length == 0 ? null : buffers[0].data();
        float[][] scratch = Elementwise.scratch();
        float[] wa = scratch[0], ga = scratch[1], ba = scratch[2];
        // Plain descent of a non-negative tensor clamps in its own loop: the clamp as a second loop over
        // the chunk cost as much as the update's arithmetic (docs/benchmarks.md, "every table again").
        boolean clampInLoop = project && gd && buf == null && p.sign() == Parameter.Sign.NON_NEGATIVE;
        int chunk = g.readChunk(Elementwise.CHUNK); // a deferred gradient's rows, one at a time
        // Gradient descent forms a deferred gradient's rows itself, x_r y[j] in its loop (the same float
        // product, so the same bits), instead of through the chunk array: the row is one chunk (readChunk).
        boolean rows = gd && g.deferred() && chunk == g.cols;
        for (int off = 0, n = p.value().size(); off < n; off += chunk) {
            int len = Math.min(chunk, n - off);
            w.get(off, wa, 0, len);
            // The chunk's gradient is s * gs[i]: the row's factors, or the chunk itself times exactly 1.
            float[] gs = ga;
            float s = 1f;
            if (rows) {
                gs = g.outerColumns();
                s = g.outerRowFactor(off / chunk);
            } else {
                g.read(off, ga, len); // a deferred outer product (batch 1) is computed here, in cache
            }
            if (buf == null) {
                if (clampInLoop) ClampedDescent.descend(wa, gs, s, len, lr, wd); // the clamp in lanes
                else if (gd) descend(wa, gs, s, len, lr, wd);
                else descend(wa, ga, len, lr, wd, geometry);
            } else {
                if (!first) buf.get(off, ba, 0, len);
                if (gd) momentumDescend(wa, gs, s, ba, len, first, lr, wd);
                else momentum(wa, ga, ba, len, first, lr, wd, geometry);
                buf.put(off, ba, 0, len);
            }
            if (clampInLoop) p.mask().apply(wa, off, len);
            else if (project) p.project(wa, off, len);
            w.put(off, wa, 0, len);
        }
    }

    /**
     * {@link #update} for gradient descent, plain or heavy ball, in place where the JVM can (JDK 22+, {@link
     * OffHeapDescent}): a deferred gradient as its factors, the sign clamp in the pass, pruned elements set to 0
     * after it. The same bits as the chunks.
     */
    private void updateInPlace(Parameter p, Matrix buffer, float lr, float wd, boolean first, boolean project) {
        Matrix value = p.value(), g = p.grad();
        boolean clamp = project && p.sign() == Parameter.Sign.NON_NEGATIVE;
        boolean deferred = g.deferred();
        float[] x = deferred ? g.outerRows() : null, y = deferred ? g.outerColumns() : null;
        if (buffer == null && deferred) OffHeapDescent.descendRows(value, x, y, lr, wd, clamp);
        else if (buffer == null) OffHeapDescent.descend(value, g, lr, wd, clamp);
        else {
            float mu = (float) hyper.momentum(), keep = (float) (1 - hyper.dampening());
            OffHeapDescent.momentum(
                    value, buffer, deferred ? null : g, x, y, lr, wd, mu, keep, first, hyper.nesterov(), clamp);
        }
        if (project) p.mask().apply(value);
    }

    /** Plain gradient descent, {@code w - lr (g + wd w)} with {@code g = s gs[i]}: the loop C2 vectorises. */
    private static void descend(float[] wa, float[] gs, float s, int len, float lr, float wd) {
        for (int i = 0; i < len; i++) wa[i] = wa[i] - lr * (s * gs[i] + wd * wa[i]);
    }

    private static void descend(float[] wa, float[] ga, int len, float lr, float wd, Geometry geometry) {
        geometry.addDecay(ga, wa, len, wd);
        geometry.step(wa, ga, len, lr);
    }

    /**
     * {@link #momentum} for gradient descent, in loops C2 vectorises: the same operations in the same
     * order per element, so the same bits (NaN aside: a NaN's payload may differ), with the subnormal
     * flush branch-free ({@link Adam#flushSubnormalBranchFree}); C2 unswitches the loop on {@code first} and
     * Nesterov.
     */
    private void momentumDescend(
            float[] wa, float[] gs, float s, float[] ba, int len, boolean first, float lr, float wd) {
        float mu = (float) hyper.momentum(), keep = (float) (1 - hyper.dampening());
        boolean nesterov = hyper.nesterov();
        for (int i = 0; i < len; i++) {
            float wi = wa[i], di = s * gs[i] + wd * wi;
            float bi = Adam.flushSubnormalBranchFree(first ? di : mu * ba[i] + keep * di);
            ba[i] = bi;
            wa[i] = wi - lr * (nesterov ? di + mu * bi : bi);
        }
    }

    private void momentum(
            float[] wa, float[] ga, float[] ba, int len, boolean first, float lr, float wd, Geometry geometry) {
        float mu = (float) hyper.momentum(), keep = (float) (1 - hyper.dampening());
        boolean nesterov = hyper.nesterov();
        // The per-element formulas in loops without a condition inside, which C2 vectorises.
        geometry.addDecay(ga, wa, len, wd);
        if (first) {
            for (int i = 0; i < len; i++) ba[i] = Adam.flushSubnormalBranchFree(ga[i]);
        } else {
            for (int i = 0; i < len; i++) ba[i] = Adam.flushSubnormalBranchFree(mu * ba[i] + keep * ga[i]);
        }
        if (nesterov) {
            for (int i = 0; i < len; i++) ga[i] = ga[i] + mu * ba[i];
        } else {
            System.arraycopy(ba, 0, ga, 0, len);
        }
        geometry.step(wa, ga, len, lr);
    }

    @Override
    public String toString() {
        return "Momentum" + hyper.toString().substring("Hyper".length());
    }
}

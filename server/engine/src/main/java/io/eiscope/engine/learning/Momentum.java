package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.tensor.Matrix;

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
        Matrix w = p.value(), g = p.grad();
        float mu = (float) hyper.momentum(), wd = (float) hyper.weightDecay();
        int n = w.size();
        if (buffers.length == 0) {
            for (int i = 0; i < n; i++) {
                float wi = w.get(i);
                w.set(i, geometry.step(wi, g.get(i) + wd * geometry.decayGradient(wi), lr));
            }
            return;
        }
        Matrix buf = buffers[0];
        boolean first = t == 1, nesterov = hyper.nesterov();
        float keep = (float) (1 - hyper.dampening());
        for (int i = 0; i < n; i++) {
            float wi = w.get(i);
            float di = g.get(i) + wd * geometry.decayGradient(wi);
            float bi = Adam.flushSubnormal(first ? di : mu * buf.get(i) + keep * di); // see Adam.flushSubnormal
            buf.set(i, bi);
            w.set(i, geometry.step(wi, nesterov ? di + mu * bi : bi, lr));
        }
    }

    @Override
    public String toString() {
        return "Momentum" + hyper.toString().substring("Hyper".length());
    }
}

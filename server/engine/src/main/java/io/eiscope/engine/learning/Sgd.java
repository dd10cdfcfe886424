package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minibatch stochastic gradient descent with optional momentum, Nesterov momentum and L2
 * weight decay, in PyTorch's order: {@code g = dW + wd W; v = mu v + g;
 * d = nesterov ? g + mu v : v; W -= lr d} (no dampening), and with PyTorch's rounding: each
 * {@code a += s b} is one fused multiply-add ({@link Blas#axpy}), {@code mu v} is rounded
 * before {@code g} is added. The gradients are overwritten when weight decay or Nesterov is on.
 */
public final class Sgd implements LearningRule {

    /** Validated hyper-parameters; {@code toString} prints all of them. */
    public record Hyper(double learningRate, double momentum, boolean nesterov, double weightDecay) {
        public Hyper {
            if (!(learningRate > 0) || !Double.isFinite(learningRate))
                throw new IllegalArgumentException("learning_rate must be a finite number > 0, got " + learningRate);
            if (!(momentum >= 0 && momentum < 1))
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            if (!(weightDecay >= 0) || !Double.isFinite(weightDecay))
                throw new IllegalArgumentException("weight_decay must be a finite number >= 0, got " + weightDecay);
            if (nesterov && momentum == 0)
                throw new IllegalArgumentException("nesterov needs momentum > 0");
        }
    }

    private static final Blas BLAS = Blas.best();

    private final Hyper hyper;
    private final Map<Parameter, Matrix> velocity = new IdentityHashMap<>();

    public Sgd(Hyper hyper) {
        this.hyper = hyper;
    }

    public Hyper hyper() {
        return hyper;
    }

    @Override
    public void update(List<Parameter> parameters) {
        float lr = (float) hyper.learningRate();
        float mu = (float) hyper.momentum();
        float wd = (float) hyper.weightDecay();
        for (int i = 0, n = parameters.size(); i < n; i++) { // indexed: no iterator per step
            Parameter p = parameters.get(i);
            Matrix w = p.value(), g = p.grad();
            if (wd != 0f) BLAS.axpy(wd, w, g);
            if (mu == 0f) {
                BLAS.axpy(-lr, g, w);
                continue;
            }
            Matrix v = velocity.get(p);
            if (v == null) velocity.put(p, v = Matrix.zeros(w.rows, w.cols));
            BLAS.scal(mu, v);
            BLAS.axpy(1f, g, v);
            if (hyper.nesterov()) {
                BLAS.axpy(mu, v, g);
                BLAS.axpy(-lr, g, w);
            } else {
                BLAS.axpy(-lr, v, w);
            }
        }
    }

    @Override
    public void reset() {
        velocity.clear();
    }
}

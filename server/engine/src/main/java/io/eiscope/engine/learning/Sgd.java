package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.tensor.Matrix;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minibatch stochastic gradient descent with optional momentum, Nesterov momentum and L2
 * weight decay, in PyTorch's order: {@code g = dW + wd W; v = mu v + g;
 * d = nesterov ? g + mu v : v; W -= lr d} (no dampening).
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
        for (Parameter p : parameters) {
            Matrix w = p.value(), g = p.grad();
            int n = w.size();
            if (mu == 0f) {
                for (int i = 0; i < n; i++) {
                    float wi = w.get(i);
                    w.set(i, wi - lr * (g.get(i) + wd * wi));
                }
                continue;
            }
            Matrix v = velocity.computeIfAbsent(p, q -> Matrix.zeros(w.rows, w.cols));
            for (int i = 0; i < n; i++) {
                float wi = w.get(i);
                float gi = g.get(i) + wd * wi;
                float vi = mu * v.get(i) + gi;
                v.set(i, vi);
                w.set(i, wi - lr * (hyper.nesterov() ? gi + mu * vi : vi));
            }
        }
    }

    @Override
    public void reset() {
        velocity.clear();
    }
}

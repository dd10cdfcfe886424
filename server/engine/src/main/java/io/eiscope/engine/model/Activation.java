package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Matrix;

/** Element-wise non-linearities with their derivative applied in place to an upstream gradient. */
public enum Activation {
    RELU {
        @Override
        public void apply(Matrix z, Matrix h) {
            for (int i = 0, n = z.size(); i < n; i++) h.set(i, Math.max(z.get(i), 0f));
        }

        @Override
        public void backward(Matrix z, Matrix dh) {
            for (int i = 0, n = z.size(); i < n; i++) {
                if (z.get(i) <= 0f) dh.set(i, 0f);
            }
        }
    },
    IDENTITY {
        @Override
        public void apply(Matrix z, Matrix h) {
            if (h != z) h.copyFrom(z);
        }

        @Override
        public void backward(Matrix z, Matrix dh) {}
    };

    /** {@code h = f(z)}; {@code h} may be {@code z}. */
    public abstract void apply(Matrix z, Matrix h);

    /** {@code dh <- dh * f'(z)} in place. */
    public abstract void backward(Matrix z, Matrix dh);
}

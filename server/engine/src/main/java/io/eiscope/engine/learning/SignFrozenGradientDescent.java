package io.eiscope.engine.learning;

/**
 * Sign-constrained gradient descent: record {@code s = sign(w)}, take the GD step
 * {@code w' = w - lr d}, and wherever {@code s w' < 0} set {@code w' = theta s}, so no weight
 * crosses zero. A weight that is exactly 0 has sign 0 and stays where GD puts it; a step that
 * lands exactly on 0 stays there. This is {@code freeze_gd_signs} of Cornford et al. (2024),
 * "Brain-like learning with exponentiated gradients" ({@code optim_eg/sgd_eg.py}, theta = 1e-18);
 * Li et al. (2023) clamp to magnitude 1e-9 ({@code WClampMixin}). science.md §2.3, §3.1.
 *
 * @param theta the magnitude a weight is set to where GD would flip its sign; {@code > 0} and
 *              representable as a normal float
 */
public record SignFrozenGradientDescent(double theta) implements Geometry {
    /** The threshold of the EG reference code. */
    public static final double DEFAULT_THETA = 1e-18;

    public SignFrozenGradientDescent {
        if (!(theta >= Float.MIN_NORMAL && theta <= 1e-3))
            throw new IllegalArgumentException("theta must be in [" + Float.MIN_NORMAL + ", 0.001], got " + theta);
    }

    @Override
    public float step(float w, float d, float lr) {
        float s = Math.signum(w);
        float next = w - lr * d;
        return s * next < 0f ? (float) theta * s : next;
    }

    @Override
    public boolean preservesSigns() {
        return true;
    }
}

package io.eiscope.engine.learning;

/**
 * Exponentiated gradient (EG): {@code w' = w exp(-lr sign(w) d)} (signed, the default) or the
 * unsigned ablation {@code w' = w exp(-lr d)}. Both keep every sign exactly and keep an exact
 * zero at zero. Coupled weight decay enters the direction as {@code d = g + wd sign(w)}
 * (signed) or {@code d = g + wd |sign(w)|} (unsigned), so it shrinks {@code |w|}
 * multiplicatively after the exponential map. Signed EG is mirror descent with the
 * negative-entropy potential on {@code |w|} at fixed signs: a gradient step on {@code log|w|}.
 *
 * <p>Cornford et al. (2024), "Brain-like learning with exponentiated gradients"
 * ({@code optim_eg/sgd_eg.py}; the unsigned ablation in {@code src/eg_utils.py}), science.md §3.1.
 *
 * @param signed true for {@code exp(-lr sign(w) d)}, false for the unsigned ablation
 */
public record ExponentiatedGradient(boolean signed) implements Geometry {

    @Override
    public float step(float w, float d, float lr) {
        float exponent = signed ? -lr * Math.signum(w) * d : -lr * d;
        return w * (float) Math.exp(exponent);
    }

    @Override
    public float decayGradient(float w) {
        return signed ? Math.signum(w) : Math.abs(Math.signum(w));
    }

    @Override
    public boolean preservesSigns() {
        return true;
    }
}

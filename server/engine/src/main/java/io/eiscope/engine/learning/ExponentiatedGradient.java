package io.eiscope.engine.learning;

import io.eiscope.engine.tensor.Exp;

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
        return Exp.scaleByExp(w, d, lr, signed);
    }

    /** {@link Exp#scaleByExp(float[], float[], int, float, boolean)}: in lanes when the JVM has the Vector API. */
    @Override
    public void step(float[] w, float[] d, int len, float lr) {
        Exp.scaleByExp(w, d, len, lr, signed);
    }

    @Override
    public float decayGradient(float w) {
        return signed ? Math.signum(w) : Math.abs(Math.signum(w));
    }

    /** {@link #decayGradient} over a chunk, through {@link #signumVectorisable}: the same bits. */
    @Override
    public void addDecay(float[] g, float[] w, int len, float wd) {
        if (signed) {
            for (int i = 0; i < len; i++) g[i] = g[i] + wd * signumVectorisable(w[i]);
        } else {
            for (int i = 0; i < len; i++) g[i] = g[i] + wd * Math.abs(signumVectorisable(w[i]));
        }
    }

    /**
     * {@code Math.signum(w)} in arithmetic C2 vectorises: {@code w 2^200} is at least 2^51 in magnitude
     * for any non-zero {@code w} (subnormals included, exactly) or infinite, so clamped to [-1, 1] it
     * is the sign; zeros keep their sign and NaN stays a NaN (its payload aside).
     */
    private static float signumVectorisable(float w) {
        return Math.min(Math.max(w * 0x1p100f * 0x1p100f, -1f), 1f);
    }

    @Override
    public boolean preservesSigns() {
        return true;
    }
}

package io.eiscope.engine.learning;

/**
 * How a learning rule applies a direction {@code d} to a weight {@code w} with step size
 * {@code lr}: the geometry of plasticity (Pogodin et al. 2024, §4.1 of science.md). Gradient
 * descent subtracts ({@code w - lr d}); exponentiated gradient multiplies by
 * {@code exp(-lr sign(w) d)}; mirror descent maps {@code w} to the dual space, subtracts there
 * and maps back. Directions (momentum, Adam moments) are computed in primal gradient space, the
 * same for every geometry, and each direction's fused loop calls {@link #step} once per
 * element; so a new geometry plugs in without touching any direction.
 *
 * <p>Sign handling lives here and only here: a geometry that keeps signs says so in
 * {@link #preservesSigns()}.
 *
 * <p>Implementations are immutable, allocation-free pure functions, safe to share.
 */
public interface Geometry {

    /** The new value of weight {@code w} after a step of size {@code lr} along {@code -d}. */
    float step(float w, float d, float lr);

    /**
     * The gradient of the coupled (L2) weight-decay penalty at {@code w}, added to the loss
     * gradient as {@code g + weightDecay * decayGradient(w)}. Gradient descent and mirror
     * descent use {@code w} (PyTorch); exponentiated gradient uses {@code sign(w)} (Cornford et
     * al. 2024, §3.1), so the decay shrinks {@code |w|} multiplicatively.
     */
    default float decayGradient(float w) {
        return w;
    }

    /** True when {@link #step} never gives a non-zero {@code w} the opposite sign. */
    boolean preservesSigns();
}

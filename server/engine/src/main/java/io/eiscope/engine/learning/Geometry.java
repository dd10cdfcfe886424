package io.eiscope.engine.learning;

/**
 * How a learning rule applies a direction {@code d} to a weight {@code w} with step size
 * {@code lr}: the geometry of plasticity (Pogodin et al. 2024, §4.1 of science.md). Gradient
 * descent subtracts ({@code w - lr d}); exponentiated gradient multiplies by
 * {@code exp(-lr sign(w) d)}; mirror descent maps {@code w} to the dual space, subtracts there
 * and maps back. Directions (momentum, Adam moments) are computed in primal gradient space, the
 * same for every geometry, and each direction's fused loop calls {@link #step} once per
 * chunk of elements; so a new geometry plugs in without touching any direction.
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
     * {@code w[i] = step(w[i], d[i], lr)} for {@code i < len}: the same bits, for a chunk of a
     * parameter (the directions' fused loops call this once per chunk). A geometry whose step runs
     * faster many elements at a time overrides it ({@link ExponentiatedGradient}: its exponential in
     * lanes). {@code d}'s contents are undefined afterwards.
     */
    default void step(float[] w, float[] d, int len, float lr) {
        for (int i = 0; i < len; i++) w[i] = step(w[i], d[i], lr);
    }

    /**
     * The gradient of the coupled (L2) weight-decay penalty at {@code w}, added to the loss
     * gradient as {@code g + weightDecay * decayGradient(w)}. Gradient descent and mirror
     * descent use {@code w} (PyTorch); exponentiated gradient uses {@code sign(w)} (Cornford et
     * al. 2024, §3.1), so the decay shrinks {@code |w|} multiplicatively.
     */
    default float decayGradient(float w) {
        return w;
    }

    /**
     * {@code g[i] = g[i] + wd * decayGradient(w[i])} for {@code i < len}: the same bits, for a chunk.
     * A geometry whose decay gradient vectorises overrides it (an interface call an element does not).
     */
    default void addDecay(float[] g, float[] w, int len, float wd) {
        for (int i = 0; i < len; i++) g[i] = g[i] + wd * decayGradient(w[i]);
    }

    /** True when {@link #step} never gives a non-zero {@code w} the opposite sign. */
    boolean preservesSigns();
}

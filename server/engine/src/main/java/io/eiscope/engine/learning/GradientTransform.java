package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import java.util.List;

/**
 * Rewrites gradients in place before a learning rule computes its direction: the DANN
 * inhibitory corrections, gradient-norm clipping. Composable with every rule; a rule applies
 * its transforms in list order (science.md §1.4.3: correction, then clipping).
 *
 * <p>The transforms here are stateless and immutable, so {@link #copy} returns {@code this}
 * and {@link #reset} does nothing; a stateful transform (a running Fisher estimate, say) must
 * override both. {@link #apply} reads values, modifies grads only and allocates nothing.
 */
public interface GradientTransform {

    /** Rewrites every parameter's {@code grad} in place; {@code value}s are not modified. */
    void apply(List<Parameter> parameters);

    default GradientTransform copy() {
        return this;
    }

    default void reset() {}
}

package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.sim.StateDict;
import java.util.List;

/**
 * Rewrites gradients in place before a learning rule computes its direction: the DANN
 * inhibitory corrections, gradient-norm clipping. Composable with every rule; a rule applies
 * its transforms in list order (science.md §1.4.3: correction, then clipping).
 *
 * <p>The transforms here are stateless and immutable, so {@link #copy} returns {@code this}
 * and {@link #reset} and the state methods ({@link #saveState}, {@link #checkState},
 * {@link #loadState}) do nothing; a stateful transform (a running Fisher estimate, say) must
 * override them all. {@link #apply} reads values, modifies grads only and allocates nothing.
 */
public interface GradientTransform {

    /** Rewrites every parameter's {@code grad} in place; {@code value}s are not modified. */
    void apply(List<Parameter> parameters);

    default GradientTransform copy() {
        return this;
    }

    default void reset() {}

    /** Writes this transform's state as entries named {@code prefix + ...}; see {@link LearningRule#saveState}. */
    default void saveState(StateDict dict, String prefix) {}

    /**
     * Checks the entries {@link #saveState} wrote, without changing anything.
     *
     * @throws IllegalArgumentException naming the entry that is missing or has the wrong type or shape
     */
    default void checkState(StateDict dict, String prefix) {}

    /** Replaces this transform's state by a copy of what {@link #saveState} wrote, after {@link #checkState} passed. */
    default void loadState(StateDict dict, String prefix) {}
}

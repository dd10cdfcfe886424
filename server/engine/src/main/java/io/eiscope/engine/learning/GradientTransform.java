package io.eiscope.engine.learning;

import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.task.Objective;
import io.eiscope.engine.tensor.Matrix;
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
 *
 * <p>A transform that needs more than the gradients (d-NGD runs a second backward pass with
 * targets sampled from the model) gets the batch from {@link #observeBatch} before each
 * {@link #apply}, and refuses models it cannot work with in {@link #checkCompatible}.
 */
public interface GradientTransform {

    /** Rewrites every parameter's {@code grad} in place; {@code value}s are not modified. */
    void apply(List<Parameter> parameters);

    default GradientTransform copy() {
        return this;
    }

    /**
     * A copy of this transform (its hyper-parameters) carrying {@code previous}'s state where it
     * can (a running estimate kept across a learning-rate change); by default {@link #copy}.
     * {@code previous} is not modified.
     */
    default GradientTransform continuing(GradientTransform previous) {
        return copy();
    }

    /**
     * Refuses a model or task this transform cannot work with.
     *
     * @throws IllegalArgumentException saying what to change
     */
    default void checkCompatible(Model model, Objective objective) {}

    /**
     * The model whose backward pass has just written the gradients of the coming {@link #apply}, the
     * logits of that batch (owned by the model, read during the next apply only) and the run's seed
     * (for random streams the transform derives); most transforms ignore it.
     */
    default void observeBatch(Model model, Matrix logits, long seed) {}

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

    /** {@link #saveState(StateDict, String)} for state kept per parameter ({@code parameters}: names and shapes). */
    default void saveState(StateDict dict, String prefix, List<Parameter> parameters) {
        saveState(dict, prefix);
    }

    /** {@link #checkState(StateDict, String)} for state kept per parameter. */
    default void checkState(StateDict dict, String prefix, List<Parameter> parameters) {
        checkState(dict, prefix);
    }

    /** {@link #loadState(StateDict, String)} for state kept per parameter. */
    default void loadState(StateDict dict, String prefix, List<Parameter> parameters) {
        loadState(dict, prefix);
    }
}

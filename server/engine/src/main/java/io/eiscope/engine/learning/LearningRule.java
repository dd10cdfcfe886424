package io.eiscope.engine.learning;

import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.task.Objective;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;

/**
 * Updates parameters from their gradients, once per step.
 *
 * <p>Lifecycle: created with validated, immutable hyper-parameters; the first {@link #update}
 * allocates the optimiser state (one set of buffers per parameter, by position in the list);
 * every later {@link #update} must receive the same parameters in the same order and shapes;
 * {@link #reset} drops the state and the update count, so the next update starts afresh.
 * {@link #copy} gives an independent rule with a deep copy of the state: applied to a copy of
 * the parameters, it continues bit-identically (what a simulation fork needs).
 *
 * <p>Confined to the simulation's thread. Sign constraints of {@link Parameter.Sign#NON_NEGATIVE}
 * parameters are kept by the model's projection after the update (Cornford et al. 2021, §1.4.1
 * of science.md), not by the rule.
 */
public interface LearningRule {

    /**
     * Applies one update to every parameter's {@code value} from its {@code grad}. Grads may be
     * modified (gradient transforms work in place).
     *
     * @throws IllegalStateException if the parameters differ in number or shape from those the
     *                               state was allocated for (call {@link #reset} first)
     */
    void update(List<Parameter> parameters);

    /**
     * {@link #update} and then every parameter's {@link Parameter#project()}, with the same
     * result bit for bit. A rule may fuse the two into one pass over each parameter
     * ({@link ComposedRule} does); this default makes two. The model's own constraints beyond
     * its parameters' ({@link io.eiscope.engine.model.Model#projectBeyondParameters}) follow.
     */
    default void updateAndProject(List<Parameter> parameters) {
        update(parameters);
        for (int i = 0, n = parameters.size(); i < n; i++) parameters.get(i).project();
    }

    /**
     * Refuses a model or task this rule cannot train (d-NGD needs a DANN with one inhibitory unit
     * per layer and a classification task); by default every one is fine.
     *
     * @throws IllegalArgumentException saying what to change
     */
    default void checkCompatible(Model model, Objective objective) {}

    /**
     * Called after each backward pass, before {@link #update}: the model, the batch's logits (owned by
     * the model) and the run's seed, for rules that need the batch itself (d-NGD samples targets from
     * the logits and backpropagates them); by default ignored.
     */
    default void observeBatch(Model model, Matrix logits, long seed) {}

    /** Forgets optimiser state (momentum buffers, moments) and the update count. */
    void reset();

    /** An independent deep copy: hyper-parameters shared (immutable), state and count copied. */
    LearningRule copy();

    /**
     * Writes the state (update count, optimiser buffers, transforms' state) as entries named
     * {@code prefix + ...}: {@code updates} (int64 {@code [1]}) and, per buffer, {@code <buffer>/<parameter
     * name>} (float32, the parameter's shape). Before the first update the buffers are written as
     * zeros, which the next update treats exactly as it treats fresh buffers. Neither the rule nor
     * {@code parameters} (the list the rule updates, for names and shapes) is modified.
     */
    void saveState(StateDict dict, String prefix, List<Parameter> parameters);

    /**
     * Replaces the state by what {@link #saveState} wrote for a rule of the same hyper-parameters
     * over the same parameters, copying it; afterwards updates continue bit for bit. Validates
     * every entry before changing anything.
     *
     * @throws IllegalArgumentException naming the entry that is missing or has the wrong type or shape
     */
    void loadState(StateDict dict, String prefix, List<Parameter> parameters);

    /** Number of updates applied since creation or the last {@link #reset}. */
    long updates();

    /** The learning rate the next update will use (after its schedule). */
    double learningRate();

    /**
     * True when every update, by itself, never moves a non-zero weight to the opposite sign
     * (sign-frozen GD, exponentiated gradient). Such rules keep Dale's principle without the
     * projection; all rules keep it with the projection.
     */
    default boolean preservesSigns() {
        return false;
    }
}

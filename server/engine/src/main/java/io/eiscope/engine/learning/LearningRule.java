package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import java.util.List;

/**
 * Updates parameters from their gradients, once per step. Lifecycle: created with validated
 * hyper-parameters, {@link #update} every step (optimiser buffers are created lazily, one per
 * parameter), {@link #reset} to drop those buffers. Confined to the simulation's thread.
 */
public interface LearningRule {

    /** Applies one update to every parameter from its {@code grad}. Grads may be modified. */
    void update(List<Parameter> parameters);

    /** Forgets optimiser state (momentum buffers, moments). */
    void reset();
}

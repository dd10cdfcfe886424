package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A network mapping a batch of inputs to logits, with its backward pass.
 *
 * <p>Batch-first: inputs are {@code batch x inputSize}, logits {@code batch x outputSize}.
 * A model caches what backward needs from the latest {@link #forward} call; it is confined
 * to its simulation's thread.
 */
public interface Model {

    /** Named, ordered parameters; the same instances for the model's whole life. */
    List<Parameter> parameters();

    /** Layer names in order from input to output (e.g. {@code layer0}, {@code layer1}). */
    List<String> layers();

    /**
     * Forward pass. The returned matrix is owned by the model and overwritten by the next
     * call. {@code x} is not modified.
     */
    Matrix forward(Matrix x);

    /**
     * Backward pass from {@code dLogits} (the gradient of the loss with respect to the logits
     * of the latest forward call); writes every parameter's {@code grad}. {@code dLogits}
     * may be overwritten.
     */
    void backward(Matrix dLogits);

    /** The fewest examples a training batch may hold (batch normalisation needs two). */
    default int minimumBatchSize() {
        return 1;
    }

    /**
     * Post-update projection that keeps the model's constraints (sign clamps, masks).
     * Models without constraints do nothing.
     */
    default void project() {}

    /**
     * What {@link #project()} does beyond each parameter's own {@link Parameter#project()}, for
     * callers whose learning rule has already projected every parameter in its update
     * ({@link io.eiscope.engine.learning.LearningRule#updateAndProject}). This default runs the
     * whole projection again: correct for any model, as projections are idempotent, at the
     * cost of a second pass; models whose projection is only their parameters' override it.
     */
    default void projectBeyondParameters() {
        project();
    }

    /**
     * Holds units' outputs at fixed values in every later forward pass (layer name -> unit ->
     * value), replacing earlier clamps; models that cannot clamp refuse any non-empty request.
     */
    default void clampUnits(Map<String, Map<Integer, Float>> clamps) {
        if (!clamps.isEmpty())
            throw new IllegalArgumentException("command.clamp_unit: this model cannot clamp unit activity");
    }

    /**
     * The output of {@code layer} in the latest {@link #forward} call (after its non-linearity and
     * any unit clamps), owned by the model, not to be modified, overwritten by the next forward:
     * {@code batch x units} for feed-forward layers; {@code T*B x units}, time-major (rows
     * {@code t*B .. t*B + B - 1} are step {@code t}), for the layers of recurrent networks. Empty
     * for unknown layers and before the first forward.
     */
    default Optional<Matrix> activations(String layer) {
        return Optional.empty();
    }

    /** The effective signed weight matrix of one E/I layer (a new matrix); empty for other layers. */
    default Optional<Matrix> effectiveWeight(String layer) {
        return Optional.empty();
    }

    /** The names {@link #effectiveWeight} answers for (layers of E/I networks, recurrent matrices); by default the layers that have one. */
    default List<String> effectiveWeightTargets() {
        return layers().stream().filter(l -> effectiveWeight(l).isPresent()).toList();
    }

    /**
     * Parameters of {@code layer} whose columns are that layer's own units (recurrent connections),
     * so lesioning a unit also silences its recurrent output; empty for feed-forward layers.
     */
    default List<String> recurrentInputs(String layer) {
        return List.of();
    }

    /**
     * The parameter whose value {@link #effectiveWeight}{@code (target)} is, when the effective
     * matrix is a plain parameter (a standard RNN's {@code rnn0} is {@code rnn0.W}), so that
     * observables can measure it once; empty when it is computed from several parameters.
     */
    default Optional<String> effectiveWeightParameter(String target) {
        return Optional.empty();
    }

    /**
     * How the rows and columns of {@code target} (a parameter or an effective matrix) split into
     * excitatory and inhibitory units; empty for matrices outside E/I populations (plain networks,
     * biases, gains). By default from the parameters' DANN roles ({@code Wex}, {@code Wix},
     * {@code Wei}). Reads the structure only, never values, so any thread may ask.
     */
    default Optional<EiPartition> partition(String target) {
        for (Parameter p : parameters()) {
            if (p.name().equals(target)) return EiPartition.ofRole(p);
        }
        return Optional.empty();
    }
}

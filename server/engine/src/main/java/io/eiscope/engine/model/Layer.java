package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Optional;

/**
 * One layer of a feed-forward network, batch-first: input {@code batch x inputSize()}, output
 * {@code batch x outputSize()}. A layer keeps what backward needs from its latest forward
 * call and reuses its work buffers per batch size, so steady-state steps allocate nothing.
 * Confined to the simulation's thread.
 */
public interface Layer {
    String name();

    int inputSize();

    int outputSize();

    /** Named parameters, in a fixed order. */
    List<Parameter> parameters();

    /**
     * Forward pass; the returned matrix is owned by the layer and overwritten by the next call
     * with the same batch size. Keeps a reference to {@code x}, which must stay unchanged until
     * {@link #backward}.
     */
    Matrix forward(Matrix x);

    /**
     * Given the gradient of the loss with respect to the latest output (may be overwritten),
     * writes every parameter's {@code grad} and returns the gradient with respect to the input
     * (owned by the layer), or null when {@code needInputGrad} is false.
     */
    Matrix backward(Matrix dOut, boolean needInputGrad);

    /** The fewest examples a training batch may hold (batch normalisation needs two). */
    default int minimumBatchSize() {
        return 1;
    }

    /**
     * The effective signed weight matrix ({@code outputSize x inputSize}) of an E/I layer,
     * computed fresh as a new matrix; empty for layers whose weight is a plain parameter.
     */
    default Optional<Matrix> effectiveWeight() {
        return Optional.empty();
    }
}

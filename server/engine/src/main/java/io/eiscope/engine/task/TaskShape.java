package io.eiscope.engine.task;

/**
 * What a model must map: inputs of {@code steps} time steps of {@code stepInputs} values each,
 * to {@code outputs} values (class logits, binary logits or predictions) at the last step only
 * or at every step.
 *
 * <p>A batch row holds one whole example, step-major: the inputs of step {@code t} are columns
 * {@code t*stepInputs .. (t+1)*stepInputs - 1}; with {@code everyStep} the outputs of step
 * {@code t} are columns {@code t*outputs .. (t+1)*outputs - 1} of the output row. Static
 * (feed-forward) tasks have one step. A feed-forward model sees the flattened row.
 *
 * @param stepInputs values per time step (pixels of one image row for row-sequential MNIST)
 * @param steps      time steps per example, >= 1
 * @param outputs    outputs per scored step
 * @param everyStep  true when the loss is taken over every step, false when at the last step only
 */
public record TaskShape(int stepInputs, int steps, int outputs, boolean everyStep) {
    public TaskShape {
        if (stepInputs < 1 || steps < 1 || outputs < 1)
            throw new IllegalArgumentException("task shape needs stepInputs, steps, outputs >= 1, got " + stepInputs
                    + ", " + steps + ", " + outputs);
    }

    /** A static task: one step, outputs once. */
    public static TaskShape flat(int inputs, int outputs) {
        return new TaskShape(inputs, 1, outputs, false);
    }

    /** Columns of an input row: {@code steps * stepInputs}. */
    public int inputSize() {
        return steps * stepInputs;
    }

    /** Columns of a model's output row: {@code steps * outputs} when scored at every step, else {@code outputs}. */
    public int outputWidth() {
        return everyStep ? steps * outputs : outputs;
    }

    /** Number of scored steps per example (1 or {@code steps}). */
    public int scoredSteps() {
        return everyStep ? steps : 1;
    }
}

package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Matrix;

/**
 * A named trainable tensor with its gradient buffer of the same shape.
 *
 * @param name  layer-qualified name, e.g. {@code layer0.W}
 * @param value the parameter (modified by learning rules)
 * @param grad  the gradient of the loss with respect to {@code value}, written by backward
 * @param sign  the sign constraint learning rules and projections must keep
 */
public record Parameter(String name, Matrix value, Matrix grad, Sign sign) {

    /** Sign constraint of a parameter tensor. */
    public enum Sign {
        /** Unconstrained. */
        FREE,
        /** Every element is kept >= 0 (Dale's principle by projection). */
        NON_NEGATIVE
    }

    public static Parameter of(String name, int rows, int cols, Sign sign) {
        return new Parameter(name, Matrix.zeros(rows, cols), Matrix.zeros(rows, cols), sign);
    }

    public int[] shape() {
        return new int[] {value.rows, value.cols};
    }
}

package io.eiscope.engine.spec;

import io.eiscope.engine.tensor.Matrix;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A dense float32 tensor given in a spec, e.g. a user-supplied initial weight matrix: a shape
 * and prod(shape) values in row-major order (for a weight matrix {@code [n_out, n_in]}, "post x
 * pre"). Immutable: the arrays are copied on construction and never handed out.
 */
public final class TensorValue {
    private final int[] shape;
    private final float[] values;

    /**
     * @param shape  dimensions, each >= 0 (not modified, copied)
     * @param values prod(shape) row-major values (not modified, copied)
     * @throws IllegalArgumentException when a dimension is negative or the count does not match
     */
    public TensorValue(int[] shape, float[] values) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("shape " + format(shape) + " has a negative dimension");
            n *= d;
        }
        if (n != values.length)
            throw new IllegalArgumentException(
                    "shape " + format(shape) + " needs " + n + " values, got " + values.length);
        this.shape = shape.clone();
        this.values = values.clone();
    }

    /** A copy of the dimensions. */
    public int[] shape() {
        return shape.clone();
    }

    /** True when the shape is exactly {@code rows x cols} (two dimensions). */
    public boolean hasShape(int rows, int cols) {
        return shape.length == 2 && shape[0] == rows && shape[1] == cols;
    }

    /** Number of values, prod(shape). */
    public int size() {
        return values.length;
    }

    /** The value at row-major index {@code i}. */
    public float get(int i) {
        return values[i];
    }

    /** Copies the values into {@code target} (modified), which must hold exactly {@link #size()} elements. */
    public void copyInto(Matrix target) {
        target.copyFrom(values);
    }

    /** Dimensions joined by "x" ({@code 100x784}); {@code []} for no dimensions. */
    public static String format(int[] shape) {
        if (shape.length == 0) return "[]";
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorValue t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    /** The shape only: the values may be millions. */
    @Override
    public String toString() {
        return "TensorValue[" + format(shape) + "]";
    }
}

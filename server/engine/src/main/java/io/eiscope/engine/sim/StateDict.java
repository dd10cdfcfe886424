package io.eiscope.engine.sim;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulation's state as an ordered map of named, typed arrays (a "state dict"), so that a
 * store that knows nothing of the engine's classes can write it (as a NumPy {@code .npz}, say)
 * and read it back. Names are paths with {@code '/'} separators, e.g. {@code param/layer0.W};
 * {@link Simulation#stateDict()} documents the names it writes.
 *
 * <p>Types, by their NumPy names: {@code float32} ({@code float[]}), {@code float64}
 * ({@code double[]}), {@code int64} ({@code long[]}), {@code int32} ({@code int[]}) and
 * {@code uint8} ({@code byte[]}, also text as UTF-8). Shapes are row-major; a scalar is a
 * one-element array of shape {@code [1]}.
 *
 * <p>Ownership: the dict does not copy. {@code put*} keep the array they are given (callers pass
 * fresh arrays and do not modify them afterwards), and the getters return the dict's own arrays,
 * not to be modified. Mutable while being filled, not thread-safe; hand it to another thread
 * only once it is complete.
 */
public final class StateDict {
    /**
     * One named array.
     *
     * @param data  a {@code float[]}, {@code double[]}, {@code long[]}, {@code int[]} or {@code byte[]}
     * @param shape non-negative dimensions whose product is the length of {@code data}
     */
    public record Array(String name, Object data, int[] shape) {}

    private final Map<String, Array> arrays = new LinkedHashMap<>();
    private final StateDict recycled; // whose float arrays floatBuffer hands out again; null: none

    public StateDict() {
        this.recycled = null;
    }

    private StateDict(StateDict recycled) {
        this.recycled = recycled;
    }

    /**
     * A new, empty dict whose {@link #floatBuffer} hands out the float arrays of {@code old} (by
     * name, when the length matches) instead of allocating: for a checkpoint taken every few
     * seconds of a large network, this saves allocating and zeroing megabytes on the training
     * thread. {@code old} must no longer be read by anyone (its checkpoint is written).
     */
    public static StateDict reusing(StateDict old) {
        return new StateDict(old);
    }

    /**
     * An array of {@code n} floats to fill for entry {@code name}: the recycled dict's array of that
     * entry when it has one of length {@code n}, else a new one. Its contents are arbitrary.
     */
    public float[] floatBuffer(String name, int n) {
        if (recycled != null) {
            Array a = recycled.arrays.get(name);
            if (a != null && a.data() instanceof float[] f && f.length == n) return f;
        }
        return new float[n];
    }

    public StateDict putFloats(String name, float[] data, int... shape) {
        return put(new Array(name, data, shapeOr(shape, data == null ? 0 : data.length)));
    }

    public StateDict putDoubles(String name, double[] data, int... shape) {
        return put(new Array(name, data, shapeOr(shape, data == null ? 0 : data.length)));
    }

    public StateDict putLongs(String name, long[] data, int... shape) {
        return put(new Array(name, data, shapeOr(shape, data == null ? 0 : data.length)));
    }

    public StateDict putInts(String name, int[] data, int... shape) {
        return put(new Array(name, data, shapeOr(shape, data == null ? 0 : data.length)));
    }

    public StateDict putBytes(String name, byte[] data, int... shape) {
        return put(new Array(name, data, shapeOr(shape, data == null ? 0 : data.length)));
    }

    /** {@code value} as UTF-8 bytes of shape {@code [n]}. */
    public StateDict putText(String name, String value) {
        return putBytes(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Adds {@code a} after the entries already here.
     *
     * @throws IllegalArgumentException if the name is empty or taken, the data is not one of the
     *                                  five array types, or the shape does not match its length
     */
    public StateDict put(Array a) {
        if (a.name() == null || a.name().isEmpty())
            throw new IllegalArgumentException("a checkpoint entry needs a name");
        if (arrays.containsKey(a.name()))
            throw new IllegalArgumentException("checkpoint entry '" + a.name() + "' is already present");
        if (a.data() == null || dtype(a.data()) == null)
            throw new IllegalArgumentException("checkpoint entry '" + a.name()
                    + "' must hold a float[], double[], long[], int[] or byte[], got "
                    + (a.data() == null ? "nothing" : a.data().getClass().getSimpleName()));
        if (a.shape() == null) throw new IllegalArgumentException("checkpoint entry '" + a.name() + "' needs a shape");
        long product = 1;
        for (int d : a.shape()) {
            if (d < 0)
                throw new IllegalArgumentException("checkpoint entry '" + a.name() + "' has a negative dimension in "
                        + Arrays.toString(a.shape()));
            product *= d;
        }
        int length = java.lang.reflect.Array.getLength(a.data());
        if (product != length)
            throw new IllegalArgumentException("checkpoint entry '" + a.name() + "' has shape "
                    + Arrays.toString(a.shape()) + " (" + product + " elements) but " + length + " values");
        arrays.put(a.name(), new Array(a.name(), a.data(), a.shape().clone()));
        return this;
    }

    /** Every entry in insertion order (an unmodifiable list). */
    public List<Array> arrays() {
        return List.copyOf(arrays.values());
    }

    public boolean has(String name) {
        return arrays.containsKey(name);
    }

    public float[] floats(String name) {
        return (float[]) typed(name, float[].class);
    }

    public double[] doubles(String name) {
        return (double[]) typed(name, double[].class);
    }

    public long[] longs(String name) {
        return (long[]) typed(name, long[].class);
    }

    public int[] ints(String name) {
        return (int[]) typed(name, int[].class);
    }

    public byte[] bytes(String name) {
        return (byte[]) typed(name, byte[].class);
    }

    /** A {@code uint8} entry decoded as UTF-8. */
    public String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** The shape of entry {@code name} (a copy). */
    public int[] shape(String name) {
        return require(name).shape().clone();
    }

    /** The value of an {@code int64} entry of one element (shape {@code [1]}). */
    public long longValue(String name) {
        long[] v = longs(name);
        if (v.length != 1)
            throw new IllegalArgumentException("checkpoint entry '" + name + "' has shape "
                    + Arrays.toString(arrays.get(name).shape()) + ", expected [1]");
        return v[0];
    }

    /**
     * Checks the shape of entry {@code name}, for readers that know what they expect.
     *
     * @throws IllegalArgumentException naming the entry if it is missing or shaped otherwise
     */
    public void requireShape(String name, int... shape) {
        int[] actual = require(name).shape();
        if (!Arrays.equals(actual, shape))
            throw new IllegalArgumentException("checkpoint entry '" + name + "' has shape " + Arrays.toString(actual)
                    + ", expected " + Arrays.toString(shape));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("StateDict[");
        for (Array a : arrays.values()) {
            if (s.length() > "StateDict[".length()) s.append(", ");
            s.append(a.name()).append(' ').append(dtype(a.data())).append(Arrays.toString(a.shape()));
        }
        return s.append(']').toString();
    }

    private Array require(String name) {
        Array a = arrays.get(name);
        if (a == null) throw new IllegalArgumentException("checkpoint entry '" + name + "' is missing");
        return a;
    }

    private Object typed(String name, Class<?> type) {
        Object data = require(name).data();
        if (data.getClass() != type)
            throw new IllegalArgumentException(
                    "checkpoint entry '" + name + "' is " + dtype(data) + ", expected " + dtypeOf(type));
        return data;
    }

    private static int[] shapeOr(int[] shape, int length) {
        return shape == null || shape.length == 0 ? new int[] {length} : shape;
    }

    /** The NumPy name of {@code data}'s type; null for other types. */
    private static String dtype(Object data) {
        return dtypeOf(data.getClass());
    }

    private static String dtypeOf(Class<?> type) {
        if (type == float[].class) return "float32";
        if (type == double[].class) return "float64";
        if (type == long[].class) return "int64";
        if (type == int[].class) return "int32";
        if (type == byte[].class) return "uint8";
        return null;
    }
}

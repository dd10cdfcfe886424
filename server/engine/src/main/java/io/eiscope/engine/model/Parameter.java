package io.eiscope.engine.model;

import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.tensor.Elementwise;
import io.eiscope.engine.tensor.Matrix;
import java.nio.FloatBuffer;

/**
 * A named trainable tensor with its gradient buffer of the same shape, and what learning
 * rules need to know about it.
 *
 * @param name            layer-qualified name, e.g. {@code layer0.W} or {@code layer1.Wex}
 * @param value           the parameter (modified by learning rules)
 * @param grad            the gradient of the loss with respect to {@code value}, written by backward (at batch 1 a
 *                        weight gradient may be held as its outer product's factors until read)
 * @param sign            the sign constraint that learning rules and projections must keep
 * @param role            what the tensor is in its layer (rules such as corrected SGD scale by role)
 * @param fanIn           fan-in d of the layer the tensor belongs to
 * @param excitatoryUnits number of excitatory (or, for plain layers, output) units of that layer
 * @param mask            the pruned elements, held at 0 by {@link #project()} (empty unless pruned)
 */
public record Parameter(
        String name,
        Matrix value,
        Matrix grad,
        Sign sign,
        Role role,
        int fanIn,
        int excitatoryUnits,
        PruningMask mask) {

    /** Lets the gradient hold a batch-1 weight gradient as its factors ({@link Matrix#allowDeferredOuterProduct}). */
    public Parameter {
        grad.allowDeferredOuterProduct();
    }

    /** A parameter with nothing pruned. */
    public Parameter(String name, Matrix value, Matrix grad, Sign sign, Role role, int fanIn, int excitatoryUnits) {
        this(name, value, grad, sign, role, fanIn, excitatoryUnits, new PruningMask());
    }

    /** Sign constraint of a parameter tensor. */
    public enum Sign {
        /** Unconstrained. */
        FREE,
        /** Every element is kept >= 0 (Dale's principle by projection). */
        NON_NEGATIVE
    }

    /** What a tensor is in its layer. */
    public enum Role {
        /** A plain weight matrix W (post x pre). */
        WEIGHT,
        BIAS,
        /** Per-unit gain g. */
        GAIN,
        /** E <- input weights Wex of an E/I layer. */
        EXCITATORY,
        /** I <- input weights Wix of an E/I layer. */
        INHIBITORY_INPUT,
        /** E <- I weights Wei of an E/I layer. */
        INHIBITORY_OUTPUT,
        /** Log shunt gains alpha of the inhibitory units. */
        SHUNT
    }

    /** A zero tensor of the given shape with a zero gradient buffer. */
    public static Parameter of(String name, int rows, int cols, Sign sign, Role role, int fanIn, int excitatoryUnits) {
        return new Parameter(
                name, Matrix.zeros(rows, cols), Matrix.zeros(rows, cols), sign, role, fanIn, excitatoryUnits);
    }

    public int[] shape() {
        return new int[] {value.rows, value.cols};
    }

    /**
     * Writes a copy of {@code value} as {@code param/<name>} (float32 {@code [rows, cols]}) and,
     * when some elements are pruned, the mask as {@code mask/<name>} (uint8 {@code [rows, cols]},
     * 1 where pruned; read back, any non-zero byte means pruned). Nothing is modified.
     */
    public void saveState(StateDict dict) {
        float[] copy = dict.floatBuffer("param/" + name, value.size());
        value.copyTo(copy);
        dict.putFloats("param/" + name, copy, value.rows, value.cols);
        if (mask.count() > 0) dict.putBytes("mask/" + name, mask.toBytes(value.size()), value.rows, value.cols);
    }

    /**
     * Checks the entries {@link #saveState} writes, changing nothing.
     *
     * @throws IllegalArgumentException naming the entry that is missing or has the wrong type or shape
     */
    public void checkState(StateDict dict) {
        dict.floats("param/" + name);
        dict.requireShape("param/" + name, value.rows, value.cols);
        if (!dict.has("mask/" + name)) return;
        dict.bytes("mask/" + name);
        dict.requireShape("mask/" + name, value.rows, value.cols);
    }

    /** Copies the value and mask that {@link #saveState} wrote (no mask entry: nothing pruned), after {@link #checkState} passed. */
    public void loadState(StateDict dict) {
        value.copyFrom(dict.floats("param/" + name));
        if (dict.has("mask/" + name)) mask.copyFrom(dict.bytes("mask/" + name));
        else mask.clear();
    }

    /**
     * Clamps negative elements (and {@code -0.0}) to {@code +0.0} when the parameter is
     * {@link Sign#NON_NEGATIVE}, then sets the pruned elements of {@link #mask} to zero; NaN
     * stays NaN. Modifies {@code value} only. A learning rule's fused update does the same per
     * chunk with {@link #project(float[], int, int)}.
     */
    public void project() {
        if (sign != Sign.NON_NEGATIVE && mask.count() == 0) return;
        float[] chunk = Elementwise.scratch()[0];
        FloatBuffer v = value.data();
        for (int off = 0, n = value.size(); off < n; off += Elementwise.CHUNK) {
            int len = Math.min(Elementwise.CHUNK, n - off);
            v.get(off, chunk, 0, len);
            project(chunk, off, len);
            v.put(off, chunk, 0, len);
        }
    }

    /**
     * {@link #project()} on elements {@code offset .. offset + length - 1} of the value, held in
     * {@code chunk[0 .. length - 1]} (modified): the same bits, so an update can project each
     * chunk while it is in cache instead of in a second pass.
     */
    public void project(float[] chunk, int offset, int length) {
        if (sign == Sign.NON_NEGATIVE) Elementwise.clampNonNegative(chunk, length);
        mask.apply(chunk, offset, length);
    }

    /** True when {@link #project()} can change the value (a sign constraint or pruned elements). */
    public boolean constrained() {
        return sign == Sign.NON_NEGATIVE || mask.count() > 0;
    }
}

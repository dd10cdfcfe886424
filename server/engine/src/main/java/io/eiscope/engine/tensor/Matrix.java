package io.eiscope.engine.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A dense row-major float32 matrix held off-heap, so native BLAS reads it without copying.
 *
 * <p>Element {@code (r, c)} lives at index {@code r * cols + c} of {@link #data()}. A matrix
 * is confined to the thread of the simulation that owns it; nothing here is synchronised.
 */
public final class Matrix {
    public final int rows;
    public final int cols;
    private final ByteBuffer bytes;
    private final FloatBuffer data;
    private IntBuffer bits;
    private FloatPointer pointer;

    private Matrix(int rows, int cols) {
        this(rows, cols, allocate(rows, cols));
    }

    private Matrix(int rows, int cols, ByteBuffer shared) {
        this.rows = rows;
        this.cols = cols;
        this.bytes = shared;
        this.data = shared.asFloatBuffer();
    }

    private static ByteBuffer allocate(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("matrix shape must be non-negative, got " + rows + "x" + cols);
        }
        return ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(rows, cols), Float.BYTES))
                .order(ByteOrder.nativeOrder());
    }

    /**
     * A view of rows {@code first .. first + count - 1}: a {@code count x cols} matrix sharing this
     * one's memory (writes go through both ways). Used for the per-time-step blocks of the
     * time-major buffers of recurrent networks.
     */
    public Matrix rowsView(int first, int count) {
        if (first < 0 || count < 0 || first + count > rows)
            throw new IllegalArgumentException(
                    "rows " + first + ".." + (first + count - 1) + " out of a " + rows + "x" + cols + " matrix");
        return new Matrix(
                count,
                cols,
                bytes.slice(first * cols * Float.BYTES, count * cols * Float.BYTES)
                        .order(ByteOrder.nativeOrder()));
    }

    /** The same memory seen as {@code rows x cols} (row-major order kept); the element count must match. */
    public Matrix reshapeView(int rows, int cols) {
        if ((long) rows * cols != size())
            throw new IllegalArgumentException(
                    "cannot view a " + this.rows + "x" + this.cols + " matrix as " + rows + "x" + cols);
        return new Matrix(rows, cols, bytes);
    }

    /** A new {@code rows x cols} matrix of zeros. */
    public static Matrix zeros(int rows, int cols) {
        return new Matrix(rows, cols);
    }

    /** A new matrix holding a copy of {@code values} (row-major, length rows*cols). */
    public static Matrix of(int rows, int cols, float[] values) {
        Matrix m = new Matrix(rows, cols);
        m.copyFrom(values);
        return m;
    }

    /** The backing buffer (absolute indexing only; position and limit are never moved). */
    public FloatBuffer data() {
        return data;
    }

    /**
     * The same memory as {@link #data()}, each element's raw IEEE 754 bits as an int (absolute
     * indexing only), made once. For passes that are integer operations on those bits: C2 (JDK 17)
     * vectorises a loop over {@code int[]} but not one through {@link Float#floatToRawIntBits}.
     */
    public IntBuffer bits() {
        if (bits == null) bits = bytes.asIntBuffer();
        return bits;
    }

    /** The backing memory as a JavaCPP pointer for native calls, made once; callers set its position. */
    FloatPointer pointer() {
        if (pointer == null) pointer = new FloatPointer(data);
        return pointer;
    }

    public int size() {
        return rows * cols;
    }

    public float get(int r, int c) {
        return data.get(r * cols + c);
    }

    public void set(int r, int c, float v) {
        data.put(r * cols + c, v);
    }

    public float get(int i) {
        return data.get(i);
    }

    public void set(int i, float v) {
        data.put(i, v);
    }

    public void fill(float v) {
        for (int i = 0, n = size(); i < n; i++) data.put(i, v);
    }

    public void copyFrom(float[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException(
                    "expected " + size() + " values for a " + rows + "x" + cols + " matrix, got " + values.length);
        }
        data.put(0, values);
    }

    public void copyFrom(Matrix other) {
        if (other.rows != rows || other.cols != cols) {
            throw new IllegalArgumentException(
                    "shape mismatch: " + rows + "x" + cols + " <- " + other.rows + "x" + other.cols);
        }
        data.put(0, other.data, 0, size());
    }

    /** Copies every value, row-major, into {@code out} (length {@link #size()}), which is modified. */
    public void copyTo(float[] out) {
        if (out.length != size())
            throw new IllegalArgumentException(
                    "expected room for " + size() + " values of a " + rows + "x" + cols + " matrix, got " + out.length);
        data.get(0, out);
    }

    public float[] toArray() {
        float[] out = new float[size()];
        data.get(0, out);
        return out;
    }

    /** A deep copy with its own off-heap storage. */
    public Matrix copy() {
        Matrix m = new Matrix(rows, cols);
        m.copyFrom(this);
        return m;
    }

    /**
     * True when every value is finite and at most {@code limit} in magnitude ({@code limit >= 0}), as
     * {@link #allFinite} (which is this with Float.MAX_VALUE): the server asks it of every parameter
     * after every step.
     *
     * <p>First the magnitudes' sum, which bounds each of them, from BLAS at memory speed (0.04 ns an
     * element): a NaN or an infinity makes it NaN or infinite ({@link Blas#asum}). Float sums of up to
     * 2^22 terms are within a third of the true sum in any order, so a sum at most half the limit puts
     * every magnitude within it. Otherwise, one pass over the raw bits (0.18 ns an element): non-negative
     * floats order as their bits do, and a NaN's bits are above every limit's ({@code + 0f} turns a limit
     * of {@code -0} into {@code +0}).
     */
    public boolean allWithin(float limit) {
        if (!(limit >= 0)) throw new IllegalArgumentException("a magnitude limit is >= 0, got " + limit);
        if (size() <= 1 << 22 && Blas.best().asum(this) <= limit * 0.5f) return true;
        return Elementwise.magnitudesAtMost(this, Float.floatToRawIntBits(limit + 0f));
    }

    /** The largest |value|; NaN when any value is NaN (infinities count as infinitely large); 0 when empty. */
    public float maxAbs() {
        float max = 0;
        for (int i = 0, n = size(); i < n; i++) max = Math.max(max, Math.abs(data.get(i))); // Math.max keeps a NaN
        return max;
    }

    public boolean allFinite() {
        return allWithin(Float.MAX_VALUE);
    }

    @Override
    public String toString() {
        return "Matrix[" + rows + "x" + cols + "]";
    }
}

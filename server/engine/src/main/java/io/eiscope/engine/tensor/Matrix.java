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
 * is confined to the thread of the simulation that owns it; nothing here is synchronised (even a read
 * may write: a deferred outer product, {@link #setOuterProduct}, is written out when first read).
 */
public final class Matrix {
    public final int rows;
    public final int cols;
    private final ByteBuffer bytes;
    private final FloatBuffer data;
    private IntBuffer bits;
    private FloatPointer pointer;
    /** The memory as a {@code MemorySegment} for the in-place lanes ({@link OffHeapDescent}); null until asked. */
    private Object segment;
    /** The factors of a deferred outer product ({@link #setOuterProduct}); null until the first. */
    private float[] outerX, outerY, outerRow;
    /** Which row of the deferred outer product {@link #outerRow} holds; -1 for none. */
    private int outerRowIndex = -1;
    /** True while {@link #data} is stale and the values are {@code outerX[r] * outerY[c]}. */
    private boolean deferred;
    /** A view, or a matrix with views: its memory is read through other buffers, so never deferred. */
    private boolean shared;
    /** Whether {@link #setOuterProduct} may defer ({@link #allowDeferredOuterProduct}). */
    private boolean deferrable;

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
        return share(new Matrix(
                count,
                cols,
                bytes.slice(first * cols * Float.BYTES, count * cols * Float.BYTES)
                        .order(ByteOrder.nativeOrder())));
    }

    /** The same memory seen as {@code rows x cols} (row-major order kept); the element count must match. */
    public Matrix reshapeView(int rows, int cols) {
        if ((long) rows * cols != size())
            throw new IllegalArgumentException(
                    "cannot view a " + this.rows + "x" + this.cols + " matrix as " + rows + "x" + cols);
        return share(new Matrix(rows, cols, bytes));
    }

    /** Marks this matrix and its new view {@code view} as sharing memory, with this one's values in it. */
    private Matrix share(Matrix view) {
        data();
        shared = true;
        view.shared = true;
        return view;
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
        if (deferred) materialise();
        return data;
    }

    /**
     * The values as a {@code java.lang.foreign.MemorySegment} (JDK 22+; typed {@code Object} so that JDK 17
     * compiles this class), made once: a segment made per update allocates in the training step.
     */
    Object segment() {
        if (deferred) materialise();
        Object s = segment;
        if (s == null) segment = s = OffHeapDescent.segmentOf(bytes);
        return s;
    }

    /**
     * Lets {@link #setOuterProduct} defer its product until the values are read: for matrices whose
     * readers all go through this class (a parameter's gradient), not for one whose {@link #data()}
     * buffer a caller may hold while a product is written into it.
     */
    public void allowDeferredOuterProduct() {
        deferrable = true;
    }

    /**
     * Makes this matrix {@code x y^T}: {@code x} holds its {@link #rows} values from index 0, {@code y}
     * its {@link #cols}; each element is {@code x[r] * y[c]}, rounded once, as {@code sgemm} rounds it.
     * When {@link #allowDeferredOuterProduct allowed} (and no view shares the memory), only the factors are
     * copied and the product is computed when first read. A weight gradient at batch 1 is such a product,
     * and an update that reads it through {@link #read} computes each chunk in cache instead of writing the
     * matrix out and reading it back (docs/benchmarks.md, "batch 1 without writing the gradient").
     */
    void setOuterProduct(FloatBuffer x, Matrix y) {
        if (outerX == null) {
            outerX = new float[rows];
            outerY = new float[cols];
            outerRow = new float[cols];
        }
        x.get(0, outerX, 0, rows);
        y.data().get(0, outerY, 0, cols);
        outerRowIndex = -1;
        deferred = true;
        if (!deferrable || shared) materialise();
    }

    /** True while the values are a deferred outer product that {@link #read} computes rather than copies. */
    public boolean deferred() {
        return deferred;
    }

    /**
     * While {@link #deferred()}: the product's factor {@code y}, its {@link #cols} values, so that a loop over
     * row {@code r} can form {@code outerRowFactor(r) * y[j]} itself (the same float product). Read it only.
     */
    public float[] outerColumns() {
        if (!deferred) throw new IllegalStateException("not a deferred outer product");
        return outerY;
    }

    /** While {@link #deferred()}: the product's factor {@code x}, its {@link #rows} values (see {@link #outerColumns}). */
    public float[] outerRows() {
        if (!deferred) throw new IllegalStateException("not a deferred outer product");
        return outerX;
    }

    /** While {@link #deferred()}: the product's factor {@code x} at row {@code r} (see {@link #outerColumns}). */
    public float outerRowFactor(int r) {
        if (!deferred) throw new IllegalStateException("not a deferred outer product");
        return outerX[r];
    }

    /**
     * Copies elements {@code off .. off + len - 1} (row-major) into {@code out[0 .. len - 1]}. A deferred
     * outer product is computed instead, with the bits {@link #data()} would hold, and stays deferred.
     */
    public void read(int off, float[] out, int len) {
        if (deferred) outer(off, out, len);
        else data.get(off, out, 0, len);
    }

    /**
     * The chunk length at which {@link #read} is fastest, at most {@code most}: whole rows while a deferred
     * product's rows fit (and are long enough for vector loops), since a chunk that is one row is computed
     * straight into the caller's array; otherwise {@code most}.
     */
    public int readChunk(int most) {
        return deferred && cols >= 64 && cols <= most ? cols : most;
    }

    /**
     * Elements {@code off .. off + len - 1} of the deferred outer product into {@code out}. A whole row
     * ({@link #readChunk}) is computed into it directly; otherwise a row's segment at a time, copied from the
     * row computed whole ({@link #outerRow}, kept for the next chunk). C2 (JDK 17) does not vectorise
     * {@code out[k + j] = s * y[c + j]} (the two arrays might be one, at a distance it cannot know), and does
     * vectorise {@code out[j] = s * y[j]} and the copy.
     */
    private void outer(int off, float[] out, int len) {
        int r = off / cols, c = off % cols;
        if (c == 0 && len == cols) {
            scaled(outerX[r], outerY, out, len);
            return;
        }
        for (int k = 0; k < len; r++, c = 0) {
            int seg = Math.min(cols - c, len - k);
            System.arraycopy(outerRow(r), c, out, k, seg);
            k += seg;
        }
    }

    /** {@code out[j] = s * y[j]} for {@code j < n}. */
    private static void scaled(float s, float[] y, float[] out, int n) {
        for (int j = 0; j < n; j++) out[j] = s * y[j];
    }

    /** Row {@code r} of the deferred outer product, in {@link #outerRow}. */
    private float[] outerRow(int r) {
        if (outerRowIndex != r) {
            scaled(outerX[r], outerY, outerRow, cols);
            outerRowIndex = r;
        }
        return outerRow;
    }

    /** Writes the deferred outer product out, a row at a time. */
    private void materialise() {
        deferred = false;
        for (int r = 0; r < rows; r++) data.put(r * cols, outerRow(r), 0, cols);
    }

    /**
     * The same memory as {@link #data()}, each element's raw IEEE 754 bits as an int (absolute
     * indexing only), made once. For passes that are integer operations on those bits: C2 (JDK 17)
     * vectorises a loop over {@code int[]} but not one through {@link Float#floatToRawIntBits}.
     */
    public IntBuffer bits() {
        data();
        if (bits == null) bits = bytes.asIntBuffer();
        return bits;
    }

    /** The backing memory as a JavaCPP pointer for native calls, made once; callers set its position. */
    FloatPointer pointer() {
        if (pointer == null) pointer = new FloatPointer(data());
        else data();
        return pointer;
    }

    public int size() {
        return rows * cols;
    }

    public float get(int r, int c) {
        return data().get(r * cols + c);
    }

    public void set(int r, int c, float v) {
        data().put(r * cols + c, v);
    }

    public float get(int i) {
        return data().get(i);
    }

    public void set(int i, float v) {
        data().put(i, v);
    }

    public void fill(float v) {
        deferred = false;
        for (int i = 0, n = size(); i < n; i++) data.put(i, v);
    }

    public void copyFrom(float[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException(
                    "expected " + size() + " values for a " + rows + "x" + cols + " matrix, got " + values.length);
        }
        deferred = false;
        data.put(0, values);
    }

    public void copyFrom(Matrix other) {
        if (other.rows != rows || other.cols != cols) {
            throw new IllegalArgumentException(
                    "shape mismatch: " + rows + "x" + cols + " <- " + other.rows + "x" + other.cols);
        }
        FloatBuffer from = other.data();
        deferred = false;
        data.put(0, from, 0, size());
    }

    /** Copies every value, row-major, into {@code out} (length {@link #size()}), which is modified. */
    public void copyTo(float[] out) {
        if (out.length != size())
            throw new IllegalArgumentException(
                    "expected room for " + size() + " values of a " + rows + "x" + cols + " matrix, got " + out.length);
        data().get(0, out);
    }

    /**
     * Writes this matrix's transpose into {@code t} ({@code cols x rows}, not this matrix nor a view of its memory), through
     * {@code scratch} (at least {@link #size()} + {@code rows} floats; overwritten): one bulk copy in, and each of
     * {@code t}'s rows gathered on the heap and copied out.
     */
    public void transposeInto(Matrix t, float[] scratch) {
        if (t.rows != cols || t.cols != rows)
            throw new IllegalArgumentException("the transpose of a " + rows + "x" + cols + " matrix is " + cols + "x"
                    + rows + ", got " + t.rows + "x" + t.cols);
        int size = size();
        if (scratch.length < size + rows)
            throw new IllegalArgumentException("transposing a " + rows + "x" + cols + " matrix needs " + (size + rows)
                    + " floats of scratch, got " + scratch.length);
        data().get(0, scratch, 0, size);
        t.deferred = false;
        for (int c = 0; c < cols; c++) {
            for (int r = 0; r < rows; r++) scratch[size + r] = scratch[r * cols + c];
            t.data.put(c * rows, scratch, size, rows);
        }
    }

    public float[] toArray() {
        float[] out = new float[size()];
        data().get(0, out);
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
        FloatBuffer d = data();
        for (int i = 0, n = size(); i < n; i++) max = Math.max(max, Math.abs(d.get(i))); // Math.max keeps a NaN
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

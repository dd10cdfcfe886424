package io.eiscope.engine.tensor;

import java.nio.IntBuffer;

/**
 * Element-wise passes over off-heap matrices, a chunk at a time through heap arrays.
 *
 * <p>Why chunks: C2 (JDK 17) does not vectorise loops of absolute {@code FloatBuffer} gets and
 * puts (each access checks its index and the buffer's scope; about 0.4 ns an element), but it
 * does vectorise plain indexed loops over {@code float[]}. A bulk get or put of a chunk is one
 * memory copy, and {@link #CHUNK} floats of three arrays stay in the 48 KiB L1 data cache, so a
 * pass copies each chunk in, runs a vectorised loop over it and copies it back, reading and
 * writing main memory once per element (docs/benchmarks.md, "Element-wise passes").
 *
 * <p>The scratch arrays are per thread: a simulation is confined to its thread, and a
 * steady-state pass allocates nothing.
 */
public final class Elementwise {
    /** Floats per chunk: three chunks (value, gradient, one buffer) fill a quarter of L1. */
    public static final int CHUNK = 1024;

    private static final int SCRATCH_ARRAYS = 4;
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[SCRATCH_ARRAYS][CHUNK]);
    private static final ThreadLocal<int[][]> INT_SCRATCH = ThreadLocal.withInitial(() -> new int[2][CHUNK]);

    private Elementwise() {}

    /**
     * This thread's {@value #SCRATCH_ARRAYS} scratch arrays of {@link #CHUNK} floats (their
     * contents are undefined); a caller must not hold them across a call that may use them too.
     */
    public static float[][] scratch() {
        return SCRATCH.get();
    }

    /**
     * {@code a[i] = max(a[i], 0)} for {@code i < n}: negatives and {@code -0.0} become {@code +0.0},
     * NaN stays NaN ({@link Math#max}, which C2 vectorises; a conditional store does not).
     */
    public static void clampNonNegative(float[] a, int n) {
        for (int i = 0; i < n; i++) a[i] = Math.max(a[i], 0f);
    }

    /**
     * {@code out[i] = +0} where {@code h[i] == +0}, else {@code dz[i]}, for {@code off <= i < off + n}:
     * ReLU's derivative read from its output {@code h = max(z, 0)}, which is {@code +0} exactly
     * where {@code z <= 0} and otherwise positive or NaN (kept, either sign, so the NaN reaches the
     * loss). {@code out} may be {@code dz}. The same bits as {@code if (h[i] <= 0) dz[i] = 0} for
     * every output of ReLU ({@code -0} is not one).
     *
     * <p>Branch-free, on the raw bits ({@link Matrix#bits()}): {@code b | -b} has its sign bit set
     * for every non-zero {@code b}, so {@code (b | -b) >> 31} is all ones (keep) or zero (clear).
     * About half the units are negative in no predictable pattern: a branch an element mispredicts
     * half the time (4.5 ns an element), the same arithmetic through {@link Float#floatToRawIntBits}
     * is not vectorised (0.42 ns), over {@code int[]} it is (0.12 ns, a chunk's copies included).
     */
    public static void maskByReluOutput(Matrix h, Matrix dz, int off, int n, Matrix out) {
        int[][] s = INT_SCRATCH.get();
        int[] hb = s[0], db = s[1];
        IntBuffer H = h.bits(), D = dz.bits(), O = out.bits();
        for (int at = off, end = off + n; at < end; at += CHUNK) {
            int len = Math.min(CHUNK, end - at);
            H.get(at, hb, 0, len);
            D.get(at, db, 0, len);
            for (int i = 0; i < len; i++) {
                int b = hb[i];
                db[i] = db[i] & ((b | -b) >> 31);
            }
            O.put(at, db, 0, len);
        }
    }

    /**
     * True when every element's raw bits with the sign cleared are at most {@code limitBits} (the
     * bits of a limit {@code >= +0}). For floats that are not NaN this orders as their magnitude
     * does, and a NaN's is above infinity's ({@code 0x7f800000}), so a NaN is never within. One OR
     * over {@code limitBits - magnitudeBits}, negative exactly where an element is beyond: no branch
     * and no comparison chain an element (0.18 ns an element, against 0.31 for the float loop over
     * the buffer and 0.59 for an integer max; docs/benchmarks.md).
     */
    static boolean magnitudesAtMost(Matrix m, int limitBits) {
        int[] b = INT_SCRATCH.get()[0];
        IntBuffer B = m.bits();
        int beyond = 0;
        for (int off = 0, n = m.size(); off < n; off += CHUNK) {
            int len = Math.min(CHUNK, n - off);
            B.get(off, b, 0, len);
            for (int i = 0; i < len; i++) beyond |= limitBits - (b[i] & 0x7fffffff);
        }
        return beyond >= 0;
    }

    /** {@code m[i] = m[i] / c} for every element, rounded once each (a division, not a product by {@code 1/c}). */
    public static void divide(Matrix m, float c) {
        float[] a = scratch()[0];
        for (int off = 0, n = m.size(); off < n; off += CHUNK) {
            int len = Math.min(CHUNK, n - off);
            m.data().get(off, a, 0, len);
            for (int i = 0; i < len; i++) a[i] = a[i] / c;
            m.data().put(off, a, 0, len);
        }
    }
}

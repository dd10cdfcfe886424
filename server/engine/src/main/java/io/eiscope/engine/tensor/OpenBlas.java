package io.eiscope.engine.tensor;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS through JavaCPP on direct buffers: no copies. Threads follow
 * {@code OPENBLAS_NUM_THREADS}; the launcher sets 1, since parallelism across simulations
 * serves a server better than threads within one step.
 */
final class OpenBlas implements Blas {
    private final String name;
    private final boolean fusedAxpy;

    OpenBlas() {
        // Force the native library to load now, so a failure falls back at selection time.
        Matrix a = Matrix.of(1, 1, new float[] {2f});
        Matrix c = Matrix.zeros(1, 1);
        gemm(false, false, 1f, a, a, 0f, c);
        if (c.get(0) != 4f) throw new IllegalStateException("OpenBLAS self-test failed: 2*2 = " + c.get(0));
        fusedAxpy = axpyKernelFuses();
        name = fusedAxpy ? "openblas" : "openblas (axpy in Java: this core's saxpy kernel does not fuse)";
    }

    /**
     * {@inheritDoc}
     *
     * <p>Routes by shape, since this OpenBLAS build does not: one row or one column of C goes
     * to {@code sgemv} (about ten times faster than {@code sgemm} for a batch of one), and an
     * outer product ({@code k = 1}, {@code alpha = 1}, {@code beta = 0}: a weight gradient
     * at batch 1) is one pass in Java, element for element the product {@code sgemm} rounds.
     */
    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        Blas.checkGemm(transA, transB, a, b, c);
        int m = c.rows, n = c.cols, k = transA ? a.rows : a.cols;
        if (m == 0 || n == 0) return;
        if (k == 1 && alpha == 1f && beta == 0f) {
            outerProduct(a.data(), b, c); // op(A) is one contiguous column, op(B) one contiguous row
        } else if (m == 1 && k > 0) { // c^T = op(B)^T op(A)^T, op(A) one contiguous row
            openblas_nolapack.cblas_sgemv(
                    openblas_nolapack.CblasRowMajor,
                    transB ? openblas_nolapack.CblasNoTrans : openblas_nolapack.CblasTrans,
                    b.rows,
                    b.cols,
                    alpha,
                    b.data(),
                    b.cols,
                    a.data(),
                    1,
                    beta,
                    c.data(),
                    1);
        } else if (n == 1 && k > 0) { // c = op(A) op(B), op(B) one contiguous column
            openblas_nolapack.cblas_sgemv(
                    openblas_nolapack.CblasRowMajor,
                    transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                    a.rows,
                    a.cols,
                    alpha,
                    a.data(),
                    a.cols,
                    b.data(),
                    1,
                    beta,
                    c.data(),
                    1);
        } else {
            openblas_nolapack.cblas_sgemm(
                    openblas_nolapack.CblasRowMajor,
                    transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                    transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                    m,
                    n,
                    k,
                    alpha,
                    a.data(),
                    Math.max(1, a.cols),
                    b.data(),
                    Math.max(1, b.cols),
                    beta,
                    c.data(),
                    Math.max(1, c.cols));
        }
    }

    /** Per-thread row scratch of {@link #outerProduct}: this object is shared across simulations. */
    private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[2][0]);

    /** {@code c[i][j] = x[i] * y[j]}, a row at a time through heap scratch, where the JIT vectorises. */
    private static void outerProduct(FloatBuffer x, Matrix y, Matrix c) {
        int m = c.rows, n = c.cols;
        float[][] rows = ROWS.get();
        if (rows[0].length < n) {
            rows[0] = new float[n];
            rows[1] = new float[n];
        }
        float[] yRow = rows[0], row = rows[1];
        y.data().get(0, yRow, 0, n);
        FloatBuffer C = c.data();
        for (int i = 0; i < m; i++) {
            float xi = x.get(i);
            for (int j = 0; j < n; j++) row[j] = xi * yRow[j];
            C.put(i * n, row, 0, n);
        }
    }

    /**
     * Elements per native level-1 call: a multiple of the widest vector loop of OpenBLAS's x86
     * kernels (64 floats), and under the 10,000 elements above which OpenBLAS splits a level-1
     * call across threads. So every element goes through the fused vector loop on the
     * caller's thread, whatever {@code OPENBLAS_NUM_THREADS} says, and the last
     * {@code n mod 64} go through {@link Math#fma} here: the bits of {@link JavaBlas#axpy}.
     * (OpenBLAS's own scalar tails, and its split points between threads, round twice.)
     */
    static final int LEVEL1_CHUNK = 8192;

    static final int VECTOR_FLOATS = 64;

    @Override
    public void axpy(float alpha, Matrix x, Matrix y) {
        Blas.checkSameSize(x, y);
        if (alpha == 0f) return; // as OpenBLAS: y unchanged even where x is not finite
        int n = y.size(), body = fusedAxpy ? n & -VECTOR_FLOATS : 0;
        FloatPointer xp = x.pointer(), yp = y.pointer();
        for (int off = 0; off < body; off += LEVEL1_CHUNK) {
            openblas_nolapack.cblas_saxpy(
                    Math.min(LEVEL1_CHUNK, body - off), alpha, xp.position(off), 1, yp.position(off), 1);
        }
        FloatBuffer X = x.data(), Y = y.data();
        for (int i = body; i < n; i++) Y.put(i, Math.fma(alpha, X.get(i), Y.get(i)));
    }

    /** True when the kernel's vector loop rounds once (FMA), as x86 kernels from Haswell on do. */
    private static boolean axpyKernelFuses() {
        int n = VECTOR_FLOATS;
        Matrix x = Matrix.zeros(1, n), y = Matrix.zeros(1, n);
        for (int i = 0; i < n; i++) {
            x.set(i, 1f + i * 0x1p-12f);
            y.set(i, -1f - i * 0x1p-23f);
        }
        float alpha = 1f + 0x1p-13f;
        Matrix y0 = y.copy();
        openblas_nolapack.cblas_saxpy(n, alpha, x.data(), 1, y.data(), 1);
        for (int i = 0; i < n; i++) {
            if (y.get(i) != Math.fma(alpha, x.get(i), y0.get(i))) return false;
        }
        return true;
    }

    @Override
    public void scal(float alpha, Matrix x) {
        FloatPointer xp = x.pointer();
        for (int off = 0, n = x.size(); off < n; off += LEVEL1_CHUNK) {
            openblas_nolapack.cblas_sscal(Math.min(LEVEL1_CHUNK, n - off), alpha, xp.position(off), 1);
        }
    }

    @Override
    public String name() {
        return name;
    }
}

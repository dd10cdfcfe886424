package io.eiscope.engine.tensor;

/**
 * The matrix products of the hot path. One implementation calls native OpenBLAS on the
 * matrices' off-heap buffers; a pure-Java one stands in where the natives cannot load.
 */
public interface Blas {

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, where {@code op(X)} is {@code X} or its
     * transpose. Shapes: op(A) is m x k, op(B) is k x n, C is m x n. Only C is modified.
     */
    void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c);

    /** A human-readable name, e.g. "openblas (Haswell)" or "java". */
    String name();

    /** The fastest implementation that loads on this machine (shared, stateless). */
    static Blas best() {
        return BlasHolder.BEST;
    }

    /** Checks shapes for {@link #gemm} and throws an {@link IllegalArgumentException} naming them. */
    static void checkGemm(boolean transA, boolean transB, Matrix a, Matrix b, Matrix c) {
        int m = transA ? a.cols : a.rows;
        int k = transA ? a.rows : a.cols;
        int kb = transB ? b.cols : b.rows;
        int n = transB ? b.rows : b.cols;
        if (k != kb || c.rows != m || c.cols != n) {
            throw new IllegalArgumentException("gemm shape mismatch: op(A) " + m + "x" + k + ", op(B) " + kb + "x" + n
                    + ", C " + c.rows + "x" + c.cols);
        }
    }
}

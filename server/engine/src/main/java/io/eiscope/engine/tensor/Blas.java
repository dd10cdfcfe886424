package io.eiscope.engine.tensor;

/**
 * The matrix products and vector updates of the hot path. One implementation calls native
 * OpenBLAS on the matrices' off-heap buffers; a pure-Java one stands in where the natives
 * cannot load. Both give the same bits for {@link #axpy} and {@link #scal} (one rounding per
 * element); {@link #gemm} may differ in the order of its sums.
 */
public interface Blas {

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, where {@code op(X)} is {@code X} or its
     * transpose. Shapes: op(A) is m x k, op(B) is k x n, C is m x n. Only C is modified.
     */
    void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c);

    /**
     * Whether {@code A B}, with {@code B} ({@code k x n}) as it lies, runs faster here than {@code A Wᵀ} with
     * {@code W} ({@code n x k}) its transpose, for {@code A} of {@code m} rows as it lies. A caller that multiplies
     * by the same matrix many times (a recurrence over time steps) can then keep a transposed copy and call
     * {@code gemm(false, false, ...)} on it. The two forms may round differently. False unless measured.
     */
    default boolean untransposedFaster(int m, int n, int k) {
        return false;
    }

    /**
     * Writes {@code a}'s transpose into {@code t} ({@code a.cols x a.rows}, not {@code a} nor a view of its memory),
     * through {@code scratch} where it needs it ({@link Matrix#transposeInto}'s). A copy: the same bits everywhere.
     */
    default void transpose(Matrix a, Matrix t, float[] scratch) {
        a.transposeInto(t, scratch);
    }

    /**
     * {@code y = alpha * x + y} element-wise over whole matrices of the same size (shapes may
     * differ), rounded once per element as a fused multiply-add, as PyTorch's
     * {@code y.add_(x, alpha=alpha)} does. Only {@code y} is modified; {@code alpha = 0}
     * leaves it unchanged.
     */
    void axpy(float alpha, Matrix x, Matrix y);

    /** {@code x = alpha * x} element-wise, one rounding each; {@code alpha != 0} (BLAS may zero NaNs for 0). */
    void scal(float alpha, Matrix x);

    /**
     * The sum of {@code |x_i|} over the matrix, in float, as BLAS {@code sasum} (partial sums in the
     * library's order): NaN when an element is NaN, infinite when one is or the sum overflows.
     */
    float asum(Matrix x);

    /** A human-readable name, e.g. "openblas (Haswell)" or "java". */
    String name();

    /** The fastest implementation that loads on this machine (shared, stateless). */
    static Blas best() {
        return BlasHolder.BEST;
    }

    /** Checks that {@code x} and {@code y} hold as many elements, for {@link #axpy}. */
    static void checkSameSize(Matrix x, Matrix y) {
        if (x.size() != y.size()) {
            throw new IllegalArgumentException("size mismatch: " + x.rows + "x" + x.cols + " (" + x.size() + ") vs "
                    + y.rows + "x" + y.cols + " (" + y.size() + ")");
        }
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

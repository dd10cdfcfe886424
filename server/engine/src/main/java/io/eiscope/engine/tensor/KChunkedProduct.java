package io.eiscope.engine.tensor;

/**
 * {@code C = alpha A^T B + beta C} for operands that stay the same matrices from call to call ({@code A}:
 * {@code k x m}, {@code B}: {@code k x n}; a recurrent cell's time-major sequences), summed over {@code k} in the
 * pieces {@link Blas#kChunk} asks for: the first piece scales C by {@code beta}, each next one adds to it. The views
 * of the pieces are made once, so a call allocates nothing. Each piece is at most a small product, which the
 * library never splits across cores: the bits depend on the shapes alone.
 */
public final class KChunkedProduct {
    private final Blas blas;
    private final Matrix a;
    private final Matrix b;
    private final Matrix[] as;
    private final Matrix[] bs;

    public KChunkedProduct(Blas blas, Matrix a, Matrix b) {
        if (a.rows != b.rows)
            throw new IllegalArgumentException("A^T B sums over the rows of both: " + a.rows + " and " + b.rows);
        this.blas = blas;
        this.a = a;
        this.b = b;
        int k = a.rows, len = Math.max(1, blas.kChunk(a.cols, b.cols, k)), pieces = Math.max(1, (k + len - 1) / len);
        as = new Matrix[pieces];
        bs = new Matrix[pieces];
        for (int i = 0; i < pieces; i++) {
            int first = i * len, rows = Math.min(len, k - first);
            as[i] = pieces == 1 ? a : a.rowsView(first, rows);
            bs[i] = pieces == 1 ? b : b.rowsView(first, rows);
        }
    }

    /** Whether this product is of {@code a} and {@code b} themselves (not copies of them). */
    public boolean of(Matrix a, Matrix b) {
        return this.a == a && this.b == b;
    }

    /** How many products a call runs. */
    public int pieces() {
        return as.length;
    }

    /** {@code c = alpha A^T B + beta c}. */
    public void run(float alpha, float beta, Matrix c) {
        for (int i = 0; i < as.length; i++) blas.gemm(true, false, alpha, as[i], bs[i], i == 0 ? beta : 1f, c);
    }
}

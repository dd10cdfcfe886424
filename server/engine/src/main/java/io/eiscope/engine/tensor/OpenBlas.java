package io.eiscope.engine.tensor;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS through JavaCPP on direct buffers: no copies. One OpenBLAS thread, whatever {@code
 * OPENBLAS_NUM_THREADS} says: its threads change the bits of most of a step's products (so a run's
 * weights would depend on the machine), and they spin on cores other runs need. Spare cores are
 * lent by {@link IntraOp} instead, with the bits of one thread.
 */
final class OpenBlas implements Blas {
    private final String name;
    private final boolean fusedAxpy;
    /** Whether this core's {@code sasum} kernel keeps NaN and infinity in the sum: see {@link #asumKeepsNonFinite}. */
    private final boolean asumKeepsNonFinite;
    /** Where this core's kernels cannot be used as they are (stateless). */
    private static final JavaBlas JAVA = new JavaBlas();
    /** Whether products may split their output across cores: see {@link #splitsExactly}. */
    private final boolean splitsExactly;
    /** Whether products in pieces along k may split their output across cores: see {@link #piecesSplitExactly()}. */
    private final boolean piecesSplitExactly;

    OpenBlas() {
        openblas_nolapack.blas_set_num_threads(1); // also loads the native library now, so a failure falls back here
        Matrix a = Matrix.of(1, 1, new float[] {2f});
        Matrix c = Matrix.zeros(1, 1);
        gemm(false, false, 1f, a, a, 0f, c);
        if (c.get(0) != 4f) throw new IllegalStateException("OpenBLAS self-test failed: 2*2 = " + c.get(0));
        fusedAxpy = axpyKernelFuses();
        splitsExactly = splitsExactly();
        piecesSplitExactly = piecesSplitExactly();
        asumKeepsNonFinite = asumKeepsNonFinite();
        name = (fusedAxpy ? "openblas" : "openblas (axpy in Java: this core's saxpy kernel does not fuse)")
                + (splitsExactly ? "" : " (products not split across spare cores: blocks would round differently)")
                + (piecesSplitExactly ? "" : " (products in pieces of k not split across spare cores either)");
    }

    /**
     * {@inheritDoc}
     *
     * <p>Routes by shape, since this OpenBLAS build does not: one row or one column of C goes
     * to {@code sgemv} (about ten times faster than {@code sgemm} for a batch of one), and an
     * outer product ({@code k = 1}, {@code alpha = 1}, {@code beta = 0}: a weight gradient
     * at batch 1) is {@link Matrix#setOuterProduct}, element for element the product {@code sgemm} rounds.
     */
    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        Blas.checkGemm(transA, transB, a, b, c);
        int m = c.rows, n = c.cols, k = transA ? a.rows : a.cols;
        if (m == 0 || n == 0) return;
        if (k == 1 && alpha == 1f && beta == 0f) {
            c.setOuterProduct(a.data(), b); // op(A) is one contiguous column, op(B) one contiguous row
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
        } else if (inPiecesWhereFaster(transA, transB, alpha, a, b, beta, c)) {
            return; // computed there
        } else if (RowProducts.takes(transA, m, n, k)) {
            RowProducts.gemm(transB, alpha, a, b, beta, c);
        } else if (splitsExactly && IntraOp.lends() && splittable(m, n, k)) {
            split(transA, transB, alpha, a, b, beta, c, IntraOp::fork);
        } else {
            sgemm(transA, transB, m, n, k, alpha, a.data(), a.cols, b.data(), b.cols, beta, c.data(), c.cols);
        }
    }

    /**
     * Computes the product in pieces, and returns true, where one of the rules {@link #kPiece}, {@link #rowPiece} and
     * {@link #kSlice} cuts it; else returns false and leaves C alone. With a spare core the pieces are shared with it
     * where that gives the same bits. One matrix as both operands stays whole: the pieces move each operand's pointer,
     * and its one pointer cannot stand at two places at once.
     */
    private boolean inPiecesWhereFaster(
            boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        if (a == b) return false;
        int m = c.rows, n = c.cols, k = transA ? a.rows : a.cols;
        int kp = kPiece(transB, m, n, k), rows = rowPiece(transA, transB, m, n, k);
        int slice = kp < k || rows < m ? k : kSlice(transA, transB, m, n, k);
        if (kp == k && rows == m && slice == k) return false;
        boolean lend = IntraOp.lends() && splittable(m, n, k);
        if (kp < k) {
            if (piecesSplitExactly && lend) inPiecesSplit(transA, kp, alpha, a, b, beta, c, IntraOp::fork);
            else inPieces(transA, kp, alpha, a, b, beta, c);
        } else if (rows < m) {
            inRowPieces(rows, alpha, a, b, 0, k, beta, c, lend);
        } else {
            for (int f = 0; f < k; f += slice) {
                int l = Math.min(slice, k - f);
                inRowPieces(rowPiece(true, false, m, n, l), alpha, a, b, f, l, f == 0 ? beta : 1f, c, lend);
            }
        }
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: products of at least 4 rows and at most {@link #SMALL_MNK} multiply-adds that {@link RowProducts}
     * does not take. There OpenBLAS runs {@code A B} with its small-matrix kernel and {@code A Wᵀ} (column-major
     * {@code W A^T}, transposed first operand) through its packing path: 1.03 to 1.8 times slower at 4 to 64 rows of
     * 32 to 300 columns, 3 to 5 times at 4 to 8 rows of 200 to 500 ({@code TransposeFormsBench}; docs/benchmarks.md,
     * "Issue 13, 2026-12-06 (12:10–13:15 UTC)"). And products of at least 4 rows that {@link #gemm} cuts into
     * pieces along k as {@code A B} ({@link #kPiece}), which it never does as {@code A Wᵀ}: 1.06 to 4.3 times
     * faster from 4 to 128 rows of 100 to 1000 columns (32 x 500 x 500: 146 us against 173 through {@link
     * RowProducts}). Elsewhere both forms pack and run within 3 % of each other.
     */
    @Override
    public boolean untransposedFaster(int m, int n, int k) {
        if (m < 4) return false;
        return ((double) m * n * k <= SMALL_MNK && !RowProducts.takes(false, m, n, k)) || kPiece(false, m, n, k) < k;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: each of {@code t}'s rows gathered by {@code cblas_scopy} from a column of {@code a}, in place (no
     * scratch): 500 x 500 in 98-105 us, against 206-214 us in Java; 100 x 100 in 4 us against 7.
     */
    @Override
    public void transpose(Matrix a, Matrix t, float[] scratch) {
        if (t.rows != a.cols || t.cols != a.rows)
            throw new IllegalArgumentException("the transpose of a " + a.rows + "x" + a.cols + " matrix is " + a.cols
                    + "x" + a.rows + ", got " + t.rows + "x" + t.cols);
        FloatPointer A = a.pointer(), T = t.pointer();
        for (int c = 0; c < a.cols; c++)
            openblas_nolapack.cblas_scopy(a.rows, A.position(c), Math.max(1, a.cols), T.position((long) c * a.rows), 1);
    }

    /**
     * How long the pieces along k are into which {@link #gemm} cuts {@code C = alpha op(A) op(B) + beta C} (C
     * {@code m x n}); {@code k}: whole. Pieces of at most {@link #SMALL_MNK} multiply-adds, as even as can be, when
     * that leaves at least {@link #K_PIECE_MIN} of k to each and B is not transposed. OpenBLAS runs each piece with
     * its small-matrix kernel, where it packs the whole product's operands first: a long weight gradient
     * ({@code A^T B}) 100 x 100 x 864 in 9 pieces of 96 takes 159 us instead of 213, 100 x 28 x 896 in 3 of 299 50
     * instead of 90; a batch times a weight matrix ({@code A B}) 32 x 500 x 500 in 9 pieces of 56 147 instead of
     * 227, 8 x 500 x 500 in 2 36 instead of 112. With B transposed the small kernel is no faster (32 x 500 x 500:
     * 235 against 228); 300 x 300 x 896 in 82 pieces of 11 was 2 % slower than whole ({@code ProductPiecesBench};
     * docs/benchmarks.md, "Issue 13, 2026-12-06 (14:05–15:55 UTC): products in pieces"). A rule of the shapes
     * alone, so a run's bits do not depend on anything else; with a spare core, C is split in two blocks, each in
     * the same pieces, where {@link #piecesSplitExactly} found that gives the same bits.
     */
    static int kPiece(boolean transB, int m, int n, int k) {
        if (transB) return k;
        double mn = (double) m * n;
        if (mn * k <= SMALL_MNK) return k;
        int longest = (int) Math.min(k, SMALL_MNK / mn);
        if (longest < K_PIECE_MIN) return k;
        int pieces = (k + longest - 1) / longest;
        return (k + pieces - 1) / pieces;
    }

    /**
     * How many rows of C each piece has into which {@link #gemm} cuts a weight gradient over a short batch,
     * {@code C = alpha A^T B + beta C} with {@code k} at most {@link #ROW_PIECE_MAX_K} and {@code B} ({@code k x n})
     * at most {@link #ROW_PIECE_MAX_PANEL} elements; {@code m}: whole. Pieces of at most {@link #SMALL_MNK}
     * multiply-adds, as even as can be, which OpenBLAS runs with its small-matrix kernel: 500 x 784 x 32 in 13 pieces
     * took 236 us against 276 whole, 500 x 500 x 32 in 9 150 against 181, 1000 x 1000 x 64 in 67 1239 against 1331;
     * at k = 96 some shapes were slower in pieces, at 128 and 256 most, and so were B of 128K elements (500 x 2000 x
     * 64: 3 %, 500 x 4000 x 32: 8 %) ({@code ProductPiecesBench}; docs/benchmarks.md, "Issue 13, 2026-12-06
     * (14:05–15:55 UTC): products in pieces"). The pieces are disjoint rows of C, each the same call wherever it
     * runs: with a spare core half of them run there, to the same bits.
     */
    static int rowPiece(boolean transA, boolean transB, int m, int n, int k) {
        if (!transA || transB || k > ROW_PIECE_MAX_K || (long) n * k > ROW_PIECE_MAX_PANEL) return m;
        double nk = (double) n * k;
        if (nk * m <= SMALL_MNK) return m;
        int longest = (int) Math.max(1, SMALL_MNK / nk), pieces = (m + longest - 1) / longest;
        return (m + pieces - 1) / pieces;
    }

    /**
     * The length of the slices of k into which {@link #gemm} cuts a weight gradient {@code A^T B} too long for
     * {@link #rowPiece} and too wide for {@link #kPiece} (RNN 500's dW, 500 x 500 x 864), each slice then in pieces
     * of rows and added to C after the one before; {@code k}: whole. Even slices of at most {@link #ROW_PIECE_MAX_K},
     * where a slice of that length is cut into pieces of rows and B's slice is at most {@link #K_SLICE_MAX_PANEL}
     * elements: 500 x 500 x 864 in 14 slices took 4204 us against 4609 whole, 400 x 400 x 896 2774 against 3080,
     * 500 x 500 x 3584 17827 against 20390, 784 x 500 x 128 942 against 998; 512 x 512 x 896 was 4 % slower and 1000 x
     * 1000 x 896 4 % (docs/benchmarks.md, "Issue 13, 2026-12-06 (14:05–15:55 UTC): products in pieces").
     */
    static int kSlice(boolean transA, boolean transB, int m, int n, int k) {
        if (!transA || transB || k <= ROW_PIECE_MAX_K || (long) n * ROW_PIECE_MAX_K > K_SLICE_MAX_PANEL) return k;
        if (kPiece(false, m, n, k) < k || rowPiece(true, false, m, n, ROW_PIECE_MAX_K) >= m) return k;
        int slices = (k + ROW_PIECE_MAX_K - 1) / ROW_PIECE_MAX_K;
        return (k + slices - 1) / slices;
    }

    /** The largest slice of B ({@code k x n}) for {@link #kSlice}: 500 columns of 64 rows. */
    static final int K_SLICE_MAX_PANEL = 32_000;

    /** The longest k of a product cut into pieces of rows ({@link #rowPiece}). */
    static final int ROW_PIECE_MAX_K = 64;

    /** The largest B ({@code k x n}) of a product cut into pieces of rows ({@link #rowPiece}): 256 KB. */
    static final int ROW_PIECE_MAX_PANEL = 1 << 16;

    /** The shortest piece along k worth cutting a product into ({@link #kPiece}). */
    static final int K_PIECE_MIN = 16;

    /** The size (m n k) up to which this OpenBLAS may take its small-matrix kernels. */
    static final double SMALL_MNK = 1e6;

    /**
     * Each half of a product that lends must be at least this large (m n k). Below about 100^3, OpenBLAS
     * computes products with its small-matrix kernels, which sum in another order, so a half that took them
     * would not give the whole product's bits; and halves under about 0.1 ms (2^23 multiply-adds at this
     * core's 90 GFLOP/s) gained nothing over the hand-off, measured (docs/benchmarks.md, "Spare cores"). MLP
     * 784-500-500-10: the products of the 500-unit layers lend from batch 64 on; the readout's never do.
     */
    static final double HALF_MNK = 1 << 23;

    /** Whether a product of these sizes lends half of its output: both halves at least {@link #HALF_MNK}. */
    static boolean splittable(int m, int n, int k) {
        int d = Math.max(m, n), h = half(d);
        return (double) Math.min(h, d - h) * Math.min(m, n) * k >= HALF_MNK;
    }

    /**
     * C's rows (or columns, when it has more of them) in two blocks, handed to {@code fork} (one on a spare
     * core, or both here in the start-up check): each block is its own sgemm over the same k, so every element
     * is the same sum in the same order as in the whole product.
     */
    private static void split(
            boolean transA,
            boolean transB,
            float alpha,
            Matrix a,
            Matrix b,
            float beta,
            Matrix c,
            java.util.function.BiConsumer<Runnable, Runnable> fork) {
        int m = c.rows, n = c.cols, k = transA ? a.rows : a.cols;
        FloatBuffer A = a.data(), B = b.data(), C = c.data();
        int lda = a.cols, ldb = b.cols, ldc = c.cols;
        if (m >= n) {
            int h = half(m);
            // rows [h, m) of op(A): from row h of A, or from its column h when transposed
            int aOff = transA ? h : h * lda;
            fork.accept(
                    () -> sgemm(transA, transB, h, n, k, alpha, A, lda, B, ldb, beta, C, ldc),
                    () -> sgemm(
                            transA,
                            transB,
                            m - h,
                            n,
                            k,
                            alpha,
                            tail(A, aOff, a.size()),
                            lda,
                            B,
                            ldb,
                            beta,
                            tail(C, h * ldc, c.size()),
                            ldc));
        } else {
            int h = half(n);
            // columns [h, n) of op(B): from column h of B, or from its row h when transposed
            int bOff = transB ? h * ldb : h;
            fork.accept(
                    () -> sgemm(transA, transB, m, h, k, alpha, A, lda, B, ldb, beta, C, ldc),
                    () -> sgemm(
                            transA,
                            transB,
                            m,
                            n - h,
                            k,
                            alpha,
                            A,
                            lda,
                            tail(B, bOff, b.size()),
                            ldb,
                            beta,
                            tail(C, h, c.size()),
                            ldc));
        }
    }

    /**
     * {@code C = alpha op(A) B + beta C} as products over consecutive pieces of k, each added to C in turn (the
     * first scales C by {@code beta}): columns of A, or its rows when transposed, and rows of B, read in place through
     * the matrices' pointers (A and B are two matrices: each piece moves both), so that a call allocates nothing.
     */
    private static void inPieces(boolean transA, int piece, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        int m = c.rows, n = c.cols, k = transA ? a.rows : a.cols, lda = a.cols, ldb = b.cols;
        FloatPointer A = a.pointer(), B = b.pointer(), C = c.pointer().position(0);
        for (int f = 0; f < k; f += piece) {
            openblas_nolapack.cblas_sgemm(
                    openblas_nolapack.CblasRowMajor,
                    transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                    openblas_nolapack.CblasNoTrans,
                    m,
                    n,
                    Math.min(piece, k - f),
                    alpha,
                    A.position(transA ? (long) f * lda : f),
                    Math.max(1, lda),
                    B.position((long) f * ldb),
                    Math.max(1, ldb),
                    f == 0 ? beta : 1f,
                    C,
                    Math.max(1, n));
        }
    }

    /**
     * {@link #inPieces} with C's rows (or columns, when it has more of them) in two blocks handed to {@code fork}, as
     * {@link #split} does: each block in the same pieces of k, through its own views.
     */
    private static void inPiecesSplit(
            boolean transA,
            int piece,
            float alpha,
            Matrix a,
            Matrix b,
            float beta,
            Matrix c,
            java.util.function.BiConsumer<Runnable, Runnable> fork) {
        int m = c.rows, n = c.cols, k = transA ? a.rows : a.cols, lda = a.cols, ldb = b.cols;
        FloatBuffer A = a.data(), B = b.data(), C = c.data();
        if (m >= n) {
            int h = half(m), aOff = transA ? h : h * lda; // rows h.. of op(A)
            fork.accept(
                    () -> piecesOf(transA, h, n, k, piece, alpha, A, lda, B, ldb, beta, C, n),
                    () -> piecesOf(
                            transA, m - h, n, k, piece, alpha, from(A, aOff), lda, B, ldb, beta, from(C, h * n), n));
        } else {
            int h = half(n); // columns h.. of B
            fork.accept(
                    () -> piecesOf(transA, m, h, k, piece, alpha, A, lda, B, ldb, beta, C, n),
                    () -> piecesOf(transA, m, n - h, k, piece, alpha, A, lda, from(B, h), ldb, beta, from(C, h), n));
        }
    }

    /** {@code C = alpha op(A) B + beta C} ({@code m x n}) in pieces of k, through views. */
    private static void piecesOf(
            boolean transA,
            int m,
            int n,
            int k,
            int piece,
            float alpha,
            FloatBuffer A,
            int lda,
            FloatBuffer B,
            int ldb,
            float beta,
            FloatBuffer C,
            int ldc) {
        for (int f = 0; f < k; f += piece)
            sgemm(
                    transA,
                    false,
                    m,
                    n,
                    Math.min(piece, k - f),
                    alpha,
                    from(A, transA ? f * lda : f),
                    lda,
                    from(B, f * ldb),
                    ldb,
                    f == 0 ? beta : 1f,
                    C,
                    ldc);
    }

    /** The buffer from element {@code offset} on, to its end. */
    private static FloatBuffer from(FloatBuffer f, int offset) {
        return f.slice(offset, f.capacity() - offset);
    }

    /**
     * {@code C = alpha A^T B + beta C} over rows {@code first .. first + k - 1} of A and B, by pieces of {@code piece}
     * rows of C (columns of A), each its own product over those k. On this thread alone, read in place through the
     * matrices' pointers; with {@code lend}, the first half of the pieces here and the rest through {@link
     * IntraOp#fork}, each half through its own views.
     */
    private static void inRowPieces(
            int piece, float alpha, Matrix a, Matrix b, int first, int k, float beta, Matrix c, boolean lend) {
        int m = c.rows, n = c.cols, pieces = (m + piece - 1) / piece;
        long aFirst = (long) first * m;
        if (!lend || pieces < 2) {
            FloatPointer A = a.pointer(), B = b.pointer().position((long) first * n), C = c.pointer();
            for (int f = 0; f < m; f += piece)
                openblas_nolapack.cblas_sgemm(
                        openblas_nolapack.CblasRowMajor,
                        openblas_nolapack.CblasTrans,
                        openblas_nolapack.CblasNoTrans,
                        Math.min(piece, m - f),
                        n,
                        k,
                        alpha,
                        A.position(aFirst + f),
                        Math.max(1, m),
                        B,
                        Math.max(1, n),
                        beta,
                        C.position((long) f * n),
                        Math.max(1, n));
            return;
        }
        int half = pieces / 2 * piece;
        FloatBuffer A = from(a.data(), (int) aFirst), B = from(b.data(), first * n), C = c.data();
        IntraOp.fork(
                () -> rowsOf(0, half, piece, alpha, A, m, B, n, k, beta, C, c.size()),
                () -> rowsOf(half, m, piece, alpha, A, m, B, n, k, beta, C, c.size()));
    }

    /** Rows {@code from .. to - 1} of {@code C = alpha A^T B + beta C}, {@code piece} at a time, through views. */
    private static void rowsOf(
            int from,
            int to,
            int piece,
            float alpha,
            FloatBuffer A,
            int m,
            FloatBuffer B,
            int n,
            int k,
            float beta,
            FloatBuffer C,
            int cSize) {
        for (int f = from; f < to; f += piece)
            sgemm(
                    true,
                    false,
                    Math.min(piece, to - f),
                    n,
                    k,
                    alpha,
                    tail(A, f, A.capacity()),
                    m,
                    B,
                    n,
                    beta,
                    tail(C, f * n, cSize),
                    n);
    }

    /** Where to split {@code d} rows or columns: halfway, rounded to a multiple of 16 (the kernels' widest tile). */
    static int half(int d) {
        int h = (d / 2 + 8) & -16;
        return h <= 0 || h >= d ? d / 2 : h;
    }

    /** The buffer from element {@code offset} on (a view: the native call reads from its start). */
    private static FloatBuffer tail(FloatBuffer f, int offset, int size) {
        return f.slice(offset, size - offset);
    }

    private static void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            FloatBuffer a,
            int lda,
            FloatBuffer b,
            int ldb,
            float beta,
            FloatBuffer c,
            int ldc) {
        openblas_nolapack.cblas_sgemm(
                openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m,
                n,
                k,
                alpha,
                a,
                Math.max(1, lda),
                b,
                Math.max(1, ldb),
                beta,
                c,
                Math.max(1, ldc));
    }

    /**
     * True when this OpenBLAS computes a block of a product's rows or columns to the same bits as the whole
     * product does, split as {@link #split} splits it, for shapes that split (from just above {@link #HALF_MNK}
     * to a training step's, by rows and by columns; its x86 kernels block only over k). Otherwise products never
     * split: a run's weights must not depend on whether cores were spare.
     */
    static boolean splitsExactly() {
        int[][] shapes = {{128, 500, 784}, {784, 500, 128}, {256, 500, 500}, {128, 224, 600}, {700, 96, 260}};
        java.util.Random g = new java.util.Random(7);
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
                int m = s[0], n = s[1], k = s[2];
                Matrix a = transA ? Matrix.zeros(k, m) : Matrix.zeros(m, k);
                Matrix b = transB ? Matrix.zeros(n, k) : Matrix.zeros(k, n);
                Matrix whole = gaussian(a, b, Matrix.zeros(m, n), g), blocks = whole.copy();
                sgemm(transA, transB, m, n, k, 1.5f, a.data(), a.cols, b.data(), b.cols, 0.5f, whole.data(), n);
                split(transA, transB, 1.5f, a, b, 0.5f, blocks, OpenBlas::oneThenTheOther);
                if (!sameBits(whole, blocks)) return false;
            }
        }
        return true;
    }

    /**
     * True when a product in pieces along k ({@link #kPiece}) split in two blocks of C's rows or columns, each in the
     * same pieces ({@link #inPiecesSplit}), has the bits of the whole in pieces, for shapes in all the forms that take
     * pieces: each element is then the same chain of small-kernel sums wherever its block starts. Otherwise those
     * products never split.
     */
    static boolean piecesSplitExactly() {
        int[][] shapes = {
            {32, 500, 500, 0}, {200, 40, 3000, 0}, {100, 100, 864, 1}, {129, 333, 511, 1}, {40, 200, 900, 1}
        };
        java.util.Random g = new java.util.Random(13);
        for (int[] s : shapes) {
            boolean transA = s[3] == 1;
            int m = s[0], n = s[1], k = s[2], piece = kPiece(false, m, n, k);
            if (piece >= k) return false; // the shapes must take pieces
            Matrix a = transA ? Matrix.zeros(k, m) : Matrix.zeros(m, k), b = Matrix.zeros(k, n);
            Matrix whole = gaussian(a, b, Matrix.zeros(m, n), g), blocks = whole.copy();
            inPieces(transA, piece, 1.5f, a, b, 0.5f, whole);
            inPiecesSplit(transA, piece, 1.5f, a, b, 0.5f, blocks, OpenBlas::oneThenTheOther);
            if (!sameBits(whole, blocks)) return false;
        }
        return true;
    }

    /** Fills {@code a}, {@code b} and {@code c} with standard normal values from {@code g}; returns {@code c}. */
    private static Matrix gaussian(Matrix a, Matrix b, Matrix c, java.util.Random g) {
        for (Matrix x : new Matrix[] {a, b, c}) for (int i = 0; i < x.size(); i++) x.set(i, (float) g.nextGaussian());
        return c;
    }

    /** The start-up checks' fork: both halves on this thread, one after the other. */
    private static void oneThenTheOther(Runnable first, Runnable second) {
        first.run();
        second.run();
    }

    private static boolean sameBits(Matrix x, Matrix y) {
        for (int i = 0; i < x.size(); i++)
            if (Float.floatToRawIntBits(x.get(i)) != Float.floatToRawIntBits(y.get(i))) return false;
        return true;
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

    /**
     * {@inheritDoc}
     *
     * <p>{@code cblas_sasum}, at memory speed, where the constructor saw this core's kernel keep a NaN or
     * an infinity in every position of its vector loop and its tail; in Java otherwise.
     */
    @Override
    public float asum(Matrix x) {
        if (!asumKeepsNonFinite) return JAVA.asum(x);
        return openblas_nolapack.cblas_sasum(x.size(), x.data(), 1);
    }

    /**
     * True when {@code sasum} of 269 small values (four 64-float blocks and a tail) is NaN with a NaN at any
     * one position, and infinite with an infinity of either sign there. A kernel that took the magnitude as
     * {@code max(x, -x)} would drop a NaN, and a divergence check built on the sum would miss it.
     */
    private static boolean asumKeepsNonFinite() {
        int n = 4 * VECTOR_FLOATS + 13;
        Matrix x = Matrix.zeros(1, n);
        for (int i = 0; i < n; i++) x.set(i, 1f + i);
        for (int i = 0; i < n; i++) {
            float kept = x.get(i);
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                x.set(i, bad);
                float sum = openblas_nolapack.cblas_sasum(n, x.data(), 1);
                if (Float.isNaN(bad) ? !Float.isNaN(sum) : sum != Float.POSITIVE_INFINITY) return false;
            }
            x.set(i, kept);
        }
        return true;
    }

    @Override
    public String name() {
        return name;
    }
}

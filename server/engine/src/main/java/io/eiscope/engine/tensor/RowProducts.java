package io.eiscope.engine.tensor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.FloatBuffer;

/**
 * A minibatch times a weight matrix, {@code C = alpha A op(W) + beta C} with {@code A} the batch ({@code m x k},
 * not transposed) and {@code op(W)} the weights as they lie or transposed: the forward ({@code X W^T}) and
 * backward ({@code D W}) products of a training step at the batch sizes {@link #takes} names. OpenBLAS packs
 * the whole weight matrix on every call, which at 32 rows costs about a third of the product (docs/benchmarks.md,
 * "Probe: 32-row products without OpenBLAS"); here the weights are read where they lie, an element at a time
 * broadcast across the batch, which is transposed into lanes.
 * OpenBlas.gemm gives {@code D W} to OpenBLAS in pieces of k first wherever those apply (its {@code kPiece}:
 * 146 against 173 us at 32 x 500 x 500), so here it takes the forward products and the widest backward ones.
 *
 * <p>The bits: every element is {@code t = alpha * s}, with {@code s} the chain of fused multiply-adds {@code
 * s = fma(w, a, s)} over {@code k} from zero in order, then {@code C = t} when {@code beta = 0} (C not read) or
 * {@code C = t + beta * C}; each operation rounded once. One element per lane, so the vector width does not change
 * them, nor does the JDK: JDK 17 and 22+ run the same lanes ({@code RowProductsLanes}), and a JVM without the
 * Vector API the scalar loop here, bit for bit. Where the lanes are narrow ({@link #WIDE_LANES}) these products
 * stay with OpenBLAS, whose bits depend on the CPU already (it picks its kernels per CPU).
 */
final class RowProducts {
    /** {@code RowProductsLanes.products}, or null without the module; volatile: see {@link Lanes}. */
    @SuppressWarnings("NonFinalStaticField") // read-only after class initialisation; see Lanes
    private static volatile MethodHandle lanes = Lanes.find(
            "RowProductsLanes",
            "products",
            MethodType.methodType(
                    void.class,
                    FloatBuffer.class,
                    int.class,
                    int.class,
                    int.class,
                    int.class,
                    float[].class,
                    int.class,
                    float[].class));

    /**
     * The batch is padded with zeros to a multiple of this many rows: the lanes' block (four vectors), or 8 for
     * the scalar loop. Padded rows are computed and dropped, so it changes no bits.
     */
    static final int TILE = tile();

    /**
     * Whether the lanes hold 8 floats, so that a block of four vectors is 32 rows: on AVX-512 machines (the engine's
     * lanes take half the preferred width of doubles: ExpLanes). On AVX2 machines they hold 4, half the width
     * OpenBLAS computes with there, so products stay with it.
     */
    static final boolean WIDE_LANES = wideLanes();

    /**
     * The batch sizes taken here: 28 to 32 rows, which fill at least 7/8 of the lanes' 32-row block. At 32 rows
     * these products ran at 84-99 GFLOP/s where OpenBLAS ran at 69-72; at 16, 24 and 48 rows (padded to 32 or 64)
     * and at 64 (W read twice) OpenBLAS was as fast or faster (RowProductsBench, docs/benchmarks.md).
     */
    static final int MIN_ROWS = 28, MAX_ROWS = 32;

    /**
     * Weight matrices smaller than this, or with a side under {@link #MIN_SIDE}, stay with OpenBLAS: packing them
     * costs little, and the batch's transposes here cost more (100 x 100, 50 x 784, 2048 x 64 were slower).
     */
    static final int MIN_WEIGHTS = 1 << 17, MIN_SIDE = 128;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][]);

    private RowProducts() {}

    /**
     * Whether {@code gemm(transA, transB, ...)} with C {@code m x n} and inner size {@code k} is computed here:
     * op(A) not transposed with {@link #MIN_ROWS}..{@link #MAX_ROWS} rows, and a weight matrix {@code op(B)} of
     * at least {@link #MIN_WEIGHTS} elements and {@link #MIN_SIDE} on each side, where the lanes are wide. A rule
     * of the shapes and the lanes' width, both the same on every JDK of a machine.
     */
    static boolean takes(boolean transA, int m, int n, int k) {
        return WIDE_LANES
                && !transA
                && m >= MIN_ROWS
                && m <= MAX_ROWS
                && n >= MIN_SIDE
                && k >= MIN_SIDE
                && (long) n * k >= MIN_WEIGHTS;
    }

    /** The product above; shapes already checked ({@link Blas#checkGemm}). */
    static void gemm(boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        int m = c.rows, n = c.cols, k = a.cols;
        int mp = (m + TILE - 1) / TILE * TILE;
        float[][] scratch = SCRATCH.get();
        float[] bt = grow(scratch, 0, k * mp), ct = grow(scratch, 1, n * mp);
        FloatBuffer x = a.data();
        for (int i = 0; i < m; i++) for (int kk = 0; kk < k; kk++) bt[kk * mp + i] = x.get(i * k + kk);
        for (int kk = 0; kk < k; kk++) for (int i = m; i < mp; i++) bt[kk * mp + i] = 0f;
        // op(B)^T row j: W's row j when transposed (W is n x k), else W's column j (W is k x n)
        int rowStride = transB ? b.cols : 1, colStride = transB ? 1 : b.cols;
        products(b.data(), rowStride, colStride, n, k, bt, mp, ct);
        FloatBuffer out = c.data();
        for (int i = 0; i < m; i++) {
            int row = i * n;
            if (beta == 0f) {
                for (int j = 0; j < n; j++) out.put(row + j, alpha * ct[j * mp + i]);
            } else {
                for (int j = 0; j < n; j++) out.put(row + j, alpha * ct[j * mp + i] + beta * out.get(row + j));
            }
        }
    }

    /**
     * {@code ct[j * mp + i] = sum_k w(j, k) bt[k * mp + i]} for {@code j < rows}, {@code i < mp}, with
     * {@code w(j, k) = w.get(j * rowStride + k * colStride)}: in lanes when the JVM has the module.
     */
    static void products(FloatBuffer w, int rowStride, int colStride, int rows, int k, float[] bt, int mp, float[] ct) {
        MethodHandle kernel = lanes;
        if (kernel != null) {
            try {
                kernel.invokeExact(w, rowStride, colStride, rows, k, bt, mp, ct);
            } catch (Throwable t) {
                throw Lanes.rethrow(t);
            }
        } else {
            productsScalar(w, rowStride, colStride, rows, k, bt, mp, ct);
        }
    }

    /**
     * {@code RowProductsLanes.products} without the module, same bits: each row of {@code ct} is the accumulators
     * of one row of W. C2 does not vectorise it (2.4-3.7 GFLOP/s measured, about 25 times slower than the lanes).
     */
    static void productsScalar(
            FloatBuffer w, int rowStride, int colStride, int rows, int k, float[] bt, int mp, float[] ct) {
        for (int j = 0; j < rows; j++) {
            int o = j * mp;
            java.util.Arrays.fill(ct, o, o + mp, 0f);
            for (int kk = 0; kk < k; kk++) {
                float v = w.get(j * rowStride + kk * colStride);
                int b = kk * mp;
                for (int i = 0; i < mp; i++) ct[o + i] = Math.fma(v, bt[b + i], ct[o + i]);
            }
        }
    }

    /** True when the products run in lanes. */
    static boolean inLanes() {
        return lanes != null;
    }

    /**
     * Whether the JVM's vectors are 64 bytes ({@code MaxVectorSize}), where the lanes' floats are 8: read from the
     * VM's option rather than from the lanes, so that a JVM without the module takes the same products (in the
     * scalar loop, with the same bits).
     */
    private static boolean wideLanes() {
        try {
            var vm = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            return Integer.parseInt(vm.getVMOption("MaxVectorSize").getValue()) >= 64;
        } catch (RuntimeException e) { // not HotSpot
            return TILE == 32;
        }
    }

    private static int tile() {
        MethodHandle h = Lanes.find("RowProductsLanes", "tile", MethodType.methodType(int.class));
        try {
            return h == null ? 8 : (int) h.invokeExact();
        } catch (Throwable t) {
            throw Lanes.rethrow(t);
        }
    }

    private static float[] grow(float[][] scratch, int which, int size) {
        float[] s = scratch[which];
        if (s == null || s.length < size) scratch[which] = s = new float[size];
        return s;
    }
}

package io.eiscope.engine.tensor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import org.bytedeco.openblas.global.openblas;

/**
 * Spectra of matrices: singular values (LAPACK {@code sgesdd}, values only), thin singular value
 * decompositions ({@code sgesdd}, job 'S') and complex eigenvalues (LAPACK {@code sgeev}, no
 * vectors) through JavaCPP's OpenBLAS. Inputs are never modified: LAPACK works on a copy. When
 * the natives do not load (or {@code -Deiscope.blas.java=true}), each has a pure-Java fallback in
 * double precision (correct, slower): one-sided Jacobi for singular values and vectors
 * ({@link JacobiSvd}), Hessenberg QR for eigenvalues ({@link HessenbergQr}).
 */
public final class Spectra {
    private Spectra() {}

    private static final boolean NATIVE = loadNative();

    /** True when LAPACK is in use; false when the pure-Java fallback is. */
    public static boolean nativeLapack() {
        return NATIVE;
    }

    /**
     * Singular values of {@code a}, in <b>descending</b> order, {@code min(rows, cols)} of them.
     * Cost O(m n min(m, n)): O(n³) for an n×n matrix.
     *
     * @throws ArithmeticException when {@code a} is not finite or LAPACK does not converge
     */
    public static float[] singularValues(Matrix a) {
        return NATIVE ? lapackSingularValues(a) : javaSingularValues(a);
    }

    /** Singular values by LAPACK {@code sgesdd} (job 'N'), descending. */
    static float[] lapackSingularValues(Matrix a) {
        requireFinite(a);
        int m = a.rows, n = a.cols, k = Math.min(m, n);
        if (k == 0) return new float[0];
        float[] copy = a.toArray(), s = new float[k], dummy = new float[1];
        int info = openblas.LAPACKE_sgesdd(openblas.LAPACK_ROW_MAJOR, (byte) 'N', m, n, copy, n, s, dummy, 1, dummy, 1);
        if (info != 0) throw new ArithmeticException("sgesdd failed: info = " + info);
        return s; // LAPACK returns them descending
    }

    /** Singular values by one-sided Jacobi (Hestenes) in double on a copy, descending. */
    static float[] javaSingularValues(Matrix a) {
        requireFinite(a);
        boolean tall = a.rows >= a.cols; // orthogonalise the columns of the tall orientation
        int m = tall ? a.rows : a.cols, n = tall ? a.cols : a.rows;
        double[][] col = new double[n][m];
        for (int r = 0; r < a.rows; r++) {
            for (int c = 0; c < a.cols; c++) {
                if (tall) col[c][r] = a.get(r, c);
                else col[r][c] = a.get(r, c);
            }
        }
        for (int sweep = 0; sweep < 60; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = 0, beta = 0, gamma = 0;
                    double[] x = col[p], y = col[q];
                    for (int i = 0; i < m; i++) {
                        alpha += x[i] * x[i];
                        beta += y[i] * y[i];
                        gamma += x[i] * y[i];
                    }
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double cs = 1 / Math.sqrt(1 + t * t), sn = cs * t;
                    for (int i = 0; i < m; i++) {
                        double xi = x[i], yi = y[i];
                        x[i] = cs * xi - sn * yi;
                        y[i] = sn * xi + cs * yi;
                    }
                }
            }
            if (!rotated) break;
        }
        double[] s = new double[n];
        for (int j = 0; j < n; j++) {
            double ss = 0;
            for (double v : col[j]) ss += v * v;
            s[j] = Math.sqrt(ss);
        }
        Arrays.sort(s);
        float[] out = new float[n];
        for (int j = 0; j < n; j++) out[j] = (float) s[n - 1 - j];
        return out;
    }

    /**
     * Complex eigenvalues of the square matrix {@code a} by LAPACK (no vectors), as {@code [re0, im0, re1, im1,
     * ...]} (n pairs, LAPACK's order: conjugate pairs adjacent, positive imaginary part first). On JDK 22 and later,
     * from order {@value #WINDOWED_FROM}: {@code sgeev}'s stages called one by one ({@link #windowedEigenvalues(Matrix)}),
     * with a narrower deflation window than {@code sgeev} can be given, 1.5 to 4 times faster (docs/benchmarks.md,
     * "Eigenvalues with a narrow deflation window"); otherwise {@code sgeev} itself. The two differ in the last
     * bits: a result training depends on takes {@link #eigenvaluesOnEveryJvm}. Cost O(n³). Without native LAPACK:
     * {@link HessenbergQr} in double, conjugate pairs adjacent, in no particular order.
     *
     * @throws IllegalArgumentException when {@code a} is not square
     * @throws ArithmeticException      when {@code a} is not finite or the iteration does not converge
     */
    public static float[] eigenvalues(Matrix a) {
        requireSquareAndFinite(a);
        if (!NATIVE) return javaEigenvalues(a);
        if (WINDOWED != null && a.rows >= WINDOWED_FROM) {
            float[] e = windowedEigenvalues(a);
            if (e != null) return e;
        }
        return lapackEigenvalues(a);
    }

    /**
     * The eigenvalues of {@link #eigenvalues}, the same bits on every JVM (JDK 17 included): LAPACK {@code
     * sgeev}, or {@link HessenbergQr} without native LAPACK. What a seeded initialisation takes, so that a run
     * starts from the same weights on any server.
     *
     * @throws IllegalArgumentException when {@code a} is not square
     * @throws ArithmeticException      when {@code a} is not finite or the iteration does not converge
     */
    public static float[] eigenvaluesOnEveryJvm(Matrix a) {
        requireSquareAndFinite(a);
        return NATIVE ? lapackEigenvalues(a) : javaEigenvalues(a);
    }

    private static void requireSquareAndFinite(Matrix a) {
        if (a.rows != a.cols)
            throw new IllegalArgumentException("eigenvalues need a square matrix, got " + a.rows + "x" + a.cols);
        requireFinite(a);
    }

    /**
     * Eigenvalues by the pure-Java Hessenberg QR in double precision, whether or not LAPACK loads:
     * an independent reference to check {@link #eigenvalues} against.
     */
    public static float[] javaEigenvalues(Matrix a) {
        requireFinite(a);
        return HessenbergQr.eigenvalues(a);
    }

    /** The order from which {@link #eigenvalues} narrows the deflation window (below it the gain is a few per cent). */
    static final int WINDOWED_FROM = 128;

    /**
     * The deflation window for order n: n / 32, within [16, 48]. LAPACK's own ({@code iparmq}) is 54 at n = 500
     * and 96 at n = 1000; the narrow one measured fastest from 200 to 2000 on Gaussian, Dale's-law and
     * permutation matrices (docs/benchmarks.md, "Eigenvalues with a narrow deflation window").
     */
    static int deflationWindow(int n) {
        return WINDOW_SET > 0 ? WINDOW_SET : Math.max(16, Math.min(48, n / 32));
    }

    /**
     * {@code -Deiscope.eigenvalues.window=W} (at least 2) sets the window for every order, to measure others
     * ({@code SpectraBench}); 0 when unset, and when invalid (with a warning that says so).
     */
    private static final int WINDOW_SET = windowSet(System.getProperty("eiscope.eigenvalues.window"));

    static int windowSet(String property) {
        if (property == null) return 0;
        try {
            int w = Integer.parseInt(property.strip());
            if (w >= 2) return w;
        } catch (NumberFormatException e) {
            // warned below
        }
        org.slf4j.LoggerFactory.getLogger(Spectra.class)
                .warn("-Deiscope.eigenvalues.window={} ignored: it takes an integer of at least 2", property);
        return 0;
    }

    /** {@code sgeev} rescales a matrix whose largest element is outside about [1e-12, 1e12]: such a one takes it. */
    private static final double SGEEV_UNSCALED_BELOW = 1e11, SGEEV_UNSCALED_ABOVE = 1e-11;

    /** WindowedQr.eigenvalues(float[] columnMajor, int n, int window), or null on JDK 17 or without it in the build. */
    private static final MethodHandle WINDOWED = NATIVE ? findWindowed() : null;

    /** True when {@link #eigenvalues} narrows the window from order {@value #WINDOWED_FROM} (JDK 22 and later). */
    public static boolean narrowsDeflationWindow() {
        return WINDOWED != null;
    }

    /**
     * {@code a}'s eigenvalues with a deflation window of {@link #deflationWindow}: its row-major elements read as
     * column-major, that is of {@code a}'s transpose, which has the same eigenvalues (and spares a transpose).
     * Null when the QR did not converge, when {@code a}'s scale is one that {@code sgeev} rescales, or before JDK 22.
     */
    static float[] windowedEigenvalues(Matrix a) {
        if (WINDOWED == null) return null;
        float[] elements = a.toArray();
        float largest = 0;
        for (float v : elements) largest = Math.max(largest, Math.abs(v));
        if (!(largest > SGEEV_UNSCALED_ABOVE && largest < SGEEV_UNSCALED_BELOW)) return null;
        try {
            return (float[]) WINDOWED.invokeExact(elements, a.rows, deflationWindow(a.rows));
        } catch (Throwable t) {
            throw Lanes.rethrow(t);
        }
    }

    private static MethodHandle findWindowed() {
        if (Runtime.version().feature() < 22 || Spectra.class.getResource("WindowedQr.class") == null) return null;
        try {
            MethodHandle h = MethodHandles.lookup()
                    .findStatic(
                            Class.forName("io.eiscope.engine.tensor.WindowedQr"),
                            "eigenvalues",
                            MethodType.methodType(float[].class, float[].class, int.class, int.class));
            float[] e = (float[]) h.invokeExact(new float[] {0f, 1f, -1f, 0f}, 2, 16); // [[0, -1], [1, 0]]: +-i
            if (e == null || Math.abs(e[0]) > 1e-6f || Math.abs(Math.abs(e[1]) - 1f) > 1e-6f)
                throw new IllegalStateException(
                        "slaqr0 self-test: the eigenvalues of a quarter turn are " + Arrays.toString(e));
            return h;
        } catch (Throwable t) {
            org.slf4j.LoggerFactory.getLogger(Spectra.class)
                    .warn("eigenvalues through sgeev alone (no narrow deflation window): {}", t.toString());
            return null;
        }
    }

    /**
     * Eigenvalues by LAPACK {@code sgeev} (balanced, no vectors), with its workspace queried once per
     * order and kept per thread: what {@code LAPACKE_sgeev} does on a row-major matrix (transpose to
     * column-major, query, allocate, call) without the query and the allocation on every call, and
     * so with the same bits.
     */
    static float[] lapackEigenvalues(Matrix a) {
        int n = a.rows;
        if (n == 0) return new float[0];
        float[] rowMajor = a.toArray(), colMajor = new float[n * n], wr = new float[n], wi = new float[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) colMajor[j * n + i] = rowMajor[i * n + j];
        float[] work = eigenWorkspace(n, colMajor, wr, wi);
        float[] dummy = new float[1];
        int info = openblas.LAPACKE_sgeev_work(
                openblas.LAPACK_COL_MAJOR,
                (byte) 'N',
                (byte) 'N',
                n,
                colMajor,
                n,
                wr,
                wi,
                dummy,
                1,
                dummy,
                1,
                work,
                work.length);
        if (info != 0) throw new ArithmeticException("sgeev failed: info = " + info);
        float[] out = new float[2 * n];
        for (int i = 0; i < n; i++) {
            out[2 * i] = wr[i];
            out[2 * i + 1] = wi[i];
        }
        return out;
    }

    /** This thread's {@code sgeev} workspace for order n: the last one, or a new one sized by LAPACK's query. */
    private static float[] eigenWorkspace(int n, float[] a, float[] wr, float[] wi) {
        EigenWorkspace w = EIGEN_WORKSPACE.get();
        if (w != null && w.n() == n) return w.work();
        float[] query = new float[1], dummy = new float[1];
        int info = openblas.LAPACKE_sgeev_work(
                openblas.LAPACK_COL_MAJOR, (byte) 'N', (byte) 'N', n, a, n, wr, wi, dummy, 1, dummy, 1, query, -1);
        if (info != 0) throw new ArithmeticException("sgeev workspace query failed: info = " + info);
        w = new EigenWorkspace(n, new float[Math.max(1, (int) query[0])]);
        EIGEN_WORKSPACE.set(w);
        return w.work();
    }

    private record EigenWorkspace(int n, float[] work) {}

    private static final ThreadLocal<EigenWorkspace> EIGEN_WORKSPACE = new ThreadLocal<>();

    /**
     * A thin singular value decomposition {@code A = u diag(s) vt} of an {@code m x n} matrix,
     * {@code k = min(m, n)}: {@code u} is {@code m x k} with orthonormal columns, {@code s} the
     * {@code k} singular values in <b>descending</b> order, {@code vt} is {@code k x n} with
     * orthonormal rows. Each singular pair is defined up to a common sign.
     */
    public record Svd(Matrix u, float[] s, Matrix vt) {}

    /**
     * The thin SVD of {@code a} (unchanged): LAPACK {@code sgesdd} (job 'S'), or {@link JacobiSvd} in
     * double without natives. Cost O(m n min(m, n)).
     *
     * @throws ArithmeticException when {@code a} is not finite or LAPACK does not converge
     */
    public static Svd svd(Matrix a) {
        return NATIVE ? lapackSvd(a) : javaSvd(a);
    }

    /** Thin SVD by LAPACK {@code sgesdd} (job 'S'). */
    static Svd lapackSvd(Matrix a) {
        requireFinite(a);
        int m = a.rows, n = a.cols, k = Math.min(m, n);
        if (k == 0) return new Svd(Matrix.zeros(m, 0), new float[0], Matrix.zeros(0, n));
        float[] copy = a.toArray(), s = new float[k], u = new float[m * k], vt = new float[k * n];
        int info = openblas.LAPACKE_sgesdd(openblas.LAPACK_ROW_MAJOR, (byte) 'S', m, n, copy, n, s, u, k, vt, n);
        if (info != 0) throw new ArithmeticException("sgesdd failed: info = " + info);
        return new Svd(Matrix.of(m, k, u), s, Matrix.of(k, n, vt));
    }

    /**
     * Thin SVD by one-sided Jacobi in double, whether or not LAPACK loads: an independent reference
     * to check {@link #svd} against.
     */
    public static Svd javaSvd(Matrix a) {
        requireFinite(a);
        return JacobiSvd.decompose(a);
    }

    /**
     * The spectral radius (largest eigenvalue modulus) of the square matrix {@code a} alone, without
     * its whole spectrum: {@link ArnoldiRadius}'s Arnoldi iteration, O(n^2) a step, accepted when its
     * residual shows the value is an eigenvalue of a matrix within {@code 1e-6 rho + 1e-7 ||A||_F} of
     * {@code a}; {@code sgeev}'s answer below order {@value ArnoldiRadius#DIRECT_BELOW} or when the
     * iteration does not converge.
     *
     * @throws IllegalArgumentException when {@code a} is not square
     * @throws ArithmeticException      when {@code a} is not finite
     */
    public static double spectralRadius(Matrix a) {
        if (a.rows != a.cols)
            throw new IllegalArgumentException(
                    "the spectral radius needs a square matrix, got " + a.rows + "x" + a.cols);
        requireFinite(a);
        return ArnoldiRadius.compute(a, Blas.best(), NATIVE).radius();
    }

    /** Largest modulus of {@code eigenvalues} as returned by {@link #eigenvalues}. */
    public static double spectralRadius(float[] eigenvalues) {
        double r = 0;
        for (int i = 0; i + 1 < eigenvalues.length; i += 2)
            r = Math.max(r, Math.hypot(eigenvalues[i], eigenvalues[i + 1]));
        return r;
    }

    private static void requireFinite(Matrix a) {
        if (!a.allFinite()) throw new ArithmeticException("spectrum of a non-finite matrix");
    }

    private static boolean loadNative() {
        if (Boolean.getBoolean("eiscope.blas.java")) return false;
        try {
            float[] s = lapackSingularValues(Matrix.of(1, 2, new float[] {3f, 4f}));
            if (Math.abs(s[0] - 5f) > 1e-5f) throw new IllegalStateException("sgesdd self-test: |(3,4)| = " + s[0]);
            return true;
        } catch (Throwable t) {
            org.slf4j.LoggerFactory.getLogger(Spectra.class)
                    .warn("native LAPACK unavailable, singular values in pure Java: {}", t.toString());
            return false;
        }
    }
}

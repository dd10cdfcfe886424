package io.eiscope.engine.tensor;

import io.eiscope.engine.random.Rng;
import org.bytedeco.openblas.global.openblas;

/**
 * The spectral radius of a square matrix without its whole spectrum: Arnoldi iteration from a fixed
 * pseudo-random start vector (modified Gram–Schmidt, repeated when it cancels most of the new vector), whose Ritz values of largest modulus
 * converge first (Saad, <i>Numerical Methods for Large Eigenvalue Problems</i>, 2nd ed., §6.2). Each
 * step costs one matrix–vector product (O(n²)) against O(n³) for the whole spectrum ({@link Spectra#eigenvalues}).
 *
 * <p>At checkpoints (m = 20, then about 1.5 times more each time) the eigenvalues of the m × m
 * Hessenberg matrix are computed (LAPACK {@code dhseqr}, or {@link HessenbergQr} without natives) and
 * the largest-modulus one, θ, is accepted when its Ritz vector x (unit norm) has residual
 * {@code ||A x - θ x|| <= 1e-6 |θ| + 1e-7 ||A||_F}, computed from the products themselves: θ is then an
 * exact eigenvalue of a matrix within that distance of A. The residual is first estimated from the
 * Hessenberg matrix alone ({@code h(m+1,m) |y_m|}) and checked with two more products only when the
 * estimate passes. As with every Krylov method (ARPACK's too), an eigenvalue of larger modulus whose
 * eigenvector the start vector misses could go unseen; a random start vector misses none in practice.
 * When the iteration has not converged after about n/3 steps (at most {@value #MAX_STEPS}), or
 * is hopeless after {@value #HOPELESS_AFTER} ({@link #HOPELESS_FACTOR}), when
 * its float products overflow, or when the matrix is below
 * {@link #DIRECT_BELOW}, the answer is {@code sgeev}'s (the whole spectrum's largest modulus).
 *
 * <p>Deterministic: the same matrix gives the same steps and the same value.
 */
final class ArnoldiRadius {
    private ArnoldiRadius() {}

    /** Below this order the whole spectrum ({@code sgeev}) is as cheap as the iteration's set-up. */
    static final int DIRECT_BELOW = 200;

    static final double RELATIVE = 1e-6, BACKWARD = 1e-7;
    private static final int FIRST_CHECK = 20;
    /**
     * After this many steps, a residual estimate still this many times the tolerance gives up for
     * {@code sgeev}: many eigenvalues share the largest modulus (a permutation, an orthogonal matrix:
     * 2e4-4e4 times at 100 steps, falling about 1.4 times a checkpoint), where the rest of the n/3 steps
     * would be wasted. The Gaussian and Dale's-law matrices measured were at most 2.3e3 times at 100
     * steps, and converged by 225.
     */
    static final int HOPELESS_AFTER = 100;

    static final double HOPELESS_FACTOR = 1e4;

    /** At most this many steps (and basis vectors kept: 600 x n doubles), whatever the order. */
    static final int MAX_STEPS = 600;

    private static final long SEED = 0x5EEDA4D1L;

    /** The radius, the Arnoldi steps taken, and whether the iteration gave it (false: {@code sgeev} did). */
    record Result(double radius, int steps, boolean converged) {}

    static Result compute(Matrix a, Blas blas, boolean nativeLapack) {
        int n = a.rows;
        if (n < DIRECT_BELOW) return wholeSpectrum(a, 0);
        int mMax = Math.min(MAX_STEPS, Math.max(64, n / 3));
        double normA = frobenius(a);
        double[][] v = new double[mMax + 1][];
        double[][] h = new double[mMax + 1][mMax];
        Products products = new Products(a, blas);
        double[] w = new double[n];
        Rng rng = new Rng(SEED);
        v[0] = new double[n];
        for (int i = 0; i < n; i++) v[0][i] = rng.nextGaussian();
        scale(v[0], 1 / norm(v[0]));
        int nextCheck = FIRST_CHECK, steps = 0;
        for (int j = 0; j < mMax; j++) {
            steps = j + 1;
            products.apply(v[j], w);
            double before = norm(w);
            orthogonalise(v, j, w, h);
            double beta = norm(w);
            if (beta <= 0.7071 * before) { // most of w cancelled: once more (Daniel, Gragg, Kaufman and Stewart)
                orthogonalise(v, j, w, h);
                beta = norm(w);
            }
            if (!Double.isFinite(beta)) break; // the float products overflowed: sgeev balances, the iteration cannot
            int m = steps;
            h[m][j] = beta;
            boolean invariant = beta <= 1e-13 * Math.max(normA, Double.MIN_NORMAL);
            if (!invariant) {
                v[m] = new double[n];
                for (int i = 0; i < n; i++) v[m][i] = w[i] / beta;
            }
            if (invariant || m == nextCheck || m == mMax) {
                nextCheck = Math.max(nextCheck + 10, nextCheck * 3 / 2);
                Ritz r;
                try {
                    r = Ritz.largest(h, m, nativeLapack);
                } catch (ArithmeticException e) { // the small QR did not converge: sgeev's answer below
                    break;
                }
                if (invariant)
                    return new Result(r.modulus(), m, true); // an invariant subspace: H's eigenvalues are A's
                double tolerance = RELATIVE * r.modulus() + BACKWARD * normA, estimate = r.estimatedResidual(h, m);
                if (estimate <= tolerance && products.residual(r, v, m) <= tolerance)
                    return new Result(r.modulus(), m, true);
                if (m >= HOPELESS_AFTER && estimate > HOPELESS_FACTOR * tolerance) break; // sgeev's answer below
            }
        }
        return wholeSpectrum(a, steps);
    }

    /** {@code sgeev}'s answer, after {@code steps} steps of the iteration. */
    private static Result wholeSpectrum(Matrix a, int steps) {
        return new Result(Spectra.spectralRadius(Spectra.eigenvalues(a)), steps, false);
    }

    /** {@code y = A x} in float through BLAS ({@code x A^T} as a row), read and written as doubles. */
    private static final class Products {
        final Matrix a, row, out;
        final Blas blas;

        Products(Matrix a, Blas blas) {
            this.a = a;
            this.blas = blas;
            this.row = Matrix.zeros(1, a.cols);
            this.out = Matrix.zeros(1, a.rows);
        }

        void apply(double[] x, double[] y) {
            for (int i = 0; i < x.length; i++) row.set(i, (float) x[i]);
            blas.gemm(false, true, 1f, row, a, 0f, out);
            for (int i = 0; i < y.length; i++) y[i] = out.get(i);
        }

        /** {@code ||A x - θ x|| / ||x||} for the Ritz vector {@code x = V_m y} of {@code r}, by two products. */
        double residual(Ritz r, double[][] v, int m) {
            int n = a.rows;
            double[] xr = new double[n], xi = new double[n], ar = new double[n], ai = new double[n];
            for (int k = 0; k < m; k++) {
                axpy(r.yr[k], v[k], xr);
                axpy(r.yi[k], v[k], xi);
            }
            apply(xr, ar);
            apply(xi, ai);
            double res = 0, nx = 0;
            for (int i = 0; i < n; i++) {
                double dr = ar[i] - (r.re * xr[i] - r.im * xi[i]);
                double di = ai[i] - (r.re * xi[i] + r.im * xr[i]);
                res += dr * dr + di * di;
                nx += xr[i] * xr[i] + xi[i] * xi[i];
            }
            return Math.sqrt(res / nx);
        }
    }

    /**
     * The largest-modulus eigenvalue θ of the leading m × m Hessenberg block, and the eigenvector y of
     * that block for θ, by back-substitution from {@code y_m = 1} (the block is unreduced: every
     * subdiagonal entry is a norm above the breakdown threshold), rescaled so no entry overflows.
     */
    private record Ritz(double re, double im, double[] yr, double[] yi) {
        double modulus() {
            return Math.hypot(re, im);
        }

        static Ritz largest(double[][] h, int m, boolean nativeLapack) {
            double[] wr = new double[m], wi = new double[m];
            hessenbergEigenvalues(h, m, wr, wi, nativeLapack);
            int best = 0;
            for (int i = 1; i < m; i++) if (Math.hypot(wr[i], wi[i]) > Math.hypot(wr[best], wi[best])) best = i;
            double re = wr[best], im = wi[best];
            double[] yr = new double[m], yi = new double[m];
            yr[m - 1] = 1;
            for (int i = m - 1; i >= 1; i--) { // row i of (H - θ I) y = 0 gives y[i-1]
                double sr = 0, si = 0;
                for (int k = i; k < m; k++) {
                    double hr = h[i][k] - (k == i ? re : 0), hi = k == i ? -im : 0;
                    sr += hr * yr[k] - hi * yi[k];
                    si += hr * yi[k] + hi * yr[k];
                }
                yr[i - 1] = -sr / h[i][i - 1];
                yi[i - 1] = -si / h[i][i - 1];
                double big = Math.max(Math.abs(yr[i - 1]), Math.abs(yi[i - 1]));
                if (big > 1e150) {
                    for (int k = i - 1; k < m; k++) {
                        yr[k] *= 1e-150;
                        yi[k] *= 1e-150;
                    }
                }
            }
            double ny = 0;
            for (int k = 0; k < m; k++) ny += yr[k] * yr[k] + yi[k] * yi[k];
            ny = Math.sqrt(ny);
            for (int k = 0; k < m; k++) {
                yr[k] /= ny;
                yi[k] /= ny;
            }
            return new Ritz(re, im, yr, yi);
        }

        /** {@code h(m+1, m) |y_m|} with {@code ||y|| = 1}: the Ritz vector's residual, from H alone. */
        double estimatedResidual(double[][] h, int m) {
            return h[m][m - 1] * Math.hypot(yr[m - 1], yi[m - 1]);
        }
    }

    /** Eigenvalues of the leading m × m block of the upper Hessenberg {@code h} (not modified). */
    static void hessenbergEigenvalues(double[][] h, int m, double[] wr, double[] wi, boolean nativeLapack) {
        if (nativeLapack) {
            double[] copy = new double[m * m], z = new double[1];
            // column-major: LAPACKE's row-major path asks for an m x m z even when no vectors are wanted
            for (int i = 0; i < m; i++) for (int j = Math.max(0, i - 1); j < m; j++) copy[j * m + i] = h[i][j];
            int info = openblas.LAPACKE_dhseqr(
                    openblas.LAPACK_COL_MAJOR, (byte) 'E', (byte) 'N', m, 1, m, copy, m, wr, wi, z, 1);
            if (info != 0) throw new ArithmeticException("dhseqr failed: info = " + info);
            return;
        }
        double[][] one = new double[m + 1][m + 1];
        for (int i = 0; i < m; i++) for (int j = Math.max(0, i - 1); j < m; j++) one[i + 1][j + 1] = h[i][j];
        double[] r = new double[m + 1], im = new double[m + 1];
        HessenbergQr.hessenbergQr(one, m, r, im);
        System.arraycopy(r, 1, wr, 0, m);
        System.arraycopy(im, 1, wi, 0, m);
    }

    /** {@code w -= v_i (v_i . w)} for {@code i <= j}, one vector at a time, adding the coefficients to column j of h. */
    private static void orthogonalise(double[][] v, int j, double[] w, double[][] h) {
        for (int i = 0; i <= j; i++) {
            double c = dot(v[i], w);
            h[i][j] += c;
            axpy(-c, v[i], w);
        }
    }

    private static double frobenius(Matrix a) {
        double s = 0;
        for (int i = 0, n = a.size(); i < n; i++) s += (double) a.get(i) * a.get(i);
        return Math.sqrt(s);
    }

    /** Four partial sums: the loop is bound by the adds' latency otherwise (C2 does not reorder them). */
    private static double dot(double[] x, double[] y) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0, n = x.length;
        for (; i + 3 < n; i += 4) {
            s0 += x[i] * y[i];
            s1 += x[i + 1] * y[i + 1];
            s2 += x[i + 2] * y[i + 2];
            s3 += x[i + 3] * y[i + 3];
        }
        for (; i < n; i++) s0 += x[i] * y[i];
        return (s0 + s1) + (s2 + s3);
    }

    private static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    private static void axpy(double c, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) y[i] += c * x[i];
    }

    private static void scale(double[] x, double c) {
        for (int i = 0; i < x.length; i++) x[i] *= c;
    }
}

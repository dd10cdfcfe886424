package io.eiscope.engine.tensor;

/**
 * The pure-Java thin singular value decomposition behind {@link Spectra#svd} when native LAPACK
 * is unavailable: one-sided Jacobi (Hestenes) rotations in double precision on the columns of
 * the tall orientation of {@code A}, accumulating the right singular vectors. Slower than
 * {@code sgesdd} (O(sweeps m n²)) but accurate to double round-off; also the independent
 * reference the tests compare LAPACK against.
 */
final class JacobiSvd {
    private JacobiSvd() {}

    private static final int MAX_SWEEPS = 60;

    /**
     * {@code A = U diag(s) Vt} for {@code a} ({@code m x n}, unchanged), {@code k = min(m, n)}:
     * {@code U} {@code m x k} and {@code Vt} {@code k x n} with orthonormal columns / rows,
     * {@code s} descending. Columns of {@code U} for zero singular values are completed to an
     * orthonormal set.
     */
    static Spectra.Svd decompose(Matrix a) {
        boolean tall = a.rows >= a.cols; // B = A or A^T, with p >= q
        int p = tall ? a.rows : a.cols, q = tall ? a.cols : a.rows;
        double[][] col = new double[q][p], v = new double[q][q];
        for (int r = 0; r < a.rows; r++) {
            for (int c = 0; c < a.cols; c++) {
                if (tall) col[c][r] = a.get(r, c);
                else col[r][c] = a.get(r, c);
            }
        }
        for (int j = 0; j < q; j++) v[j][j] = 1;
        orthogonalise(col, v);
        double[] s = new double[q];
        for (int j = 0; j < q; j++) s[j] = norm(col[j]);
        Integer[] order = new Integer[q];
        for (int j = 0; j < q; j++) order[j] = j;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(s[y], s[x]));
        double largest = q == 0 ? 0 : s[order[0]];
        double[][] left = new double[q][], right = new double[q][];
        float[] values = new float[q];
        for (int i = 0; i < q; i++) {
            int j = order[i];
            values[i] = (float) s[j];
            right[i] = v[j];
            if (s[j] > 1e-300 && s[j] > 1e-14 * largest) {
                left[i] = scaled(col[j], 1 / s[j]);
            }
        }
        complete(left, p);
        // B = Ub S Vb^T; A = B (tall) or B^T = Vb S Ub^T (wide)
        Matrix u = Matrix.zeros(a.rows, q), vt = Matrix.zeros(q, a.cols);
        double[][] uCols = tall ? left : right, vRows = tall ? right : left;
        for (int i = 0; i < q; i++) {
            for (int r = 0; r < a.rows; r++) u.set(r, i, (float) uCols[i][r]);
            for (int c = 0; c < a.cols; c++) vt.set(i, c, (float) vRows[i][c]);
        }
        return new Spectra.Svd(u, values, vt);
    }

    /** Rotates pairs of columns of {@code col} until all are orthogonal, applying each rotation to {@code v} too. */
    private static void orthogonalise(double[][] col, double[][] v) {
        int q = col.length;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int i = 0; i < q - 1; i++) {
                for (int j = i + 1; j < q; j++) {
                    double alpha = dot(col[i], col[i]), beta = dot(col[j], col[j]), gamma = dot(col[i], col[j]);
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double cs = 1 / Math.sqrt(1 + t * t), sn = cs * t;
                    rotate(col[i], col[j], cs, sn);
                    rotate(v[i], v[j], cs, sn);
                }
            }
            if (!rotated) return;
        }
    }

    private static void rotate(double[] x, double[] y, double cs, double sn) {
        for (int k = 0; k < x.length; k++) {
            double xk = x[k], yk = y[k];
            x[k] = cs * xk - sn * yk;
            y[k] = sn * xk + cs * yk;
        }
    }

    /** Fills the null entries of {@code vectors} with unit vectors orthogonal to all the others. */
    private static void complete(double[][] vectors, int dim) {
        int candidate = 0;
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i] != null) continue;
            while (true) {
                double[] e = new double[dim];
                e[candidate++ % dim] = 1;
                for (int pass = 0; pass < 2; pass++) { // Gram-Schmidt, twice for round-off
                    for (double[] w : vectors) {
                        if (w == null || w == e) continue;
                        double d = dot(w, e);
                        for (int k = 0; k < dim; k++) e[k] -= d * w[k];
                    }
                }
                double n = norm(e);
                if (n > 1e-6) {
                    vectors[i] = scaled(e, 1 / n);
                    break;
                }
            }
        }
    }

    private static double dot(double[] x, double[] y) {
        double s = 0;
        for (int k = 0; k < x.length; k++) s += x[k] * y[k];
        return s;
    }

    private static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    private static double[] scaled(double[] x, double c) {
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) out[k] = x[k] * c;
        return out;
    }
}

package io.eiscope.engine.tensor;

/**
 * The pure-Java eigenvalues behind {@link Spectra#eigenvalues} when native LAPACK is unavailable,
 * in double precision: reduction to upper Hessenberg form by stabilised elementary similarity
 * transforms, then Francis double-shift QR iterations with deflation (the EISPACK {@code elmhes}
 * / {@code hqr} pair, as in Press et al., Numerical Recipes, §11.5–11.6). No eigenvectors. Cost
 * O(n³). Also the independent reference the tests compare LAPACK's {@code sgeev} against.
 */
final class HessenbergQr {
    private HessenbergQr() {}

    private static final int MAX_ITERATIONS_PER_EIGENVALUE = 60;

    /**
     * Eigenvalues of the square matrix {@code a} (unchanged) as {@code [re0, im0, re1, im1, ...]},
     * conjugate pairs adjacent, in no particular order.
     *
     * @throws ArithmeticException when the QR iteration does not converge
     */
    static float[] eigenvalues(Matrix a) {
        int n = a.rows;
        double[][] h = new double[n + 1][n + 1]; // 1-based, as the classic formulation
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) h[i + 1][j + 1] = a.get(i, j);
        toHessenberg(h, n);
        double[] wr = new double[n + 1], wi = new double[n + 1];
        hessenbergQr(h, n, wr, wi);
        float[] out = new float[2 * n];
        for (int i = 0; i < n; i++) {
            out[2 * i] = (float) wr[i + 1];
            out[2 * i + 1] = (float) wi[i + 1];
        }
        return out;
    }

    /** Reduces {@code h} (1-based, n x n) to upper Hessenberg form in place by Gaussian elimination with pivoting; zeroes the rest. */
    private static void toHessenberg(double[][] h, int n) {
        for (int m = 2; m < n; m++) {
            double x = 0;
            int pivot = m;
            for (int j = m; j <= n; j++) {
                if (Math.abs(h[j][m - 1]) > Math.abs(x)) {
                    x = h[j][m - 1];
                    pivot = j;
                }
            }
            if (pivot != m) {
                for (int j = m - 1; j <= n; j++) swap(h[pivot], h[m], j);
                for (int j = 1; j <= n; j++) {
                    double t = h[j][pivot];
                    h[j][pivot] = h[j][m];
                    h[j][m] = t;
                }
            }
            if (x == 0) continue;
            for (int i = m + 1; i <= n; i++) {
                double y = h[i][m - 1];
                if (y == 0) continue;
                y /= x;
                h[i][m - 1] = 0; // the multiplier is not needed: no vectors
                for (int j = m; j <= n; j++) h[i][j] -= y * h[m][j];
                for (int j = 1; j <= n; j++) h[j][m] += y * h[j][i];
            }
        }
    }

    private static void swap(double[] a, double[] b, int j) {
        double t = a[j];
        a[j] = b[j];
        b[j] = t;
    }

    /**
     * Eigenvalues of the upper Hessenberg {@code h} (1-based, destroyed) into {@code wr, wi}. One
     * long method, kept in the classic formulation's shape (a numerical kernel) so it can be read
     * against the reference line by line.
     */
    static void hessenbergQr(double[][] a, int n, double[] wr, double[] wi) {
        double anorm = 0;
        for (int i = 1; i <= n; i++) for (int j = Math.max(i - 1, 1); j <= n; j++) anorm += Math.abs(a[i][j]);
        int nn = n, l;
        double t = 0, p = 0, q = 0, r = 0, s, x, y, z, w;
        while (nn >= 1) {
            int its = 0;
            do {
                for (l = nn; l >= 2; l--) { // look for a negligible sub-diagonal element
                    s = Math.abs(a[l - 1][l - 1]) + Math.abs(a[l][l]);
                    if (s == 0) s = anorm;
                    if (Math.abs(a[l][l - 1]) + s == s) {
                        a[l][l - 1] = 0;
                        break;
                    }
                }
                x = a[nn][nn];
                if (l == nn) { // one root found
                    wr[nn] = x + t;
                    wi[nn--] = 0;
                } else {
                    y = a[nn - 1][nn - 1];
                    w = a[nn][nn - 1] * a[nn - 1][nn];
                    if (l == nn - 1) { // two roots found
                        p = 0.5 * (y - x);
                        q = p * p + w;
                        z = Math.sqrt(Math.abs(q));
                        x += t;
                        if (q >= 0) {
                            z = p + Math.copySign(z, p);
                            wr[nn - 1] = wr[nn] = x + z;
                            if (z != 0) wr[nn] = x - w / z;
                            wi[nn - 1] = wi[nn] = 0;
                        } else {
                            wr[nn - 1] = wr[nn] = x + p;
                            wi[nn - 1] = z;
                            wi[nn] = -z;
                        }
                        nn -= 2;
                    } else { // no roots yet: a double-shift QR step
                        if (its == MAX_ITERATIONS_PER_EIGENVALUE)
                            throw new ArithmeticException("Hessenberg QR did not converge");
                        if (its == 10 || its == 20) { // exceptional shift
                            t += x;
                            for (int i = 1; i <= nn; i++) a[i][i] -= x;
                            s = Math.abs(a[nn][nn - 1]) + Math.abs(a[nn - 1][nn - 2]);
                            y = x = 0.75 * s;
                            w = -0.4375 * s * s;
                        }
                        ++its;
                        int m;
                        for (m = nn - 2; m >= l; m--) { // two consecutive small sub-diagonal elements
                            z = a[m][m];
                            r = x - z;
                            s = y - z;
                            p = (r * s - w) / a[m + 1][m] + a[m][m + 1];
                            q = a[m + 1][m + 1] - z - r - s;
                            r = a[m + 2][m + 1];
                            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
                            p /= s;
                            q /= s;
                            r /= s;
                            if (m == l) break;
                            double u = Math.abs(a[m][m - 1]) * (Math.abs(q) + Math.abs(r));
                            double v =
                                    Math.abs(p) * (Math.abs(a[m - 1][m - 1]) + Math.abs(z) + Math.abs(a[m + 1][m + 1]));
                            if (u + v == v) break;
                        }
                        for (int i = m + 2; i <= nn; i++) {
                            a[i][i - 2] = 0;
                            if (i != m + 2) a[i][i - 3] = 0;
                        }
                        for (int k = m; k <= nn - 1; k++) { // the double QR step on rows l..nn, columns m..nn
                            if (k != m) {
                                p = a[k][k - 1];
                                q = a[k + 1][k - 1];
                                r = 0;
                                if (k != nn - 1) r = a[k + 2][k - 1];
                                if ((x = Math.abs(p) + Math.abs(q) + Math.abs(r)) != 0) {
                                    p /= x;
                                    q /= x;
                                    r /= x;
                                }
                            }
                            if ((s = Math.copySign(Math.sqrt(p * p + q * q + r * r), p)) != 0) {
                                if (k == m) {
                                    if (l != m) a[k][k - 1] = -a[k][k - 1];
                                } else {
                                    a[k][k - 1] = -s * x;
                                }
                                p += s;
                                x = p / s;
                                y = q / s;
                                z = r / s;
                                q /= p;
                                r /= p;
                                for (int j = k; j <= nn; j++) { // row modification
                                    p = a[k][j] + q * a[k + 1][j];
                                    if (k != nn - 1) {
                                        p += r * a[k + 2][j];
                                        a[k + 2][j] -= p * z;
                                    }
                                    a[k + 1][j] -= p * y;
                                    a[k][j] -= p * x;
                                }
                                int last = Math.min(nn, k + 3);
                                for (int i = l; i <= last; i++) { // column modification
                                    p = x * a[i][k] + y * a[i][k + 1];
                                    if (k != nn - 1) {
                                        p += z * a[i][k + 2];
                                        a[i][k + 2] -= p * r;
                                    }
                                    a[i][k + 1] -= p * q;
                                    a[i][k] -= p;
                                }
                            }
                        }
                    }
                }
            } while (nn >= 1 && l < nn - 1);
        }
    }
}

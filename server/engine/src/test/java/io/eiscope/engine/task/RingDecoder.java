package io.eiscope.engine.task;

/**
 * Reads stimuli back from a Mod-Cog input ring, independently of the generator: the test's own
 * bump {@code 0.8 s exp(-d^2/2)} ({@code d} the circular distance in units of {@code pi / 8}),
 * and the strengths of bumps centred on ring units recovered by solving {@code G s = v} with
 * {@code G} the 16 x 16 circulant of those bumps (well conditioned: its smallest eigenvalue is
 * about 0.03).
 */
final class RingDecoder {
    static final int RING = 16;
    private static final double[][] G_INVERSE = invert(bumpMatrix());

    private RingDecoder() {}

    /** The test's own bump of strength {@code s} at {@code phi} radians, at ring unit {@code j}. */
    static double bump(double phi, int j, double s) {
        double d = Math.abs(phi - 2 * Math.PI * j / RING) % (2 * Math.PI);
        d = Math.min(d, 2 * Math.PI - d) / (Math.PI / 8);
        return 0.8 * Math.exp(-d * d / 2) * s;
    }

    /** Strengths of the on-grid bumps whose sum is {@code ring[from .. from+15]}. */
    static double[] strengths(float[] x, int from) {
        double[] s = new double[RING];
        for (int i = 0; i < RING; i++) for (int j = 0; j < RING; j++) s[i] += G_INVERSE[i][j] * x[from + j];
        return s;
    }

    private static double[][] bumpMatrix() {
        double[][] g = new double[RING][RING];
        for (int j = 0; j < RING; j++) for (int i = 0; i < RING; i++) g[j][i] = bump(2 * Math.PI * i / RING, j, 1);
        return g;
    }

    /** Gauss-Jordan with partial pivoting. */
    private static double[][] invert(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
            double[] tmp = m[c];
            m[c] = m[p];
            m[p] = tmp;
            double d = m[c][c];
            for (int k = 0; k < 2 * n; k++) m[c][k] /= d;
            for (int r = 0; r < n; r++) {
                if (r == c) continue;
                double f = m[r][c];
                for (int k = 0; k < 2 * n; k++) m[r][k] -= f * m[c][k];
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(m[i], n, inv[i], 0, n);
        return inv;
    }
}

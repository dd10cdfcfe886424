package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;

/**
 * The batch sums of a {@link DannLayer}'s squared per-example gradients, from what its latest
 * forward and backward passes left ({@link DannLayer.Pass}), without a backward pass per example.
 * Example {@code n}'s gradient (row {@code n} of every {@code B x ...} matrix, times {@code s}):
 * <ul>
 *   <li>{@code Wex[k, j] = dzHat[n, k] x[n, j]} and {@code Wix[i, j] = dzI[n, i] x[n, j]}: outer
 *       products, so their squares summed over the batch are one product each,
 *       {@code (s dzHat)²ᵀ x²} and {@code (s dzI)²ᵀ x²};</li>
 *   <li>{@code Wei[k, i] = -dzHat[n, k] zI[n, i] + dGamma[n, k] u[n, i]} (a sum of two outer
 *       products, squared element by element);</li>
 *   <li>{@code alpha[i] = du[n, i] u[n, i]}, {@code g[k] = dz[n, k] zHat[n, k] / gamma[n, k]},
 *       {@code b[k] = dz[n, k]}.</li>
 * </ul>
 * These are the terms {@link DannLayer#backward} sums, so their sum over {@code n} is the
 * layer's gradient. Sums outside the products are in double. Scratch is kept for the latest
 * batch size; confined to the layer's thread.
 */
final class DannSquaredGradients {
    private final Blas blas;
    private Matrix xSquared; // B x d
    private Matrix eSquared; // B x ne: (s dzHat)²
    private Matrix iSquared; // B x ni: (s dzI)²

    DannSquaredGradients(Blas blas) {
        this.blas = blas;
    }

    /** Writes {@code out} = Wex, Wix, Wei, alpha, g, b (the layer's parameter order); see the class comment. */
    void compute(DannLayer.Pass p, float s, List<Matrix> out) {
        int batch = p.x().rows, d = p.x().cols, ne = p.zHat().cols, ni = p.zI().cols;
        if (xSquared == null || xSquared.rows != batch) {
            xSquared = Matrix.zeros(batch, d);
            eSquared = Matrix.zeros(batch, ne);
            iSquared = Matrix.zeros(batch, ni);
        }
        squareScaled(p.x(), 1f, xSquared);
        squareScaled(p.dzHat(), s, eSquared);
        squareScaled(p.dzI(), s, iSquared);
        blas.gemm(true, false, 1f, eSquared, xSquared, 0f, out.get(0)); // Wex: sum_n (s dzHat)² x²
        blas.gemm(true, false, 1f, iSquared, xSquared, 0f, out.get(1)); // Wix: sum_n (s dzI)² x²
        Matrix wei = out.get(2), alpha = out.get(3), g = out.get(4), b = out.get(5);
        double ss = (double) s * s;
        for (int k = 0; k < ne; k++) {
            for (int i = 0; i < ni; i++) {
                double sum = 0;
                for (int n = 0; n < batch; n++) {
                    double v = -(double) p.dzHat().get(n, k) * p.zI().get(n, i)
                            + (double) p.dGamma().get(n, k) * p.u().get(n, i);
                    sum += v * v;
                }
                wei.set(k, i, (float) (ss * sum));
            }
        }
        for (int i = 0; i < ni; i++) {
            double sum = 0;
            for (int n = 0; n < batch; n++) {
                double v = (double) p.du().get(n, i) * p.u().get(n, i);
                sum += v * v;
            }
            alpha.set(i, (float) (ss * sum));
        }
        for (int k = 0; k < ne; k++) {
            double sumG = 0, sumB = 0;
            for (int n = 0; n < batch; n++) {
                double dz = p.dz().get(n, k),
                        vg = dz * p.zHat().get(n, k) / p.gamma().get(n, k);
                sumG += vg * vg;
                sumB += dz * dz;
            }
            g.set(k, (float) (ss * sumG));
            b.set(k, (float) (ss * sumB));
        }
    }

    private static void squareScaled(Matrix a, float s, Matrix out) {
        for (int i = 0, n = a.size(); i < n; i++) {
            float v = s * a.get(i);
            out.set(i, v * v);
        }
    }
}

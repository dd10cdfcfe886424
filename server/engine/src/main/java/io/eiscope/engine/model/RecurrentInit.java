package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.Spectra;

/**
 * Initialisations of recurrent weight matrices ({@code rows x cols}, post x pre), shared by the
 * recurrent model builders ({@link Rnn}, {@link ColumnEiRnn}, {@link DannRnn}, {@link Ctrnn}):
 * <ul>
 *   <li>Li et al. 2023 §2.2 ({@code lib/init_policies.py}): the PyTorch uniform and the
 *       spectral-radius-sweep uniform ({@code W_TorchInit}, {@code W_UniformInit}), the column-E/I
 *       recurrent matrix rescaled to an exact spectral radius ({@code ColumnEiCell_W_InitPolicy}),
 *       the recurrent DANN blocks ({@code EiRNNCell_{U,W}_InitPolicy(random=False)}) and the
 *       spectrum transplants {@code U_A diag(S_B) V_A^T} (§2.4, {@code *_Spectrum_Init});</li>
 *   <li>Liu et al. 2024 §5.2 ({@code main.py}): the Gaussian {@code g Z / sqrt(N)} and its
 *       rank-{@code r} truncation renormalised to the same Frobenius norm.</li>
 * </ul>
 * Draws come from the given stream in row-major order. Spectral work (eigenvalues, SVDs) runs
 * in LAPACK on float32 copies; rescaling and reconstruction are done in double and rounded once.
 * Init code: allocates freely.
 */
public final class RecurrentInit {
    private RecurrentInit() {}

    /** Every element {@code ~ U(-bound, bound)}. */
    public static void uniform(Matrix m, double bound, Rng rng) {
        for (int i = 0, n = m.size(); i < n; i++) m.set(i, (float) ((2 * rng.nextDouble() - 1) * bound));
    }

    /** Every element {@code ~ N(0, std^2)}. */
    public static void normal(Matrix m, double std, Rng rng) {
        for (int i = 0, n = m.size(); i < n; i++) m.set(i, (float) (rng.nextGaussian() * std));
    }

    /** Every element {@code ~ Exp(scale)} (mean = std = scale). */
    public static void exponential(Matrix m, double scale, Rng rng) {
        for (int i = 0, n = m.size(); i < n; i++) m.set(i, (float) rng.nextExponential(scale));
    }

    /**
     * The bound of {@code W_UniformInit(num)}: {@code sqrt(3 num / n)}, so {@code Var(w) = num / n} and
     * the spectral radius of an {@code n x n} draw is about {@code sqrt(num)} (circular law). With
     * {@code num = 1/3} it is PyTorch's {@code 1/sqrt(n)}.
     */
    public static double uniformRadiusBound(int n, double numerator) {
        return Math.sqrt(3 * numerator / n);
    }

    /**
     * A signed column-E/I matrix {@code [Exp(sigma_e) (rows x ne) | -Exp(sigma_i) (rows x ni)]} with
     * the balanced scales of {@link ColumnEiMlp#excitatoryScale} ({@code ne sigma_e = ni sigma_i}).
     */
    public static Matrix signedColumnEi(int rows, int ne, int ni, Rng rng) {
        if (ne < 1 || ni < 1)
            throw new IllegalArgumentException("a column-E/I matrix needs ne, ni >= 1, got " + ne + ", " + ni);
        double sigmaE = ColumnEiMlp.excitatoryScale(ne, ni), sigmaI = ColumnEiMlp.inhibitoryScale(ne, ni);
        int cols = ne + ni;
        Matrix w = Matrix.zeros(rows, cols);
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++, i++)
                w.set(i, (float) (c < ne ? rng.nextExponential(sigmaE) : -rng.nextExponential(sigmaI)));
        }
        return w;
    }

    /**
     * {@code ColumnEiCell_W_InitPolicy(radius, zero_diag, ablate_ii)}: the signed {@code n x n}
     * recurrent matrix of a column-E/I cell whose last {@code ni} units are inhibitory:
     * {@link #signedColumnEi}, then the diagonal set to 0 ({@code zeroDiagonal}), the I→I block set
     * to 0 ({@code ablateInhibitoryToInhibitory}), then rescaled to spectral radius {@code radius}.
     * The cell's {@code W_pos} is its absolute value.
     */
    public static Matrix columnEiRecurrent(
            int n, int ni, double radius, boolean zeroDiagonal, boolean ablateInhibitoryToInhibitory, Rng rng) {
        Matrix w = signedColumnEi(n, n - ni, ni, rng);
        if (zeroDiagonal) for (int i = 0; i < n; i++) w.set(i, i, 0f);
        if (ablateInhibitoryToInhibitory) {
            for (int r = n - ni; r < n; r++) for (int c = n - ni; c < n; c++) w.set(r, c, 0f);
        }
        rescaleToSpectralRadius(w, radius);
        return w;
    }

    /**
     * {@code W <- W radius / max|lambda(W)|} in place: eigenvalues by {@link Spectra#eigenvaluesOnEveryJvm} (the
     * same bits on every JVM, so a seeded run starts from the same weights on any server),
     * the product formed in double and rounded once per element, so the spectral radius of the
     * result is {@code radius} up to float32 round-off.
     *
     * @throws IllegalArgumentException when {@code w} is not square, {@code radius} is not positive or
     *                                  {@code w} is nilpotent (all eigenvalues 0)
     */
    public static void rescaleToSpectralRadius(Matrix w, double radius) {
        if (!(radius > 0) || !Double.isFinite(radius))
            throw new IllegalArgumentException("the spectral radius must be > 0, got " + radius);
        double current = Spectra.spectralRadius(Spectra.eigenvaluesOnEveryJvm(w));
        if (!(current > 0))
            throw new IllegalArgumentException("a matrix with spectral radius 0 cannot be rescaled to " + radius);
        double scale = radius / current;
        for (int i = 0, n = w.size(); i < n; i++) w.set(i, (float) (w.get(i) * scale));
    }

    /**
     * The recurrent DANN block of Li et al. 2023 ({@code EiRNNCell_U_InitPolicy},
     * {@code EiRNNCell_W_InitPolicy(random=False)}, §2.2), for the input block ({@code cols = n_in})
     * and the recurrent one ({@code cols = ne}) alike, with {@code ne = rows}:
     * {@code Wex ~ Exp(s)}, {@code s = sqrt((ne/(ne-1)) numerator/ne)} (the hidden size in both);
     * every row of {@code Wix} = the column-mean row of {@code Wex}; {@code Wei ~ Exp(s sqrt(ne/ni))}
     * with each row normalised to sum 1 (so {@code Wei = 1} when {@code ni = 1}). So
     * {@code W = Wex - 1 mean_rows(Wex)}: column-centred {@code Wex}, spectral radius about
     * {@code sqrt(numerator)}.
     */
    public static void dannBlock(Connectivity.Dann block, double numerator, Rng rng) {
        int ne = block.rows(), ni = block.inhibitoryInput().value().rows;
        if (ne < 2) throw new IllegalArgumentException("the recurrent DANN initialisation needs ne >= 2, got " + ne);
        double s = Math.sqrt(((double) ne / (ne - 1)) * numerator / ne);
        Matrix wex = block.excitatory().value();
        exponential(wex, s, rng);
        meanRowInto(wex, block.inhibitoryInput().value());
        rowNormalisedExponential(block.inhibitoryOutput().value(), s * Math.sqrt((double) ne / ni), rng);
    }

    /** Every row of {@code wix} = the mean over rows (the column means) of {@code wex}. */
    static void meanRowInto(Matrix wex, Matrix wix) {
        for (int c = 0; c < wex.cols; c++) {
            double sum = 0;
            for (int r = 0; r < wex.rows; r++) sum += wex.get(r, c);
            float mean = (float) (sum / wex.rows);
            for (int r = 0; r < wix.rows; r++) wix.set(r, c, mean);
        }
    }

    /** {@code w ~ Exp(scale)} with each row divided by its sum (so all ones for a single column). */
    static void rowNormalisedExponential(Matrix w, double scale, Rng rng) {
        double[] row = new double[w.cols];
        for (int r = 0; r < w.rows; r++) {
            double sum = 0;
            for (int c = 0; c < w.cols; c++) {
                row[c] = rng.nextExponential(scale);
                sum += row[c];
            }
            for (int c = 0; c < w.cols; c++) w.set(r, c, (float) (row[c] / sum));
        }
    }

    /** Liu et al. 2024's base matrix {@code W0 = g Z / sqrt(n)}, {@code Z_ij ~ N(0, 1)}, {@code n x n}. */
    public static Matrix gaussianRecurrent(int n, double gain, Rng rng) {
        Matrix w = Matrix.zeros(n, n);
        normal(w, gain / Math.sqrt(n), rng);
        return w;
    }

    /**
     * Liu et al. 2024 §5.2: the top-{@code rank} part {@code U[:, :r] diag(S[:r]) V[:, :r]^T} of the
     * SVD of {@code w0}, rescaled to {@code ||w0||_F}; a new matrix. At full rank ({@code rank >=
     * min(rows, cols)}) it is a copy of {@code w0}, bit for bit.
     */
    public static Matrix truncateToRank(Matrix w0, int rank) {
        if (rank < 1) throw new IllegalArgumentException("the rank must be >= 1, got " + rank);
        if (rank >= Math.min(w0.rows, w0.cols)) return w0.copy();
        Spectra.Svd d = Spectra.svd(w0);
        double[] w = reconstruct(d.u(), d.s(), d.vt(), rank);
        double scale = frobenius(w0) / frobenius(w);
        Matrix out = Matrix.zeros(w0.rows, w0.cols);
        for (int i = 0; i < w.length; i++) out.set(i, (float) (w[i] * scale));
        return out;
    }

    /**
     * The spectrum transplant of Li et al. 2023 §2.4: {@code U_A diag(S_B) V_A^T} with the singular
     * vectors of {@code vectorsFrom} (A) and the singular values of {@code valuesFrom} (B), both
     * {@code rows x cols} (unchanged); a new matrix. Each singular value of B is paired with the
     * singular vectors of A of the same rank (largest with largest).
     */
    public static Matrix transplant(Matrix vectorsFrom, Matrix valuesFrom) {
        if (vectorsFrom.rows != valuesFrom.rows || vectorsFrom.cols != valuesFrom.cols)
            throw new IllegalArgumentException(
                    "a spectrum transplant needs matrices of one shape, got " + vectorsFrom + " and " + valuesFrom);
        Spectra.Svd a = Spectra.svd(vectorsFrom);
        float[] s = Spectra.singularValues(valuesFrom);
        double[] w = reconstruct(a.u(), s, a.vt(), s.length);
        Matrix out = Matrix.zeros(vectorsFrom.rows, vectorsFrom.cols);
        for (int i = 0; i < w.length; i++) out.set(i, (float) w[i]);
        return out;
    }

    /** {@code sum_{k < rank} u[:, k] s[k] vt[k, :]} in double, row-major. */
    private static double[] reconstruct(Matrix u, float[] s, Matrix vt, int rank) {
        int m = u.rows, n = vt.cols;
        double[] w = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < rank; k++) {
                double us = (double) u.get(i, k) * s[k];
                if (us == 0) continue;
                for (int j = 0; j < n; j++) w[i * n + j] += us * vt.get(k, j);
            }
        }
        return w;
    }

    /** {@code ||w||_F} in double. */
    public static double frobenius(Matrix w) {
        double s = 0;
        for (int i = 0, n = w.size(); i < n; i++) s += (double) w.get(i) * w.get(i);
        return Math.sqrt(s);
    }

    private static double frobenius(double[] w) {
        double s = 0;
        for (double v : w) s += v * v;
        return Math.sqrt(s);
    }
}

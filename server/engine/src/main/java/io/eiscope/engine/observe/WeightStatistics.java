package io.eiscope.engine.observe;

import io.eiscope.engine.learning.Potential;
import java.util.Arrays;

/**
 * The statistics of the geometry-of-plasticity analyses, on plain arrays (double precision):
 * the ΔCDF test statistic of Pogodin et al. (2024) §4.3, the log-normal fit of Cornford et al.
 * (2024) §3.4, the dual-space change, the update/weight OLS slope and the cosine similarity.
 * Pure functions; inputs are not modified.
 */
public final class WeightStatistics {
    private WeightStatistics() {}

    /** Points of the ΔCDF grid {@code linspace(-5, 5, 1000)}. */
    public static final int CDF_GRID = 1000;

    /**
     * {@code sum_t |F(t) - Phi(t)| dt} over {@code t in linspace(-5, 5, 1000)}, where F is the
     * empirical CDF ({@code mean(z < t)}) of the standardised values: {@code (v - mean) / std}
     * when {@code centred}, else {@code v / std} (the uncentred form of the finetuning figures).
     * std is the population standard deviation. NaN for fewer than 2 values or zero spread.
     */
    public static double deltaCdf(double[] values, boolean centred) {
        int n = values.length;
        if (n < 2) return Double.NaN;
        double mean = mean(values), var = 0;
        for (double v : values) var += (v - mean) * (v - mean);
        double std = Math.sqrt(var / n);
        if (!(std > 0)) return Double.NaN;
        double[] z = new double[n];
        for (int i = 0; i < n; i++) z[i] = (values[i] - (centred ? mean : 0)) / std;
        Arrays.sort(z);
        double dt = 10.0 / (CDF_GRID - 1), total = 0;
        int below = 0;
        for (int g = 0; g < CDF_GRID; g++) {
            double t = -5 + g * dt;
            while (below < n && z[below] < t) below++;
            total += Math.abs((double) below / n - normalCdf(t));
        }
        return total * dt;
    }

    /** Numerical Recipes' erfc Chebyshev coefficients c0..c9: erfc(z) = u exp(-z^2 + sum c_k u^k), u = 1 / (1 + z/2). */
    private static final double[] ERFC_COEFFICIENTS = {
        -1.26551223,
        1.00002368,
        0.37409196,
        0.09678418,
        -0.18628806,
        0.27886807,
        -1.13520398,
        1.48851587,
        -0.82215223,
        0.17087277
    };

    /** The standard normal CDF, via erfc (Numerical Recipes' Chebyshev fit, relative error &lt; 1.2e-7). */
    public static double normalCdf(double t) {
        double x = -t / Math.sqrt(2), z = Math.abs(x), u = 1 / (1 + 0.5 * z);
        double poly = 0;
        for (int k = ERFC_COEFFICIENTS.length - 1; k >= 1; k--) poly = ERFC_COEFFICIENTS[k] + u * poly; // Horner
        double erfc = u * Math.exp(-z * z + ERFC_COEFFICIENTS[0] + u * poly); // the same operations, in the same order
        return 0.5 * (x >= 0 ? erfc : 2 - erfc);
    }

    /** {@code log|w|} of the non-zero finite elements. */
    public static double[] logMagnitudes(float[] w) {
        return Arrays.stream(toDouble(w))
                .filter(v -> v != 0 && Double.isFinite(v))
                .map(v -> Math.log(Math.abs(v)))
                .toArray();
    }

    /** Log-normal fit of |w| over the non-zero weights: {mu, sigma (population), ΔCDF of (log|w| - mu)/sigma}. */
    public static double[] logNormalFit(float[] w) {
        double[] l = logMagnitudes(w);
        if (l.length == 0) return new double[] {Double.NaN, Double.NaN, Double.NaN};
        double mu = mean(l), var = 0;
        for (double v : l) var += (v - mu) * (v - mu);
        return new double[] {mu, Math.sqrt(var / l.length), deltaCdf(l, true)};
    }

    /** {@code grad phi(w_t) - grad phi(w_0)} over the elements where both are finite (negative entropy skips zeros). */
    public static double[] dualChange(Potential phi, float[] w0, float[] wt) {
        double[] out = new double[w0.length];
        int c = 0;
        for (int i = 0; i < w0.length; i++) {
            double d = phi.map(wt[i]) - phi.map(w0[i]);
            if (Double.isFinite(d)) out[c++] = d;
        }
        return Arrays.copyOf(out, c);
    }

    /** {@code ||grad phi(w_t) - grad phi(w_0)|| / ||grad phi(w_0)||} over the elements where both are finite. */
    public static double changeMagnitude(Potential phi, float[] w0, float[] wt) {
        double num = 0, den = 0;
        for (int i = 0; i < w0.length; i++) {
            double a = phi.map(w0[i]), d = phi.map(wt[i]) - a;
            if (!Double.isFinite(d)) continue;
            num += d * d;
            den += a * a;
        }
        return den > 0 ? Math.sqrt(num / den) : Double.NaN;
    }

    /** Number of elements with {@code w0 * wt < 0}: strictly opposite signs (a weight pruned to 0 is no flip). */
    public static long signFlips(float[] w0, float[] wt) {
        long flips = 0;
        for (int i = 0; i < w0.length; i++) if ((double) w0[i] * wt[i] < 0) flips++;
        return flips;
    }

    /**
     * OLS slope of {@code |wt - w0| / std} on {@code |w0| / std} (each divided by its own
     * population std), as {@code analyse_ckpt_diffs} of the EG code; NaN when either has no spread.
     */
    public static double updateWeightSlope(float[] w0, float[] wt) {
        int n = w0.length;
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.abs(w0[i]);
            y[i] = Math.abs((double) wt[i] - w0[i]);
        }
        double mx = mean(x), my = mean(y), sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (!(sxx > 0) || !(syy > 0)) return Double.NaN;
        // slope of (y / sy) on (x / sx) = (sxy / sxx) * sx / sy
        return sxy / sxx * Math.sqrt(sxx / syy);
    }

    /** {@code a.b / (|a| |b|)}; NaN when either is zero. */
    public static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : Double.NaN;
    }

    /** Histogram over {@code bins} equal bins spanning [min, max] of the finite values (a zero-width range widened by 0.5). */
    public static Observation.Histogram histogram(double[] values, int bins) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (!Double.isFinite(v)) continue;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (lo > hi) {
            lo = -0.5;
            hi = 0.5;
        } else if (lo == hi) {
            lo -= 0.5;
            hi += 0.5;
        }
        double[] edges = new double[bins + 1];
        for (int b = 0; b <= bins; b++) edges[b] = lo + (hi - lo) * b / bins;
        long[] counts = new long[bins];
        for (double v : values)
            if (Double.isFinite(v)) counts[Math.min(Math.max((int) ((v - lo) / (hi - lo) * bins), 0), bins - 1)]++;
        return new Observation.Histogram(edges, counts);
    }

    static double[] toDouble(float[] w) {
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) out[i] = w[i];
        return out;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}

package io.eiscope.engine.observe;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.tensor.Matrix;

/** Measurements of parameter tensors. Read only: they never modify what they measure. */
public final class Measurements {
    private Measurements() {}

    /** A copy of the parameter's values. */
    public static Observation.Tensor weights(Parameter p) {
        return new Observation.Tensor(p.shape(), p.value().toArray());
    }

    /**
     * Histogram of the parameter's values over {@code bins} equal bins spanning [min, max]
     * (a zero-width range is widened by 0.5 on each side so that every value lands in a bin).
     */
    public static Observation.Histogram histogram(Parameter p, int bins) {
        Matrix m = p.value();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0, n = m.size(); i < n; i++) {
            float v = m.get(i);
            if (!Float.isFinite(v)) continue;
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
        double scale = bins / (hi - lo);
        for (int i = 0, n = m.size(); i < n; i++) {
            float v = m.get(i);
            if (!Float.isFinite(v)) continue;
            int b = (int) ((v - lo) * scale);
            counts[Math.min(Math.max(b, 0), bins - 1)]++;
        }
        return new Observation.Histogram(edges, counts);
    }
}

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
        double[] values = new double[m.size()];
        for (int i = 0; i < values.length; i++) values[i] = m.get(i);
        return WeightStatistics.histogram(values, bins);
    }
}

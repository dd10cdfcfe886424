package io.eiscope.engine.observe;

import io.eiscope.engine.learning.Potential;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.observe.ObservableDescriptor.Cost;
import io.eiscope.engine.sim.Simulation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Per-parameter observables of the geometry of plasticity: signed and log-magnitude weight
 * histograms, the log-normal fit (Cornford et al. 2024, §3.4), the dual-space change under
 * candidate potentials with its ΔCDF and magnitude (Pogodin et al. 2024, §4.3), sign flips,
 * the |Δw| vs |w0| slope and the cosine similarity to the initial weights. Those that compare
 * to the start read {@link Simulation#initialValue}, so they restart at every reset. Each
 * copies the tensor once (O(n)); the ΔCDF ones also sort it (O(n log n)).
 */
public final class GeometryObservables {
    private GeometryObservables() {}

    /** Candidate potentials of the dual-change observables, with the name suffix each uses. */
    public static final List<Potential> CANDIDATES = List.of(
            new Potential.PNorm(2), new Potential.NegativeEntropy(), new Potential.PNorm(3), new Potential.PNorm(1.5));

    /** Name suffix of a candidate: {@code 2_norm}, {@code negative_entropy}, {@code 3_norm}, {@code 1.5_norm} with '.' as 'p'. */
    public static String suffix(Potential phi) {
        return phi.name().replace('-', '_').replace('.', 'p');
    }

    public static List<Observable> all() {
        int bins = ParameterObservables.HISTOGRAM_BINS;
        List<Observable> out = new ArrayList<>(List.of(
                histogram(
                        "positive_weight_histogram",
                        "Histogram of the positive weights of the tensor, 64 bins over their range. O(n).",
                        w -> Arrays.stream(w).filter(v -> v > 0).toArray(),
                        bins),
                histogram(
                        "negative_weight_histogram",
                        "Histogram of the negative weights of the tensor, 64 bins over their range. O(n).",
                        w -> Arrays.stream(w).filter(v -> v < 0).toArray(),
                        bins),
                histogram(
                        "log_positive_weight_histogram",
                        "Histogram of log(w) over the positive weights, 64 bins. O(n).",
                        w -> Arrays.stream(w).filter(v -> v > 0).map(Math::log).toArray(),
                        bins),
                histogram(
                        "log_negative_weight_histogram",
                        "Histogram of log|w| over the negative weights, 64 bins. O(n).",
                        w -> Arrays.stream(w)
                                .filter(v -> v < 0)
                                .map(v -> Math.log(-v))
                                .toArray(),
                        bins),
                scalar(
                        "lognormal_mu",
                        "Mean of log|w| over the non-zero weights (log-normal fit). O(n).",
                        (w0, w) -> WeightStatistics.logNormalFit(w)[0]),
                scalar(
                        "lognormal_sigma",
                        "Standard deviation of log|w| over the non-zero weights (log-normal fit). O(n).",
                        (w0, w) -> WeightStatistics.logNormalFit(w)[1]),
                scalar(
                        "lognormal_delta_cdf",
                        "ΔCDF of standardised log|w| against N(0, 1): small = log-normal. O(n log n).",
                        (w0, w) -> WeightStatistics.logNormalFit(w)[2]),
                scalar(
                        "sign_flips",
                        "Number of weights whose sign is opposite to their initial sign (0 for EG and sign-frozen GD). O(n).",
                        (w0, w) -> (double) WeightStatistics.signFlips(w0, w)),
                scalar(
                        "update_weight_slope",
                        "OLS slope of |w - w0| on |w0|, each divided by its std: EG predicts > 0. O(n).",
                        WeightStatistics::updateWeightSlope),
                scalar(
                        "cosine_to_initial",
                        "Cosine similarity between the tensor and its initial value. O(n).",
                        WeightStatistics::cosine)));
        for (Potential phi : CANDIDATES) {
            String s = suffix(phi);
            out.add(scalar(
                    "dual_change_delta_cdf_" + s,
                    "ΔCDF against N(0, 1) of the uncentred standardised dual change grad phi(w) - "
                            + "grad phi(w0) for phi = " + phi.name()
                            + ": smallest for the geometry that trained it. O(n log n).",
                    (w0, w) -> WeightStatistics.deltaCdf(WeightStatistics.dualChange(phi, w0, w), false)));
            out.add(scalar(
                    "dual_change_magnitude_" + s,
                    "||grad phi(w) - grad phi(w0)|| / ||grad phi(w0)|| for phi = " + phi.name() + ". O(n).",
                    (w0, w) -> WeightStatistics.changeMagnitude(phi, w0, w)));
            out.add(measured(
                    new ObservableDescriptor(
                            "dual_change_histogram_" + s,
                            ObservableKind.HISTOGRAM,
                            Cost.LINEAR,
                            true,
                            "Histogram (64 bins) of the dual change grad phi(w) - grad phi(w0) for phi = " + phi.name()
                                    + ". O(n)."),
                    (w0, w) -> WeightStatistics.histogram(WeightStatistics.dualChange(phi, w0, w), bins)));
        }
        return List.copyOf(out);
    }

    private static Observable histogram(
            String name, String doc, java.util.function.Function<double[], double[]> select, int bins) {
        return ParameterObservables.perParameter(
                new ObservableDescriptor(name, ObservableKind.HISTOGRAM, Cost.LINEAR, true, doc),
                (sim, p) -> WeightStatistics.histogram(
                        select.apply(WeightStatistics.toDouble(p.value().toArray())), bins));
    }

    private static Observable scalar(String name, String doc, BiFunction<float[], float[], Double> f) {
        return measured(
                new ObservableDescriptor(name, ObservableKind.SCALAR, Cost.LINEAR, true, doc),
                (w0, w) -> new Observation.Scalar(f.apply(w0, w)));
    }

    /** Measured on (initial value, current value) of each parameter. */
    private static Observable measured(ObservableDescriptor d, BiFunction<float[], float[], Observation.Payload> f) {
        return ParameterObservables.perParameter(
                d,
                (Simulation sim, Parameter p) -> sim.initialValue(p.name())
                        .map(w0 -> f.apply(w0.toArray(), p.value().toArray()))
                        .orElse(null));
    }
}

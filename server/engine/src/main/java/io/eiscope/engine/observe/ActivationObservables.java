package io.eiscope.engine.observe;

import io.eiscope.engine.model.RecurrentCell;
import io.eiscope.engine.model.RecurrentNet;
import io.eiscope.engine.observe.ObservableDescriptor.Cost;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.function.Function;

/**
 * Per-layer activity on the probe batch, the first {@link Simulation#PROBE_SIZE} held-out examples
 * (science.md §6.3: per-layer mean and std across units, the DANN centring and standardisation
 * check; Liu et al. 2024's hidden-state tensors). A layer's activity is its output after the
 * non-linearity ({@link io.eiscope.engine.model.Model#activations}); for recurrent cells, the
 * hidden states of every step. One forward pass of the probe per parameter revision serves every
 * layer and observable measured at that step; it changes no parameter, so training is unchanged.
 */
public final class ActivationObservables {
    private ActivationObservables() {}

    /** Largest hidden_states tensor: fewer probe trials are sent beyond it. */
    public static final long HIDDEN_STATES_MAX_FLOATS = 1L << 22;

    private static final String COST = " Cost: one forward pass of the " + Simulation.PROBE_SIZE
            + " probe examples (shared by all activation observables at a step), then O(rows x units).";

    public static List<Observable> all() {
        return List.of(
                stat(
                        "activation_mean",
                        "Mean across the layer's units of its activity on the probe batch, averaged over the "
                                + Simulation.PROBE_SIZE + " probe " + "examples (and, for recurrent cells, over steps)."
                                + COST,
                        m -> statistics(m)[0]),
                stat(
                        "activation_std",
                        "Standard deviation across the layer's units (population) of its activity on the probe batch, "
                                + "averaged over the " + Simulation.PROBE_SIZE
                                + " probe examples (and, for recurrent cells, over steps)." + COST,
                        m -> statistics(m)[1]),
                stat(
                        "activation_fraction_active",
                        "Fraction of the layer's activity values on the probe batch that are > 0 "
                                + "(all units, examples and steps)." + COST,
                        m -> statistics(m)[2]),
                new Observable() {
                    private final ObservableDescriptor d = new ObservableDescriptor(
                            "hidden_states",
                            ObservableKind.TENSOR,
                            Cost.LINEAR,
                            true,
                            "Hidden states of a recurrent cell on the probe batch (the first " + Simulation.PROBE_SIZE
                                    + " held-out examples) as a float32 Tensor of "
                                    + "shape [time, trial, unit]; fewer trials (the first ones) when it would exceed 2^22 floats (16 MiB)."
                                    + COST);

                    @Override
                    public ObservableDescriptor descriptor() {
                        return d;
                    }

                    @Override
                    public List<String> targets(Simulation sim) {
                        return sim.model() instanceof RecurrentNet net
                                ? net.cells().stream().map(RecurrentCell::name).toList()
                                : List.of();
                    }

                    @Override
                    public Observation.Payload measure(Simulation sim, String target) {
                        if (!targets(sim).contains(target)) return null;
                        Matrix h = ProbeActivations.current(sim, target);
                        return h == null ? null : timeTrialUnit(h, sim.probeInputs().rows, HIDDEN_STATES_MAX_FLOATS);
                    }
                });
    }

    /**
     * Time-major states {@code h} ({@code T*B x n}, not modified) as a {@code [T, trials, n]} tensor of the
     * first {@code trials = min(B, maxFloats / (T n))} trials (at least 1).
     */
    static Observation.Tensor timeTrialUnit(Matrix h, int batch, long maxFloats) {
        int steps = h.rows / batch, n = h.cols;
        int trials = (int) Math.max(1, Math.min(batch, maxFloats / ((long) steps * n)));
        float[] data = new float[steps * trials * n];
        for (int t = 0; t < steps; t++) h.data().get(t * batch * n, data, t * trials * n, trials * n);
        return new Observation.Tensor(new int[] {steps, trials, n}, data);
    }

    /**
     * {mean over rows of the mean across columns, mean over rows of the population std across columns,
     * fraction of elements > 0} of {@code m} (rows: examples or steps x examples; columns: units).
     */
    public static double[] statistics(Matrix m) {
        double meanSum = 0, stdSum = 0;
        long active = 0;
        for (int r = 0; r < m.rows; r++) {
            double s = 0;
            for (int c = 0; c < m.cols; c++) {
                float v = m.get(r, c);
                s += v;
                if (v > 0) active++;
            }
            double mean = s / m.cols, ss = 0;
            for (int c = 0; c < m.cols; c++) ss += (m.get(r, c) - mean) * (m.get(r, c) - mean);
            meanSum += mean;
            stdSum += Math.sqrt(ss / m.cols);
        }
        return new double[] {meanSum / m.rows, stdSum / m.rows, (double) active / m.size()};
    }

    private static Observable stat(String name, String doc, Function<Matrix, Double> f) {
        ObservableDescriptor d = new ObservableDescriptor(name, ObservableKind.SCALAR, Cost.LINEAR, true, doc);
        return new Observable() {
            @Override
            public ObservableDescriptor descriptor() {
                return d;
            }

            @Override
            public List<String> targets(Simulation sim) {
                return sim.model().layers();
            }

            @Override
            public Observation.Payload measure(Simulation sim, String target) {
                Matrix a = ProbeActivations.current(sim, target);
                return a == null ? null : new Observation.Scalar(f.apply(a));
            }
        };
    }
}

package io.eiscope.engine.observe;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.observe.ObservableDescriptor.Cost;
import io.eiscope.engine.sim.Simulation;
import java.util.List;
import java.util.function.BiFunction;

/** Observables of parameter tensors and of the effective weights of E/I layers. */
public final class ParameterObservables {
    private ParameterObservables() {}

    /** Histogram bins of {@code weight_histogram}. */
    public static final int HISTOGRAM_BINS = 64;

    public static List<Observable> all() {
        return List.of(
                perParameter(
                        new ObservableDescriptor(
                                "weights",
                                ObservableKind.TENSOR,
                                Cost.LINEAR,
                                true,
                                "The parameter tensor's values (float32, post x pre)."),
                        (sim, p) -> Measurements.weights(p)),
                perParameter(
                        new ObservableDescriptor(
                                "weight_histogram",
                                ObservableKind.HISTOGRAM,
                                Cost.LINEAR,
                                true,
                                "Histogram of the parameter tensor's values, 64 bins over [min, max]."),
                        (sim, p) -> Measurements.histogram(p, HISTOGRAM_BINS)),
                new Observable() {
                    private final ObservableDescriptor d = new ObservableDescriptor(
                            "effective_weights",
                            ObservableKind.TENSOR,
                            Cost.LINEAR,
                            true,
                            "Effective signed weight matrix of each E/I layer (DANN: Wex - Wei Wix; column-E/I: W_pos D), post x pre; frames name the layer. Recurrent networks: every cell's recurrent matrix (target rnnK) and input matrix (rnnK.input), for all families.");

                    @Override
                    public ObservableDescriptor descriptor() {
                        return d;
                    }

                    @Override
                    public List<String> targets(Simulation sim) {
                        return sim.model().effectiveWeightTargets();
                    }

                    @Override
                    public Observation.Payload measure(Simulation sim, String layer) {
                        return sim.model()
                                .effectiveWeight(layer)
                                .map(w -> new Observation.Tensor(new int[] {w.rows, w.cols}, w.toArray()))
                                .orElse(null);
                    }
                });
    }

    /** An observable measured on each parameter tensor. */
    public static Observable perParameter(
            ObservableDescriptor descriptor, BiFunction<Simulation, Parameter, Observation.Payload> f) {
        return new Observable() {
            @Override
            public ObservableDescriptor descriptor() {
                return descriptor;
            }

            @Override
            public List<String> targets(Simulation sim) {
                return sim.parameters().stream().map(Parameter::name).toList();
            }

            @Override
            public Observation.Payload measure(Simulation sim, String target) {
                return sim.parameter(target).map(p -> f.apply(sim, p)).orElse(null);
            }
        };
    }
}

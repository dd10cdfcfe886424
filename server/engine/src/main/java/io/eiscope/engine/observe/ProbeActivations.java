package io.eiscope.engine.observe;

import io.eiscope.engine.model.Model;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.tensor.Matrix;
import java.util.HashMap;
import java.util.Map;

/**
 * The output of every layer of a simulation's model on its probe batch
 * ({@link Simulation#probeInputs()}), from one forward pass per parameter revision, shared by the
 * observables measured at one step; and the same for the initial parameters, once per run. Copies,
 * made on the simulation's thread: a forward pass changes no parameter, optimiser state or random
 * stream, so measuring never disturbs training.
 */
final class ProbeActivations {
    private long revision = -1;
    private final Map<String, Matrix> byLayer = new HashMap<>();

    /**
     * The output of {@code layer} on the probe batch (see {@link Model#activations}: examples x units,
     * or steps x examples time-major for recurrent layers), or null when the layer has none. Not to be
     * modified; valid until the parameters change.
     */
    static Matrix current(Simulation sim, String layer) {
        ProbeActivations c = sim.runCache("probe_activations", ProbeActivations::new);
        if (c.revision != sim.revision()) {
            c.record(sim.model(), sim.probeInputs());
            c.revision = sim.revision();
        }
        return c.byLayer.get(layer);
    }

    /** The same for the network at its initial parameter values (computed once per run). */
    static Matrix initial(Simulation sim, String layer) {
        return sim.runCache(
                        "probe_activations_initial",
                        () -> sim.atInitialValues(() -> {
                            ProbeActivations c = new ProbeActivations();
                            c.record(sim.model(), sim.probeInputs());
                            return c;
                        }))
                .byLayer
                .get(layer);
    }

    private void record(Model model, Matrix probe) {
        model.forward(probe);
        for (String layer : model.layers()) {
            model.activations(layer).ifPresent(a -> {
                Matrix copy = byLayer.get(layer);
                if (copy == null || copy.rows != a.rows || copy.cols != a.cols) {
                    copy = Matrix.zeros(a.rows, a.cols);
                    byLayer.put(layer, copy);
                }
                copy.copyFrom(a);
            });
        }
    }
}

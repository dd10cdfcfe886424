package io.eiscope.engine.sim;

import io.eiscope.engine.spec.Params;
import io.eiscope.engine.task.TaskShape;
import java.util.ArrayList;
import java.util.List;

/**
 * A rough upper estimate of the heap a simulation needs, from its model's widths, its task's
 * shape and its batch, before anything is allocated: each weight counted six times (value,
 * gradient, initial value, two optimiser buffers, a working copy) and each activation four times
 * (pre-activation, activation and their gradients), per example and time step. It is used to
 * refuse, in words, a spec that cannot fit, instead of letting it exhaust the heap that every run
 * shares; it overestimates small models, which never come near the limit.
 */
public final class MemoryEstimate {
    private MemoryEstimate() {}

    /** Thrown when a simulation would not fit in memory; the server answers RESOURCE_EXHAUSTED. */
    public static final class TooLarge extends RuntimeException {
        TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    /** Estimated bytes for a model with these parameters on a task of this shape with this batch. */
    static long bytes(Params model, TaskShape shape, int batch) {
        long[] wu = weightsAndUnits(model, shape);
        long activations = (long) batch * shape.steps() * wu[1];
        return 4L * (6 * wu[0] + 4 * activations);
    }

    /** Estimated trainable weights (an upper estimate of the parameters' sizes) and units (input, hidden, output). */
    static long[] weightsAndUnits(Params model, TaskShape shape) {
        boolean recurrent = shape.steps() > 1;
        long in = recurrent ? shape.stepInputs() : shape.inputSize();
        long out = recurrent ? shape.outputs() : shape.outputWidth();
        long weights = 0, units = 0, previous = in;
        for (long h : hidden(model)) {
            weights += previous * h + (recurrent ? h * h : 0) + h;
            units += h;
            previous = h;
        }
        weights += previous * out + out;
        units += in + out;
        // Half again, and two more per unit, for what the widths do not show: inhibitory-to-excitatory
        // matrices, split biases, extra output units (a DANN's inhibitory one).
        return new long[] {weights + weights / 2 + 2 * units, units};
    }

    /** The hidden widths: "hidden" (a list, or one number), else excitatory plus inhibitory units per layer. */
    private static List<Long> hidden(Params p) {
        Object h = p.asMap().get("hidden");
        if (h instanceof List<?> l) return longs(l);
        if (h instanceof Number n) return List.of(n.longValue());
        Object e = p.asMap().get("hidden_excitatory");
        if (!(e instanceof List<?> ex)) return List.of();
        List<Long> out = new ArrayList<>(longs(ex));
        Object i = p.asMap().get("hidden_inhibitory");
        if (i instanceof List<?> inh && !inh.isEmpty()) {
            List<Long> ni = longs(inh);
            for (int k = 0; k < out.size(); k++) out.set(k, out.get(k) + ni.get(Math.min(k, ni.size() - 1)));
        }
        return out;
    }

    private static List<Long> longs(List<?> l) {
        return l.stream().map(o -> ((Number) o).longValue()).toList();
    }

    /** Refuses a simulation whose estimate exceeds the heap still free (after what other runs hold). */
    static void check(Params model, TaskShape shape, int batch) {
        long need = bytes(model, shape, batch);
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free) {
            throw new TooLarge("this simulation needs about " + (need >> 20)
                    + " MiB (weights with their gradients and optimiser state,"
                    + " and activations for batch " + batch + "), more than the " + (free >> 20)
                    + " MiB of heap still free on this server"
                    + " (of " + (rt.maxMemory() >> 20)
                    + " MiB): use fewer or smaller layers or a smaller batch, delete runs you no longer"
                    + " need, or start the server with a larger heap (java -Xmx...)");
        }
    }
}

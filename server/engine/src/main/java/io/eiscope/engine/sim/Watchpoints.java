package io.eiscope.engine.sim;

import io.eiscope.engine.observe.Observable;
import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.observe.ObservableKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The watchpoints of one simulation, by name, in the order they were set. Confined to the
 * simulation's thread (the runner's mailbox and run loop).
 */
final class Watchpoints {
    /** Cadence of a watchpoint on an expensive per-layer observable when none is given. */
    static final int DEFAULT_EXPENSIVE_EVERY_STEPS = 10;

    private final Map<String, Watchpoint> byName = new LinkedHashMap<>();

    /**
     * Sets (or replaces) a watchpoint on a scalar observable of {@code sim}'s catalogue: a
     * network-wide one (no layer), or a per-layer one on one of its targets in {@code sim}.
     */
    void add(Simulation sim, Command.AddWatchpoint c) {
        ObservableDescriptor d = sim.catalogue().observable(c.observable()).orElse(null);
        if (d == null || d.kind() != ObservableKind.SCALAR)
            throw new IllegalArgumentException(
                    "command.add_watchpoint.observable must be a scalar observable, got '" + c.observable() + "'");
        if (!d.perLayer()) {
            if (!c.layer().isEmpty())
                throw new IllegalArgumentException(
                        "command.add_watchpoint.layer must be empty: " + c.observable() + " is network-wide");
            byName.put(c.name(), new Watchpoint(c.name(), c.observable(), c.condition(), c.threshold()));
            return;
        }
        Observable o = sim.catalogue().measured(c.observable()).orElseThrow();
        List<String> targets = o.targets(sim);
        if (!targets.contains(c.layer()))
            throw new IllegalArgumentException("command.add_watchpoint.layer: " + c.observable()
                    + " is measured per layer; one of " + targets + ", got '" + c.layer() + "'");
        int every = c.everySteps() > 0
                ? c.everySteps()
                : d.cost() == ObservableDescriptor.Cost.EXPENSIVE ? DEFAULT_EXPENSIVE_EVERY_STEPS : 1;
        byName.put(c.name(), new Watchpoint(c.name(), c.observable(), c.layer(), every, c.condition(), c.threshold()));
    }

    void remove(String name) {
        if (byName.remove(name) == null)
            throw new IllegalArgumentException(
                    "command.remove_watchpoint.name: no watchpoint '" + name + "'; set: " + byName.keySet());
    }

    void clear() {
        byName.clear();
    }

    /**
     * Writes the standing watchpoints to {@code out} as entry {@code name}: one line each, tab-separated
     * name, observable, target, every_steps, condition and the threshold's raw bits in hex (exact).
     */
    void save(StateDict out, String name) {
        StringBuilder b = new StringBuilder();
        for (Watchpoint w : byName.values()) {
            b.append(w.name())
                    .append('\t')
                    .append(w.observable())
                    .append('\t')
                    .append(w.target())
                    .append('\t')
                    .append(w.everySteps())
                    .append('\t')
                    .append(w.condition().name())
                    .append('\t')
                    .append(Long.toHexString(Double.doubleToRawLongBits(w.threshold())))
                    .append('\n');
        }
        out.putText(name, b.toString());
    }

    /** Replaces the watchpoints by those {@link #save} wrote to entry {@code name} (none when absent). */
    void load(StateDict in, String name) {
        byName.clear();
        if (!in.has(name)) return;
        for (String line : in.text(name).split("\n", -1)) {
            if (line.isEmpty()) continue;
            String[] f = line.split("\t", -1);
            if (f.length != 6)
                throw new IllegalArgumentException("checkpoint entry '" + name + "' has a malformed line: " + line);
            byName.put(
                    f[0],
                    new Watchpoint(
                            f[0],
                            f[1],
                            f[2],
                            Integer.parseInt(f[3]),
                            Watchpoint.Condition.valueOf(f[4]),
                            Double.longBitsToDouble(Long.parseUnsignedLong(f[5], 16))));
        }
    }

    /** The measurements the per-layer watchpoints need (no rate limit: they pace themselves by steps). */
    List<Demand> demands() {
        List<Demand> out = new ArrayList<>();
        for (Watchpoint w : byName.values()) {
            if (!w.target().isEmpty()) out.add(new Demand(w.observable(), w.target(), 0, w.everySteps(), true));
        }
        return out;
    }

    /**
     * The reason of the first watchpoint whose condition holds on the latest values (scalar values
     * by {@link Watchpoint#key()}: {@code latest} answers null for none yet), which is dropped;
     * empty if none holds.
     */
    Optional<String> fire(java.util.function.Function<String, Double> latest, long step) {
        for (Watchpoint w : byName.values()) {
            Double v = latest.apply(w.key());
            if (v == null || !w.firesOn(v)) continue;
            byName.remove(w.name());
            return Optional.of(w.reason(v, step));
        }
        return Optional.empty();
    }
}

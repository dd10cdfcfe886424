package io.eiscope.engine.sim;

import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.observe.ObservableKind;
import io.eiscope.engine.spec.Catalogue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The watchpoints of one simulation, by name, in the order they were set. Confined to the
 * simulation's thread (the runner's mailbox and run loop).
 */
final class Watchpoints {
    private final Map<String, Watchpoint> byName = new LinkedHashMap<>();

    /** Sets (or replaces) a watchpoint on a network-wide scalar observable of {@code catalogue}. */
    void add(Catalogue catalogue, Command.AddWatchpoint c) {
        ObservableDescriptor d = catalogue.observable(c.observable()).orElse(null);
        if (d == null || d.kind() != ObservableKind.SCALAR || d.perLayer())
            throw new IllegalArgumentException("command.add_watchpoint.observable must be a network-wide scalar observable, got '"
                    + c.observable() + "'");
        byName.put(c.name(), new Watchpoint(c.name(), c.observable(), c.condition(), c.threshold()));
    }

    void remove(String name) {
        if (byName.remove(name) == null)
            throw new IllegalArgumentException("command.remove_watchpoint.name: no watchpoint '" + name + "'; set: " + byName.keySet());
    }

    void clear() {
        byName.clear();
    }

    /**
     * The reason of the first watchpoint whose condition holds on {@code latest} (scalar values
     * by observable), which is dropped; empty if none holds.
     */
    Optional<String> fire(Map<String, Double> latest, long step) {
        for (Watchpoint w : byName.values()) {
            Double v = latest.get(w.observable());
            if (v == null || !w.firesOn(v)) continue;
            byName.remove(w.name());
            return Optional.of(w.reason(v, step));
        }
        return Optional.empty();
    }
}

package io.eiscope.engine.observe;

/**
 * Catalogue entry of an observable.
 *
 * @param perLayer true when measured per parameter tensor (frames then name it)
 * @param cost     CHEAP (inline, every step), LINEAR (in the parameter count), EXPENSIVE
 */
public record ObservableDescriptor(String name, ObservableKind kind, Cost cost, boolean perLayer, String doc) {
    public enum Cost {
        CHEAP,
        LINEAR,
        EXPENSIVE
    }
}

package io.eiscope.engine.observe;

/** What an observable's frames carry. */
public enum ObservableKind {
    SCALAR,
    TENSOR,
    HISTOGRAM,
    SPECTRUM,
    COMPLEX_SPECTRUM,
    EVENT
}

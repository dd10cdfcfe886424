package io.eiscope.store;

/** A recorded state change ({@code kind} "state") or intervention ("intervention") of a run. */
public record RecordedEvent(long step, long wallNanos, String kind, String state, String message) {}

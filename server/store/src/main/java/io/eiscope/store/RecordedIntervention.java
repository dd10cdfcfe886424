package io.eiscope.store;

/** Entry {@code position} of a run's intervention log: {@code command} (opaque bytes) took effect at {@code step}. */
public record RecordedIntervention(int position, long step, byte[] command) {}

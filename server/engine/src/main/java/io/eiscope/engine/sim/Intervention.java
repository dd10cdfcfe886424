package io.eiscope.engine.sim;

/** One entry of a simulation's intervention log: {@code command} took effect before update {@code step + 1}. */
public record Intervention(long step, Command command) {}

package io.eiscope.engine.spec;

/** A named experiment from the literature, ready to create. */
public record Preset(String name, String title, String doc, String citation, SimulationConfig config) {}

package io.eiscope.engine.spec;

/**
 * A named experiment from the literature, ready to create.
 *
 * @param group presets that share a group are one comparison, meant to run side by side (empty: none)
 */
public record Preset(String name, String title, String doc, String citation, String group, SimulationConfig config) {}

package io.eiscope.engine.spec;

import java.util.Map;

/**
 * A requested component: a catalogue kind and user parameter values (Double, Long, Boolean,
 * String or List&lt;Long&gt;), not yet validated.
 */
public record ComponentConfig(String kind, Map<String, Object> params) {
    public ComponentConfig {
        params = Map.copyOf(params);
    }

    public static ComponentConfig of(String kind) {
        return new ComponentConfig(kind, Map.of());
    }
}

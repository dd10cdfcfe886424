package io.eiscope.engine.spec;

import java.util.List;

/** A catalogue entry: a model, learning rule, task or initialisation, with its parameters. */
public record ComponentDescriptor(
        String kind, String title, String doc, String citation, List<ParamDescriptor> params) {
    public ComponentDescriptor {
        params = List.copyOf(params);
    }
}

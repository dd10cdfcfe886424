package io.eiscope.engine.spec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Validated parameter values of one component, with defaults filled in. Immutable. */
public final class Params {
    private final Map<String, Object> values;

    private Params(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * Validates {@code given} against {@code descriptor}: unknown names and bad values throw an
     * {@link IllegalArgumentException} that names {@code section.param} and what is allowed.
     */
    public static Params resolve(String section, ComponentDescriptor descriptor, Map<String, Object> given) {
        Map<String, Object> out = new HashMap<>();
        for (String name : given.keySet()) {
            if (descriptor.params().stream().noneMatch(p -> p.name().equals(name))) {
                throw new IllegalArgumentException(section + "." + name + " is not a parameter of " + section + " '"
                        + descriptor.kind() + "'; known: " + descriptor.params().stream().map(ParamDescriptor::name).toList());
            }
        }
        for (ParamDescriptor p : descriptor.params()) {
            Object v = given.containsKey(p.name()) ? given.get(p.name()) : p.defaultValue();
            out.put(p.name(), p.validate(section + "." + p.name(), v));
        }
        return new Params(out);
    }

    public double number(String name) {
        return (Double) require(name);
    }

    public long integer(String name) {
        return (Long) require(name);
    }

    public boolean flag(String name) {
        return (Boolean) require(name);
    }

    public String text(String name) {
        return (String) require(name);
    }

    @SuppressWarnings("unchecked")
    public List<Long> ints(String name) {
        return (List<Long>) require(name);
    }

    public Map<String, Object> asMap() {
        return values;
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) throw new IllegalStateException("no parameter '" + name + "'");
        return v;
    }
}

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
                        + descriptor.kind() + "'; known: "
                        + descriptor.params().stream()
                                .map(ParamDescriptor::name)
                                .toList());
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

    /**
     * These values as text that {@link #fromText} reads back exactly: one {@code name=value} line
     * per parameter in name order; numbers as {@link Double#toHexString} (bit for bit; Python reads
     * them with {@code float.fromhex}), integers in decimal, flags {@code true} or {@code false},
     * choices as they are, integer lists comma-separated.
     */
    public String toText() {
        StringBuilder s = new StringBuilder();
        values.keySet().stream().sorted().forEach(name -> {
            Object v = values.get(name);
            String text = v instanceof Double d
                    ? Double.toHexString(d)
                    : v instanceof List<?> list
                            ? String.join(
                                    ",", list.stream().map(String::valueOf).toList())
                            : String.valueOf(v);
            s.append(name).append('=').append(text).append('\n');
        });
        return s.toString();
    }

    /**
     * Reads {@link #toText} output back and validates it as {@link #resolve} does; parameters the
     * text lacks take their defaults.
     *
     * @throws IllegalArgumentException naming {@code section.param} for a malformed line or value
     */
    public static Params fromText(String section, ComponentDescriptor descriptor, String text) {
        Map<String, Object> given = new HashMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) continue;
            int eq = line.indexOf('=');
            if (eq < 1) throw new IllegalArgumentException(section + ": expected name=value, got '" + line + "'");
            String name = line.substring(0, eq), value = line.substring(eq + 1);
            ParamDescriptor p = descriptor.params().stream()
                    .filter(d -> d.name().equals(name))
                    .findFirst()
                    .orElse(null);
            try {
                given.put(name, p == null ? value : parse(p.type(), value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        section + "." + name + ": cannot read '" + value + "' as " + p.type(), e);
            }
        }
        return resolve(section, descriptor, given);
    }

    private static Object parse(ParamType type, String value) {
        return switch (type) {
            case NUMBER -> Double.parseDouble(value);
            case INTEGER -> Long.parseLong(value);
            case FLAG ->
                switch (value) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> value; // refused with its name by the check that follows
                };
            case CHOICE, NAME_LIST -> value;
            case INT_LIST ->
                value.isEmpty()
                        ? List.of()
                        : java.util.Arrays.stream(value.split(","))
                                .map(Long::parseLong)
                                .toList();
        };
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) throw new IllegalStateException("no parameter '" + name + "'");
        return v;
    }
}

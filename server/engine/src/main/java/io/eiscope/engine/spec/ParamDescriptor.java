package io.eiscope.engine.spec;

import java.util.List;

/**
 * One parameter of a catalogue component: type, inclusive range (also for each element of an
 * int list), default and a one-line doc. {@link #validate} turns a user value into the
 * canonical Java type or throws an {@link IllegalArgumentException} that names the field and
 * what is allowed.
 */
public record ParamDescriptor(
        String name, ParamType type, Object defaultValue, double min, double max, List<String> choices, String doc) {

    public static ParamDescriptor number(String name, double def, double min, double max, String doc) {
        return new ParamDescriptor(name, ParamType.NUMBER, def, min, max, List.of(), doc);
    }

    public static ParamDescriptor integer(String name, long def, long min, long max, String doc) {
        return new ParamDescriptor(name, ParamType.INTEGER, def, min, max, List.of(), doc);
    }

    public static ParamDescriptor flag(String name, boolean def, String doc) {
        return new ParamDescriptor(name, ParamType.FLAG, def, 0, 1, List.of(), doc);
    }

    public static ParamDescriptor choice(String name, String def, List<String> choices, String doc) {
        return new ParamDescriptor(name, ParamType.CHOICE, def, 0, 0, List.copyOf(choices), doc);
    }

    public static ParamDescriptor intList(String name, List<Long> def, long min, long max, String doc) {
        return new ParamDescriptor(name, ParamType.INT_LIST, List.copyOf(def), min, max, List.of(), doc);
    }

    /**
     * A subset of {@code choices}, written as comma-separated names or {@code all}; validated to
     * {@code all} or the names joined by commas, in the order given.
     */
    public static ParamDescriptor nameList(String name, String def, List<String> choices, String doc) {
        return new ParamDescriptor(name, ParamType.NAME_LIST, def, 0, 0, List.copyOf(choices), doc);
    }

    /**
     * Checks {@code value} against this parameter's type and range, converting it to its canonical type.
     *
     * @param field the qualified field name for messages, e.g. {@code learning_rule.learning_rate}
     * @return the value as Double, Long, Boolean, String or List&lt;Long&gt;
     */
    public Object validate(String field, Object value) {
        switch (type) {
            case NUMBER -> {
                if (!(value instanceof Number n)) throw wrongType(field, value, "a number");
                double d = n.doubleValue();
                if (!Double.isFinite(d) || d < min || d > max)
                    throw new IllegalArgumentException(
                            field + " must be a number in [" + fmt(min) + ", " + fmt(max) + "], got " + fmt(d));
                return d;
            }
            case INTEGER -> {
                long l = asLong(field, value);
                if (l < min || l > max)
                    throw new IllegalArgumentException(
                            field + " must be an integer in [" + fmt(min) + ", " + fmt(max) + "], got " + l);
                return l;
            }
            case FLAG -> {
                if (!(value instanceof Boolean b)) throw wrongType(field, value, "true or false");
                return b;
            }
            case CHOICE -> {
                if (!(value instanceof String s)) throw wrongType(field, value, "one of " + choices);
                if (!choices.contains(s))
                    throw new IllegalArgumentException(field + " must be one of " + choices + ", got '" + s + "'");
                return s;
            }
            case INT_LIST -> {
                if (!(value instanceof List<?> list)) throw wrongType(field, value, "a list of integers");
                if (list.isEmpty() && min > 0) throw new IllegalArgumentException(field + " must not be empty");
                return list.stream()
                        .map(v -> {
                            long l = asLong(field, v);
                            if (l < min || l > max)
                                throw new IllegalArgumentException(field + " entries must be integers in [" + fmt(min)
                                        + ", " + fmt(max) + "], got " + l);
                            return l;
                        })
                        .toList();
            }
            case NAME_LIST -> {
                if (!(value instanceof String s)) throw wrongType(field, value, "'all' or comma-separated names");
                List<String> names = java.util.Arrays.stream(s.trim().split("[,\\s]+"))
                        .filter(n -> !n.isEmpty())
                        .toList();
                if (names.isEmpty())
                    throw new IllegalArgumentException(field + " must be 'all' or comma-separated names, got nothing");
                if (names.equals(List.of("all"))) return "all";
                for (String n : names)
                    if (!choices.contains(n))
                        throw new IllegalArgumentException(field + ": '" + n + "' is not one of the names " + choices);
                if (names.stream().distinct().count() != names.size())
                    throw new IllegalArgumentException(field + " names a value twice: " + s);
                return String.join(",", names);
            }
            default -> throw new IllegalStateException(type.toString());
        }
    }

    private long asLong(String field, Object value) {
        if (value instanceof Long || value instanceof Integer) return ((Number) value).longValue();
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return d.longValue();
        throw wrongType(field, value, "an integer");
    }

    private static IllegalArgumentException wrongType(String field, Object value, String expected) {
        return new IllegalArgumentException(
                field + " must be " + expected + ", got " + (value == null ? "nothing" : "'" + value + "'"));
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}

package io.eiscope.app;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.UnknownFieldSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Field-level mutations of protobuf messages, generic over their descriptors, so that a new
 * request type or field is fuzzed without code here: a field (at any depth, through nested
 * messages, repeated fields and map entries) gets an extreme or odd value of its type, is
 * cleared, emptied or filled with thousands of elements, a oneof switches to another member,
 * or an unknown field is added. Values come from lists of extremes, from {@code words} (names
 * the server knows, so that a mutation can also land on another valid value) and from the
 * messages {@link #learn learned} as examples of their types. Not thread-safe; deterministic
 * for a given {@link Random}.
 */
final class FieldMutator {
    /** A mutated message and what changed: the field paths and the values put there. */
    record Mutation(Message message, String path, String value) {}

    private static final int[] INTS = {
        0, -1, 1, 2, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE - 1, 65_536, -65_536
    };
    private static final long[] LONGS = {
        0,
        -1,
        1,
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        (1L << 32) - 1,
        1L << 32,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        1L << 53,
        Long.MAX_VALUE - 1
    };
    private static final double[] DOUBLES = {
        Double.NaN,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        -0.0,
        0,
        1e300,
        -1e300,
        Double.MAX_VALUE,
        Double.MIN_VALUE,
        1e-310,
        -1,
        1e-30,
        2
    };
    private static final float[] FLOATS = {
        Float.NaN,
        Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY,
        -0f,
        0,
        Float.MAX_VALUE,
        -Float.MAX_VALUE,
        Float.MIN_VALUE,
        1e-40f,
        -1,
        1e30f
    };
    private static final String[] STRINGS = {
        "",
        " ",
        "x".repeat(10_000),
        "ünïcødé ☃ 𝄞 שלום",
        "\u0000",
        "a\u0000b",
        "../../etc/passwd",
        "/etc/passwd",
        "%s%n%d",
        "\n\r\t",
        "sim-00000000",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\uD800",
        "s".repeat(65),
        "a,b",
        "layer0.",
        ".",
        "*"
    };
    private static final int[] UNKNOWN_ENUMS = {-1, 99, 12_345, Integer.MAX_VALUE, Integer.MIN_VALUE};

    private final Random random;
    private final Supplier<List<String>> words;
    private final Map<Descriptor, List<Message>> examples = new HashMap<>();

    FieldMutator(Random random, Supplier<List<String>> words) {
        this.random = random;
        this.words = words;
    }

    /** Remembers {@code m} and every message inside it as examples of their types. */
    void learn(Message m) {
        examples.computeIfAbsent(m.getDescriptorForType(), d -> new ArrayList<>())
                .add(m);
        m.getAllFields().forEach((f, v) -> {
            if (f.getJavaType() != JavaType.MESSAGE) return;
            if (f.isRepeated()) ((List<?>) v).forEach(e -> learn((Message) e));
            else learn((Message) v);
        });
    }

    /** One to three edits of {@code base}. */
    Mutation mutate(Message base) {
        int edits = random.nextInt(10) < 7 ? 1 : 2 + random.nextInt(2);
        List<String> paths = new ArrayList<>(), values = new ArrayList<>();
        Message m = base;
        for (int i = 0; i < edits; i++) {
            String[] trace = new String[2];
            m = edit(m, "", 0, trace);
            paths.add(trace[0]);
            values.add(trace[1]);
        }
        return new Mutation(m, String.join(" & ", paths), String.join(" & ", values));
    }

    /** {@code m} with one edit at or below it; {@code trace} receives the path and the value. */
    private Message edit(Message m, String path, int depth, String[] trace) {
        List<FieldDescriptor> fields = m.getDescriptorForType().getFields();
        Message.Builder b = m.toBuilder();
        if (fields.isEmpty() || random.nextInt(25) == 0) return addUnknownField(b, path, trace);
        List<FieldDescriptor> set = new ArrayList<>(m.getAllFields().keySet());
        FieldDescriptor f = pick(!set.isEmpty() && random.nextInt(10) < 6 ? set : fields);
        String p = path.isEmpty() ? f.getName() : path + "." + f.getName();
        if (f.isRepeated()) {
            editRepeated(b, f, p, depth, trace);
        } else if (f.hasPresence() && random.nextInt(8) == 0) {
            b.clearField(f);
            trace(trace, p, "cleared");
        } else if (f.getRealContainingOneof() != null && random.nextInt(10) == 0) {
            b.clearOneof(f.getRealContainingOneof());
            trace(
                    trace,
                    path.isEmpty()
                            ? f.getRealContainingOneof().getName()
                            : path + "." + f.getRealContainingOneof().getName(),
                    "cleared");
        } else if (f.getJavaType() == JavaType.MESSAGE) {
            int r = random.nextInt(10);
            if (r == 0 || depth >= 6) {
                b.setField(f, b.newBuilderForField(f).build());
                trace(trace, p, "default");
            } else if (r <= 2) {
                Message e = example(f.getMessageType());
                b.setField(f, e);
                trace(trace, p, describe(e));
            } else {
                b.setField(f, edit((Message) b.getField(f), p, depth + 1, trace));
            }
        } else {
            Object v = scalar(f);
            b.setField(f, v);
            trace(trace, p, describe(v));
        }
        return b.build();
    }

    /**
     * A field of {@code fields}, messages and repeated fields three times as likely as a scalar: they
     * hold more to explore (a request's run id alone would otherwise take half of the edits).
     */
    private FieldDescriptor pick(List<FieldDescriptor> fields) {
        int total = 0;
        for (FieldDescriptor f : fields) total += weight(f);
        int r = random.nextInt(total);
        for (FieldDescriptor f : fields) {
            r -= weight(f);
            if (r < 0) return f;
        }
        throw new AssertionError();
    }

    private static int weight(FieldDescriptor f) {
        return f.isRepeated() || f.getJavaType() == JavaType.MESSAGE ? 3 : 1;
    }

    private void editRepeated(Message.Builder b, FieldDescriptor f, String p, int depth, String[] trace) {
        int n = b.getRepeatedFieldCount(f);
        int r = random.nextInt(20);
        if (r < 3) {
            b.clearField(f);
            trace(trace, p, "[] (emptied)");
        } else if (r < 6) {
            int count = 1_000 + random.nextInt(4_001);
            Object e = element(f, true);
            for (int i = 0; i < count; i++) b.addRepeatedField(f, f.isMapField() ? entry(f, key(f, i), e) : e);
            trace(
                    trace,
                    p,
                    count + " × "
                            + describe(
                                    f.isMapField()
                                            ? ((Message) e)
                                                    .getField(f.getMessageType().findFieldByName("value"))
                                            : e));
        } else if (n == 0 || r < 11) {
            Object e = element(f, false);
            b.addRepeatedField(f, e);
            trace(trace, p + "[+]", describe(e));
        } else {
            int i = random.nextInt(n);
            Object old = b.getRepeatedField(f, i);
            String at = p + "["
                    + (f.isMapField()
                            ? describe(
                                    ((Message) old).getField(f.getMessageType().findFieldByName("key")))
                            : i)
                    + "]";
            if (f.getJavaType() == JavaType.MESSAGE) {
                b.setRepeatedField(f, i, edit((Message) old, at, depth + 1, trace));
            } else {
                Object v = scalar(f);
                b.setRepeatedField(f, i, v);
                trace(trace, at, describe(v));
            }
        }
    }

    /** A new element of repeated {@code f}: for a map an entry with an odd or known key; short strings when {@code many}. */
    private Object element(FieldDescriptor f, boolean many) {
        if (f.isMapField()) {
            FieldDescriptor key = f.getMessageType().findFieldByName("key"),
                    value = f.getMessageType().findFieldByName("value");
            Object v = value.getJavaType() == JavaType.MESSAGE
                    ? (random.nextBoolean()
                            ? example(value.getMessageType())
                            : edit(example(value.getMessageType()), "", 1, new String[2]))
                    : scalar(value);
            Object k = key.getJavaType() == JavaType.STRING ? (many ? "" : string()) : scalar(key);
            return entry(f, k, v);
        }
        if (f.getJavaType() == JavaType.MESSAGE) {
            Message e = example(f.getMessageType());
            return random.nextBoolean() ? e : edit(e, "", 1, new String[2]);
        }
        Object v = scalar(f);
        return many && v instanceof String s && s.length() > 100 ? "k" : v;
    }

    /** The {@code i}-th of many distinct keys of map {@code f}. */
    private static Object key(FieldDescriptor f, int i) {
        return switch (f.getMessageType().findFieldByName("key").getJavaType()) {
            case STRING -> "k" + i;
            case LONG -> (long) i;
            case BOOLEAN -> i % 2 == 0;
            default -> i;
        };
    }

    private static Message entry(FieldDescriptor mapField, Object key, Object valueOrEntry) {
        Descriptor d = mapField.getMessageType();
        Object value = valueOrEntry instanceof Message m && m.getDescriptorForType() == d
                ? m.getField(d.findFieldByName("value"))
                : valueOrEntry;
        return com.google.protobuf.DynamicMessage.newBuilder(d)
                .setField(d.findFieldByName("key"), key)
                .setField(d.findFieldByName("value"), value)
                .build();
    }

    private Message example(Descriptor type) {
        List<Message> known = examples.get(type);
        if (known == null || random.nextInt(5) == 0) return com.google.protobuf.DynamicMessage.getDefaultInstance(type);
        return known.get(random.nextInt(known.size()));
    }

    private Object scalar(FieldDescriptor f) {
        boolean small = random.nextInt(4) == 0;
        return switch (f.getJavaType()) {
            case INT -> small ? random.nextInt(1_000) : INTS[random.nextInt(INTS.length)];
            case LONG -> small ? (long) random.nextInt(1_000) : LONGS[random.nextInt(LONGS.length)];
            case FLOAT -> small ? random.nextFloat() : FLOATS[random.nextInt(FLOATS.length)];
            case DOUBLE -> small ? random.nextDouble() : DOUBLES[random.nextInt(DOUBLES.length)];
            case BOOLEAN -> random.nextBoolean();
            case STRING -> string();
            case BYTE_STRING -> bytes();
            case ENUM ->
                random.nextBoolean()
                        ? f.getEnumType()
                                .getValues()
                                .get(random.nextInt(f.getEnumType().getValues().size()))
                        : f.getEnumType()
                                .findValueByNumberCreatingIfUnknown(
                                        UNKNOWN_ENUMS[random.nextInt(UNKNOWN_ENUMS.length)]);
            case MESSAGE -> throw new IllegalArgumentException(f.getFullName() + " is a message");
        };
    }

    private String string() {
        List<String> known = words.get();
        int r = random.nextInt(10);
        if (r < 4 && !known.isEmpty()) return known.get(random.nextInt(known.size()));
        if (r == 4 && !known.isEmpty())
            return known.get(random.nextInt(known.size())) + STRINGS[random.nextInt(STRINGS.length)];
        return STRINGS[random.nextInt(STRINGS.length)];
    }

    private ByteString bytes() {
        return switch (random.nextInt(6)) {
            case 0 -> ByteString.EMPTY;
            case 1 -> ByteString.copyFrom(new byte[] {0});
            case 2 -> ByteString.copyFrom(new byte[] {1, 2, 3});
            case 3 -> ByteString.copyFrom(new byte[100_000]);
            default -> {
                byte[] b = new byte[4 * (1 + random.nextInt(64))];
                random.nextBytes(b);
                yield ByteString.copyFrom(b);
            }
        };
    }

    /** An unknown field (or a known number with another wire type): the server must ignore it or say why not. */
    private Message addUnknownField(Message.Builder b, String path, String[] trace) {
        int number = new int[] {1, 2, 3, 5, 99, 536_870_911}[random.nextInt(6)];
        UnknownFieldSet.Field.Builder field = UnknownFieldSet.Field.newBuilder();
        String kind;
        switch (random.nextInt(4)) {
            case 0 -> {
                field.addVarint(LONGS[random.nextInt(LONGS.length)]);
                kind = "varint";
            }
            case 1 -> {
                field.addFixed32(random.nextInt());
                kind = "fixed32";
            }
            case 2 -> {
                field.addFixed64(random.nextLong());
                kind = "fixed64";
            }
            default -> {
                field.addLengthDelimited(bytes());
                kind = "length-delimited";
            }
        }
        b.setUnknownFields(UnknownFieldSet.newBuilder(b.getUnknownFields())
                .addField(number, field.build())
                .build());
        trace(trace, (path.isEmpty() ? "" : path + ".") + "#" + number, "unknown " + kind);
        return b.build();
    }

    private static void trace(String[] trace, String path, String value) {
        trace[0] = path;
        trace[1] = value;
    }

    /** A short, printable form of a field value: strings quoted with odd characters escaped and their length when long. */
    static String describe(Object v) {
        if (v instanceof String s) {
            StringBuilder out = new StringBuilder("\"");
            s.substring(0, Math.min(s.length(), 30))
                    .chars()
                    .forEach(c ->
                            out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
            return out.append(s.length() > 30 ? "...\" (" + s.length() + " chars)" : "\"")
                    .toString();
        }
        if (v instanceof ByteString bs) return "bytes[" + bs.size() + "]";
        if (v instanceof EnumValueDescriptor e)
            return e.getType().findValueByNumber(e.getNumber()) == e ? e.getName() : "unknown enum " + e.getNumber();
        if (v instanceof Message m) {
            String text = TextFormat.printer().emittingSingleLine(true).printToString(m);
            return "{" + (text.length() > 80 ? text.substring(0, 80) + "..." : text) + "}";
        }
        return String.valueOf(v);
    }
}

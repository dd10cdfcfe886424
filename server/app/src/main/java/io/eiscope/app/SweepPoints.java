package io.eiscope.app;

import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SweepAxis;
import io.eiscope.api.v1.SweepMode;
import io.eiscope.api.v1.SweepRange;
import io.eiscope.api.v1.SweepSpec;
import io.eiscope.api.v1.Value;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.Params;
import io.eiscope.engine.spec.Preset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A sweep's points: the grid or random sample its axes describe, each point's run spec (the base
 * spec or preset with the point's values put in) and name. Everything is validated before a sweep
 * starts, with INVALID_ARGUMENT messages that name the field, so that a typo fails at once rather
 * than at the 300th run.
 */
final class SweepPoints {
    /** Most points in one sweep. */
    static final int MAX_POINTS = 1000;

    /** Most runs of one sweep playing at once. */
    static final int MAX_CONCURRENCY = 256;

    static final List<String> SECTIONS = List.of("model", "learning_rule", "task");
    static final List<String> TOP_FIELDS = List.of("seed", "preset", "batch_size", "eval_every_steps", "step_budget");

    private SweepPoints() {}

    /** A point's run: its spec and the preset it came from ("" for none). */
    record Run(SimulationSpec spec, String preset) {}

    /** Validates {@code s} and expands its points (each the varied fields' values, in axis order). */
    static List<Map<String, Value>> expand(SweepSpec s, Catalogue catalogue) {
        if (s.getName().length() > ProtoMapper.MAX_NAME_LENGTH)
            throw ApiException.invalid("spec.name must be at most " + ProtoMapper.MAX_NAME_LENGTH + " characters");
        boolean presetVaried =
                s.getAxesList().stream().anyMatch(a -> a.getField().equals("preset"));
        if (s.getPreset().isEmpty() && !s.hasSpec() && !presetVaried)
            throw ApiException.invalid("spec.spec or spec.preset is required (or an axis over \"preset\")");
        if (!s.getPreset().isEmpty() || presetVaried) {
            if (!s.getPreset().isEmpty()) preset(catalogue, s.getPreset(), "spec.preset");
            SimulationSpec given = s.getSpec();
            if (given.hasModel()
                    || given.hasLearningRule()
                    || given.hasTask()
                    || given.getBatchSize() != 0
                    || given.getEvalEverySteps() != 0
                    || given.getStepBudget() != 0)
                throw ApiException.invalid(
                        "spec.spec: with a preset, the spec may set only name, seed, initial_parameters"
                                + " and checkpoints; change the preset's other fields with an axis (e.g. field \"step_budget\")");
        }
        if (s.getAxesCount() == 0)
            throw ApiException.invalid(
                    "spec.axes is empty: give at least one axis (e.g. field \"seed\", values 1, 2, 3)");
        if (s.getConcurrency() < 0 || s.getConcurrency() > MAX_CONCURRENCY)
            throw ApiException.invalid("spec.concurrency must be in [0, " + MAX_CONCURRENCY
                    + "] (0: the server's cores), got " + s.getConcurrency());
        Set<String> fields = new HashSet<>();
        for (int i = 0; i < s.getAxesCount(); i++) {
            SweepAxis a = s.getAxes(i);
            String where = "spec.axes[" + i + "]";
            checkField(where + ".field", a.getField(), s, catalogue);
            if (!fields.add(a.getField()))
                throw ApiException.invalid(
                        where + ".field: '" + a.getField() + "' is varied by an earlier axis already");
            if (s.getMode() == SweepMode.SWEEP_MODE_GRID) {
                if (a.hasRange())
                    throw ApiException.invalid(where + ".range is for random sweeps; a grid takes values");
                if (a.getValuesCount() == 0)
                    throw ApiException.invalid(
                            where + ".values is empty: give at least one value for '" + a.getField() + "'");
            } else if (s.getMode() == SweepMode.SWEEP_MODE_RANDOM) {
                if (a.hasRange() == (a.getValuesCount() > 0))
                    throw ApiException.invalid(where + ": give either values or range for '" + a.getField() + "'");
                if (a.hasRange()) checkRange(where + ".range", a.getRange());
            }
            for (int j = 0; j < a.getValuesCount(); j++) {
                if (a.getValues(j).getKindCase() == Value.KindCase.KIND_NOT_SET)
                    throw ApiException.invalid(where + ".values[" + j + "] has no value");
            }
        }
        List<Map<String, Value>> points = switch (s.getMode()) {
            case SWEEP_MODE_GRID -> grid(s);
            case SWEEP_MODE_RANDOM -> random(s);
            default ->
                throw ApiException.invalid(
                        "spec.mode must be SWEEP_MODE_GRID or SWEEP_MODE_RANDOM, got " + s.getMode());
        };
        for (int i = 0; i < points.size(); i++) {
            Map<String, Value> p = points.get(i);
            try {
                check(runOf(s, p, catalogue), catalogue);
            } catch (IllegalArgumentException | ApiException e) {
                throw ApiException.invalid("run " + i + " (" + label(p) + "): " + e.getMessage());
            }
        }
        return points;
    }

    private static void checkField(String where, String field, SweepSpec s, Catalogue catalogue) {
        if (TOP_FIELDS.contains(field)) return;
        int dot = field.indexOf('.');
        String section = dot < 0 ? field : field.substring(0, dot);
        if (dot < 0 || !SECTIONS.contains(section) || dot == field.length() - 1)
            throw ApiException.invalid(
                    where + ": unknown spec field '" + field + "'; one of " + TOP_FIELDS
                            + ", or model.kind, learning_rule.kind, task.kind, or a component parameter such as learning_rule.learning_rate");
        String param = field.substring(dot + 1);
        if (param.equals("kind")) return;
        // The base's kind: a parameter unknown to it is most likely a typo (a varied kind is checked per run).
        boolean kindVaried = s.getAxesList().stream()
                .anyMatch(a ->
                        a.getField().equals(section + ".kind") || a.getField().equals("preset"));
        if (kindVaried) return;
        String kind = component(base(s, catalogue).spec(), section).getKind();
        var entries = switch (section) {
            case "model" ->
                catalogue.models().stream().map(Catalogue.Entry::descriptor).toList();
            case "learning_rule" ->
                catalogue.rules().stream().map(Catalogue.Entry::descriptor).toList();
            default ->
                catalogue.tasks().stream().map(Catalogue.Entry::descriptor).toList();
        };
        entries.stream().filter(d -> d.kind().equals(kind)).findFirst().ifPresent(d -> {
            if (d.params().stream().noneMatch(p -> p.name().equals(param)))
                throw ApiException.invalid(
                        where + ": " + section + " '" + kind + "' has no parameter '" + param + "'; its parameters: "
                                + d.params().stream().map(x -> x.name()).toList());
        });
    }

    private static void checkRange(String where, SweepRange r) {
        if (!Double.isFinite(r.getMin()) || !Double.isFinite(r.getMax()) || r.getMin() > r.getMax())
            throw ApiException.invalid(where + ": min and max must be finite with min <= max, got [" + r.getMin() + ", "
                    + r.getMax() + "]");
        if (r.getLog() && r.getMin() <= 0)
            throw ApiException.invalid(where + ": a log range needs min > 0, got " + r.getMin());
    }

    private static List<Map<String, Value>> grid(SweepSpec s) {
        long size = 1;
        for (SweepAxis a : s.getAxesList()) size *= a.getValuesCount();
        if (size > MAX_POINTS)
            throw ApiException.invalid("the grid has " + size + " points, more than this server's limit of "
                    + MAX_POINTS + " runs per sweep: split it into several sweeps, or use a random sweep");
        List<Map<String, Value>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (SweepAxis a : s.getAxesList()) { // the last axis varies fastest
            List<Map<String, Value>> next = new ArrayList<>();
            for (Map<String, Value> p : out) {
                for (Value v : a.getValuesList()) {
                    Map<String, Value> q = new LinkedHashMap<>(p);
                    q.put(a.getField(), v);
                    next.add(q);
                }
            }
            out = next;
        }
        return out;
    }

    private static List<Map<String, Value>> random(SweepSpec s) {
        if (s.getSamples() < 1 || s.getSamples() > MAX_POINTS)
            throw ApiException.invalid(
                    "spec.samples must be in [1, " + MAX_POINTS + "] for a random sweep, got " + s.getSamples());
        SplittableRandom rng = new SplittableRandom(s.getSampleSeed());
        List<Map<String, Value>> out = new ArrayList<>();
        for (int i = 0; i < s.getSamples(); i++) {
            Map<String, Value> p = new LinkedHashMap<>();
            for (SweepAxis a : s.getAxesList()) {
                if (a.getValuesCount() > 0) {
                    p.put(a.getField(), a.getValues(rng.nextInt(a.getValuesCount())));
                    continue;
                }
                SweepRange r = a.getRange();
                double u = rng.nextDouble();
                double x = r.getLog()
                        ? Math.exp(Math.log(r.getMin()) + u * (Math.log(r.getMax()) - Math.log(r.getMin())))
                        : r.getMin() + u * (r.getMax() - r.getMin());
                p.put(
                        a.getField(),
                        r.getInteger()
                                ? Value.newBuilder().setInteger(Math.round(x)).build()
                                : Value.newBuilder().setNumber(x).build());
            }
            out.add(p);
        }
        return out;
    }

    /** The base of every run: the spec, or the preset's with the spec's name, seed and initial parameters. */
    private static Run base(SweepSpec s, Catalogue catalogue) {
        return s.getPreset().isEmpty()
                ? new Run(s.getSpec(), "")
                : fromPreset(s, s.getPreset(), catalogue, "spec.preset");
    }

    private static Run fromPreset(SweepSpec s, String name, Catalogue catalogue, String where) {
        SimulationSpec.Builder b =
                ProtoMapper.toSpec(preset(catalogue, name, where).config()).toBuilder();
        SimulationSpec given = s.getSpec();
        if (!given.getName().isEmpty()) b.setName(given.getName());
        if (given.getSeed() != 0) b.setSeed(given.getSeed());
        b.putAllInitialParameters(given.getInitialParametersMap());
        if (given.hasCheckpoints()) b.setCheckpoints(given.getCheckpoints());
        return new Run(b.build(), name);
    }

    private static Preset preset(Catalogue catalogue, String name, String where) {
        return catalogue
                .preset(name)
                .orElseThrow(() -> ApiException.invalid(where + ": unknown preset '" + name + "'; one of "
                        + catalogue.presets().stream().map(Preset::name).toList()));
    }

    /** The run of point {@code values}: the base with each value put in, named after the values. */
    static Run runOf(SweepSpec s, Map<String, Value> values, Catalogue catalogue) {
        Value preset = values.get("preset");
        Run base = preset == null ? base(s, catalogue) : fromPreset(s, text("preset", preset), catalogue, "preset");
        SimulationSpec.Builder b = base.spec().toBuilder();
        for (Map.Entry<String, Value> e : values.entrySet()) {
            String f = e.getKey();
            Value v = e.getValue();
            switch (f) {
                case "preset" -> {}
                case "seed" -> b.setSeed(integer(f, v));
                case "batch_size" -> b.setBatchSize(Math.toIntExact(integer(f, v)));
                case "eval_every_steps" -> b.setEvalEverySteps(Math.toIntExact(integer(f, v)));
                case "step_budget" -> b.setStepBudget(integer(f, v));
                default -> {
                    String section = f.substring(0, f.indexOf('.'));
                    String param = f.substring(f.indexOf('.') + 1);
                    ComponentSpec.Builder c = component(b.build(), section).toBuilder();
                    if (param.equals("kind")) c.setKind(text(f, v));
                    else c.putParams(param, v);
                    switch (section) {
                        case "model" -> b.setModel(c);
                        case "learning_rule" -> b.setLearningRule(c);
                        default -> b.setTask(c);
                    }
                }
            }
        }
        String prefix = !s.getName().isEmpty() ? s.getName() : b.getName().isEmpty() ? "sweep" : b.getName();
        String name = prefix + " · " + label(values);
        if (name.length() > ProtoMapper.MAX_NAME_LENGTH) name = name.substring(0, ProtoMapper.MAX_NAME_LENGTH);
        return new Run(b.setName(name).build(), base.preset());
    }

    private static ComponentSpec component(SimulationSpec s, String section) {
        return switch (section) {
            case "model" -> s.getModel();
            case "learning_rule" -> s.getLearningRule();
            default -> s.getTask();
        };
    }

    /** What creating the run would refuse without building it: components, parameters, budget. */
    private static void check(Run r, Catalogue catalogue) {
        SimulationSpec s = r.spec();
        if (s.getStepBudget() <= 0)
            throw ApiException.invalid(
                    "step_budget must be > 0 in a sweep (the next run starts when one finishes), got "
                            + s.getStepBudget());
        if (s.getBatchSize() < 1) throw ApiException.invalid("batch_size must be >= 1, got " + s.getBatchSize());
        if (s.getEvalEverySteps() < 0)
            throw ApiException.invalid("eval_every_steps must be >= 0, got " + s.getEvalEverySteps());
        var config = ProtoMapper.toConfig(s);
        for (String section : SECTIONS) {
            var c = switch (section) {
                case "model" -> config.model();
                case "learning_rule" -> config.learningRule();
                default -> config.task();
            };
            if (c == null) throw ApiException.invalid(section + " is required");
        }
        checkComponents(s, catalogue);
    }

    /** Validates the components' parameters against the catalogue (the engine's own messages). */
    private static void checkComponents(SimulationSpec s, Catalogue catalogue) {
        var config = ProtoMapper.toConfig(s);
        Params.resolve(
                "model",
                Catalogue.find("model", catalogue.models(), config.model().kind())
                        .descriptor(),
                config.model().params());
        Params.resolve(
                "learning_rule",
                Catalogue.find(
                                "learning_rule",
                                catalogue.rules(),
                                config.learningRule().kind())
                        .descriptor(),
                config.learningRule().params());
        Params.resolve(
                "task",
                Catalogue.find("task", catalogue.tasks(), config.task().kind()).descriptor(),
                config.task().params());
    }

    private static long integer(String field, Value v) {
        if (v.hasInteger()) return v.getInteger();
        if (v.hasNumber() && v.getNumber() == Math.rint(v.getNumber()) && Math.abs(v.getNumber()) < 1e15)
            return (long) v.getNumber();
        throw ApiException.invalid(field + " takes an integer, got " + format(v));
    }

    private static String text(String field, Value v) {
        if (!v.hasText()) throw ApiException.invalid(field + " takes a text value, got " + format(v));
        return v.getText();
    }

    /** "learning_rule.learning_rate=0.01 seed=2": a point in words (run names, messages). */
    static String label(Map<String, Value> values) {
        StringBuilder b = new StringBuilder();
        values.forEach((k, v) -> {
            if (b.length() > 0) b.append(' ');
            b.append(k).append('=').append(format(v));
        });
        return b.toString();
    }

    static String format(Value v) {
        return switch (v.getKindCase()) {
            case NUMBER -> Double.toString(v.getNumber());
            case INTEGER -> Long.toString(v.getInteger());
            case FLAG -> Boolean.toString(v.getFlag());
            case TEXT -> v.getText();
            case INTS -> v.getInts().getValuesList().toString();
            case KIND_NOT_SET -> "(none)";
        };
    }
}

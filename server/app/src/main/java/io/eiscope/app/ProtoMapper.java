package io.eiscope.app;

import com.google.protobuf.ByteString;
import io.eiscope.api.v1.AddWatchpoint;
import io.eiscope.api.v1.AddWeightNoise;
import io.eiscope.api.v1.Catalogue;
import io.eiscope.api.v1.ComponentInfo;
import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.Event;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.Freeze;
import io.eiscope.api.v1.Histogram;
import io.eiscope.api.v1.IntList;
import io.eiscope.api.v1.Intervention;
import io.eiscope.api.v1.Lesion;
import io.eiscope.api.v1.ObservableCost;
import io.eiscope.api.v1.ObservableInfo;
import io.eiscope.api.v1.ObservableKind;
import io.eiscope.api.v1.ParamInfo;
import io.eiscope.api.v1.ParamType;
import io.eiscope.api.v1.ParameterInfo;
import io.eiscope.api.v1.Population;
import io.eiscope.api.v1.Preset;
import io.eiscope.api.v1.RemoveWatchpoint;
import io.eiscope.api.v1.RunUntil;
import io.eiscope.api.v1.Scalar;
import io.eiscope.api.v1.SetRuleParams;
import io.eiscope.api.v1.SetWeight;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.SwitchRule;
import io.eiscope.api.v1.Tensor;
import io.eiscope.api.v1.Value;
import io.eiscope.api.v1.WatchCondition;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.sim.Command;
import io.eiscope.engine.sim.Watchpoint;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.ComponentDescriptor;
import io.eiscope.engine.spec.ParamDescriptor;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.spec.TensorValue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The one place that converts between proto messages and engine types. Stateless. */
public final class ProtoMapper {
    private ProtoMapper() {}

    // ---- specs ----

    /** Longest run name accepted (spec.name, UpdateRun). */
    public static final int MAX_NAME_LENGTH = 200;

    public static SimulationConfig toConfig(SimulationSpec s) {
        if (s.getName().length() > MAX_NAME_LENGTH)
            throw ApiException.invalid("spec.name must be at most " + MAX_NAME_LENGTH + " characters, got "
                    + s.getName().length());
        return new SimulationConfig(
                s.getName(),
                toComponent(s.hasModel() ? s.getModel() : null),
                toComponent(s.hasLearningRule() ? s.getLearningRule() : null),
                toComponent(s.hasTask() ? s.getTask() : null),
                s.getSeed(),
                s.getBatchSize(),
                s.getEvalEverySteps(),
                s.getStepBudget(),
                toInitialParameters(s));
    }

    /**
     * The spec's initial parameter values; the engine checks names, shapes and values against
     * the model, this checks that each tensor's bytes fit its shape.
     */
    public static Map<String, TensorValue> toInitialParameters(SimulationSpec s) {
        Map<String, TensorValue> out = new LinkedHashMap<>();
        s.getInitialParametersMap()
                .forEach((name, t) -> out.put(name, toTensorValue("initial_parameters[\"" + name + "\"]", t)));
        return out;
    }

    /** Decodes little-endian float32 {@code data} of {@code shape}; errors name {@code field}. */
    static TensorValue toTensorValue(String field, Tensor t) {
        int[] shape = t.getShapeList().stream().mapToInt(Integer::intValue).toArray();
        if (shape.length == 0)
            throw new IllegalArgumentException(field + ": shape is required, e.g. [n_out, n_in] for a weight matrix");
        long n = 1;
        for (int d : shape) {
            if (d < 0)
                throw new IllegalArgumentException(
                        field + ": shape " + TensorValue.format(shape) + " has a negative dimension");
            n = Math.min(n * d, Integer.MAX_VALUE + 1L); // saturates: the bytes of a message never reach it
        }
        if (n * Float.BYTES != t.getData().size())
            throw new IllegalArgumentException(
                    field + ": data holds " + t.getData().size() + " bytes, but shape " + TensorValue.format(shape)
                            + " needs " + n * Float.BYTES + " (little-endian float32, row-major)");
        float[] values = new float[(int) n];
        t.getData()
                .asReadOnlyByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(values);
        return new TensorValue(shape, values);
    }

    private static ComponentConfig toComponent(ComponentSpec c) {
        if (c == null) return null;
        Map<String, Object> params = new LinkedHashMap<>();
        c.getParamsMap().forEach((k, v) -> params.put(k, toJava(k, v)));
        return new ComponentConfig(c.getKind(), params);
    }

    static Object toJava(String name, Value v) {
        return switch (v.getKindCase()) {
            case NUMBER -> v.getNumber();
            case INTEGER -> v.getInteger();
            case FLAG -> v.getFlag();
            case TEXT -> v.getText();
            case INTS -> List.copyOf(v.getInts().getValuesList());
            case KIND_NOT_SET -> throw new IllegalArgumentException("parameter '" + name + "' has no value");
        };
    }

    @SuppressWarnings("unchecked")
    static Value toValue(Object o) {
        Value.Builder b = Value.newBuilder();
        if (o instanceof Double d) b.setNumber(d);
        else if (o instanceof Long l) b.setInteger(l);
        else if (o instanceof Integer i) b.setInteger(i);
        else if (o instanceof Boolean f) b.setFlag(f);
        else if (o instanceof String s) b.setText(s);
        else if (o instanceof List<?> list) b.setInts(IntList.newBuilder().addAllValues((List<Long>) list));
        else throw new IllegalStateException("unmappable value " + o);
        return b.build();
    }

    /** The spec of {@code c}, less its initial parameter values (see {@code Simulation.initial_parameter_names}). */
    public static SimulationSpec toSpec(SimulationConfig c) {
        return SimulationSpec.newBuilder()
                .setName(c.name())
                .setModel(toComponentSpec(c.model()))
                .setLearningRule(toComponentSpec(c.learningRule()))
                .setTask(toComponentSpec(c.task()))
                .setSeed(c.seed())
                .setBatchSize(c.batchSize())
                .setEvalEverySteps(c.evalEverySteps())
                .setStepBudget(c.stepBudget())
                .build();
    }

    /** The spec's checkpoint policy; null when it leaves it to the server. */
    public static io.eiscope.engine.sim.CheckpointSink.Policy toPolicy(SimulationSpec s) {
        if (!s.hasCheckpoints()) return null;
        var c = s.getCheckpoints();
        if (c.getEverySteps() < 0)
            throw new IllegalArgumentException(
                    "spec.checkpoints.every_steps must be >= 0 (0: not by steps), got " + c.getEverySteps());
        if (c.getEverySeconds() < 0 || c.getEverySeconds() > Long.MAX_VALUE / 1_000_000_000L)
            throw new IllegalArgumentException(
                    "spec.checkpoints.every_seconds must be >= 0 (0: not by time), got " + c.getEverySeconds());
        return new io.eiscope.engine.sim.CheckpointSink.Policy(c.getEverySteps(), c.getEverySeconds() * 1_000_000_000L);
    }

    static io.eiscope.api.v1.CheckpointPolicy toProto(io.eiscope.engine.sim.CheckpointSink.Policy p) {
        return io.eiscope.api.v1.CheckpointPolicy.newBuilder()
                .setEverySteps(p.everySteps())
                .setEverySeconds(p.everyNanos() / 1_000_000_000L)
                .build();
    }

    /** The whole spec of {@code c}, initial parameter values and the run's own checkpoint policy (null: none) included: what the record keeps. */
    public static SimulationSpec toRecordedSpec(
            SimulationConfig c, io.eiscope.engine.sim.CheckpointSink.Policy policy) {
        SimulationSpec.Builder b = toSpec(c).toBuilder();
        if (policy != null) b.setCheckpoints(toProto(policy));
        c.initialParameters().forEach((name, v) -> {
            float[] values = new float[v.size()];
            for (int i = 0; i < values.length; i++) values[i] = v.get(i);
            b.putInitialParameters(name, toProto(new Observation.Tensor(v.shape(), values)));
        });
        return b.build();
    }

    private static ComponentSpec toComponentSpec(ComponentConfig c) {
        ComponentSpec.Builder b = ComponentSpec.newBuilder().setKind(c.kind());
        c.params().forEach((k, v) -> b.putParams(k, toValue(v)));
        return b.build();
    }

    // ---- catalogue ----

    public static Catalogue toProto(io.eiscope.engine.spec.Catalogue c) {
        Catalogue.Builder b = Catalogue.newBuilder();
        c.models().forEach(e -> b.addModels(toInfo(e.descriptor())));
        c.rules().forEach(e -> b.addLearningRules(toInfo(e.descriptor())));
        c.tasks().forEach(e -> b.addTasks(toInfo(e.descriptor())));
        c.initialisations().forEach(d -> b.addInitialisations(toInfo(d)));
        c.observables().forEach(o -> b.addObservables(toInfo(o)));
        c.presets()
                .forEach(p -> b.addPresets(Preset.newBuilder()
                        .setName(p.name())
                        .setTitle(p.title())
                        .setDoc(p.doc())
                        .setCitation(p.citation())
                        .setGroup(p.group())
                        .setSpec(toSpec(p.config()))));
        return b.build();
    }

    private static ComponentInfo toInfo(ComponentDescriptor d) {
        ComponentInfo.Builder b = ComponentInfo.newBuilder()
                .setKind(d.kind())
                .setTitle(d.title())
                .setDoc(d.doc())
                .setCitation(d.citation());
        for (ParamDescriptor p : d.params()) {
            b.addParams(ParamInfo.newBuilder()
                    .setName(p.name())
                    .setType(twin(ParamType.class, "PARAM_TYPE_", p.type()))
                    .setDefaultValue(toValue(p.defaultValue()))
                    .setMin(p.min())
                    .setMax(p.max())
                    .addAllChoices(p.choices())
                    .setDoc(p.doc()));
        }
        return b.build();
    }

    private static ObservableInfo toInfo(ObservableDescriptor o) {
        return ObservableInfo.newBuilder()
                .setName(o.name())
                .setKind(twin(ObservableKind.class, "OBSERVABLE_KIND_", o.kind()))
                .setCost(twin(ObservableCost.class, "OBSERVABLE_COST_", o.cost()))
                .setDoc(o.doc())
                .setPerLayer(o.perLayer())
                .build();
    }

    // ---- simulations and frames ----

    /**
     * The proto constant named like the engine's, e.g. RUNNING -> SIMULATION_STATE_RUNNING. By name, not by position:
     * an engine constant without a twin in the proto fails here, loudly, instead of being sent as another state.
     */
    private static <P extends Enum<P>> P twin(Class<P> proto, String prefix, Enum<?> engine) {
        return Enum.valueOf(proto, prefix + engine.name());
    }

    public static SimulationState toProto(io.eiscope.engine.sim.SimulationState s) {
        return twin(SimulationState.class, "SIMULATION_STATE_", s);
    }

    public static Simulation toProto(SimulationRegistry.Entry e) {
        var r = e.runner();
        var status = r.status(); // state and message from the same transition
        Simulation.Builder b = Simulation.newBuilder()
                .setId(r.id())
                .setSpec(toSpec(r.simulation().config()))
                .setState(toProto(status.state()))
                .setStep(r.step())
                .setStatusMessage(status.message())
                .setCreatedUnixMillis(e.createdUnixMillis())
                .setMember(e.meta().member())
                .putAllLatestScalars(r.latestScalars())
                .addAllLayers(e.layers())
                .setParentId(e.parentId())
                .setForkStep(e.forkStep())
                .setLearningRule(toComponentSpec(new ComponentConfig(
                        r.simulation().ruleKind(), r.simulation().ruleParams().asMap())))
                .addAllInitialParameterNames(
                        r.simulation().config().initialParameters().keySet())
                .addAllTags(e.meta().tags())
                .setNotes(e.meta().notes())
                .setPreset(e.meta().preset())
                .setRecordedStep(e.meta().recordedStep())
                .setMergedSamples(e.meta().mergedSamples())
                .setOwner(e.meta().owner())
                .setQueuePosition(r.queuePosition(status));
        if (!e.meta().name().equals(r.simulation().config().name()))
            b.getSpecBuilder().setName(e.meta().name());
        if (e.meta().policy() != null)
            b.getSpecBuilder().setCheckpoints(toProto(e.meta().policy()));
        for (Parameter p : e.parameters())
            b.addParameters(matrixInfo(p.name(), p.value().rows, p.value().cols, e.partitions()));
        e.effectiveShapes()
                .forEach((name, shape) -> b.addEffectiveMatrices(matrixInfo(name, shape[0], shape[1], e.partitions())));
        return b.build();
    }

    /** A matrix's name, shape and, for E/I networks, which rows and columns are excitatory and inhibitory units. */
    private static ParameterInfo matrixInfo(
            String name, int rows, int cols, Map<String, io.eiscope.engine.model.EiPartition> partitions) {
        ParameterInfo.Builder b =
                ParameterInfo.newBuilder().setName(name).addShape(rows).addShape(cols);
        var p = partitions.get(name);
        if (p != null)
            b.setPartition(io.eiscope.api.v1.EiPartition.newBuilder()
                    .setExcitatoryRows(p.excitatoryRows())
                    .setInhibitoryRows(p.inhibitoryRows())
                    .setExcitatoryCols(p.excitatoryCols())
                    .setInhibitoryCols(p.inhibitoryCols()));
        return b.build();
    }

    public static Tensor toProto(Observation.Tensor t) {
        ByteBuffer buf = ByteBuffer.allocate(t.data().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(t.data());
        Tensor.Builder b = Tensor.newBuilder().setData(ByteString.copyFrom(buf.array()));
        for (int d : t.shape()) b.addShape(d);
        return b.build();
    }

    public static Frame toFrame(String simulationId, Observation o) {
        Frame.Builder f = Frame.newBuilder()
                .setSimulationId(simulationId)
                .setStep(o.step())
                .setWallTimeUnixNanos(o.wallTimeUnixNanos())
                .setObservable(o.observable())
                .setLayer(o.layer());
        Observation.Payload p = o.payload();
        if (p instanceof Observation.Scalar s) {
            f.setScalar(Scalar.newBuilder().setValue(s.value()).setMergedCount(1));
        } else if (p instanceof Observation.Tensor t) {
            f.setTensor(toProto(t));
        } else if (p instanceof Observation.Histogram h) {
            Histogram.Builder hb = Histogram.newBuilder();
            for (double e : h.edges()) hb.addEdges(e);
            for (long c : h.counts()) hb.addCounts(c);
            f.setHistogram(hb);
        } else if (p instanceof Observation.Event e) {
            f.setEvent(Event.newBuilder().setState(toProto(e.state())).setMessage(e.message()));
        }
        return f.build();
    }

    // ---- steering ----

    /**
     * The engine command for {@code c}; structural errors (a missing kind, an unspecified enum)
     * throw {@link IllegalArgumentException} naming the field.
     */
    public static Command toCommand(io.eiscope.api.v1.Command c) {
        return switch (c.getKindCase()) {
            case SET_RULE_PARAMS ->
                new Command.SetRuleParams(toParams(c.getSetRuleParams().getParamsMap()));
            case SWITCH_RULE ->
                new Command.SwitchRule(
                        c.getSwitchRule().getRule().getKind(),
                        toParams(c.getSwitchRule().getRule().getParamsMap()));
            case RUN_UNTIL -> new Command.RunUntil(c.getRunUntil().getStep());
            case ADD_WEIGHT_NOISE ->
                new Command.AddWeightNoise(
                        c.getAddWeightNoise().getTarget(), c.getAddWeightNoise().getStd());
            case SET_WEIGHT ->
                new Command.SetWeight(
                        c.getSetWeight().getParameter(),
                        c.getSetWeight().getRow(),
                        c.getSetWeight().getCol(),
                        (float) c.getSetWeight().getValue());
            case FREEZE ->
                new Command.Freeze(c.getFreeze().getTarget(), c.getFreeze().getFrozen());
            case LESION ->
                new Command.Lesion(
                        c.getLesion().getLayer(),
                        switch (c.getLesion().getPopulation()) {
                            case POPULATION_EXCITATORY -> Command.Population.EXCITATORY;
                            case POPULATION_INHIBITORY -> Command.Population.INHIBITORY;
                            default -> null;
                        },
                        c.getLesion().getUnit());
            case ADD_WATCHPOINT ->
                new Command.AddWatchpoint(
                        c.getAddWatchpoint().getName(),
                        c.getAddWatchpoint().getObservable(),
                        c.getAddWatchpoint().getLayer(),
                        c.getAddWatchpoint().getEverySteps(),
                        switch (c.getAddWatchpoint().getCondition()) {
                            case WATCH_CONDITION_NON_FINITE -> Watchpoint.Condition.NON_FINITE;
                            case WATCH_CONDITION_ABOVE -> Watchpoint.Condition.ABOVE;
                            case WATCH_CONDITION_BELOW -> Watchpoint.Condition.BELOW;
                            default -> null;
                        },
                        c.getAddWatchpoint().getThreshold());
            case REMOVE_WATCHPOINT ->
                new Command.RemoveWatchpoint(c.getRemoveWatchpoint().getName());
            case SET_INPUT_NOISE ->
                new Command.SetInputNoise(c.getSetInputNoise().getStd());
            case CLAMP_UNIT ->
                new Command.ClampUnit(
                        c.getClampUnit().getLayer(),
                        c.getClampUnit().getUnit(),
                        c.getClampUnit().getClamped(),
                        c.getClampUnit().getValue());
            case PRUNE ->
                new Command.Prune(
                        switch (c.getPrune().getMethod()) {
                            case PRUNE_METHOD_MAGNITUDE -> Command.PruneMethod.MAGNITUDE;
                            case PRUNE_METHOD_RANDOM -> Command.PruneMethod.RANDOM;
                            default -> null;
                        },
                        c.getPrune().getFraction(),
                        switch (c.getPrune().getScope()) {
                            case PRUNE_SCOPE_GLOBAL -> io.eiscope.engine.prune.Pruning.Scope.GLOBAL;
                            case PRUNE_SCOPE_PER_LAYER -> io.eiscope.engine.prune.Pruning.Scope.PER_LAYER;
                            default -> null;
                        });
            case KIND_NOT_SET ->
                throw new IllegalArgumentException("command is required: one of set_rule_params, switch_rule, "
                        + "run_until, add_weight_noise, set_weight, freeze, lesion, add_watchpoint, remove_watchpoint");
        };
    }

    private static Map<String, Object> toParams(Map<String, Value> given) {
        Map<String, Object> params = new LinkedHashMap<>();
        given.forEach((k, v) -> params.put(k, toJava(k, v)));
        return params;
    }

    private static Map<String, Value> toValues(Map<String, Object> params) {
        Map<String, Value> out = new java.util.TreeMap<>();
        params.forEach((k, v) -> out.put(k, toValue(v)));
        return out;
    }

    /** The proto form of an engine command (for the intervention log). */
    public static io.eiscope.api.v1.Command toProto(Command c) {
        var b = io.eiscope.api.v1.Command.newBuilder();
        if (c instanceof Command.SetRuleParams x)
            b.setSetRuleParams(SetRuleParams.newBuilder().putAllParams(toValues(x.params())));
        else if (c instanceof Command.SwitchRule x)
            b.setSwitchRule(SwitchRule.newBuilder()
                    .setRule(ComponentSpec.newBuilder().setKind(x.kind()).putAllParams(toValues(x.params()))));
        else if (c instanceof Command.RunUntil x)
            b.setRunUntil(RunUntil.newBuilder().setStep(x.step()));
        else if (c instanceof Command.AddWeightNoise x)
            b.setAddWeightNoise(
                    AddWeightNoise.newBuilder().setTarget(x.target()).setStd(x.std()));
        else if (c instanceof Command.SetWeight x)
            b.setSetWeight(SetWeight.newBuilder()
                    .setParameter(x.parameter())
                    .setRow(x.row())
                    .setCol(x.col())
                    .setValue(x.value()));
        else if (c instanceof Command.Freeze x)
            b.setFreeze(Freeze.newBuilder().setTarget(x.target()).setFrozen(x.frozen()));
        else if (c instanceof Command.ClampUnit x)
            b.setClampUnit(io.eiscope.api.v1.ClampUnit.newBuilder()
                    .setLayer(x.layer())
                    .setUnit(x.unit())
                    .setClamped(x.clamped())
                    .setValue(x.value()));
        else if (c instanceof Command.SetInputNoise x)
            b.setSetInputNoise(io.eiscope.api.v1.SetInputNoise.newBuilder().setStd(x.std()));
        else if (c instanceof Command.Prune x)
            b.setPrune(io.eiscope.api.v1.Prune.newBuilder()
                    .setMethod(
                            x.method() == Command.PruneMethod.MAGNITUDE
                                    ? io.eiscope.api.v1.PruneMethod.PRUNE_METHOD_MAGNITUDE
                                    : io.eiscope.api.v1.PruneMethod.PRUNE_METHOD_RANDOM)
                    .setFraction(x.fraction())
                    .setScope(
                            x.scope() == io.eiscope.engine.prune.Pruning.Scope.GLOBAL
                                    ? io.eiscope.api.v1.PruneScope.PRUNE_SCOPE_GLOBAL
                                    : io.eiscope.api.v1.PruneScope.PRUNE_SCOPE_PER_LAYER));
        else if (c instanceof Command.Lesion x)
            b.setLesion(Lesion.newBuilder()
                    .setLayer(x.layer())
                    .setUnit(x.unit())
                    .setPopulation(
                            x.population() == Command.Population.EXCITATORY
                                    ? Population.POPULATION_EXCITATORY
                                    : Population.POPULATION_INHIBITORY));
        else if (c instanceof Command.AddWatchpoint x)
            b.setAddWatchpoint(AddWatchpoint.newBuilder()
                    .setName(x.name())
                    .setObservable(x.observable())
                    .setLayer(x.layer())
                    .setEverySteps(x.everySteps())
                    .setThreshold(x.threshold())
                    .setCondition(twin(WatchCondition.class, "WATCH_CONDITION_", x.condition())));
        else if (c instanceof Command.RemoveWatchpoint x)
            b.setRemoveWatchpoint(RemoveWatchpoint.newBuilder().setName(x.name()));
        return b.build();
    }

    public static Intervention toProto(io.eiscope.engine.sim.Intervention i) {
        return Intervention.newBuilder()
                .setStep(i.step())
                .setCommand(toProto(i.command()))
                .setDescription(io.eiscope.engine.sim.CommandDescription.of(i.command()))
                .build();
    }
}

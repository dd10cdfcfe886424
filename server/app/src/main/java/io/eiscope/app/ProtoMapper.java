package io.eiscope.app;

import com.google.protobuf.ByteString;
import io.eiscope.api.v1.Catalogue;
import io.eiscope.api.v1.ComponentInfo;
import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.Event;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.Histogram;
import io.eiscope.api.v1.IntList;
import io.eiscope.api.v1.ObservableCost;
import io.eiscope.api.v1.ObservableInfo;
import io.eiscope.api.v1.ObservableKind;
import io.eiscope.api.v1.ParamInfo;
import io.eiscope.api.v1.ParamType;
import io.eiscope.api.v1.ParameterInfo;
import io.eiscope.api.v1.Preset;
import io.eiscope.api.v1.Scalar;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.Tensor;
import io.eiscope.api.v1.Value;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.ComponentDescriptor;
import io.eiscope.engine.spec.ParamDescriptor;
import io.eiscope.engine.spec.SimulationConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The one place that converts between proto messages and engine types. Stateless. */
public final class ProtoMapper {
    private ProtoMapper() {}

    // ---- specs ----

    public static SimulationConfig toConfig(SimulationSpec s) {
        return new SimulationConfig(s.getName(), toComponent(s.hasModel() ? s.getModel() : null),
                toComponent(s.hasLearningRule() ? s.getLearningRule() : null), toComponent(s.hasTask() ? s.getTask() : null),
                s.getSeed(), s.getBatchSize(), s.getEvalEverySteps(), s.getStepBudget());
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

    public static SimulationSpec toSpec(SimulationConfig c) {
        return SimulationSpec.newBuilder().setName(c.name()).setModel(toComponentSpec(c.model()))
                .setLearningRule(toComponentSpec(c.learningRule())).setTask(toComponentSpec(c.task()))
                .setSeed(c.seed()).setBatchSize(c.batchSize()).setEvalEverySteps(c.evalEverySteps())
                .setStepBudget(c.stepBudget()).build();
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
        c.presets().forEach(p -> b.addPresets(Preset.newBuilder().setName(p.name()).setTitle(p.title()).setDoc(p.doc())
                .setCitation(p.citation()).setGroup(p.group()).setSpec(toSpec(p.config()))));
        return b.build();
    }

    private static ComponentInfo toInfo(ComponentDescriptor d) {
        ComponentInfo.Builder b = ComponentInfo.newBuilder().setKind(d.kind()).setTitle(d.title()).setDoc(d.doc())
                .setCitation(d.citation());
        for (ParamDescriptor p : d.params()) {
            b.addParams(ParamInfo.newBuilder().setName(p.name()).setType(ParamType.forNumber(p.type().ordinal() + 1))
                    .setDefaultValue(toValue(p.defaultValue())).setMin(p.min()).setMax(p.max())
                    .addAllChoices(p.choices()).setDoc(p.doc()));
        }
        return b.build();
    }

    private static ObservableInfo toInfo(ObservableDescriptor o) {
        return ObservableInfo.newBuilder().setName(o.name()).setKind(ObservableKind.forNumber(o.kind().ordinal() + 1))
                .setCost(ObservableCost.forNumber(o.cost().ordinal() + 1)).setDoc(o.doc()).setPerLayer(o.perLayer()).build();
    }

    // ---- simulations and frames ----

    public static SimulationState toProto(io.eiscope.engine.sim.SimulationState s) {
        return SimulationState.forNumber(s.ordinal() + 1);
    }

    public static Simulation toProto(SimulationRegistry.Entry e) {
        var r = e.runner();
        Simulation.Builder b = Simulation.newBuilder().setId(r.id()).setSpec(toSpec(r.simulation().config()))
                .setState(toProto(r.state())).setStep(r.step()).setStatusMessage(r.statusMessage())
                .setCreatedUnixMillis(e.createdUnixMillis()).putAllLatestScalars(r.latestScalars())
                .addAllLayers(e.layers());
        for (Parameter p : e.parameters()) {
            b.addParameters(ParameterInfo.newBuilder().setName(p.name()).addShape(p.value().rows).addShape(p.value().cols));
        }
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
        Frame.Builder f = Frame.newBuilder().setSimulationId(simulationId).setStep(o.step())
                .setWallTimeUnixNanos(o.wallTimeUnixNanos()).setObservable(o.observable()).setLayer(o.layer());
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
}

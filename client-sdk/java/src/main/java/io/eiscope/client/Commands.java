package io.eiscope.client;

import io.eiscope.api.v1.AddWatchpoint;
import io.eiscope.api.v1.AddWeightNoise;
import io.eiscope.api.v1.Command;
import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.Freeze;
import io.eiscope.api.v1.IntList;
import io.eiscope.api.v1.Lesion;
import io.eiscope.api.v1.Population;
import io.eiscope.api.v1.RunUntil;
import io.eiscope.api.v1.SetRuleParams;
import io.eiscope.api.v1.SetWeight;
import io.eiscope.api.v1.SwitchRule;
import io.eiscope.api.v1.Value;
import io.eiscope.api.v1.WatchCondition;
import java.util.List;
import java.util.Map;

/**
 * Builders of steering {@link Command}s, for {@link EiscopeClient#apply}. Parameter values are
 * Double, Long/Integer, Boolean, String or List of Long, as in the catalogue. Stateless.
 */
public final class Commands {
    private Commands() {}

    public static Value value(Object o) {
        if (o instanceof Double d) return Value.newBuilder().setNumber(d).build();
        if (o instanceof Long l) return Value.newBuilder().setInteger(l).build();
        if (o instanceof Integer i) return Value.newBuilder().setInteger(i).build();
        if (o instanceof Boolean b) return Value.newBuilder().setFlag(b).build();
        if (o instanceof String s) return Value.newBuilder().setText(s).build();
        if (o instanceof List<?> l) {
            IntList.Builder b = IntList.newBuilder();
            l.forEach(x -> b.addValues(((Number) x).longValue()));
            return Value.newBuilder().setInts(b).build();
        }
        throw new IllegalArgumentException("cannot send " + o + " as a parameter value");
    }

    private static ComponentSpec component(String kind, Map<String, ?> params) {
        ComponentSpec.Builder b = ComponentSpec.newBuilder().setKind(kind);
        params.forEach((k, v) -> b.putParams(k, value(v)));
        return b.build();
    }

    /** Change hyper-parameters of the current learning rule (e.g. {@code learning_rate}). */
    public static Command setRuleParams(Map<String, ?> params) {
        SetRuleParams.Builder b = SetRuleParams.newBuilder();
        params.forEach((k, v) -> b.putParams(k, value(v)));
        return Command.newBuilder().setSetRuleParams(b).build();
    }

    /** Switch to another learning rule of the catalogue, with fresh optimiser state. */
    public static Command switchRule(String kind, Map<String, ?> params) {
        return Command.newBuilder().setSwitchRule(SwitchRule.newBuilder().setRule(component(kind, params))).build();
    }

    /** Play until {@code step}, then pause. */
    public static Command runUntil(long step) {
        return Command.newBuilder().setRunUntil(RunUntil.newBuilder().setStep(step)).build();
    }

    public static Command addWeightNoise(String target, double std) {
        return Command.newBuilder().setAddWeightNoise(AddWeightNoise.newBuilder().setTarget(target).setStd(std)).build();
    }

    public static Command setWeight(String parameter, int row, int col, double value) {
        return Command.newBuilder().setSetWeight(SetWeight.newBuilder().setParameter(parameter).setRow(row).setCol(col).setValue(value)).build();
    }

    public static Command freeze(String target, boolean frozen) {
        return Command.newBuilder().setFreeze(Freeze.newBuilder().setTarget(target).setFrozen(frozen)).build();
    }

    public static Command lesion(String layer, boolean inhibitory, int unit) {
        return Command.newBuilder().setLesion(Lesion.newBuilder().setLayer(layer).setUnit(unit)
                .setPopulation(inhibitory ? Population.POPULATION_INHIBITORY : Population.POPULATION_EXCITATORY)).build();
    }

    /** Hold a unit's output at {@code value} from now on ({@code clamped} false releases it). */
    public static Command clampUnit(String layer, int unit, boolean clamped, float value) {
        return Command.newBuilder().setClampUnit(io.eiscope.api.v1.ClampUnit.newBuilder().setLayer(layer).setUnit(unit)
                .setClamped(clamped).setValue(value)).build();
    }

    /** Add N(0, std^2) noise to every training input from now on (0 turns it off). */
    public static Command inputNoise(double std) {
        return Command.newBuilder().setSetInputNoise(io.eiscope.api.v1.SetInputNoise.newBuilder().setStd(std)).build();
    }

    /**
     * Prune weight matrices until {@code fraction} of them are pruned, smallest magnitude first,
     * over all layers together; pruned weights stay zero through all later learning.
     */
    public static Command prune(double fraction) {
        return prune(fraction, io.eiscope.api.v1.PruneMethod.PRUNE_METHOD_MAGNITUDE, io.eiscope.api.v1.PruneScope.PRUNE_SCOPE_GLOBAL);
    }

    public static Command prune(double fraction, io.eiscope.api.v1.PruneMethod method, io.eiscope.api.v1.PruneScope scope) {
        return Command.newBuilder().setPrune(io.eiscope.api.v1.Prune.newBuilder().setFraction(fraction).setMethod(method)
                .setScope(scope)).build();
    }

    /** Pause when {@code observable} (a network-wide scalar) meets the condition. */
    public static Command watchpoint(String name, String observable, WatchCondition condition, double threshold) {
        return watchpoint(name, observable, "", 0, condition, threshold);
    }

    /**
     * Pause when a per-layer scalar {@code observable} of {@code layer} (e.g. spectral_radius of
     * "rnn0") meets the condition, measuring it every {@code everySteps} steps (0: every step, every
     * 10 for expensive observables).
     */
    public static Command watchpoint(String name, String observable, String layer, int everySteps, WatchCondition condition, double threshold) {
        return Command.newBuilder().setAddWatchpoint(AddWatchpoint.newBuilder().setName(name).setObservable(observable).setLayer(layer)
                .setEverySteps(everySteps).setCondition(condition).setThreshold(threshold)).build();
    }
}

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

    /**
     * A parameter value as the API carries it.
     *
     * @param o a Double (number), Long or Integer (integer), Boolean (flag), String (text or
     *     choice) or a List of Numbers (int list), as the catalogue types the parameter
     * @return the typed {@link Value}
     * @throws IllegalArgumentException for any other type
     */
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

    /**
     * Changes hyper-parameters of the current learning rule, keeping its kind, its schedule
     * position and its momentum or moment buffers.
     *
     * @param params new values by name, e.g. {@code Map.of("learning_rate", 0.01)}; see {@link #value}
     * @return the command
     */
    public static Command setRuleParams(Map<String, ?> params) {
        SetRuleParams.Builder b = SetRuleParams.newBuilder();
        params.forEach((k, v) -> b.putParams(k, value(v)));
        return Command.newBuilder().setSetRuleParams(b).build();
    }

    /**
     * Switches to another learning rule of the catalogue, with fresh optimiser state.
     *
     * @param kind the rule's kind in the catalogue, e.g. "eg" or "adam"
     * @param params its parameters by name (empty: its defaults); see {@link #value}
     * @return the command
     */
    public static Command switchRule(String kind, Map<String, ?> params) {
        return Command.newBuilder()
                .setSwitchRule(SwitchRule.newBuilder().setRule(component(kind, params)))
                .build();
    }

    /**
     * Plays until a step, then pauses there; {@link EiscopeClient#waitForStep} waits for it.
     *
     * @param step the step to pause at, beyond the current one
     * @return the command
     */
    public static Command runUntil(long step) {
        return Command.newBuilder()
                .setRunUntil(RunUntil.newBuilder().setStep(step))
                .build();
    }

    /**
     * Adds N(0, std²) noise, from the simulation's noise stream, to parameter values once.
     *
     * @param target a layer ("layer0") or parameter ("layer0.W"); empty: every parameter
     * @param std the noise's standard deviation
     * @return the command
     */
    public static Command addWeightNoise(String target, double std) {
        return Command.newBuilder()
                .setAddWeightNoise(AddWeightNoise.newBuilder().setTarget(target).setStd(std))
                .build();
    }

    /**
     * Sets one element of a parameter.
     *
     * @param parameter the parameter, e.g. "layer0.W"
     * @param row the row: the post-synaptic unit of a weight matrix, shaped [n_out, n_in]
     * @param col the column: the pre-synaptic unit
     * @param value the new value
     * @return the command
     */
    public static Command setWeight(String parameter, int row, int col, double value) {
        return Command.newBuilder()
                .setSetWeight(SetWeight.newBuilder()
                        .setParameter(parameter)
                        .setRow(row)
                        .setCol(col)
                        .setValue(value))
                .build();
    }

    /**
     * Holds a layer's or parameter's values fixed after every update, or releases them.
     *
     * @param target a layer ("layer0") or parameter ("layer0.W")
     * @param frozen true to freeze, false to release
     * @return the command
     */
    public static Command freeze(String target, boolean frozen) {
        return Command.newBuilder()
                .setFreeze(Freeze.newBuilder().setTarget(target).setFrozen(frozen))
                .build();
    }

    /**
     * Lesions a unit: zeroes its incoming and outgoing weights and keeps them zero (a mask).
     *
     * @param layer the layer, e.g. "layer0"
     * @param inhibitory true for an inhibitory unit of an E/I layer; false for an excitatory
     *     unit, or a unit of a plain layer
     * @param unit the unit's index in its population
     * @return the command
     */
    public static Command lesion(String layer, boolean inhibitory, int unit) {
        return Command.newBuilder()
                .setLesion(Lesion.newBuilder()
                        .setLayer(layer)
                        .setUnit(unit)
                        .setPopulation(
                                inhibitory ? Population.POPULATION_INHIBITORY : Population.POPULATION_EXCITATORY))
                .build();
    }

    /**
     * Holds a unit's output at a value in every later forward pass (its gradient is zero), or
     * releases it.
     *
     * @param layer the layer, e.g. "layer0"
     * @param unit an index into its outputs
     * @param clamped true to clamp, false to release
     * @param value the output it is held at
     * @return the command
     */
    public static Command clampUnit(String layer, int unit, boolean clamped, float value) {
        return Command.newBuilder()
                .setClampUnit(io.eiscope.api.v1.ClampUnit.newBuilder()
                        .setLayer(layer)
                        .setUnit(unit)
                        .setClamped(clamped)
                        .setValue(value))
                .build();
    }

    /**
     * Adds N(0, std²) noise to every training input from now on; held-out evaluations stay clean.
     *
     * @param std the noise's standard deviation; 0 turns it off
     * @return the command
     */
    public static Command inputNoise(double std) {
        return Command.newBuilder()
                .setSetInputNoise(io.eiscope.api.v1.SetInputNoise.newBuilder().setStd(std))
                .build();
    }

    /**
     * Prune weight matrices until {@code fraction} of them are pruned, smallest magnitude first,
     * over all layers together; pruned weights stay zero through all later learning.
     *
     * @param fraction the fraction of prunable weights pruned in the end, counting earlier pruning
     * @return the command
     */
    public static Command prune(double fraction) {
        return prune(
                fraction,
                io.eiscope.api.v1.PruneMethod.PRUNE_METHOD_MAGNITUDE,
                io.eiscope.api.v1.PruneScope.PRUNE_SCOPE_GLOBAL);
    }

    /**
     * Prunes weight matrices (never biases, gains or shunts) until {@code fraction} of the
     * prunable weights of each group are pruned; pruned weights stay zero through all later
     * learning, under every rule.
     *
     * @param fraction the fraction pruned in the end, counting earlier pruning
     * @param method smallest magnitude first, or at random from the simulation's noise stream
     * @param scope all weight matrices together, or each layer separately
     * @return the command
     */
    public static Command prune(
            double fraction, io.eiscope.api.v1.PruneMethod method, io.eiscope.api.v1.PruneScope scope) {
        return Command.newBuilder()
                .setPrune(io.eiscope.api.v1.Prune.newBuilder()
                        .setFraction(fraction)
                        .setMethod(method)
                        .setScope(scope))
                .build();
    }

    /**
     * Pauses the run when a network-wide scalar meets a condition; one-shot. The state event
     * says which watchpoint fired, the value and the step.
     *
     * @param name the watchpoint's name, reported when it fires
     * @param observable a network-wide scalar, e.g. "loss" or "test_accuracy"
     * @param condition non-finite, above (value &ge; threshold) or below (value &le; threshold)
     * @param threshold the threshold (ignored for non-finite)
     * @return the command
     */
    public static Command watchpoint(String name, String observable, WatchCondition condition, double threshold) {
        return watchpoint(name, observable, "", 0, condition, threshold);
    }

    /**
     * Pause when a per-layer scalar {@code observable} of {@code layer} (e.g. spectral_radius of
     * "rnn0") meets the condition, measuring it every {@code everySteps} steps (0: every step, every
     * 10 for expensive observables).
     *
     * @param name the watchpoint's name, reported when it fires
     * @param observable a per-layer scalar, e.g. "spectral_radius" or "nse"
     * @param layer the layer or parameter it is measured on
     * @param everySteps the measuring cadence (0: the default)
     * @param condition non-finite, above (value &ge; threshold) or below (value &le; threshold)
     * @param threshold the threshold (ignored for non-finite)
     * @return the command
     */
    public static Command watchpoint(
            String name, String observable, String layer, int everySteps, WatchCondition condition, double threshold) {
        return Command.newBuilder()
                .setAddWatchpoint(AddWatchpoint.newBuilder()
                        .setName(name)
                        .setObservable(observable)
                        .setLayer(layer)
                        .setEverySteps(everySteps)
                        .setCondition(condition)
                        .setThreshold(threshold))
                .build();
    }
}

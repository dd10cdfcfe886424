package io.eiscope.engine.sim;

import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.Params;
import io.eiscope.engine.task.Task;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A {@link Simulation#stateDict() state dict} read and checked against one simulation, with the
 * objects to install built off to the side: the first half of
 * {@link Simulation#restoreStateDict}, which changes nothing, so that a dict that does not fit
 * leaves the simulation as it was. The parameter values, masks and initial values are checked
 * here and copied by the simulation from the dict afterwards.
 *
 * @param rule     the rule rebuilt from the catalogue by {@code rule/kind} and {@code rule/params}, its state loaded
 * @param position the task's data-order position, for {@link Task#restore}
 * @param steering the steering state; its clamps are checked by the model when installed
 */
record CheckedState(
        long step,
        Catalogue.Entry<Catalogue.RuleFactory> ruleEntry,
        Params ruleParams,
        LearningRule rule,
        Task.State position,
        Steering steering) {

    /** The prefixes of the entries written per parameter, one entry per parameter at most. */
    private static final List<String> PER_PARAMETER = List.of("param/", "mask/", "initial/");

    /**
     * Checks {@code dict} against a simulation with these parameters, task and catalogue, and
     * builds what restoring it installs. Nothing given is modified.
     *
     * @throws IllegalArgumentException naming the first entry that is missing, has the wrong type or
     *                                  shape, or names what this simulation does not have
     */
    static CheckedState read(
            StateDict dict, List<Parameter> parameters, Map<String, Parameter> byName, Catalogue catalogue, Task task) {
        long version = dict.longValue("version");
        if (version != Simulation.STATE_DICT_VERSION)
            throw new IllegalArgumentException("checkpoint entry 'version' is " + version
                    + ", this engine reads version " + Simulation.STATE_DICT_VERSION);
        long step = dict.longValue("step");
        if (step < 0) throw new IllegalArgumentException("checkpoint entry 'step' must be >= 0, got " + step);
        checkParameters(dict, parameters, byName);
        var entry =
                field("rule/kind", () -> Catalogue.find("learning_rule", catalogue.rules(), dict.text("rule/kind")));
        Params params = field(
                "rule/params", () -> Params.fromText("learning_rule", entry.descriptor(), dict.text("rule/params")));
        LearningRule rule = field("rule/params", () -> entry.factory().create(params));
        rule.loadState(dict, "rule/", parameters);
        Task.State position = task.readState(dict, "task/");
        Steering steering = Steering.read(dict, "steering/", byName);
        return new CheckedState(step, entry, params, rule, position, steering);
    }

    private static void checkParameters(StateDict dict, List<Parameter> parameters, Map<String, Parameter> byName) {
        for (Parameter p : parameters) {
            p.checkState(dict);
            dict.floats("initial/" + p.name());
            dict.requireShape("initial/" + p.name(), p.value().rows, p.value().cols);
        }
        for (StateDict.Array a : dict.arrays()) {
            for (String prefix : PER_PARAMETER) {
                if (a.name().startsWith(prefix) && !byName.containsKey(a.name().substring(prefix.length())))
                    throw new IllegalArgumentException("checkpoint entry '" + a.name()
                            + "' names no parameter of this model; its parameters are " + byName.keySet());
            }
        }
    }

    /** {@code read()}, with its {@link IllegalArgumentException} prefixed by the entry it came from. */
    private static <T> T field(String entry, Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("checkpoint entry")) throw e;
            throw new IllegalArgumentException("checkpoint entry '" + entry + "': " + e.getMessage(), e);
        }
    }
}

package io.eiscope.engine.sim;

import io.eiscope.engine.learning.ComposedRule;
import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.Params;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rule and parameter commands of {@link Simulation#apply}, each validating fully before
 * it changes anything. Runs on the simulation's thread.
 *
 * <p>What a rule change keeps: {@link Command.SetRuleParams} rebuilds the same kind from the
 * catalogue with the merged parameters and continues the old rule's update count (the
 * schedule's position) and its direction buffers (momentum, Adam moments) when the
 * direction keeps its type and buffer layout (e.g. a new learning rate, weight decay or
 * momentum > 0 to another momentum > 0); turning momentum on or off starts fresh buffers.
 * {@link Command.SwitchRule} builds a fresh rule: no buffers, update count 0.
 */
final class SteeringCommands {
    private SteeringCommands() {}

    static void setRuleParams(Simulation sim, Command.SetRuleParams c) {
        var entry = Catalogue.find("learning_rule", sim.catalogue().rules(), sim.ruleKind());
        Map<String, Object> merged = new HashMap<>(sim.ruleParams().asMap());
        merged.putAll(c.params());
        Params params = resolve(entry, merged, "command.set_rule_params.params");
        LearningRule fresh = entry.factory().create(params);
        LearningRule current = sim.rule();
        LearningRule next =
                fresh instanceof ComposedRule f && current instanceof ComposedRule old ? f.continuing(old) : fresh;
        sim.replaceRule(entry, params, next);
    }

    static void switchRule(Simulation sim, Command.SwitchRule c) {
        var entry = Catalogue.find("command.switch_rule.rule", sim.catalogue().rules(), c.kind());
        Params params = resolve(entry, c.params(), "command.switch_rule.rule.params");
        LearningRule next = entry.factory().create(params);
        sim.checkRule(next, "command.switch_rule.rule");
        sim.replaceRule(entry, params, next);
    }

    private static Params resolve(
            Catalogue.Entry<Catalogue.RuleFactory> entry, Map<String, Object> given, String field) {
        try {
            return Params.resolve("learning_rule", entry.descriptor(), given);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    static void setWeight(Simulation sim, Command.SetWeight c) {
        Parameter p = sim.parameter(c.parameter())
                .orElseThrow(() -> new IllegalArgumentException("command.set_weight.parameter: unknown parameter '"
                        + c.parameter() + "'; one of " + names(sim)));
        if (c.row() < 0 || c.row() >= p.value().rows)
            throw new IllegalArgumentException("command.set_weight.row must be in [0, " + p.value().rows + ") for "
                    + p.name() + ", got " + c.row());
        if (c.col() < 0 || c.col() >= p.value().cols)
            throw new IllegalArgumentException("command.set_weight.col must be in [0, " + p.value().cols + ") for "
                    + p.name() + ", got " + c.col());
        if (p.sign() == Parameter.Sign.NON_NEGATIVE && c.value() < 0)
            throw new IllegalArgumentException("command.set_weight.value must be >= 0 for the sign-constrained "
                    + p.name() + ", got " + c.value());
        p.value().set(c.row(), c.col(), c.value());
    }

    /** Parameters selected by a layer or parameter name ({@code ""}: all, where allowed). */
    static List<Parameter> select(Simulation sim, String field, String target) {
        List<Parameter> out = sim.parameters().stream()
                .filter(p ->
                        target.isEmpty() || p.name().equals(target) || p.name().startsWith(target + "."))
                .toList();
        if (out.isEmpty())
            throw new IllegalArgumentException(field + ": no layer or parameter '" + target + "'; layers "
                    + sim.model().layers() + ", parameters " + names(sim));
        return out;
    }

    private static List<String> names(Simulation sim) {
        return sim.parameters().stream().map(Parameter::name).toList();
    }
}

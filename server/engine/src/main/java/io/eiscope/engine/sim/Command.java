package io.eiscope.engine.sim;

import java.util.Map;

/**
 * A steering command: validated on construction (shape of the request) and again when it is
 * applied at a step boundary (against the simulation: names, indices, rule parameters).
 * Commands that change parameters or the learning rule are applied by
 * {@link Simulation#apply}; the others ({@link RunUntil}, watchpoints) steer the runner and
 * change no parameter, so a replay may ignore them. Every applied command is appended, with
 * its effective step, to the runner's intervention log. Immutable.
 *
 * <p>Error messages name the field as the API spells it ({@code command.set_weight.row}).
 */
public sealed interface Command {

    /** Merge {@code params} into the current rule's parameters and rebuild it (same kind). */
    record SetRuleParams(Map<String, Object> params) implements Command {
        public SetRuleParams {
            if (params == null || params.isEmpty())
                throw new IllegalArgumentException("command.set_rule_params.params must name at least one parameter");
            params = Map.copyOf(params);
        }
    }

    /** Replace the learning rule by a new one of {@code kind}, with fresh optimiser state. */
    record SwitchRule(String kind, Map<String, Object> params) implements Command {
        public SwitchRule {
            if (kind == null || kind.isEmpty())
                throw new IllegalArgumentException("command.switch_rule.rule.kind is required");
            params = Map.copyOf(params);
        }
    }

    /** Run until step {@code step} (exclusive of later steps), then pause. */
    record RunUntil(long step) implements Command {
        public RunUntil {
            if (step < 1) throw new IllegalArgumentException("command.run_until.step must be >= 1, got " + step);
        }
    }

    /** Add N(0, std^2) noise, drawn from the simulation's "noise" stream, to the selected parameters. */
    record AddWeightNoise(String target, double std) implements Command {
        public AddWeightNoise {
            if (!(std > 0) || !Double.isFinite(std))
                throw new IllegalArgumentException(
                        "command.add_weight_noise.std must be a finite number > 0, got " + std);
            target = target == null ? "" : target;
        }
    }

    /** Set one element of a parameter (post x pre for weight matrices). */
    record SetWeight(String parameter, int row, int col, float value) implements Command {
        public SetWeight {
            if (parameter == null || parameter.isEmpty())
                throw new IllegalArgumentException("command.set_weight.parameter is required");
            if (!Float.isFinite(value))
                throw new IllegalArgumentException("command.set_weight.value must be finite, got " + value);
        }
    }

    /** Freeze (values held fixed after every update) or unfreeze the selected parameters. */
    record Freeze(String target, boolean frozen) implements Command {
        public Freeze {
            if (target == null || target.isEmpty())
                throw new IllegalArgumentException("command.freeze.target is required (a layer or parameter name)");
        }
    }

    /**
     * Add N(0, std^2) noise, drawn from the simulation's "noise" stream, to every training input
     * from now on (0 turns it off); held-out evaluations stay clean.
     */
    record SetInputNoise(double std) implements Command {
        public SetInputNoise {
            if (!(std >= 0) || !Double.isFinite(std))
                throw new IllegalArgumentException(
                        "command.set_input_noise.std must be a finite number >= 0 (0: off), got " + std);
        }
    }

    /**
     * Hold unit {@code unit} of layer {@code layer} at {@code value} in every later forward pass
     * (its gradient is zero), or release it when {@code clamped} is false.
     */
    record ClampUnit(String layer, int unit, boolean clamped, float value) implements Command {
        public ClampUnit {
            if (layer == null || layer.isEmpty())
                throw new IllegalArgumentException("command.clamp_unit.layer is required");
            if (unit < 0) throw new IllegalArgumentException("command.clamp_unit.unit must be >= 0, got " + unit);
            if (!Float.isFinite(value))
                throw new IllegalArgumentException("command.clamp_unit.value must be finite, got " + value);
        }
    }

    /** How {@link Prune} chooses the weights it removes. */
    enum PruneMethod {
        MAGNITUDE,
        RANDOM
    }

    /**
     * Prune weight matrices until {@code fraction} of the prunable weights of each group (all of
     * them, or each layer's) are pruned, counting earlier pruning; the masks persist through all
     * later learning. Random pruning draws from the simulation's "noise" stream.
     */
    record Prune(PruneMethod method, double fraction, io.eiscope.engine.prune.Pruning.Scope scope) implements Command {
        public Prune {
            if (method == null) throw new IllegalArgumentException("command.prune.method must be MAGNITUDE or RANDOM");
            if (!(fraction >= 0 && fraction <= 1))
                throw new IllegalArgumentException("command.prune.fraction must be in [0, 1], got " + fraction);
            if (scope == null) throw new IllegalArgumentException("command.prune.scope must be GLOBAL or PER_LAYER");
        }
    }

    /** Which population of a layer a unit belongs to. */
    enum Population {
        EXCITATORY,
        INHIBITORY
    }

    /** Zero unit {@code unit}'s incoming and outgoing weights, and keep them zero (a mask). */
    record Lesion(String layer, Population population, int unit) implements Command {
        public Lesion {
            if (layer == null || layer.isEmpty())
                throw new IllegalArgumentException("command.lesion.layer is required");
            if (population == null)
                throw new IllegalArgumentException("command.lesion.population must be EXCITATORY or INHIBITORY");
            if (unit < 0) throw new IllegalArgumentException("command.lesion.unit must be >= 0, got " + unit);
        }
    }

    /** A condition on a scalar observable that pauses the simulation when it holds. */
    record AddWatchpoint(
            String name,
            String observable,
            String layer,
            int everySteps,
            Watchpoint.Condition condition,
            double threshold)
            implements Command {
        /** On a network-wide scalar. */
        public AddWatchpoint(String name, String observable, Watchpoint.Condition condition, double threshold) {
            this(name, observable, "", 0, condition, threshold);
        }

        public AddWatchpoint {
            if (layer == null) layer = "";
            if (everySteps < 0)
                throw new IllegalArgumentException(
                        "command.add_watchpoint.every_steps must be >= 0, got " + everySteps);
            if (name == null || name.isEmpty())
                throw new IllegalArgumentException("command.add_watchpoint.name is required");
            if (observable == null || observable.isEmpty())
                throw new IllegalArgumentException("command.add_watchpoint.observable is required");
            if (condition == null)
                throw new IllegalArgumentException(
                        "command.add_watchpoint.condition must be NON_FINITE, ABOVE or BELOW");
            if (condition != Watchpoint.Condition.NON_FINITE && !Double.isFinite(threshold))
                throw new IllegalArgumentException("command.add_watchpoint.threshold must be finite, got " + threshold);
        }
    }

    /** Remove the watchpoint called {@code name}. */
    record RemoveWatchpoint(String name) implements Command {
        public RemoveWatchpoint {
            if (name == null || name.isEmpty())
                throw new IllegalArgumentException("command.remove_watchpoint.name is required");
        }
    }
}

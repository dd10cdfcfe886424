package io.eiscope.engine.sim;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A command in words, as a scientist would write it in a lab book: "prune 90 % of the weights by
 * magnitude, per layer", "switch the learning rule to adam (learning_rate 0.001)". Used for the
 * intervention events and log that the page draws on the timeline.
 */
public final class CommandDescription {
    private CommandDescription() {}

    public static String of(Command c) {
        if (c instanceof Command.SetRuleParams p) return "set " + params(p.params(), " = ");
        if (c instanceof Command.SwitchRule s)
            return "switch the learning rule to " + s.kind()
                    + (s.params().isEmpty() ? "" : " (" + params(s.params(), " ") + ")");
        if (c instanceof Command.RunUntil r) return "run until step " + r.step();
        if (c instanceof Command.AddWeightNoise n)
            return "add Gaussian noise of σ " + number(n.std()) + " to "
                    + (n.target().isEmpty() ? "every parameter" : n.target());
        if (c instanceof Command.SetWeight w)
            return "set " + w.parameter() + "[" + w.row() + ", " + w.col() + "] to " + number(w.value());
        if (c instanceof Command.Freeze f) return (f.frozen() ? "freeze " : "unfreeze ") + f.target();
        if (c instanceof Command.SetInputNoise n)
            return n.std() == 0
                    ? "turn input noise off"
                    : "add Gaussian noise of σ " + number(n.std()) + " to every training input";
        if (c instanceof Command.ClampUnit u)
            return u.clamped()
                    ? "clamp unit " + u.unit() + " of " + u.layer() + " at " + number(u.value())
                    : "release unit " + u.unit() + " of " + u.layer();
        if (c instanceof Command.Prune p)
            return "prune " + number(100 * p.fraction()) + " % of the weights "
                    + (p.method() == Command.PruneMethod.MAGNITUDE ? "by magnitude" : "at random")
                    + (p.scope() == io.eiscope.engine.prune.Pruning.Scope.GLOBAL ? ", over all layers" : ", per layer");
        if (c instanceof Command.Lesion l)
            return "lesion " + l.population().name().toLowerCase(Locale.ROOT) + " unit " + l.unit() + " of "
                    + l.layer();
        if (c instanceof Command.AddWatchpoint w) {
            String what = w.observable() + (w.layer().isEmpty() ? "" : " of " + w.layer());
            String when = switch (w.condition()) {
                case NON_FINITE -> what + " is not finite";
                case ABOVE -> what + " ≥ " + number(w.threshold());
                case BELOW -> what + " ≤ " + number(w.threshold());
            };
            return "watchpoint '" + w.name() + "': pause when " + when
                    + (w.everySteps() > 0 ? ", checked every " + w.everySteps() + " steps" : "");
        }
        if (c instanceof Command.RemoveWatchpoint r) return "remove watchpoint '" + r.name() + "'";
        return c.toString();
    }

    private static String params(Map<String, Object> params, String between) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Object> e : new TreeMap<>(params).entrySet()) {
            if (b.length() > 0) b.append(", ");
            b.append(e.getKey())
                    .append(between)
                    .append(e.getValue() instanceof Number n ? number(n.doubleValue()) : String.valueOf(e.getValue()));
        }
        return b.toString();
    }

    /** Up to six significant digits, without a trailing ".0": 0.001, 90, 1.5e-05. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains("e")) {
            int e = s.indexOf('e');
            return stripZeros(s.substring(0, e)) + s.substring(e);
        }
        return stripZeros(s);
    }

    private static String stripZeros(String s) {
        if (!s.contains(".")) return s;
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}

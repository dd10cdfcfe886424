package io.eiscope.engine.sim;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.spec.TensorValue;
import io.eiscope.engine.tensor.Matrix;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * User-supplied initial parameter values (a spec's {@code initial_parameters}, e.g. a
 * connectivity matrix derived from a connectome) checked against a freshly built model and
 * copied over what the model's own initialisation drew. Runs on the simulation's thread.
 */
final class InitialParameters {
    static final String FIELD = "initial_parameters";

    private InitialParameters() {}

    /**
     * Checks every entry of {@code given} against {@code parameters}, then copies each into its
     * parameter's value (modified); when one entry is invalid nothing is changed.
     *
     * @throws IllegalArgumentException naming the entry: an unknown parameter, a shape other than
     *                                  the parameter's, a non-finite value, or a negative value
     *                                  for a sign-constrained parameter
     */
    static void apply(List<Parameter> parameters, Map<String, TensorValue> given) {
        if (given.isEmpty()) return;
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (Parameter p : parameters) byName.put(p.name(), p);
        given.forEach((name, value) -> check(byName, name, value));
        given.forEach((name, value) -> value.copyInto(byName.get(name).value()));
    }

    private static void check(Map<String, Parameter> byName, String name, TensorValue value) {
        String field = FIELD + "[\"" + name + "\"]: ";
        Parameter p = byName.get(name);
        if (p == null)
            throw new IllegalArgumentException(field + "no parameter '" + name + "'; one of " + byName.keySet());
        Matrix target = p.value();
        if (!value.hasShape(target.rows, target.cols))
            throw new IllegalArgumentException(field + "shape " + TensorValue.format(value.shape())
                    + " does not match the parameter's " + target.rows + "x" + target.cols);
        boolean nonNegative = p.sign() == Parameter.Sign.NON_NEGATIVE;
        for (int i = 0, n = value.size(); i < n; i++) {
            float v = value.get(i);
            if (Math.abs(v) <= Simulation.DIVERGED_MAGNITUDE && !(nonNegative && v < 0)) continue;
            String found = field + "holds " + v + " at (" + i / target.cols + ", " + i % target.cols + ")";
            if (!Float.isFinite(v)) throw new IllegalArgumentException(found + "; every value must be finite");
            if (Math.abs(v) > Simulation.DIVERGED_MAGNITUDE)
                throw new IllegalArgumentException(
                        found + "; every value must be at most " + Simulation.DIVERGED_MAGNITUDE
                                + " in magnitude (a run whose weights go beyond it stops as diverged)");
            throw new IllegalArgumentException(
                    found + ", but " + name + " is sign-constrained (every value >= 0); give the non-negative "
                            + "magnitudes: the signs come from the excitatory and inhibitory populations, and the signed effective weight "
                            + "matrix cannot be set directly");
        }
    }
}

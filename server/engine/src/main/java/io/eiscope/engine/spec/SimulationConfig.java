package io.eiscope.engine.spec;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything that defines a simulation; with the seed and the commands applied to it, it
 * determines every parameter bit for bit.
 *
 * @param evalEverySteps    evaluate on the held-out set every this many steps (0: never)
 * @param stepBudget        finish after this many steps (0: no budget)
 * @param initialParameters values copied over the model's own initialisation before step 0, by
 *                          parameter name (e.g. a connectivity matrix from a connectome); an
 *                          unmodifiable copy sorted by name, empty when none. The simulation
 *                          validates them against its model.
 */
public record SimulationConfig(
        String name,
        ComponentConfig model,
        ComponentConfig learningRule,
        ComponentConfig task,
        long seed,
        int batchSize,
        int evalEverySteps,
        long stepBudget,
        Map<String, TensorValue> initialParameters) {

    public SimulationConfig {
        TreeMap<String, TensorValue> copy = new TreeMap<>();
        if (initialParameters != null) {
            initialParameters.forEach((k, v) -> copy.put(
                    Objects.requireNonNull(k, "initial parameter name"),
                    Objects.requireNonNull(v, () -> "initial value of '" + k + "'")));
        }
        initialParameters = Collections.unmodifiableMap(copy);
    }

    /** A config whose model keeps its own initialisation (no initial parameter values). */
    public SimulationConfig(
            String name,
            ComponentConfig model,
            ComponentConfig learningRule,
            ComponentConfig task,
            long seed,
            int batchSize,
            int evalEverySteps,
            long stepBudget) {
        this(name, model, learningRule, task, seed, batchSize, evalEverySteps, stepBudget, Map.of());
    }

    /** This config with {@code values} as its initial parameter values (replacing any it had). */
    public SimulationConfig withInitialParameters(Map<String, TensorValue> values) {
        return new SimulationConfig(
                name, model, learningRule, task, seed, batchSize, evalEverySteps, stepBudget, values);
    }
}

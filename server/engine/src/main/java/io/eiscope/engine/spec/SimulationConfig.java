package io.eiscope.engine.spec;

/**
 * Everything that defines a simulation; with the seed and the commands applied to it, it
 * determines every parameter bit for bit.
 *
 * @param evalEverySteps evaluate on the held-out set every this many steps (0: never)
 * @param stepBudget     finish after this many steps (0: no budget)
 */
public record SimulationConfig(String name, ComponentConfig model, ComponentConfig learningRule, ComponentConfig task,
                               long seed, int batchSize, int evalEverySteps, long stepBudget) {
}

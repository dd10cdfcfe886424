package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.TestData;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Simulations on the sequence tasks with a feed-forward model that sees each example flattened. */
class SequenceTasksSimulationTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();

    static Simulation mlp(String task, double lr, long seed) {
        return new Simulation(
                new SimulationConfig(
                        task,
                        new ComponentConfig("mlp", Map.of("hidden", List.of(64L))),
                        new ComponentConfig("sgd", Map.of("learning_rate", lr, "momentum", 0.9)),
                        ComponentConfig.of(task),
                        seed,
                        32,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(TestData.dataDir()));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "perceptual_decision_making",
                "delayed_match_to_sample",
                "context_decision_making",
                "adding",
                "seq_mnist",
                "seq_fashion_mnist"
            })
    void everySequenceTaskTrainsAnMlpWithAFiniteFallingLoss(String task) {
        Simulation s = mlp(task, 0.03, 1);
        double first = 0, last = 0;
        for (int i = 0; i < 100; i++) {
            double loss = s.trainStep().loss();
            assertThat(loss).as("loss at step %d", i).isFinite();
            if (i < 10) first += loss;
            if (i >= 90) last += loss;
        }
        assertThat(last).isLessThan(first);
        Simulation.EvalResult eval = s.evaluate();
        assertThat(eval.loss()).isFinite();
        assertThat(Double.isNaN(eval.accuracy())).isEqualTo(task.equals("adding"));
    }

    @Test
    void anMlpLearnsTwoAlternativeChoiceUpToTheIdealObserver() {
        Simulation s = mlp("perceptual_decision_making", 0.1, 2);
        Simulation.EvalResult before = s.evaluate();
        double first = 0, last = 0;
        for (int i = 0; i < 200; i++) {
            double loss = s.trainStep().loss();
            if (i < 20) first += loss;
            if (i >= 180) last += loss;
        }
        assertThat(last).isLessThan(0.25 * first);
        Simulation.EvalResult after = s.evaluate();
        assertThat(after.loss()).isLessThan(0.1 * before.loss());
        // An ideal observer of 7 steps of noise 0.1 per stimulus is right with probability 0.5, 0.884, 0.992, 1, 1 at
        // coherences 0, 6.4, 12.8, 25.6, 51.2: 0.875 on average. Far above means the labels leak; 1,000 trials: SE
        // 0.01.
        assertThat(after.accuracy()).isBetween(0.78, 0.93);
    }
}

package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Simulations on the non-image tasks: their objectives, accuracies and determinism. */
class TaskObjectivesTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();
    private static final EngineContext CONTEXT = EngineContext.of(null);

    static Simulation rOfK(String rule, double lr, long seed) {
        return new Simulation(
                new SimulationConfig(
                        "r-of-k",
                        ComponentConfig.of("point_neuron"),
                        new ComponentConfig(rule, Map.of("learning_rate", lr)),
                        new ComponentConfig(
                                "r_of_k", Map.of("inputs", 400L, "train_size", 2000L, "held_out_size", 500L)),
                        seed,
                        100,
                        0,
                        0),
                CATALOGUE,
                CONTEXT);
    }

    @Test
    void thePointNeuronStartsAtTheThresholdAndEgLearnsRofK() {
        Simulation s = rOfK("eg", 0.5, 1);
        // w_i = r / (p n) = 50 / 200 = 0.25: the expected logit is 0
        assertThat(s.parameters().get(0).value().get(0)).isEqualTo(0.25f);
        double before = s.evaluate().accuracy();
        for (int i = 0; i < 200; i++) s.trainStep();
        Simulation.EvalResult after = s.evaluate();
        assertThat(after.accuracy()).isGreaterThan(before).isGreaterThan(0.75);
        assertThat(s.hasAccuracy()).isTrue();
    }

    @Test
    void theSameSeedGivesIdenticalWeightsOnRofK() {
        Simulation a = rOfK("eg", 0.5, 4), b = rOfK("eg", 0.5, 4);
        for (int i = 0; i < 30; i++) {
            a.trainStep();
            b.trainStep();
        }
        assertThat(a.parameters().get(0).value().toArray())
                .containsExactly(b.parameters().get(0).value().toArray());
    }

    @Test
    void regressionHasNoAccuracyAndItsLossFalls() {
        Simulation s = new Simulation(
                new SimulationConfig(
                        "regression",
                        new ComponentConfig(
                                "point_neuron", Map.of("threshold", 0.0, "init", "normal", "init_gain", 1.0)),
                        new ComponentConfig("mirror_descent", Map.of("learning_rate", 1e-3, "p", 3.0, "momentum", 0.9)),
                        new ComponentConfig("linear_regression", Map.of("dimension", 400L)),
                        2,
                        20,
                        0,
                        0),
                CATALOGUE,
                CONTEXT);
        double first = s.trainStep().loss();
        Simulation.StepResult last = null;
        for (int i = 0; i < 200; i++) last = s.trainStep();
        assertThat(last.loss()).isLessThan(0.1 * first);
        assertThat(last.accuracy()).isNaN();
        assertThat(s.evaluate().accuracy()).isNaN();
        assertThat(s.hasAccuracy()).isFalse();
    }
}

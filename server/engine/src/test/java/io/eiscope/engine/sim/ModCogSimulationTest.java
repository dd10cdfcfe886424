package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Mod-Cog suite under the recurrent models and the GD and EG rules of the catalogue. */
class ModCogSimulationTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();
    private static final EngineContext CONTEXT = EngineContext.of(null);

    static Simulation simulation(ComponentConfig model, ComponentConfig rule, String tasks, long seqLen, long seed) {
        return new Simulation(
                new SimulationConfig(
                        "mod-cog",
                        model,
                        rule,
                        new ComponentConfig("mod_cog", Map.of("tasks", tasks, "seq_len", seqLen, "test_size", 64L)),
                        seed,
                        32,
                        0,
                        0),
                CATALOGUE,
                CONTEXT);
    }

    @Test
    void aSmallRnnLearnsThreeSimpleTasksFarAboveChanceWithinAFewHundredSteps() {
        Simulation s = simulation(
                new ComponentConfig("rnn", Map.of("hidden", List.of(64L))),
                new ComponentConfig("adam", Map.of("learning_rate", 0.01)),
                "rtgo, go, dm1",
                60,
                1);
        Simulation.EvalResult before = s.evaluate();
        Simulation.StepResult last = null;
        for (int i = 0; i < 300; i++) last = s.trainStep();
        Simulation.EvalResult after = s.evaluate();
        // Guessing among the 16 directions at decisions gives dec_acc 1/16; fixating through them, 0. Measured: 0.058
        // before, 0.920 after 300 updates (0.906 after 600), held-out loss 2.91 -> 0.92.
        assertThat(before.decisionAccuracy()).isLessThan(0.15);
        assertThat(after.decisionAccuracy()).isGreaterThan(0.75);
        assertThat(after.loss()).isLessThan(0.5 * before.loss());
        assertThat(last.decisionAccuracy()).isBetween(0.0, 1.0);
        assertThat(after.accuracy()).isGreaterThan(after.decisionAccuracy() - 0.2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn", "dann_rnn", "column_ei_rnn", "ctrnn"})
    void everyRecurrentModelTrainsOnTheWholeSuiteWithGdAndEg(String kind) {
        ComponentConfig model = new ComponentConfig(
                kind, Map.of("hidden", kind.equals("ctrnn") ? (Object) 32L : (Object) List.of(32L)));
        for (String rule : List.of("sgd", "eg")) {
            Simulation s = simulation(
                    model,
                    new ComponentConfig(
                            rule,
                            Map.of(
                                    "learning_rate",
                                    rule.equals("eg") ? 0.05 : 0.01,
                                    "clip_norm",
                                    2.0,
                                    "clip_scope",
                                    "global")),
                    "all",
                    40,
                    2);
            for (int i = 0; i < 3; i++) {
                Simulation.StepResult r = s.trainStep();
                assertThat(r.loss()).as("%s with %s, step %d", kind, rule, i).isFinite();
                assertThat(r.decisionAccuracy()).isBetween(0.0, 1.0);
            }
            assertThat(s.parameterTrouble()).isNull();
        }
    }
}

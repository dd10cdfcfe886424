package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.TestData;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulationTest {
    static final Catalogue CATALOGUE = Catalogue.standard();

    static SimulationConfig mlp(long seed, double lr, int batch) {
        return new SimulationConfig(
                "t",
                new ComponentConfig("mlp", Map.of("hidden", List.of(32L))),
                new ComponentConfig("sgd", Map.of("learning_rate", lr, "momentum", 0.9)),
                ComponentConfig.of("fashion_mnist"),
                seed,
                batch,
                0,
                0);
    }

    static Simulation build(SimulationConfig c) {
        return new Simulation(c, CATALOGUE, EngineContext.of(TestData.dataDir()));
    }

    static List<float[]> weights(Simulation s) {
        return s.parameters().stream().map(p -> p.value().toArray()).toList();
    }

    @Test
    void sameSpecAndSeedGiveBitIdenticalParameters() {
        Simulation a = build(mlp(7, 0.05, 16)), b = build(mlp(7, 0.05, 16));
        for (int i = 0; i < 60; i++) {
            a.trainStep();
            b.trainStep();
        }
        List<float[]> wa = weights(a), wb = weights(b);
        for (int i = 0; i < wa.size(); i++) assertThat(wa.get(i)).isEqualTo(wb.get(i));
    }

    @Test
    void aDifferentSeedGivesDifferentParameters() {
        Simulation a = build(mlp(7, 0.05, 16)), b = build(mlp(8, 0.05, 16));
        assertThat(weights(a).get(0)).isNotEqualTo(weights(b).get(0));
    }

    @Test
    void resetReplaysTheSameTrajectory() {
        Simulation a = build(mlp(3, 0.05, 8));
        for (int i = 0; i < 25; i++) a.trainStep();
        List<float[]> first = weights(a);
        a.reset();
        assertThat(a.step()).isZero();
        for (int i = 0; i < 25; i++) a.trainStep();
        List<float[]> second = weights(a);
        for (int i = 0; i < first.size(); i++) assertThat(second.get(i)).isEqualTo(first.get(i));
    }

    @Test
    void sgdLowersTheLossOnFashionMnist() {
        Simulation s = build(mlp(1, 0.05, 32));
        double first = 0, last = 0;
        for (int i = 0; i < 300; i++) {
            double loss = s.trainStep().loss();
            if (i < 30) first += loss;
            if (i >= 270) last += loss;
        }
        assertThat(last / 30).isLessThan(0.75 * first / 30);
        Simulation.EvalResult eval = s.evaluate();
        assertThat(eval.accuracy()).isGreaterThan(0.6);
    }

    @Test
    void firstLayerWeightsArePostByPre() {
        Parameter w = build(mlp(1, 0.05, 4)).parameter("layer0.W").orElseThrow();
        assertThat(w.shape()).containsExactly(32, 784);
    }

    @Test
    void invalidSpecsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> build(mlp(1, -0.1, 4))).hasMessageContaining("learning_rule.learning_rate");
        assertThatThrownBy(() -> build(mlp(1, 0.1, 0))).hasMessageContaining("batch_size");
        assertThatThrownBy(() -> build(mlp(1, 0.1, 60_001)))
                .hasMessageContaining("batch_size")
                .hasMessageContaining("60000");
        assertThatThrownBy(() -> build(new SimulationConfig(
                        "t",
                        new ComponentConfig("mlp", Map.of("hidden", List.of(0L))),
                        ComponentConfig.of("sgd"),
                        ComponentConfig.of("fashion_mnist"),
                        1,
                        4,
                        0,
                        0)))
                .hasMessageContaining("model.hidden");
        assertThatThrownBy(() -> build(new SimulationConfig(
                        "t",
                        ComponentConfig.of("mlp"),
                        ComponentConfig.of("sgd"),
                        ComponentConfig.of("cifar"),
                        1,
                        4,
                        0,
                        0)))
                .hasMessageContaining("unknown task 'cifar'")
                .hasMessageContaining("fashion_mnist");
        assertThatThrownBy(() -> build(new SimulationConfig(
                        "t",
                        ComponentConfig.of("mlp"),
                        new ComponentConfig("sgd", Map.of("lr", 0.1)),
                        ComponentConfig.of("fashion_mnist"),
                        1,
                        4,
                        0,
                        0)))
                .hasMessageContaining("learning_rule.lr is not a parameter");
    }
}

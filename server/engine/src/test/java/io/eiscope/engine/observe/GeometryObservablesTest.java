package io.eiscope.engine.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The geometry observables measured on a live simulation. */
class GeometryObservablesTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();

    static Simulation sim(String rule, double lr) {
        return new Simulation(
                new SimulationConfig(
                        "g",
                        new ComponentConfig("mlp", Map.of("hidden", List.of(32L), "init", "lognormal")),
                        new ComponentConfig(rule, Map.of("learning_rate", lr)),
                        new ComponentConfig(
                                "r_of_k",
                                Map.of(
                                        "inputs",
                                        100L,
                                        "relevant",
                                        20L,
                                        "threshold",
                                        10L,
                                        "train_size",
                                        500L,
                                        "held_out_size",
                                        50L)),
                        1,
                        50,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(null));
    }

    static double scalar(Simulation s, String observable, String target) {
        return ((Observation.Scalar)
                        CATALOGUE.measured(observable).orElseThrow().measure(s, target))
                .value();
    }

    @Test
    void everyGeometryObservableIsInTheCatalogueWithItsCostInTheDoc() {
        for (Observable o : GeometryObservables.all()) {
            assertThat(CATALOGUE.measured(o.name())).as(o.name()).isPresent();
            assertThat(o.descriptor().doc()).as(o.name()).containsPattern("O\\(n( log n)?\\)");
        }
        assertThat(CATALOGUE.measured("dual_change_delta_cdf_1p5_norm")).isPresent();
        assertThat(CATALOGUE.measured("dual_change_delta_cdf_negative_entropy")).isPresent();
    }

    @Test
    void atTheStartNothingHasChangedAndAfterEgTrainingNoSignHasFlipped() {
        Simulation s = sim("eg", 0.5);
        assertThat(scalar(s, "cosine_to_initial", "layer0.W")).isCloseTo(1, within(1e-9));
        assertThat(scalar(s, "dual_change_delta_cdf_negative_entropy", "layer0.W"))
                .isNaN();
        assertThat(scalar(s, "lognormal_sigma", "layer0.W")).isCloseTo(Math.sqrt(Math.log1p(1 / 2.25)), within(0.02));
        for (int i = 0; i < 40; i++) s.trainStep();
        assertThat(scalar(s, "sign_flips", "layer0.W")).isZero();
        assertThat(scalar(s, "cosine_to_initial", "layer0.W")).isLessThan(1);
        assertThat(scalar(s, "update_weight_slope", "layer0.W")).isPositive();
        assertThat(scalar(s, "dual_change_magnitude_negative_entropy", "layer0.W"))
                .isPositive();
        var h = (Observation.Histogram) CATALOGUE
                .measured("log_negative_weight_histogram")
                .orElseThrow()
                .measure(s, "layer0.W");
        assertThat(h.counts()).hasSize(64);
        s.reset();
        assertThat(scalar(s, "cosine_to_initial", "layer0.W")).isCloseTo(1, within(1e-9));
    }

    @Test
    void gradientDescentFlipsSignsThatExponentiatedGradientKeeps() {
        Simulation s = sim("sgd", 0.5);
        for (int i = 0; i < 40; i++) s.trainStep();
        assertThat(scalar(s, "sign_flips", "layer0.W")).isPositive();
    }
}

package io.eiscope.engine.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.TestData;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.tensor.Blas;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Contract suite run against every model of the catalogue, with small sizes so it stays quick. */
class ModelCatalogueTest {
    static final Catalogue CATALOGUE = Catalogue.standard();

    /**
     * A small configuration of each model kind and variant, with a learning rate and a number of
     * steps that train it. ColEI gets more steps: on Fashion-MNIST its first layer, centred on the
     * data set's mean pixel, is silent for the darker images at initialisation, so it starts slowly.
     */
    record Case(String kind, Map<String, Object> params, double learningRate, int steps) {
        @Override
        public String toString() {
            return kind + " " + params;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("mlp", Map.of("hidden", List.of(32L)), 0.1, 60),
            new Case("mlp", Map.of("hidden", List.of(32L), "init", "normal"), 0.1, 60),
            new Case("mlp", Map.of("hidden", List.of(32L), "init", "uniform", "init_fan", "fan_out"), 0.1, 60),
            new Case("mlp", Map.of("hidden", List.of(32L), "init", "lognormal"), 0.1, 60),
            new Case("mlp", Map.of("hidden", List.of(32L), "init", "lognormal", "split_bias", true), 0.1, 60),
            new Case(
                    "dann",
                    Map.of("hidden_excitatory", List.of(40L, 30L), "hidden_inhibitory", List.of(4L)),
                    0.02,
                    200),
            new Case(
                    "dann",
                    Map.of(
                            "hidden_excitatory",
                            List.of(40L, 30L),
                            "hidden_inhibitory",
                            List.of(1L, 3L),
                            "inhibition",
                            "subtractive"),
                    0.02,
                    80),
            new Case("column_ei_mlp", Map.of("hidden", List.of(110L, 55L), "ei_ratio", 10L), 0.05, 200),
            new Case("layernorm_mlp", Map.of("hidden", List.of(32L, 24L)), 0.1, 60),
            new Case("batchnorm_mlp", Map.of("hidden", List.of(32L, 24L)), 0.1, 60),
            new Case("point_neuron", Map.of("threshold", 0.0, "init", "normal", "init_gain", 1.0), 0.1, 60),
            new Case("rnn", Map.of("hidden", List.of(32L)), 0.05, 60),
            new Case(
                    "rnn",
                    Map.of("hidden", List.of(32L), "recurrent_init", "uniform_radius", "radius_numerator", 1.0),
                    0.05,
                    60),
            new Case("rnn", Map.of("hidden", List.of(32L), "recurrent_init", "colei_vectors_rnn_values"), 0.05, 60),
            new Case(
                    "rnn",
                    Map.of(
                            "hidden",
                            List.of(24L, 16L),
                            "recurrent_init",
                            "rnn_vectors_colei_values",
                            "transplant_layers",
                            "recurrent",
                            "bias",
                            false),
                    0.05,
                    60),
            new Case("column_ei_rnn", Map.of("hidden", List.of(40L)), 0.01, 80),
            new Case(
                    "column_ei_rnn",
                    Map.of("hidden", List.of(30L, 20L), "ei_ratio", 4L, "ablate_ii", true, "sign_constrained", false),
                    0.01,
                    80),
            new Case("dann_rnn", Map.of("hidden", List.of(32L)), 0.05, 60),
            new Case(
                    "dann_rnn",
                    Map.of("hidden", List.of(24L, 16L), "ni_i2h", 3L, "ni_h2h", 1L, "init_numerator", 1.0),
                    0.05,
                    60),
            new Case("ctrnn", Map.of("hidden", 32L, "init_rank", 4L), 0.05, 60),
            new Case("ctrnn", Map.of("hidden", 32L, "alpha", 0.5), 0.05, 60));

    static Stream<Case> cases() {
        return CASES.stream();
    }

    private static Model build(Case c, long seed) {
        var entry = Catalogue.find("model", CATALOGUE.models(), c.kind());
        Params p = Params.resolve("model", entry.descriptor(), c.params());
        return entry.factory()
                .create(
                        p,
                        io.eiscope.engine.task.TaskShape.flat(784, 10),
                        new Rng(seed),
                        new EngineContext(null, Blas.best()));
    }

    @Test
    void everyModelOfTheCatalogueHasASmallCaseHere() {
        assertThat(CASES.stream().map(Case::kind).distinct())
                .containsExactlyInAnyOrderElementsOf(
                        CATALOGUE.models().stream().map(Catalogue.Entry::kind).toList());
    }

    @Test
    void everyParameterHasADefaultThatValidatesAndADocAndEveryEntryACitation() {
        List<ComponentDescriptor> described = Stream.concat(
                        CATALOGUE.models().stream().map(Catalogue.Entry::descriptor),
                        CATALOGUE.initialisations().stream())
                .toList();
        assertThat(described).allSatisfy(d -> {
            assertThat(d.citation()).as(d.kind()).isNotBlank();
            assertThat(d.doc()).as(d.kind()).isNotBlank();
            for (ParamDescriptor p : d.params()) {
                assertThat(p.doc()).as(d.kind() + "." + p.name()).isNotBlank();
                assertThat(p.validate(p.name(), p.defaultValue())).isEqualTo(p.defaultValue());
            }
        });
    }

    @Test
    void everyMlpInitChoiceIsACatalogueInitialisation() {
        var init = Catalogue.find("model", CATALOGUE.models(), "mlp").descriptor().params().stream()
                .filter(p -> p.name().equals("init"))
                .findFirst()
                .orElseThrow();
        assertThat(CATALOGUE.initialisations().stream()
                        .map(ComponentDescriptor::kind)
                        .toList())
                .containsAll(init.choices())
                .contains("dann", "column_ei");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void projectionLeavesEveryNonNegativeParameterNonNegativeAndFreeOnesUntouched(Case c) {
        Model model = build(c, 1);
        Rng rng = new Rng(2);
        for (Parameter p : model.parameters())
            for (int i = 0; i < p.value().size(); i++) p.value().set(i, (float) rng.nextGaussian());
        List<float[]> before =
                model.parameters().stream().map(p -> p.value().toArray()).toList();
        model.project();
        for (int k = 0; k < before.size(); k++) {
            Parameter p = model.parameters().get(k);
            if (p.sign() == Parameter.Sign.NON_NEGATIVE) {
                for (int i = 0; i < p.value().size(); i++)
                    assertThat(p.value().get(i)).as(p.name()).isEqualTo(Math.max(before.get(k)[i], 0f));
            } else {
                assertThat(p.value().toArray()).as(p.name()).containsExactly(before.get(k));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void initialisedWeightsRespectTheirSignsAndEiModelsExposeEffectiveWeights(Case c) {
        Model model = build(c, 3);
        for (Parameter p : model.parameters()) {
            assertThat(p.value().allFinite()).as(p.name()).isTrue();
            if (p.sign() == Parameter.Sign.NON_NEGATIVE)
                for (int i = 0; i < p.value().size(); i++)
                    assertThat(p.value().get(i)).as(p.name()).isGreaterThanOrEqualTo(0f);
        }
        if (model
                instanceof
                io.eiscope.engine.model.RecurrentNet
                        rnn) { // every cell's recurrent and input matrices, for all families
            for (var cell : rnn.cells()) {
                assertThat(model.effectiveWeight(cell.name())).as(cell.name()).isPresent();
                assertThat(model.effectiveWeight(cell.name() + ".input"))
                        .as(cell.name() + ".input")
                        .isPresent();
            }
            return;
        }
        boolean ei = c.kind().equals("dann") || c.kind().equals("column_ei_mlp");
        assertThat(model.layers().stream()
                        .filter(l -> model.effectiveWeight(l).isPresent())
                        .count())
                .isEqualTo(ei ? model.layers().size() : 0);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aFewSgdStepsThroughASimulationLowerTheLossOnFashionMnist(Case c) {
        Simulation s = new Simulation(
                new SimulationConfig(
                        "t",
                        new ComponentConfig(c.kind(), c.params()),
                        new ComponentConfig("sgd", Map.of("learning_rate", c.learningRate())),
                        ComponentConfig.of("fashion_mnist"),
                        5,
                        32,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(TestData.dataDir()));
        double first = 0, last = 0;
        for (int i = 0; i < c.steps(); i++) {
            double loss = s.trainStep().loss();
            if (i < 10) first += loss;
            if (i >= c.steps() - 10) last += loss;
        }
        assertThat(s.parameterTrouble()).isNull();
        assertThat(last).as("mean loss of the last 10 steps vs the first 10").isLessThan(0.9 * first);
    }

    @Test
    void inhibitoryCountsMustCoverTheHiddenLayers() {
        assertThatThrownBy(() -> build(
                        new Case(
                                "dann",
                                Map.of("hidden_excitatory", List.of(8L, 8L, 8L), "hidden_inhibitory", List.of(2L, 2L)),
                                0.1,
                                0),
                        1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.hidden_inhibitory")
                .hasMessageContaining("(3), got 2");
        assertThatThrownBy(() -> build(new Case("column_ei_mlp", Map.of("hidden", List.of(1L)), 0.1, 0), 1))
                .hasMessageContaining("model.hidden");
        assertThatThrownBy(() -> build(new Case("mlp", Map.of("init", "xavier"), 0.1, 0), 1))
                .hasMessageContaining("model.init");
    }
}

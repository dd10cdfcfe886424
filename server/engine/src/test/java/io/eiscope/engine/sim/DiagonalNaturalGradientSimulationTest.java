package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.TestData;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** d-NGD and the BatchNorm MLP in whole simulations: what the catalogue refuses, and runs that repeat bit for bit. */
class DiagonalNaturalGradientSimulationTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();
    private static final ComponentConfig DANN_ONE_I = new ComponentConfig(
            "dann", Map.of("hidden_excitatory", List.of(20L, 20L), "hidden_inhibitory", List.of(1L)));
    private static final ComponentConfig DNGD = new ComponentConfig("dngd", Map.of());

    private static Simulation build(
            ComponentConfig model, ComponentConfig rule, ComponentConfig task, int batch, long seed) {
        return new Simulation(
                new SimulationConfig("t", model, rule, task, seed, batch, 0, 0),
                CATALOGUE,
                EngineContext.of(TestData.dataDir()));
    }

    private static Simulation build(ComponentConfig model, ComponentConfig rule) {
        return build(model, rule, ComponentConfig.of("fashion_mnist"), 50, 3);
    }

    @Test
    void dngdOnAModelOtherThanADannWithOneInhibitoryUnitIsRefusedSayingWhatToChange() {
        assertThatThrownBy(() -> build(new ComponentConfig("mlp", Map.of("hidden", List.of(20L))), DNGD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("learning_rule: dngd is for Dale's ANNs")
                .hasMessageContaining("model kind 'dann'");
        assertThatThrownBy(() -> build(
                        new ComponentConfig(
                                "dann", Map.of("hidden_excitatory", List.of(20L), "hidden_inhibitory", List.of(5L))),
                        DNGD))
                .hasMessageContaining("set model.hidden_inhibitory to [1] (layer0 has 5");
        assertThatThrownBy(() -> build(
                        new ComponentConfig(
                                "dann",
                                Map.of(
                                        "hidden_excitatory",
                                        List.of(20L),
                                        "hidden_inhibitory",
                                        List.of(1L),
                                        "inhibition",
                                        "subtractive")),
                        DNGD))
                .hasMessageContaining("inhibition 'subtractive_divisive'");
        assertThatThrownBy(() -> build(DANN_ONE_I, new ComponentConfig("dngd", Map.of("correct_inhibitory", true))))
                .hasMessage(
                        "learning_rule.correct_inhibitory: d-NGD replaces the cSGD corrections (the reference refuses "
                                + "both together); set it to false");
        assertThatThrownBy(() -> build(
                        new ComponentConfig(
                                "dann", Map.of("hidden_excitatory", List.of(8L), "hidden_inhibitory", List.of(1L))),
                        DNGD,
                        SimulationStateDictContractTest.R_OF_K,
                        8,
                        1))
                .hasMessageContaining("needs a classification task");
    }

    @Test
    void switchingAnMlpRunToDngdIsRefusedAndLeavesItsRuleAlone() {
        Simulation s =
                build(new ComponentConfig("mlp", Map.of("hidden", List.of(20L))), new ComponentConfig("sgd", Map.of()));
        assertThatThrownBy(() -> s.apply(new Command.SwitchRule("dngd", Map.of())))
                .hasMessageStartingWith("command.switch_rule.rule: dngd is for Dale's ANNs");
        assertThat(s.ruleKind()).isEqualTo("sgd");
    }

    @Test
    void aBatchNormMlpNeedsTwoExamplesPerBatch() {
        assertThatThrownBy(() -> build(
                        new ComponentConfig("batchnorm_mlp", Map.of("hidden", List.of(20L))),
                        new ComponentConfig("sgd", Map.of()),
                        ComponentConfig.of("fashion_mnist"),
                        1,
                        1))
                .hasMessage(
                        "batch_size must be >= 2 for model 'batchnorm_mlp' (it normalises each unit over the batch), got 1");
    }

    /**
     * The held-out set is evaluated as one batch, as the reference does: Fashion-MNIST's test set is
     * sorted by class, so chunks of 1,000 would each be one class, and normalising each by its own
     * statistics would erase what tells the classes apart (accuracy near chance).
     */
    @Test
    void aBatchNormMlpIsEvaluatedWithTheStatisticsOfTheWholeHeldOutSet() {
        Simulation s = build(
                new ComponentConfig("batchnorm_mlp", Map.of("hidden", List.of(64L))),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.1)),
                ComponentConfig.of("fashion_mnist"),
                32,
                1);
        for (int i = 0; i < 60; i++) s.trainStep();
        assertThat(s.evaluate().accuracy()).isGreaterThan(0.6);
    }

    private static List<float[]> weights(Simulation s) {
        return s.parameters().stream().map(p -> p.value().toArray()).toList();
    }

    /** The paper's config (lr 300, f_lambda 2.5e-5, f_ma_scale 0.02) on a small DANN: identical runs for one seed, and it learns. */
    @Test
    void twoRunsOfTheSameSpecAndSeedGiveIdenticalWeightsAndTheLossFalls() {
        Simulation a = build(DANN_ONE_I, DNGD), b = build(DANN_ONE_I, DNGD);
        double first = a.evaluate().loss();
        for (int i = 0; i < 40; i++) {
            assertThat(b.trainStep().loss()).isEqualTo(a.trainStep().loss());
        }
        assertThat(weights(b)).usingRecursiveComparison().isEqualTo(weights(a));
        assertThat(a.evaluate().loss()).as("held-out loss after 40 steps").isLessThan(0.8 * first);
        Simulation other = build(DANN_ONE_I, DNGD, ComponentConfig.of("fashion_mnist"), 50, 4);
        other.trainStep();
        assertThat(weights(other).get(0))
                .isNotEqualTo(weights(build(DANN_ONE_I, DNGD)).get(0));
    }
}

package io.eiscope.engine.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.TestData;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import java.util.List;
import org.junit.jupiter.api.Test;

class PresetCatalogueTest {

    /** Out of the box, no preset diverges in its first steps (as rank 1 of the rich-lazy group once did with seed 1). */
    @Test
    void everyPresetBuildsAndTrainsItsFirstStepsHealthily() {
        Catalogue c = Catalogue.standard();
        EngineContext ctx = EngineContext.of(TestData.dataDir());
        for (Preset p : c.presets()) {
            Simulation s = new Simulation(p.config(), c, ctx);
            for (int i = 0; i < 20; i++) {
                double loss = s.trainStep().loss();
                assertThat(loss).as("%s, step %d", p.name(), i + 1).isFinite();
                assertThat(s.parameterTrouble())
                        .as("%s, step %d", p.name(), i + 1)
                        .isNull();
            }
            assertThat(p.title()).as(p.name()).isNotBlank();
            assertThat(p.doc()).as(p.name()).isNotBlank();
        }
    }

    @Test
    void theCornfordComparisonHasEveryModelOfTheStudyWithTheConfigLearningRates() {
        var group = Catalogue.standard().presets().stream()
                .filter(p -> p.group().equals(PresetCatalogue.CORNFORD_2021_GROUP))
                .toList();
        assertThat(group)
                .extracting(p -> p.config().model().kind())
                .containsExactlyInAnyOrder(
                        "mlp", "layernorm_mlp", "batchnorm_mlp", "dann", "dann", "dann", "column_ei_mlp");
        assertThat(group)
                .extracting(p -> p.config().learningRule().params().get("learning_rate"))
                .containsExactlyInAnyOrder(0.2976, 0.2976, 0.2976, 0.1107, 0.003981, 0.05273, 300.0);
        assertThat(group).allSatisfy(p -> {
            boolean dngd = p.config().learningRule().kind().equals("dngd");
            assertThat(p.config().batchSize()).isEqualTo(dngd ? 250 : 32);
            assertThat(p.config().evalEverySteps())
                    .isEqualTo(60_000 / p.config().batchSize());
            assertThat(p.citation()).contains("Cornford");
        });
        var dngd = group.stream()
                .filter(p -> p.config().learningRule().kind().equals("dngd"))
                .findFirst()
                .orElseThrow();
        assertThat(dngd.config().learningRule().params())
                .containsEntry("f_lambda", 2.5e-5)
                .containsEntry("f_ma_scale", 0.02)
                .containsEntry("scale_finv_by_norm_wex", true);
        assertThat(dngd.config().model().params()).containsEntry("hidden_inhibitory", List.of(1L));
    }

    @Test
    void theGeometryComparisonsPairTheirRulesInGroups() {
        var presets = Catalogue.standard().presets();
        assertThat(presets.stream().filter(p -> p.group().equals(GeometryPresets.R_OF_K_GROUP)))
                .extracting(p -> p.config().learningRule().kind())
                .containsExactlyInAnyOrder("eg", "sgd");
        assertThat(presets.stream().filter(p -> p.group().equals(GeometryPresets.PRUNING_GROUP)))
                .extracting(p -> p.config().learningRule().kind())
                .containsExactlyInAnyOrder("eg", "sgd");
        assertThat(presets.stream().filter(p -> p.group().equals(GeometryPresets.MIRROR_GROUP)))
                .extracting(p -> p.config().learningRule().kind())
                .containsOnly("mirror_descent")
                .hasSize(3);
    }

    @Test
    void theRecurrentComparisonsHoldTheFamiliesTheTransplantsAndTheRanks() {
        var presets = Catalogue.standard().presets();
        assertThat(presets.stream().filter(p -> p.group().equals(RecurrentPresets.LI_2023_GROUP)))
                .extracting(p -> p.config().model().kind())
                .containsExactlyInAnyOrder("rnn", "dann_rnn", "column_ei_rnn");
        assertThat(presets.stream().filter(p -> p.group().equals(RecurrentPresets.LI_2023_GROUP)))
                .allSatisfy(p -> assertThat(p.config().task().kind()).isEqualTo("seq_mnist"));
        assertThat(presets.stream().filter(p -> p.group().equals(RecurrentPresets.TRANSPLANT_GROUP)))
                .extracting(p -> p.config().model().params().get("recurrent_init") + "/"
                        + p.config().model().params().get("freeze_recurrent_signs"))
                .containsExactlyInAnyOrder(
                        "pytorch/true",
                        "colei_vectors_rnn_values/true",
                        "colei_vectors_rnn_values/false",
                        "rnn_vectors_colei_values/true",
                        "rnn_vectors_colei_values/false");
        assertThat(presets.stream().filter(p -> p.group().equals(RecurrentPresets.RICH_LAZY_GROUP)))
                .extracting(p -> p.config().model().params().get("init_rank"))
                .containsExactly(1L, 30L, 100L, 300L);
    }

    @Test
    void theModCogComparisonPairsEgAndGdAtThePapersSettingsAndTheValidatedRatesOnTheWholeSuite() {
        var group = Catalogue.standard().presets().stream()
                .filter(p -> p.group().equals(ModCogPresets.GROUP))
                .toList();
        assertThat(group).extracting(p -> p.config().learningRule().kind()).containsExactlyInAnyOrder("eg", "sgd");
        assertThat(group)
                .extracting(p -> p.config().learningRule().params().get("learning_rate"))
                .containsExactlyInAnyOrder(0.15, 0.05); // the rates docs/validation.md's Mod-Cog runs use
        assertThat(group).allSatisfy(p -> {
            assertThat(p.config().task().params()).containsEntry("tasks", "all");
            assertThat(p.config().learningRule().params())
                    .containsEntry("momentum", 0.925)
                    .containsEntry("clip_norm", 2.0)
                    .containsEntry("schedule", "warmup_cooldown");
            assertThat(p.config().model().kind()).isEqualTo("rnn");
            // the validation harness's run of that rule (tools/validation/mod-cog.sh's defaults), seed 5:
            // the preset reproduces the curves of docs/validation.md
            var rule = p.config().learningRule();
            var harness = io.eiscope.engine.validation.ModCogValidation.config(
                    rule.kind(),
                    (Double) rule.params().get("learning_rate"),
                    (Double) rule.params().get("weight_decay"),
                    128,
                    100,
                    6_000,
                    5,
                    500,
                    1_000);
            assertThat(p.config().model()).isEqualTo(harness.model());
            assertThat(p.config().learningRule()).isEqualTo(harness.learningRule());
            assertThat(p.config().task()).isEqualTo(harness.task());
            assertThat(p.config().seed()).isEqualTo(harness.seed());
            assertThat(p.config().batchSize()).isEqualTo(harness.batchSize());
        });
    }
}

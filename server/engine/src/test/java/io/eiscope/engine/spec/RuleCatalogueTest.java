package io.eiscope.engine.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleCatalogueTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();
    private static final List<String> SHARED = List.of(
            "learning_rate",
            "correct_inhibitory",
            "clip_norm",
            "clip_scope",
            "schedule",
            "schedule_steps",
            "warmup_steps",
            "cooldown_steps",
            "step_every",
            "step_factor",
            "min_learning_rate");

    static LearningRule build(String kind, Map<String, Object> params) {
        var entry = Catalogue.find("learning_rule", CATALOGUE.rules(), kind);
        return entry.factory().create(Params.resolve("learning_rule", entry.descriptor(), params));
    }

    @Test
    void theCatalogueOffersGradientDescentAdamExponentiatedGradientAndMirrorDescent() {
        assertThat(CATALOGUE.rules())
                .extracting(Catalogue.Entry::kind)
                .containsExactly(
                        "sgd",
                        "sign_frozen_sgd",
                        "adam",
                        "adamw",
                        "eg",
                        "eg_unsigned",
                        "adamw_eg",
                        "mirror_descent",
                        "dngd");
    }

    @Test
    void theGeometryRulesBuildTheirGeometries() {
        assertThat(((io.eiscope.engine.learning.ComposedRule) build("eg", Map.of())).geometry())
                .isEqualTo(new io.eiscope.engine.learning.ExponentiatedGradient(true));
        assertThat(((io.eiscope.engine.learning.ComposedRule) build("mirror_descent", Map.of("p", 1.5))).geometry())
                .isEqualTo(new io.eiscope.engine.learning.MirrorDescent(
                        new io.eiscope.engine.learning.Potential.PNorm(1.5)));
        assertThat(build("mirror_descent", Map.of("potential", "negative_entropy"))
                        .preservesSigns())
                .isTrue();
        assertThat(build("adamw_eg", Map.of()).preservesSigns()).isTrue();
    }

    @Test
    void everyRuleHasTheSharedOptionsDocumentedParamsAndBuildsFromItsDefaults() {
        for (var entry : CATALOGUE.rules()) {
            var d = entry.descriptor();
            assertThat(d.params())
                    .extracting(ParamDescriptor::name)
                    .as(d.kind())
                    .containsAll(SHARED)
                    .doesNotHaveDuplicates();
            assertThat(d.params()).allSatisfy(p -> assertThat(p.doc()).isNotBlank());
            assertThat(d.title()).isNotBlank();
            assertThat(d.citation()).isNotBlank();
            assertThat(build(d.kind(), Map.of()).updates()).isZero();
        }
    }

    @Test
    void defaultsFollowPyTorch() {
        assertThat(build("adam", Map.of()).toString())
                .contains(
                        "learningRate=0.001",
                        "beta1=0.9",
                        "beta2=0.999",
                        "eps=1.0E-8",
                        "weightDecay=0.0",
                        "decoupled=false");
        assertThat(build("adamw", Map.of()).toString()).contains("weightDecay=0.01", "decoupled=true");
        assertThat(build("sign_frozen_sgd", Map.of()).toString()).contains("theta=1.0E-18");
        assertThat(build("sign_frozen_sgd", Map.of()).preservesSigns()).isTrue();
        assertThat(build("sgd", Map.of()).preservesSigns()).isFalse();
    }

    @Test
    void sharedOptionsBecomeTransformsAndSchedules() {
        LearningRule rule = build(
                "adamw",
                Map.of(
                        "correct_inhibitory",
                        true,
                        "clip_norm",
                        1.5,
                        "clip_scope",
                        "layer",
                        "schedule",
                        "warmup_cooldown",
                        "schedule_steps",
                        100L,
                        "warmup_steps",
                        10L,
                        "cooldown_steps",
                        20L));
        assertThat(rule.toString())
                .contains(
                        "InhibitoryCorrection[]",
                        "GradientClipping[maxNorm=1.5, scope=LAYER]",
                        "WarmupCooldown[learningRate=0.001, warmup=10, cooldown=20, steps=100, minLearningRate=0.0]");
        assertThat(build("sgd", Map.of()).toString()).contains("transforms=[]", "Constant[learningRate=0.05]");
        assertThat(build("sgd", Map.of("schedule", "step", "step_every", 3L, "step_factor", 0.5))
                        .toString())
                .contains("StepDecay[learningRate=0.05, every=3, factor=0.5]");
    }

    @Test
    void sgdWithCorrectInhibitoryIsCorrectedSgd() {
        // Wix of a layer with ne = 4: the step is lr * grad / sqrt(4)
        Parameter wix = new Parameter(
                "layer0.Wix",
                Matrix.of(1, 1, new float[] {1f}),
                Matrix.of(1, 1, new float[] {1f}),
                Sign.NON_NEGATIVE,
                Role.INHIBITORY_INPUT,
                9,
                4);
        build("sgd", Map.of("learning_rate", 0.1, "correct_inhibitory", true)).update(List.of(wix));
        assertThat(wix.value().get(0)).isCloseTo(0.95f, within(1e-7f));
    }

    @Test
    void outOfRangeValuesNameTheFieldAndWhatIsAllowed() {
        assertThatThrownBy(() -> build("sgd", Map.of("momentum", 1.5)))
                .hasMessage("learning_rule.momentum must be a number in [0, 0.999], got 1.5");
        assertThatThrownBy(() -> build("adam", Map.of("clip_scope", "cell")))
                .hasMessage("learning_rule.clip_scope must be one of [tensor, layer, global], got 'cell'");
        assertThatThrownBy(() -> build("adamw", Map.of("momentum", 0.9)))
                .hasMessageStartingWith("learning_rule.momentum is not a parameter");
    }

    @Test
    void inconsistentCombinationsNameTheFieldsWithTheSectionPrefix() {
        assertThatThrownBy(() -> build("sgd", Map.of("nesterov", true)))
                .hasMessageStartingWith("learning_rule.nesterov needs momentum > 0");
        assertThatThrownBy(() -> build(
                        "sgd",
                        Map.of(
                                "schedule",
                                "warmup_cooldown",
                                "schedule_steps",
                                10L,
                                "warmup_steps",
                                8L,
                                "cooldown_steps",
                                8L)))
                .hasMessage("learning_rule.warmup_steps + cooldown_steps must be <= schedule_steps (10), got 8 + 8");
        assertThatThrownBy(() -> build("adam", Map.of("schedule", "cosine", "min_learning_rate", 0.01)))
                .hasMessage("learning_rule.min_learning_rate must be in [0, learning_rate = 0.001], got 0.01");
    }
}

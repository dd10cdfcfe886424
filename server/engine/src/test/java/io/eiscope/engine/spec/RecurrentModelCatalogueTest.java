package io.eiscope.engine.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.learning.GradientClipping;
import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.model.Activation;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.RecurrentCell;
import io.eiscope.engine.model.RecurrentNet;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The recurrent models through the catalogue: determinism of every initialisation, errors that
 * name the field, and Li et al.'s learning-rule settings expressed with the shared rule options
 * (science.md §2.3): per-tensor clipping for ColEI, per-cell total clipping for DANN and standard
 * cells (the cells' parameters share the prefix {@code rnn<i>}), and the recurrent cSGD divisors
 * applied by {@code correct_inhibitory}.
 */
class RecurrentModelCatalogueTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();
    private static final TaskShape SHAPE = new TaskShape(7, 3, 4, false);

    static Model build(String kind, Map<String, Object> params, long seed) {
        var entry = Catalogue.find("model", CATALOGUE.models(), kind);
        return entry.factory()
                .create(
                        Params.resolve("model", entry.descriptor(), params),
                        SHAPE,
                        new Rng(seed),
                        new EngineContext(null, Blas.best()));
    }

    static LearningRule rule(Map<String, Object> params) {
        var entry = Catalogue.find("learning_rule", CATALOGUE.rules(), "sgd");
        return entry.factory().create(Params.resolve("learning_rule", entry.descriptor(), params));
    }

    @Test
    void everyRecurrentModelTakesTanhCellsAndReluByDefault() {
        Map<String, Map<String, Object>> models = Map.of(
                "rnn", Map.of("hidden", List.of(12L, 8L)),
                "column_ei_rnn", Map.of("hidden", List.of(12L)),
                "dann_rnn", Map.of("hidden", List.of(12L)),
                "ctrnn", Map.of("hidden", 12L));
        for (var m : models.entrySet()) {
            Map<String, Object> tanh = new java.util.HashMap<>(m.getValue());
            tanh.put("nonlinearity", "tanh");
            for (boolean withTanh : new boolean[] {false, true}) {
                RecurrentNet net = (RecurrentNet) build(m.getKey(), withTanh ? tanh : m.getValue(), 5);
                Rng rng = new Rng(6);
                Matrix x = Matrix.zeros(4, SHAPE.inputSize());
                for (int i = 0; i < x.size(); i++) x.set(i, (float) (3 * rng.nextGaussian()));
                net.forward(x);
                for (RecurrentCell cell : net.cells()) {
                    assertThat(cell.nonlinearity())
                            .as("%s %s", m.getKey(), cell.name())
                            .isEqualTo(withTanh ? Activation.TANH : Activation.RELU);
                    float[] h = cell.hidden().toArray();
                    double min = 0, max = 0;
                    for (float v : h) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                    if (withTanh) {
                        assertThat(min)
                                .as("%s %s: tanh units go negative", m.getKey(), cell.name())
                                .isLessThan(0);
                        assertThat(max)
                                .as("%s %s: and stay within [-1, 1]", m.getKey(), cell.name())
                                .isLessThanOrEqualTo(1);
                        for (float v : h) assertThat(v).isGreaterThanOrEqualTo(-1f);
                    } else {
                        assertThat(min)
                                .as("%s %s: ReLU units are >= 0", m.getKey(), cell.name())
                                .isEqualTo(0);
                    }
                }
            }
        }
        assertThatThrownBy(() -> build("rnn", Map.of("nonlinearity", "sigmoid"), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.nonlinearity")
                .hasMessageContaining("tanh");
    }

    @Test
    void everyRecurrentInitialisationIsAFunctionOfTheSeed() {
        List<Map.Entry<String, Map<String, Object>>> variants = List.of(
                Map.entry("rnn", Map.of("hidden", List.of(12L, 8L))),
                Map.entry(
                        "rnn",
                        Map.of("hidden", List.of(12L), "recurrent_init", "uniform_radius", "radius_numerator", 2.0)),
                Map.entry("rnn", Map.of("hidden", List.of(12L), "recurrent_init", "colei_vectors_rnn_values")),
                Map.entry(
                        "rnn",
                        Map.of(
                                "hidden",
                                List.of(12L),
                                "recurrent_init",
                                "rnn_vectors_colei_values",
                                "freeze_recurrent_signs",
                                true)),
                Map.entry("rnn", Map.of("hidden", List.of(12L), "recurrent_init", "normal")),
                Map.entry(
                        "rnn",
                        Map.of(
                                "hidden",
                                List.of(12L),
                                "recurrent_init",
                                "lognormal",
                                "init_gain",
                                2.0,
                                "init_mean_std_ratio",
                                1.5)),
                Map.entry("column_ei_rnn", Map.of("hidden", List.of(12L, 10L))),
                Map.entry("dann_rnn", Map.of("hidden", List.of(12L, 10L))),
                Map.entry("ctrnn", Map.of("hidden", 12L, "init_rank", 3L)));
        for (var v : variants) {
            Model a = build(v.getKey(), v.getValue(), 42),
                    b = build(v.getKey(), v.getValue(), 42),
                    c = build(v.getKey(), v.getValue(), 43);
            boolean differs = false;
            for (int k = 0; k < a.parameters().size(); k++) {
                float[] pa = a.parameters().get(k).value().toArray();
                assertThat(pa)
                        .as("%s %s", v, a.parameters().get(k).name())
                        .containsExactly(b.parameters().get(k).value().toArray());
                differs |= !java.util.Arrays.equals(
                        pa, c.parameters().get(k).value().toArray());
            }
            assertThat(differs).as("%s: another seed gives other weights", v).isTrue();
        }
    }

    @Test
    void aLogNormalRnnFromTheCatalogueHasItsGainOverRootNOnUAndW() {
        Model m = build("rnn", Map.of("hidden", List.of(300L), "recurrent_init", "lognormal", "init_gain", 2.0), 3);
        for (String name : List.of("rnn0.U", "rnn0.W")) {
            float[] w = m.parameters().stream()
                    .filter(p -> p.name().equals(name))
                    .findFirst()
                    .orElseThrow()
                    .value()
                    .toArray();
            double sq = 0;
            for (float x : w) sq += (double) x * x;
            assertThat(Math.sqrt(sq / w.length))
                    .as(name)
                    .isCloseTo(
                            2.0 / Math.sqrt(300), org.assertj.core.api.Assertions.within(0.05 * 2.0 / Math.sqrt(300)));
        }
    }

    @Test
    void invalidRecurrentConfigurationsNameTheField() {
        assertThatThrownBy(() -> build("ctrnn", Map.of("hidden", 20L, "init_rank", 21L), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.init_rank")
                .hasMessageContaining("20");
        assertThatThrownBy(() ->
                        build("rnn", Map.of("hidden", List.of(1L), "recurrent_init", "rnn_vectors_colei_values"), 1))
                .hasMessageContaining("model.hidden");
        assertThatThrownBy(() -> build("rnn", Map.of("recurrent_init", "orthogonal"), 1))
                .hasMessageContaining("model.recurrent_init");
        assertThatThrownBy(() -> build("column_ei_rnn", Map.of("hidden", List.of(1L)), 1))
                .hasMessageContaining("model.hidden");
        assertThatThrownBy(() -> build("dann_rnn", Map.of("hidden", List.of(1L)), 1))
                .hasMessageContaining("model.hidden");
        assertThatThrownBy(() -> build("column_ei_rnn", Map.of("radius", 0.0), 1))
                .hasMessageContaining("model.radius");
        assertThatThrownBy(() -> build("ctrnn", Map.of("alpha", 1.5), 1)).hasMessageContaining("model.alpha");
    }

    @Test
    void correctInhibitoryDividesTheRecurrentDannGradientsLikeLiEtAl() {
        int nIn = SHAPE.stepInputs(), ne = 16;
        Model m = build("dann_rnn", Map.of("hidden", List.of((long) ne)), 1);
        for (Parameter p : m.parameters()) {
            p.value().fill(2f);
            p.grad().fill(1f);
        }
        rule(Map.of("learning_rate", 1.0, "correct_inhibitory", true)).update(m.parameters());
        Map<String, Double> divisors = Map.of(
                "rnn0.Uix",
                Math.sqrt(ne),
                "rnn0.Uei",
                (double) nIn,
                "rnn0.Wix",
                Math.sqrt(ne),
                "rnn0.Wei",
                (double) ne,
                "readout.Wix",
                Math.sqrt(SHAPE.outputs()),
                "readout.Wei",
                (double) ne);
        for (Parameter p : m.parameters()) {
            double divisor = divisors.getOrDefault(p.name(), 1.0);
            assertThat((double) p.value().get(0)).as(p.name()).isCloseTo(2 - 1 / divisor, within(1e-6));
        }
    }

    @Test
    void perCellClippingGroupsEachCellsInputRecurrentAndBiasParameters() {
        for (String kind : List.of("dann_rnn", "rnn")) {
            Model m = build(kind, Map.of("hidden", List.of(12L, 10L)), 1);
            for (Parameter p : m.parameters()) p.grad().fill(1f);
            new GradientClipping(1, GradientClipping.Scope.LAYER).apply(m.parameters());
            for (String cell : List.of("rnn0", "rnn1", "readout")) {
                List<Parameter> group = m.parameters().stream()
                        .filter(p -> p.name().startsWith(cell + "."))
                        .toList();
                assertThat(group.stream().map(Parameter::name).toList())
                        .as(kind)
                        .anyMatch(n -> n.contains(".W"))
                        .anyMatch(n -> n.contains(".b"));
                int count = group.stream().mapToInt(p -> p.grad().size()).sum();
                for (Parameter p : group)
                    assertThat((double) p.grad().get(0))
                            .as("%s %s", kind, p.name())
                            .isCloseTo(1 / (Math.sqrt(count) + 1e-6), within(1e-7));
            }
        }
    }

    @Test
    void perTensorClippingBoundsEachColumnEiTensorOnItsOwn() {
        Model m = build("column_ei_rnn", Map.of("hidden", List.of(12L)), 1);
        assertThat(m.parameters())
                .extracting(Parameter::name)
                .containsExactly("rnn0.U_pos", "rnn0.W_pos", "rnn0.b", "readout.W_pos", "readout.b");
        for (Parameter p : m.parameters()) p.grad().fill(1f);
        new GradientClipping(1, GradientClipping.Scope.TENSOR).apply(m.parameters());
        for (Parameter p : m.parameters())
            assertThat((double) p.grad().get(0))
                    .as(p.name())
                    .isCloseTo(1 / (Math.sqrt(p.grad().size()) + 1e-6), within(1e-7));
    }
}

package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.TestData;
import io.eiscope.engine.model.FeedForwardNet;
import io.eiscope.engine.prune.Pruning;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The state-dict contract, run against every model kind and every learning-rule kind of the
 * catalogue: a simulation trained and steered (prune, lesion, weight and input noise, unit
 * clamps, freeze, a rule switch), its {@link Simulation#stateDict} copied array by array as a
 * store would, restored into a fresh simulation of the same config, then both trained on: every
 * parameter and every loss is the same bit for bit. Sizes are small so the suite stays quick.
 */
class SimulationStateDictContractTest {
    static final Catalogue CATALOGUE = Catalogue.standard();
    static final EngineContext CONTEXT = EngineContext.of(TestData.dataDir());

    static final ComponentConfig R_OF_K = new ComponentConfig(
            "r_of_k", Map.of("inputs", 20L, "relevant", 10L, "threshold", 5L, "train_size", 64L, "held_out_size", 16L));
    static final ComponentConfig REGRESSION = new ComponentConfig("linear_regression", Map.of("dimension", 36L));
    static final ComponentConfig ADDING =
            new ComponentConfig("adding", Map.of("sequence_length", 5L, "train_size", 64L, "test_size", 16L));
    static final ComponentConfig TWO_AF = new ComponentConfig("perceptual_decision_making", Map.of("test_size", 16L));
    static final ComponentConfig CONTEXT_DM = new ComponentConfig("context_decision_making", Map.of("test_size", 16L));

    /** A model, the rule it starts with, a task, and the rule it is switched to mid-run (one with buffers). */
    record Case(
            ComponentConfig model, ComponentConfig rule, ComponentConfig task, int batch, ComponentConfig switchTo) {
        SimulationConfig config() {
            return new SimulationConfig("state-dict", model, rule, task, 11, batch, 0, 0);
        }

        @Override
        public String toString() {
            return model.kind() + " " + rule.kind() + rule.params() + " on " + task.kind() + ", then "
                    + switchTo.kind();
        }
    }

    private static ComponentConfig rule(String kind, Object... keyValues) {
        Map<String, Object> params = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) params.put((String) keyValues[i], keyValues[i + 1]);
        return new ComponentConfig(kind, params);
    }

    static final List<Case> CASES = List.of(
            new Case(
                    new ComponentConfig("mlp", Map.of("hidden", List.of(16L))),
                    rule("sgd", "learning_rate", 0.05, "momentum", 0.9),
                    R_OF_K,
                    8,
                    rule("adam", "learning_rate", 1e-3)),
            new Case(
                    new ComponentConfig("mlp", Map.of("hidden", List.of(8L), "init", "lognormal", "split_bias", true)),
                    rule("eg", "learning_rate", 0.1, "momentum", 0.5),
                    ComponentConfig.of("fashion_mnist"),
                    4,
                    rule("adamw_eg", "learning_rate", 1e-3)),
            new Case(
                    new ComponentConfig(
                            "dann", Map.of("hidden_excitatory", List.of(12L), "hidden_inhibitory", List.of(2L))),
                    rule("sgd", "learning_rate", 0.05, "momentum", 0.9, "correct_inhibitory", true),
                    R_OF_K,
                    8,
                    rule("adamw", "learning_rate", 1e-3, "correct_inhibitory", true)),
            new Case(
                    new ComponentConfig(
                            "dann",
                            Map.of("hidden_excitatory", List.of(10L, 8L), "hidden_inhibitory", List.of(2L, 1L))),
                    rule("sign_frozen_sgd", "learning_rate", 0.05, "momentum", 0.9, "correct_inhibitory", true),
                    R_OF_K,
                    8,
                    rule("eg", "learning_rate", 0.1, "momentum", 0.9, "nesterov", true)),
            new Case(
                    new ComponentConfig("column_ei_mlp", Map.of("hidden", List.of(20L, 10L), "ei_ratio", 4L)),
                    rule("adam", "learning_rate", 1e-3, "schedule", "cosine", "schedule_steps", 12L, "clip_norm", 1.0),
                    R_OF_K,
                    8,
                    rule(
                            "sgd",
                            "learning_rate",
                            0.02,
                            "momentum",
                            0.9,
                            "dampening",
                            0.1,
                            "schedule",
                            "step",
                            "step_every",
                            3L)),
            new Case(
                    new ComponentConfig("layernorm_mlp", Map.of("hidden", List.of(12L, 8L))),
                    rule(
                            "adamw",
                            "learning_rate",
                            1e-3,
                            "schedule",
                            "warmup_cooldown",
                            "schedule_steps",
                            20L,
                            "warmup_steps",
                            4L,
                            "cooldown_steps",
                            6L),
                    ComponentConfig.of("fashion_mnist"),
                    4,
                    rule("mirror_descent", "learning_rate", 0.01, "momentum", 0.9)),
            new Case(
                    new ComponentConfig(
                            "dann", Map.of("hidden_excitatory", List.of(10L, 8L), "hidden_inhibitory", List.of(1L))),
                    // The Fisher estimate and the sampling stream are what the switch and the dict carry. Unscaled with
                    // lr 1e-9, each step is at most 0.1 |g| (1/(F + 1e-8) <= 1e8).
                    rule("dngd", "learning_rate", 1e-9, "scale_finv_by_norm_wex", false),
                    ComponentConfig.of("fashion_mnist"),
                    8,
                    rule("dngd", "learning_rate", 1e-9, "scale_finv_by_norm_wex", false, "f_ma_scale", 0.5)),
            new Case(
                    new ComponentConfig("batchnorm_mlp", Map.of("hidden", List.of(12L, 8L))),
                    rule("sgd", "learning_rate", 0.05, "momentum", 0.9),
                    ComponentConfig.of("fashion_mnist"),
                    4,
                    rule("adam", "learning_rate", 1e-3)),
            new Case(
                    new ComponentConfig("point_neuron", Map.of("threshold", 0.0, "init", "lognormal")),
                    rule("mirror_descent", "learning_rate", 0.01, "momentum", 0.5, "potential", "negative_entropy"),
                    REGRESSION,
                    3,
                    rule("eg_unsigned", "learning_rate", 0.01, "momentum", 0.9)),
            new Case(
                    new ComponentConfig("rnn", Map.of("hidden", List.of(12L))),
                    rule(
                            "sgd",
                            "learning_rate",
                            0.01,
                            "momentum",
                            0.9,
                            "schedule",
                            "step",
                            "step_every",
                            4L,
                            "clip_norm",
                            1.0,
                            "clip_scope",
                            "layer"),
                    ADDING,
                    8,
                    rule("adam", "learning_rate", 1e-3)),
            new Case(
                    new ComponentConfig(
                            "rnn",
                            Map.of(
                                    "hidden",
                                    List.of(8L, 6L),
                                    "recurrent_init",
                                    "rnn_vectors_colei_values",
                                    "freeze_recurrent_signs",
                                    true)),
                    rule("sign_frozen_sgd", "learning_rate", 0.02),
                    TWO_AF,
                    8,
                    rule("adamw", "learning_rate", 1e-3)),
            new Case(
                    new ComponentConfig("column_ei_rnn", Map.of("hidden", List.of(12L))),
                    rule("adamw", "learning_rate", 1e-3),
                    TWO_AF,
                    8,
                    rule("sgd", "learning_rate", 0.01, "momentum", 0.9, "nesterov", true)),
            new Case(
                    new ComponentConfig("dann_rnn", Map.of("hidden", List.of(10L))),
                    rule("sgd", "learning_rate", 0.02, "momentum", 0.9, "correct_inhibitory", true),
                    ADDING,
                    8,
                    rule("adam", "learning_rate", 1e-3, "correct_inhibitory", true)),
            new Case(
                    new ComponentConfig("ctrnn", Map.of("hidden", 12L, "init_rank", 2L)),
                    rule("adam", "learning_rate", 1e-3),
                    CONTEXT_DM,
                    8,
                    rule("sgd", "learning_rate", 0.02, "momentum", 0.9, "weight_decay", 1e-3)));

    static Stream<Case> cases() {
        return CASES.stream();
    }

    static Simulation build(SimulationConfig config) {
        return new Simulation(config, CATALOGUE, CONTEXT);
    }

    /** Trains {@code n} steps and returns the raw bits of each loss. */
    static List<Long> train(Simulation s, int n) {
        List<Long> losses = new ArrayList<>();
        for (int i = 0; i < n; i++)
            losses.add(Double.doubleToRawLongBits(s.trainStep().loss()));
        return losses;
    }

    /** Every command that leaves state on a simulation, in one order; clamps where the model can clamp. */
    static void steer(Simulation s, ComponentConfig switchTo) {
        String first = s.model().layers().get(0);
        // Not for DANNs with one inhibitory unit (d-NGD's): pruning a unit's single Wei entry leaves it gamma = 1e-8,
        // and its outputs overflow within a few layers whatever the rule. Every other command still applies.
        if (!s.ruleKind().equals("dngd"))
            s.apply(new Command.Prune(Command.PruneMethod.RANDOM, 0.2, Pruning.Scope.PER_LAYER));
        s.apply(new Command.Lesion(first, Command.Population.EXCITATORY, 0));
        s.apply(new Command.AddWeightNoise(first, 0.01));
        s.apply(new Command.SetInputNoise(0.05));
        if (s.model() instanceof FeedForwardNet && s.model().layers().size() > 1)
            s.apply(new Command.ClampUnit(first, 1, true, 0.3f));
        train(s, 2);
        s.apply(new Command.Freeze(
                s.parameters().get(Math.min(1, s.parameters().size() - 1)).name(), true));
        s.apply(new Command.SwitchRule(switchTo.kind(), switchTo.params()));
    }

    /** A copy of every array into a new dict, as writing it to a file and reading it back would give. */
    static StateDict copy(StateDict d) {
        StateDict out = new StateDict();
        for (StateDict.Array a : d.arrays()) {
            Object data = a.data(),
                    copy =
                            java.lang.reflect.Array.newInstance(
                                    data.getClass().getComponentType(), java.lang.reflect.Array.getLength(data));
            System.arraycopy(data, 0, copy, 0, java.lang.reflect.Array.getLength(data));
            out.put(new StateDict.Array(a.name(), copy, a.shape().clone()));
        }
        return out;
    }

    /** Same names in the same order, same shapes, same bits. */
    static void assertSameDict(StateDict actual, StateDict expected) {
        assertThat(actual.arrays())
                .extracting(StateDict.Array::name)
                .containsExactlyElementsOf(
                        expected.arrays().stream().map(StateDict.Array::name).toList());
        for (StateDict.Array e : expected.arrays()) {
            StateDict.Array a = actual.arrays().stream()
                    .filter(x -> x.name().equals(e.name()))
                    .findFirst()
                    .orElseThrow();
            assertThat(a.shape()).as(e.name()).containsExactly(e.shape());
            assertThat(bits(a.data())).as(e.name()).isEqualTo(bits(e.data()));
        }
    }

    private static Object bits(Object data) {
        if (data instanceof float[] f) {
            int[] out = new int[f.length];
            for (int i = 0; i < f.length; i++) out[i] = Float.floatToRawIntBits(f[i]);
            return out;
        }
        if (data instanceof double[] d)
            return java.util.Arrays.stream(d)
                    .mapToLong(Double::doubleToRawLongBits)
                    .toArray();
        return data;
    }

    static List<int[]> parameterBits(Simulation s) {
        return s.parameters().stream()
                .map(p -> (int[]) bits(p.value().toArray()))
                .toList();
    }

    @Test
    void everyModelAndRuleKindOfTheCatalogueHasACaseHere() {
        assertThat(CASES.stream().map(c -> c.model().kind()).distinct())
                .containsExactlyInAnyOrderElementsOf(
                        CATALOGUE.models().stream().map(Catalogue.Entry::kind).toList());
        assertThat(CASES.stream()
                        .flatMap(c -> Stream.of(c.rule().kind(), c.switchTo().kind()))
                        .distinct())
                .containsExactlyInAnyOrderElementsOf(
                        CATALOGUE.rules().stream().map(Catalogue.Entry::kind).toList());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aRestoredStateDictContinuesBitIdentically(Case c) {
        Simulation a = build(c.config());
        train(a, 3);
        steer(a, c.switchTo());
        train(a, 3);
        StateDict saved = a.stateDict();
        Simulation b = build(c.config());
        b.restoreStateDict(copy(saved));
        assertSameDict(b.stateDict(), saved);
        assertThat(b.step()).isEqualTo(a.step()).isEqualTo(8);
        assertThat(b.ruleKind()).isEqualTo(c.switchTo().kind());
        List<Long> lossesA = train(a, 6), lossesB = train(b, 6);
        assertThat(lossesB).isEqualTo(lossesA);
        assertThat(lossesA)
                .allSatisfy(bits -> assertThat(Double.longBitsToDouble(bits)).isFinite());
        assertThat(parameterBits(b)).usingRecursiveComparison().isEqualTo(parameterBits(a));
        assertSameDict(b.stateDict(), a.stateDict());
    }
}

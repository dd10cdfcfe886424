package io.eiscope.engine.sim;

import static io.eiscope.engine.sim.SimulationStateDictContractTest.R_OF_K;
import static io.eiscope.engine.sim.SimulationStateDictContractTest.assertSameDict;
import static io.eiscope.engine.sim.SimulationStateDictContractTest.build;
import static io.eiscope.engine.sim.SimulationStateDictContractTest.copy;
import static io.eiscope.engine.sim.SimulationStateDictContractTest.parameterBits;
import static io.eiscope.engine.sim.SimulationStateDictContractTest.train;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** {@link Simulation#stateDict} and {@link Simulation#restoreStateDict}: the entries, ownership and every error path. */
class SimulationStateDictTest {

    static SimulationConfig mlp(List<Long> hidden, ComponentConfig rule) {
        return new SimulationConfig(
                "t", new ComponentConfig("mlp", Map.of("hidden", hidden)), rule, R_OF_K, 3, 8, 0, 0);
    }

    static final ComponentConfig MOMENTUM = new ComponentConfig("sgd", Map.of("learning_rate", 0.05, "momentum", 0.9));

    /** An MLP with every kind of optional entry: pruned, frozen, a clamped unit, a lesion, Adam's two buffers. */
    static Simulation steered() {
        Simulation s = build(mlp(List.of(6L), MOMENTUM));
        train(s, 2);
        s.apply(new Command.Prune(Command.PruneMethod.MAGNITUDE, 0.3, io.eiscope.engine.prune.Pruning.Scope.GLOBAL));
        s.apply(new Command.Lesion("layer0", Command.Population.EXCITATORY, 2));
        s.apply(new Command.ClampUnit("layer0", 1, true, 0.5f));
        s.apply(new Command.Freeze("layer1.b", true));
        s.apply(new Command.SwitchRule("adam", Map.of()));
        train(s, 2);
        return s;
    }

    /** {@code d} with entry {@code name} replaced by {@code replace} of it (dropped when it gives null). */
    static StateDict with(StateDict d, String name, UnaryOperator<StateDict.Array> replace) {
        StateDict out = new StateDict();
        for (StateDict.Array a : copy(d).arrays()) {
            StateDict.Array b = a.name().equals(name) ? replace.apply(a) : a;
            if (b != null) out.put(b);
        }
        return out;
    }

    @Test
    void anMlpWithMomentumWritesTheseEntriesWithTheseTypesAndShapes() {
        Simulation s = build(mlp(List.of(6L), MOMENTUM));
        train(s, 1);
        assertThat(s.stateDict().toString())
                .isEqualTo(
                        "StateDict[version int64[1], step int64[1], "
                                + "param/layer0.W float32[6, 20], param/layer0.b float32[1, 6], param/layer1.W float32[1, 6], param/layer1.b float32[1, 1], "
                                + "initial/layer0.W float32[6, 20], initial/layer0.b float32[1, 6], initial/layer1.W float32[1, 6], initial/layer1.b float32[1, 1], "
                                + "rule/kind uint8[3], rule/params uint8["
                                + s.stateDict().shape("rule/params")[0] + "], rule/updates int64[1], "
                                + "rule/momentum_buffer/layer0.W float32[6, 20], rule/momentum_buffer/layer0.b float32[1, 6], "
                                + "rule/momentum_buffer/layer1.W float32[1, 6], rule/momentum_buffer/layer1.b float32[1, 1], "
                                + "task/rng_state int64[1], task/permutation int32[64], task/cursor int64[1], "
                                + "steering/noise_rng_state int64[1], steering/input_noise_std float64[1], steering/lesions uint8[0]]");
        StateDict d = s.stateDict();
        assertThat(d.longValue("step")).isEqualTo(1);
        assertThat(d.text("rule/kind")).isEqualTo("sgd");
        assertThat(d.text("rule/params")).contains("momentum=" + Double.toHexString(0.9) + "\n");
        assertThat(d.longValue("rule/updates")).isEqualTo(1);
        assertThat(d.longValue("task/cursor")).isEqualTo(8);
        assertThat(d.floats("param/layer0.W"))
                .containsExactly(s.parameter("layer0.W").orElseThrow().value().toArray());
    }

    @Test
    void steeringAddsMasksFrozenValuesClampsAndLesionsAndAdamItsTwoBuffers() {
        StateDict d = steered().stateDict();
        assertThat(d.shape("mask/layer0.W")).containsExactly(6, 20);
        assertThat(d.has("mask/layer0.b")).as("biases are never pruned").isFalse();
        assertThat(d.floats("steering/frozen/layer1.b")).hasSize(1);
        assertThat(d.ints("steering/clamp/layer0/units")).containsExactly(1);
        assertThat(d.floats("steering/clamp/layer0/values")).containsExactly(0.5f);
        assertThat(d.text("steering/lesions")).isEqualTo("layer0.W row 2\nlayer1.W column 2\n");
        assertThat(d.text("rule/kind")).isEqualTo("adam");
        assertThat(d.shape("rule/exp_avg/layer0.W")).containsExactly(6, 20);
        assertThat(d.shape("rule/exp_avg_sq/layer1.b")).containsExactly(1, 1);
        assertThat(d.has("rule/momentum_buffer/layer0.W")).isFalse();
    }

    @Test
    void aStateDictSharesNothingWithTheSimulations() {
        Simulation a = steered();
        StateDict d = a.stateDict(), kept = copy(d);
        Simulation b = build(mlp(List.of(6L), MOMENTUM));
        b.restoreStateDict(d);
        train(a, 3);
        assertSameDict(d, kept);
        List<int[]> restored = parameterBits(b);
        for (StateDict.Array x : d.arrays()) if (x.data() instanceof float[] f) java.util.Arrays.fill(f, Float.NaN);
        assertThat(parameterBits(b)).usingRecursiveComparison().isEqualTo(restored);
        train(b, 3);
        assertThat(parameterBits(b)).usingRecursiveComparison().isEqualTo(parameterBits(a));
    }

    @Test
    void aDictFromAnotherArchitectureIsRefusedNamingTheEntryAndChangesNothing() {
        Simulation target = build(mlp(List.of(8L), MOMENTUM));
        train(target, 2);
        StateDict before = target.stateDict();
        assertThatThrownBy(() -> target.restoreStateDict(steered().stateDict()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkpoint entry 'param/layer0.W' has shape [6, 20], expected [8, 20]");
        Simulation dann = build(new SimulationConfig(
                "d",
                new ComponentConfig("dann", Map.of("hidden_excitatory", List.of(8L), "hidden_inhibitory", List.of(1L))),
                MOMENTUM,
                R_OF_K,
                3,
                8,
                0,
                0));
        assertThatThrownBy(() -> target.restoreStateDict(dann.stateDict()))
                .hasMessage("checkpoint entry 'param/layer0.W' is missing");
        Simulation deeper = build(mlp(List.of(8L, 4L), MOMENTUM));
        assertThatThrownBy(() -> target.restoreStateDict(deeper.stateDict()))
                .hasMessageContaining("'param/layer1.W'")
                .hasMessageContaining("[4, 8], expected [1, 8]");
        assertSameDict(target.stateDict(), before);
    }

    @Test
    void everyMissingEntryIsNamedAndChangesNothing() {
        StateDict saved = steered().stateDict();
        Simulation target = build(mlp(List.of(6L), MOMENTUM));
        train(target, 1);
        StateDict before = target.stateDict();
        for (StateDict.Array a : saved.arrays()) {
            String name = a.name();
            if (name.startsWith("mask/") || name.startsWith("steering/frozen/"))
                continue; // optional: absent means none
            String expected = name.startsWith("steering/clamp/") ? "'steering/clamp/layer0/" : "'" + name + "'";
            assertThatThrownBy(() -> target.restoreStateDict(with(saved, name, x -> null)))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(expected);
        }
        assertSameDict(target.stateDict(), before);
        target.restoreStateDict(saved);
        assertSameDict(target.stateDict(), saved);
    }

    @Test
    void everyEntryOfAnotherTypeIsNamedAndChangesNothing() {
        StateDict saved = steered().stateDict();
        Simulation target = build(mlp(List.of(6L), MOMENTUM));
        StateDict before = target.stateDict();
        for (StateDict.Array a : saved.arrays()) {
            int n = java.lang.reflect.Array.getLength(a.data());
            Object other = a.data() instanceof float[] ? new double[n] : new float[n];
            assertThatThrownBy(() -> target.restoreStateDict(
                            with(saved, a.name(), x -> new StateDict.Array(x.name(), other, x.shape()))))
                    .as(a.name())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + a.name() + "' is ");
        }
        assertSameDict(target.stateDict(), before);
    }

    @Test
    void valuesThatDoNotFitAreNamedAndChangeNothing() {
        StateDict saved = steered().stateDict();
        Simulation target = build(mlp(List.of(6L), MOMENTUM));
        StateDict before = target.stateDict();
        Map<String, StateDict> bad = Map.of(
                "'version'", with(saved, "version", a -> new StateDict.Array("version", new long[] {2}, new int[] {1})),
                "'step'", with(saved, "step", a -> new StateDict.Array("step", new long[] {-1}, new int[] {1})),
                "'rule/kind'",
                        with(
                                saved,
                                "rule/kind",
                                a -> new StateDict.Array(
                                        "rule/kind", "sgdd".getBytes(StandardCharsets.UTF_8), new int[] {4})),
                "'rule/params'",
                        with(
                                saved,
                                "rule/params",
                                a -> new StateDict.Array(
                                        "rule/params", "beta1=2.0".getBytes(StandardCharsets.UTF_8), new int[] {9})),
                "'task/permutation'",
                        with(saved, "task/permutation", a -> new StateDict.Array(a.name(), new int[64], a.shape())),
                "'task/cursor'",
                        with(saved, "task/cursor", a -> new StateDict.Array(a.name(), new long[] {65}, a.shape())),
                "'steering/lesions'",
                        with(
                                saved,
                                "steering/lesions",
                                a -> new StateDict.Array(
                                        a.name(), "layer0.W row 6\n".getBytes(StandardCharsets.UTF_8), new int[] {15})),
                "'steering/clamp/",
                        with(
                                saved,
                                "steering/clamp/layer0/units",
                                a -> new StateDict.Array(a.name(), new int[] {6}, a.shape())),
                "'steering/frozen/layer9.b'",
                        with(
                                saved,
                                "steering/frozen/layer1.b",
                                a -> new StateDict.Array("steering/frozen/layer9.b", a.data(), a.shape())),
                "'mask/layer9.W'",
                        with(saved, "mask/layer0.W", a -> new StateDict.Array("mask/layer9.W", a.data(), a.shape())));
        bad.forEach((named, dict) -> assertThatThrownBy(() -> target.restoreStateDict(dict))
                .as(named)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(named));
        assertSameDict(target.stateDict(), before);
    }

    @Test
    void snapshotRestoreAndForkStillWorkAndStayIndependent() {
        Simulation s = steered();
        Simulation.Snapshot at = s.snapshot();
        List<Long> first = train(s, 4);
        s.restore(at);
        assertThat(s.step()).isEqualTo(at.step()).isEqualTo(4);
        Simulation fork = s.fork();
        assertThat(train(s, 4)).isEqualTo(first).isEqualTo(train(fork, 4));
        assertThat(parameterBits(fork)).usingRecursiveComparison().isEqualTo(parameterBits(s));
    }
}

package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Steering commands on a simulation, fork and replay: determinism is bit for bit. */
class SteeringTest {

    static SimulationConfig dann(long seed) {
        return new SimulationConfig(
                "d",
                new ComponentConfig(
                        "dann", Map.of("hidden_excitatory", List.of(20L), "hidden_inhibitory", List.of(4L))),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.05, "momentum", 0.9, "correct_inhibitory", true)),
                ComponentConfig.of("fashion_mnist"),
                seed,
                8,
                0,
                0);
    }

    static void steps(Simulation s, int n) {
        for (int i = 0; i < n; i++) s.trainStep();
    }

    static void assertSameParameters(Simulation a, Simulation b) {
        List<float[]> wa = SimulationTest.weights(a), wb = SimulationTest.weights(b);
        for (int i = 0; i < wa.size(); i++)
            assertThat(wa.get(i)).as(a.parameters().get(i).name()).isEqualTo(wb.get(i));
    }

    static final List<Command> SCRIPT = List.of(
            new Command.SetRuleParams(Map.of("learning_rate", 0.02)),
            new Command.AddWeightNoise("layer0", 0.01),
            new Command.Lesion("layer0", Command.Population.EXCITATORY, 3),
            new Command.Freeze("layer1.Wei", true),
            new Command.SwitchRule("adam", Map.of("learning_rate", 1e-3)));

    @Test
    void forkThenSameCommandsGivesIdenticalWeights() {
        Simulation parent = SimulationTest.build(dann(5));
        steps(parent, 7);
        parent.apply(SCRIPT.get(0));
        steps(parent, 3);
        Simulation child = parent.fork();
        assertThat(child.step()).isEqualTo(parent.step());
        assertSameParameters(parent, child);
        for (Command c : SCRIPT.subList(1, SCRIPT.size())) {
            parent.apply(c);
            child.apply(c);
            steps(parent, 4);
            steps(child, 4);
        }
        assertSameParameters(parent, child);
        assertThat(child.ruleKind()).isEqualTo("adam");
    }

    @Test
    void aForkIsIndependentOfItsParent() {
        Simulation parent = SimulationTest.build(dann(5));
        steps(parent, 5);
        Simulation child = parent.fork();
        child.apply(new Command.SetRuleParams(Map.of("learning_rate", 0.5)));
        steps(child, 3);
        steps(parent, 3);
        assertThat(SimulationTest.weights(child).get(0))
                .isNotEqualTo(SimulationTest.weights(parent).get(0));
    }

    @Test
    void replayingSpecSeedAndLogReproducesParameters() {
        Simulation original = SimulationTest.build(dann(9));
        List<Intervention> log = new java.util.ArrayList<>();
        int[] gaps = {2, 5, 1, 6, 3};
        for (int i = 0; i < SCRIPT.size(); i++) {
            steps(original, gaps[i]);
            original.apply(SCRIPT.get(i));
            log.add(new Intervention(original.step(), SCRIPT.get(i)));
        }
        steps(original, 4);
        Simulation replayed = Replay.run(dann(9), SimulationTest.CATALOGUE, original.context(), log, original.step());
        assertSameParameters(original, replayed);
    }

    @Test
    void snapshotAndRestoreReturnToTheSameTrajectory() {
        Simulation s = SimulationTest.build(dann(2));
        steps(s, 4);
        Simulation.Snapshot at4 = s.snapshot();
        steps(s, 6);
        List<float[]> first = SimulationTest.weights(s);
        s.restore(at4);
        assertThat(s.step()).isEqualTo(4);
        steps(s, 6);
        List<float[]> second = SimulationTest.weights(s);
        for (int i = 0; i < first.size(); i++) assertThat(second.get(i)).isEqualTo(first.get(i));
    }

    @Test
    void aLesionedUnitKeepsZeroIncomingAndOutgoingWeights() {
        Simulation s = SimulationTest.build(dann(1));
        s.apply(new Command.Lesion("layer0", Command.Population.EXCITATORY, 2));
        steps(s, 5);
        var wex = s.parameter("layer0.Wex").orElseThrow().value();
        for (int c = 0; c < wex.cols; c++) assertThat(wex.get(2, c)).isZero();
        for (String next : List.of("layer1.Wex", "layer1.Wix")) {
            var w = s.parameter(next).orElseThrow().value();
            for (int r = 0; r < w.rows; r++) assertThat(w.get(r, 2)).isZero();
        }
    }

    @Test
    void aFrozenParameterKeepsItsValuesUntilUnfrozen() {
        Simulation s = SimulationTest.build(dann(1));
        s.apply(new Command.Freeze("layer0", true));
        float[] before = s.parameter("layer0.Wex").orElseThrow().value().toArray();
        steps(s, 5);
        assertThat(s.parameter("layer0.Wex").orElseThrow().value().toArray()).isEqualTo(before);
        assertThat(s.frozenParameters()).contains("layer0.Wex", "layer0.Wix");
        s.apply(new Command.Freeze("layer0", false));
        steps(s, 2);
        assertThat(s.parameter("layer0.Wex").orElseThrow().value().toArray()).isNotEqualTo(before);
    }

    @Test
    void settingARuleParameterKeepsTheUpdateCountAndChangesTheRate() {
        Simulation s = SimulationTest.build(dann(1));
        steps(s, 3);
        s.apply(new Command.SetRuleParams(Map.of("learning_rate", 0.01)));
        assertThat(s.rule().updates()).isEqualTo(3);
        assertThat(s.rule().learningRate()).isEqualTo(0.01);
        assertThat(s.ruleParams().number("momentum")).isEqualTo(0.9);
    }

    @Test
    void invalidCommandsNameTheFieldAndChangeNothing() {
        Simulation s = SimulationTest.build(dann(1));
        float[] before = s.parameter("layer0.Wex").orElseThrow().value().toArray();
        assertThatThrownBy(() -> s.apply(new Command.SetWeight("layer0.Wex", 999, 0, 1f)))
                .hasMessageContaining("command.set_weight.row");
        assertThatThrownBy(() -> s.apply(new Command.SetWeight("layer0.Wex", 0, 0, -1f)))
                .hasMessageContaining("command.set_weight.value");
        assertThatThrownBy(() -> s.apply(new Command.SetWeight("nope", 0, 0, 1f)))
                .hasMessageContaining("command.set_weight.parameter");
        assertThatThrownBy(() -> s.apply(new Command.SetRuleParams(Map.of("learning_rate", -1.0))))
                .hasMessageContaining("command.set_rule_params.params")
                .hasMessageContaining("learning_rate");
        assertThatThrownBy(() -> s.apply(new Command.SwitchRule("nope", Map.of())))
                .hasMessageContaining("command.switch_rule.rule");
        assertThatThrownBy(() -> s.apply(new Command.Lesion("layer0", Command.Population.INHIBITORY, 4)))
                .hasMessageContaining("command.lesion.unit");
        assertThatThrownBy(() -> s.apply(new Command.Freeze("layer9", true)))
                .hasMessageContaining("command.freeze.target");
        assertThat(s.parameter("layer0.Wex").orElseThrow().value().toArray()).isEqualTo(before);
        assertThat(s.ruleKind()).isEqualTo("sgd");
    }

    @Test
    void setWeightChangesOneElement() {
        Simulation s = SimulationTest.build(dann(1));
        s.apply(new Command.SetWeight("layer0.Wex", 1, 2, 0.5f));
        assertThat(s.parameter("layer0.Wex").orElseThrow().value().get(1, 2)).isEqualTo(0.5f);
    }
}

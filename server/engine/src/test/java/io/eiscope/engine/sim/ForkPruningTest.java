package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.prune.Pruning;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForkPruningTest {

    @Test
    void aForkOfAPrunedSimulationKeepsItsMasksAndContinuesIdentically() {
        Simulation parent = SimulationTest.build(SimulationTest.mlp(5, 0.05, 8));
        for (int i = 0; i < 10; i++) parent.trainStep();
        Pruning.magnitude(parent.model(), 0.5, Pruning.Scope.GLOBAL);
        Simulation child = parent.fork();
        for (int i = 0; i < 20; i++) {
            parent.trainStep();
            child.trainStep();
        }
        List<float[]> a = SimulationTest.weights(parent), b = SimulationTest.weights(child);
        for (int i = 0; i < a.size(); i++) assertThat(b.get(i)).isEqualTo(a.get(i));
        Parameter w = child.parameter("layer0.W").orElseThrow();
        assertThat(w.mask().count())
                .isEqualTo(parent.parameter("layer0.W").orElseThrow().mask().count())
                .isPositive();
        for (int i = 0; i < w.value().size(); i++) {
            if (w.mask().isPruned(i)) assertThat(w.value().get(i)).isZero();
        }
    }

    @Test
    void thePruneCommandIsReplayedBitForBit() {
        var config = SimulationTest.mlp(6, 0.05, 8);
        Simulation live = SimulationTest.build(config);
        for (int i = 0; i < 7; i++) live.trainStep();
        Command prune = new Command.Prune(Command.PruneMethod.RANDOM, 0.3, Pruning.Scope.PER_LAYER);
        live.apply(prune);
        for (int i = 0; i < 5; i++) live.trainStep();
        Simulation replayed = Replay.run(
                config,
                SimulationTest.CATALOGUE,
                EngineContext.of(io.eiscope.engine.TestData.dataDir()),
                List.of(new Intervention(7, prune)),
                12);
        List<float[]> a = SimulationTest.weights(live), b = SimulationTest.weights(replayed);
        for (int i = 0; i < a.size(); i++) assertThat(b.get(i)).isEqualTo(a.get(i));
        Parameter w = live.parameter("layer0.W").orElseThrow();
        assertThat((double) w.mask().count() / w.value().size())
                .isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void aPruneFractionOutsideZeroToOneNamesTheField() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new Command.Prune(Command.PruneMethod.MAGNITUDE, 1.5, Pruning.Scope.GLOBAL))
                .hasMessageContaining("command.prune.fraction")
                .hasMessageContaining("1.5");
    }

    @Test
    void inputNoiseChangesTheTrajectoryAndIsReplayedAndForkedExactly() {
        var config = SimulationTest.mlp(8, 0.05, 8);
        Simulation clean = SimulationTest.build(config), noisy = SimulationTest.build(config);
        Command noise = new Command.SetInputNoise(0.2);
        noisy.apply(noise);
        for (int i = 0; i < 3; i++) {
            clean.trainStep();
            noisy.trainStep();
        }
        Simulation fork = noisy.fork();
        for (int i = 0; i < 4; i++) {
            noisy.trainStep();
            fork.trainStep();
        }
        assertThat(SimulationTest.weights(noisy).get(0))
                .isNotEqualTo(SimulationTest.weights(clean).get(0));
        assertThat(SimulationTest.weights(fork).get(0))
                .isEqualTo(SimulationTest.weights(noisy).get(0));
        Simulation replayed = Replay.run(
                config,
                SimulationTest.CATALOGUE,
                EngineContext.of(io.eiscope.engine.TestData.dataDir()),
                List.of(new Intervention(0, noise)),
                7);
        assertThat(SimulationTest.weights(replayed).get(0))
                .isEqualTo(SimulationTest.weights(noisy).get(0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Command.SetInputNoise(-1))
                .hasMessageContaining("command.set_input_noise.std");
    }

    @Test
    void aClampedUnitOutputsItsValueGetsNoGradientAndSurvivesAFork() {
        Simulation sim = SimulationTest.build(SimulationTest.mlp(9, 0.05, 8));
        sim.apply(new Command.ClampUnit("layer0", 3, true, 0.7f));
        float[] before = sim.parameter("layer0.W").orElseThrow().value().toArray();
        sim.trainStep();
        float[] after = sim.parameter("layer0.W").orElseThrow().value().toArray();
        for (int c = 0; c < 784; c++)
            assertThat(after[3 * 784 + c]).as("row 3 gets no gradient").isEqualTo(before[3 * 784 + c]);
        assertThat(java.util.Arrays.equals(
                        java.util.Arrays.copyOfRange(after, 0, 784), java.util.Arrays.copyOfRange(before, 0, 784)))
                .as("an unclamped unit learns")
                .isFalse();
        io.eiscope.engine.tensor.Matrix x = io.eiscope.engine.tensor.Matrix.zeros(2, 784);
        x.fill(0.5f);
        Simulation fork = sim.fork();
        var layer0 = ((io.eiscope.engine.model.FeedForwardNet) fork.model())
                .layerList()
                .get(0);
        io.eiscope.engine.tensor.Matrix h = layer0.forward(x); // the layer's own output buffer, unclamped
        assertThat(h.get(0, 3)).isNotEqualTo(0.7f);
        fork.model().forward(x); // the network's pass clamps that buffer in place, in the fork too
        assertThat(h.get(0, 3)).isEqualTo(0.7f);
        assertThat(h.get(1, 3)).isEqualTo(0.7f);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> sim.apply(new Command.ClampUnit("layer0", 32, true, 0f)))
                .hasMessageContaining("command.clamp_unit.unit")
                .hasMessageContaining("[0, 32)");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> sim.apply(new Command.ClampUnit("layer7", 0, true, 0f)))
                .hasMessageContaining("command.clamp_unit.layer");
    }
}

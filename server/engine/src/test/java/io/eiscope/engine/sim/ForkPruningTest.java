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
        assertThat(w.mask().count()).isEqualTo(parent.parameter("layer0.W").orElseThrow().mask().count()).isPositive();
        for (int i = 0; i < w.value().size(); i++) {
            if (w.mask().isPruned(i)) assertThat(w.value().get(i)).isZero();
        }
    }
}

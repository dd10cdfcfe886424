package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.TestData;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.Preset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataOrderTest {

    @Test
    void everyEpochVisitsEachExampleOnceInANewOrder() {
        DataOrder order = new DataOrder(3, 50);
        int[] first = new int[50], second = new int[50];
        for (int i = 0; i < 50; i++) first[i] = order.next();
        for (int i = 0; i < 50; i++) second[i] = order.next();
        Set<Integer> a = new HashSet<>(), b = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            a.add(first[i]);
            b.add(second[i]);
        }
        assertThat(a).hasSize(50);
        assertThat(b).hasSize(50);
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void aRestoredPositionContinuesIdentically() {
        DataOrder order = new DataOrder(4, 30);
        for (int i = 0; i < 37; i++) order.next();
        Task.State at = order.snapshot();
        int[] expected = new int[40];
        for (int i = 0; i < 40; i++) expected[i] = order.next();
        DataOrder other = new DataOrder(4, 30);
        other.restore(at);
        for (int i = 0; i < 40; i++) assertThat(other.next()).isEqualTo(expected[i]);
    }

    @Test
    void aPositionReadFromAStateDictContinuesIdenticallyAndAForeignOneIsRefused() {
        DataOrder order = new DataOrder(5, 30);
        for (int i = 0; i < 37; i++) order.next();
        StateDict saved = new StateDict();
        order.snapshot().save(saved, "task/");
        assertThat(saved.shape("task/permutation")).containsExactly(30);
        assertThat(saved.longValue("task/cursor")).isEqualTo(7);
        DataOrder other = new DataOrder(5, 30);
        other.restore(other.readState(saved, "task/"));
        for (int i = 0; i < 40; i++) assertThat(other.next()).isEqualTo(order.next());
        assertThatThrownBy(() -> new DataOrder(5, 31).readState(saved, "task/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkpoint entry 'task/permutation' has shape [30], expected [31]");
        StateDict repeated = new StateDict()
                .putLongs("task/rng_state", new long[] {1})
                .putInts("task/permutation", new int[] {0, 0, 1})
                .putLongs("task/cursor", new long[] {0});
        assertThatThrownBy(() -> new DataOrder(5, 3).readState(repeated, "task/"))
                .hasMessageContaining("'task/permutation' is not a permutation");
    }

    @Test
    void everyTaskOfTheCatalogueCanBeForkedMidEpoch() {
        Catalogue c = Catalogue.standard();
        EngineContext ctx = EngineContext.of(TestData.dataDir());
        Set<String> seen = new HashSet<>();
        for (Preset p : c.presets()) {
            if (!seen.add(p.config().task().kind())) continue;
            Simulation parent = new Simulation(p.config(), c, ctx);
            for (int i = 0; i < 3; i++) parent.trainStep();
            Simulation child = parent.fork();
            for (int i = 0; i < 3; i++) {
                assertThat(child.trainStep().loss())
                        .as(p.name())
                        .isEqualTo(parent.trainStep().loss());
            }
        }
        assertThat(seen).contains("fashion_mnist", "r_of_k", "linear_regression");
    }
}

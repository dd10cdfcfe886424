package io.eiscope.engine.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
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

/** Magnitude and random pruning, and masks that persist under every rule of the catalogue. */
class PruningTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();

    static Simulation sim(ComponentConfig model, ComponentConfig rule) {
        return new Simulation(
                new SimulationConfig(
                        "prune",
                        model,
                        rule,
                        new ComponentConfig(
                                "r_of_k",
                                Map.of(
                                        "inputs",
                                        64L,
                                        "relevant",
                                        20L,
                                        "threshold",
                                        10L,
                                        "train_size",
                                        200L,
                                        "held_out_size",
                                        50L)),
                        3,
                        20,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(null));
    }

    static ComponentConfig mlp() {
        return new ComponentConfig("mlp", Map.of("hidden", List.of(16L), "init", "lognormal"));
    }

    /** Every rule kind, plainly and with momentum and weight decay where it has them, on an MLP and a DANN. */
    static Stream<Object[]> rulesAndModels() {
        List<Object[]> cases = new ArrayList<>();
        ComponentConfig dann = new ComponentConfig(
                "dann", Map.of("hidden_excitatory", List.of(12L), "hidden_inhibitory", List.of(2L)));
        for (var entry : CATALOGUE.rules()) {
            // d-NGD trains only DANNs with one interneuron on classification (this task is binary); a DANN with one
            // interneuron has a single Wei entry per layer, which pruning may remove (DiagonalNaturalGradient*Test)
            if (entry.kind().equals("dngd")) continue;
            List<String> names =
                    entry.descriptor().params().stream().map(p -> p.name()).toList();
            cases.add(new Object[] {new ComponentConfig(entry.kind(), Map.of("learning_rate", 0.05)), mlp()});
            cases.add(new Object[] {new ComponentConfig(entry.kind(), Map.of("learning_rate", 0.05)), dann});
            if (names.contains("momentum"))
                cases.add(new Object[] {
                    new ComponentConfig(
                            entry.kind(), Map.of("learning_rate", 0.05, "momentum", 0.9, "weight_decay", 0.01)),
                    mlp()
                });
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("rulesAndModels")
    void prunedWeightsStayExactlyZeroUnderEveryRule(ComponentConfig rule, ComponentConfig model) {
        Simulation s = sim(model, rule);
        for (int i = 0; i < 5; i++) s.trainStep();
        Pruning.Result r = Pruning.magnitude(s.model(), 0.5, Pruning.Scope.GLOBAL);
        assertThat(r.fraction()).isCloseTo(0.5, org.assertj.core.api.Assertions.within(0.01));
        for (int i = 0; i < 30; i++) s.trainStep();
        long zeros = 0;
        for (Parameter p : s.parameters())
            for (int i = 0; i < p.value().size(); i++)
                if (p.mask().isPruned(i)) {
                    assertThat(p.value().get(i)).as("%s[%d]", p.name(), i).isEqualTo(0f);
                    zeros++;
                }
        assertThat(zeros).isEqualTo(r.pruned());
    }

    @Test
    void magnitudePruningRemovesTheSmallestWeightsGloballyAndSparesBiases() {
        Simulation s = sim(mlp(), ComponentConfig.of("sgd"));
        List<Float> magnitudes = new ArrayList<>();
        for (Parameter p : s.parameters())
            if (Pruning.prunable(p)) for (float w : p.value().toArray()) magnitudes.add(Math.abs(w));
        magnitudes.sort(null);
        int n = magnitudes.size(), k = (int) Math.round(0.9 * n);
        Pruning.Result r = Pruning.magnitude(s.model(), 0.9, Pruning.Scope.GLOBAL);
        assertThat(r.pruned()).isEqualTo(k);
        assertThat(r.prunable()).isEqualTo(n);
        for (Parameter p : s.parameters()) {
            if (!Pruning.prunable(p)) assertThat(p.mask().count()).as(p.name()).isZero();
            for (int i = 0; i < p.value().size(); i++)
                if (Pruning.prunable(p) && !p.mask().isPruned(i))
                    assertThat(Math.abs(p.value().get(i))).isGreaterThanOrEqualTo(magnitudes.get(k - 1));
        }
        assertThat(r.newlyPruned().values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(k);
    }

    @Test
    void perLayerPruningPrunesEachLayerByTheFraction() {
        Simulation s = sim(mlp(), ComponentConfig.of("sgd"));
        Pruning.magnitude(s.model(), 0.25, Pruning.Scope.PER_LAYER);
        for (Parameter p : s.parameters())
            if (Pruning.prunable(p))
                assertThat(p.mask().count())
                        .as(p.name())
                        .isEqualTo(Math.round(0.25 * p.value().size()));
    }

    @Test
    void masksOnlyGrowAndRandomPruningIsSeeded() {
        Simulation a = sim(mlp(), ComponentConfig.of("sgd")), b = sim(mlp(), ComponentConfig.of("sgd"));
        Pruning.random(a.model(), 0.3, Pruning.Scope.GLOBAL, new Rng(5));
        Pruning.random(b.model(), 0.3, Pruning.Scope.GLOBAL, new Rng(5));
        for (int k = 0; k < a.parameters().size(); k++) {
            int size = a.parameters().get(k).value().size();
            assertThat(a.parameters().get(k).mask().toArray(size))
                    .containsExactly(b.parameters().get(k).mask().toArray(size));
        }
        Pruning.Result more = Pruning.magnitude(a.model(), 0.6, Pruning.Scope.GLOBAL);
        assertThat(more.fraction()).isCloseTo(0.6, org.assertj.core.api.Assertions.within(0.001));
        assertThat(Pruning.magnitude(a.model(), 0.2, Pruning.Scope.GLOBAL)
                        .newlyPruned()
                        .values())
                .containsOnly(0);
        assertThatThrownBy(() -> Pruning.magnitude(a.model(), 1.5, Pruning.Scope.GLOBAL))
                .hasMessage("fraction must be in [0, 1], got 1.5");
    }
}

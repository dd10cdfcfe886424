package io.eiscope.engine.sim;

import static io.eiscope.engine.sim.SimulationStateDictContractTest.assertSameDict;
import static io.eiscope.engine.sim.SimulationStateDictContractTest.copy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.prune.Pruning;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Time travel in the engine: a run is trained, steered (its commands logged with their steps)
 * and checkpointed every 25 steps, and its whole state is copied at a few random steps as it
 * passes them. A {@link Reconstruction} from the nearest checkpoint at or before each of those
 * steps, replaying the log, holds the same state bit for bit; so does one from step 0 with no
 * checkpoint, and one advanced from an earlier reconstruction.
 */
class ReconstructionTest {
    static final int STEPS = 120, EVERY = 25;

    record Case(String name, SimulationConfig config, Map<Long, List<Command>> commands) {
        @Override
        public String toString() {
            return name;
        }
    }

    static SimulationConfig config(ComponentConfig model, ComponentConfig rule, ComponentConfig task, int batch) {
        return new SimulationConfig("time-travel", model, rule, task, 5, batch, 0, 0);
    }

    static Stream<Case> cases() {
        ComponentConfig sgd = new ComponentConfig("sgd", Map.of("learning_rate", 0.05, "momentum", 0.9));
        ComponentConfig dannSgd =
                new ComponentConfig("sgd", Map.of("learning_rate", 0.05, "momentum", 0.9, "correct_inhibitory", true));
        Map<Long, List<Command>> steering = new HashMap<>();
        steering.put(30L, List.of(new Command.Prune(Command.PruneMethod.RANDOM, 0.2, Pruning.Scope.PER_LAYER)));
        steering.put(
                50L,
                List.of(
                        new Command.Lesion("layer0", Command.Population.EXCITATORY, 1),
                        new Command.SwitchRule("adam", Map.of("learning_rate", 1e-3, "correct_inhibitory", true))));
        steering.put(
                75L, List.of(new Command.SetInputNoise(0.05))); // exactly on a checkpoint: applied after it was taken
        return Stream.of(
                new Case(
                        "MLP, SGD",
                        config(
                                new ComponentConfig("mlp", Map.of("hidden", List.of(16L))),
                                sgd,
                                SimulationStateDictContractTest.R_OF_K,
                                8),
                        Map.of()),
                new Case(
                        "DANN, SGD",
                        config(
                                new ComponentConfig(
                                        "dann",
                                        Map.of("hidden_excitatory", List.of(12L), "hidden_inhibitory", List.of(2L))),
                                dannSgd,
                                SimulationStateDictContractTest.R_OF_K,
                                8),
                        Map.of()),
                new Case(
                        "RNN, SGD",
                        config(
                                new ComponentConfig("rnn", Map.of("hidden", List.of(12L))),
                                sgd,
                                SimulationStateDictContractTest.ADDING,
                                8),
                        Map.of()),
                new Case(
                        "DANN steered (prune, lesion, rule switch, input noise)",
                        config(
                                new ComponentConfig(
                                        "dann",
                                        Map.of("hidden_excitatory", List.of(12L), "hidden_inhibitory", List.of(2L))),
                                dannSgd,
                                SimulationStateDictContractTest.R_OF_K,
                                8),
                        steering));
    }

    /** What the run left behind: checkpoints (state, log length) by step, its log, and its true state at some steps. */
    record Run(TreeMap<Long, Object[]> checkpoints, List<Intervention> log, Map<Long, StateDict> truth) {}

    static Run run(Case c, List<Long> remember) {
        Simulation sim = SimulationStateDictContractTest.build(c.config());
        TreeMap<Long, Object[]> checkpoints = new TreeMap<>();
        List<Intervention> log = new ArrayList<>();
        Map<Long, StateDict> truth = new HashMap<>();
        while (true) {
            long s = sim.step();
            if (s > 0 && s % EVERY == 0) checkpoints.put(s, new Object[] {copy(sim.stateDict()), log.size()});
            for (Command command : c.commands().getOrDefault(s, List.of())) {
                sim.apply(command);
                log.add(new Intervention(s, command));
            }
            if (remember.contains(s)) truth.put(s, copy(sim.stateDict()));
            if (s == STEPS) break;
            sim.trainStep();
        }
        return new Run(checkpoints, log, truth);
    }

    static Reconstruction nearest(Case c, Run run, long step) {
        var e = run.checkpoints().floorEntry(step);
        if (e == null)
            return Reconstruction.fromStart(
                    c.config(), SimulationStateDictContractTest.CATALOGUE, SimulationStateDictContractTest.CONTEXT);
        return Reconstruction.fromCheckpoint(
                c.config(),
                SimulationStateDictContractTest.CATALOGUE,
                SimulationStateDictContractTest.CONTEXT,
                (Integer) e.getValue()[1],
                copy((StateDict) e.getValue()[0]));
    }

    static StateDict withoutWatchpoints(StateDict d) {
        StateDict out = new StateDict();
        d.arrays().stream()
                .filter(a -> !a.name().equals(SimulationRunner.RUNNER_WATCHPOINTS))
                .forEach(out::put);
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theStateAtAnyPastStepIsRebuiltBitForBit(Case c) {
        Random random = new Random(c.name().hashCode());
        List<Long> steps = new ArrayList<>(List.of(0L, 30L, 50L, 75L, 76L));
        for (int i = 0; i < 4; i++) steps.add(1 + (long) random.nextInt(STEPS - 1));
        Run run = run(c, steps);
        for (long k : steps) {
            Reconstruction r = nearest(c, run, k);
            long from = r.step();
            List<Long> trained = new ArrayList<>();
            r.advance(run.log(), k, trained::add);
            assertThat(r.step()).isEqualTo(k);
            assertThat(trained).as("steps replayed from %d", from).hasSize((int) (k - from));
            assertSameDict(withoutWatchpoints(r.checkpointState()), run.truth().get(k));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void fromStepZeroAndFromAnEarlierReconstructionTheStateIsTheSame(Case c) {
        Run run = run(c, List.of(40L, 99L));
        Reconstruction r = Reconstruction.fromStart(
                c.config(), SimulationStateDictContractTest.CATALOGUE, SimulationStateDictContractTest.CONTEXT);
        r.advance(run.log(), 40, s -> {});
        Reconstruction copy = r.copy();
        assertSameDict(withoutWatchpoints(r.checkpointState()), run.truth().get(40L));
        r.advance(run.log(), 99, s -> {});
        assertSameDict(withoutWatchpoints(r.checkpointState()), run.truth().get(99L));
        assertThat(copy.step()).as("a copy is independent").isEqualTo(40);
        assertSameDict(withoutWatchpoints(copy.checkpointState()), run.truth().get(40L));
        assertThat(r.logPosition())
                .isEqualTo((int) run.log().stream().filter(i -> i.step() <= 99).count());
    }

    @Test
    void aStepBehindTheReconstructionOrALogThatDoesNotFitIsRefused() {
        Case c = cases().toList().get(3);
        Run run = run(c, List.of());
        Reconstruction r = nearest(c, run, 60);
        assertThat(r.step()).isEqualTo(50);
        assertThatThrownBy(() -> r.advance(run.log(), 40, s -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("behind this reconstruction's step 50");
        // A checkpoint that says no entry was applied, with the log's entries at steps 30 and 50 before it.
        Reconstruction wrong = Reconstruction.fromCheckpoint(
                c.config(),
                SimulationStateDictContractTest.CATALOGUE,
                SimulationStateDictContractTest.CONTEXT,
                0,
                copy((StateDict) run.checkpoints().get(50L)[0]));
        assertThatThrownBy(() -> wrong.advance(run.log(), 60, s -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("log entry at step 30 precedes the state at step 50");
    }

    @Test
    void measuringAtAPastStepGivesWhatTheLiveRunMeasuredThere() {
        Case c = cases().toList().get(1);
        Simulation live = SimulationStateDictContractTest.build(c.config());
        for (int i = 0; i < 37; i++) live.trainStep();
        var expected =
                live.catalogue().measured("singular_values").orElseThrow().measure(live, "layer0");
        Reconstruction r = Reconstruction.fromStart(
                c.config(), SimulationStateDictContractTest.CATALOGUE, SimulationStateDictContractTest.CONTEXT);
        r.advance(List.of(), 37, s -> {});
        var measured = r.measure(List.of("singular_values"), List.of("layer0"), 123);
        // A layer name picks the layer (its effective weights) and its parameters.
        assertThat(measured)
                .extracting(o -> o.layer())
                .containsExactlyInAnyOrder("layer0", "layer0.Wex", "layer0.Wix", "layer0.Wei");
        var layer0 = measured.stream()
                .filter(o -> o.layer().equals("layer0"))
                .findFirst()
                .orElseThrow();
        assertThat(layer0.step()).isEqualTo(37);
        assertThat(layer0.wallTimeUnixNanos()).isEqualTo(123);
        assertThat(layer0.payload()).usingRecursiveComparison().isEqualTo(expected);
        assertThatThrownBy(() -> r.measure(List.of("loss"), List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GetHistory");
    }
}

package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.observe.Observation;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commands through the runner's mailbox, with a control executor: effective steps, the log,
 * run-until, watchpoints, fork, and replay of a run with pauses.
 */
class SteeringRunnerTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ExecutorService control = Executors.newSingleThreadExecutor(); // the express lane is exercised too
    private final List<Observation> seen = new CopyOnWriteArrayList<>();
    private final CountDownLatch paused = new CountDownLatch(1);

    @AfterEach
    void stop() {
        pool.shutdownNow();
        control.shutdownNow();
    }

    private SimulationRunner runner() {
        return new SimulationRunner(
                "s1",
                SimulationTest.build(SteeringTest.dann(3)),
                pool,
                control,
                o -> {
                    seen.add(o);
                    if (o.observable().equals("state")
                            && o.payload() instanceof Observation.Event e
                            && e.state() == SimulationState.PAUSED
                            && !e.message().startsWith("created")) paused.countDown();
                },
                List.of());
    }

    @Test
    void commandsAreLoggedWithTheirEffectiveStepAndStreamed() throws Exception {
        SimulationRunner r = runner();
        r.stepBy(6).join();
        assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
        long at = r.apply(new Command.SetRuleParams(Map.of("learning_rate", 0.01)))
                .get(5, TimeUnit.SECONDS);
        assertThat(at).isEqualTo(6);
        assertThat(r.interventionLog())
                .containsExactly(new Intervention(6, new Command.SetRuleParams(Map.of("learning_rate", 0.01))));
        assertThat(seen).anySatisfy(o -> {
            assertThat(o.observable()).isEqualTo("intervention");
            assertThat(o.step()).isEqualTo(6);
            assertThat(((Observation.Event) o.payload()).message()).contains("learning_rate");
        });
    }

    @Test
    void aRejectedCommandFailsAndLeavesTheLogUnchanged() {
        SimulationRunner r = runner();
        assertThatThrownBy(() ->
                        r.apply(new Command.SetWeight("layer0.Wex", -1, 0, 0f)).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("command.set_weight.row");
        assertThatThrownBy(() -> r.apply(new Command.AddWatchpoint("w", "weights", Watchpoint.Condition.ABOVE, 1))
                        .get(5, TimeUnit.SECONDS))
                .hasMessageContaining("command.add_watchpoint.observable");
        assertThat(r.interventionLog()).isEmpty();
    }

    @Test
    void runUntilPausesAtTheStep() throws Exception {
        SimulationRunner r = runner();
        r.apply(new Command.RunUntil(9)).get(5, TimeUnit.SECONDS);
        assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(r.step()).isEqualTo(9);
        assertThat(r.statusMessage()).contains("reached step 9");
        assertThatThrownBy(() -> r.apply(new Command.RunUntil(5)).get(5, TimeUnit.SECONDS))
                .hasMessageContaining("command.run_until.step");
    }

    @Test
    void aWatchpointPausesTheSimulationAndSaysWhy() throws Exception {
        SimulationRunner r = runner();
        r.apply(new Command.AddWatchpoint("low-loss", "loss", Watchpoint.Condition.BELOW, 100.0))
                .get(5, TimeUnit.SECONDS);
        r.play().get(5, TimeUnit.SECONDS);
        assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(r.step()).isEqualTo(1);
        assertThat(r.statusMessage())
                .contains("watchpoint 'low-loss'")
                .contains("loss")
                .contains("step 1");
        assertThat(r.state()).isEqualTo(SimulationState.PAUSED);
    }

    @Test
    void aForkStartsAtItsParentsStepWithItsLog() throws Exception {
        SimulationRunner r = runner();
        r.apply(new Command.Freeze("layer1", true)).get(5, TimeUnit.SECONDS);
        r.stepBy(4).join();
        assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
        SimulationRunner.Fork f = r.fork().get(30, TimeUnit.SECONDS);
        assertThat(f.step()).isEqualTo(4);
        assertThat(f.child().step()).isEqualTo(4);
        assertThat(f.log()).hasSize(1);
        assertThat(f.child().frozenParameters()).contains("layer1.Wex");
        SimulationRunner child = new SimulationRunner("s2", f.child(), pool, o -> {}, f.log());
        assertThat(child.step()).isEqualTo(4);
        assertThat(child.interventionLog()).isEqualTo(r.interventionLog());
    }

    @Test
    void replayingTheLogOfAPausedAndSteeredRunReproducesItsParameters() throws Exception {
        SimulationRunner r = runner();
        r.apply(new Command.RunUntil(7)).get(5, TimeUnit.SECONDS);
        r.apply(new Command.AddWeightNoise("", 0.01)).get(30, TimeUnit.SECONDS); // lands wherever the run is
        awaitStep(r, 7);
        r.apply(new Command.Lesion("layer0", Command.Population.EXCITATORY, 1)).get(5, TimeUnit.SECONDS);
        r.play().get(5, TimeUnit.SECONDS);
        r.apply(new Command.SwitchRule("adam", Map.of())).get(30, TimeUnit.SECONDS);
        long at = r.pause().get(30, TimeUnit.SECONDS);
        r.stepBy(3).get(5, TimeUnit.SECONDS);
        long end = at + 3;
        awaitStep(r, end);
        SimulationRunner.ParameterValues live = r.readParameters(List.of()).get(5, TimeUnit.SECONDS);
        Simulation replayed = Replay.run(
                r.simulation().config(),
                SimulationTest.CATALOGUE,
                r.simulation().context(),
                r.interventionLog(),
                live.step());
        for (int i = 0; i < live.values().size(); i++)
            assertThat(replayed.parameters().get(i).value().toArray())
                    .isEqualTo(live.values().get(i).data());
    }

    private static void awaitStep(SimulationRunner r, long step) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (r.step() < step || r.state() == SimulationState.RUNNING) {
            assertThat(System.nanoTime()).as("at step " + r.step()).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(2);
        }
    }
}

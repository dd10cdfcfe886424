package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
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

class SimulationRunnerTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final List<Observation> seen = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private SimulationRunner runner(SimulationConfig c, CountDownLatch onPause) {
        return new SimulationRunner("s1", SimulationTest.build(c), pool, o -> {
            seen.add(o);
            if (onPause != null
                    && o.payload() instanceof Observation.Event e
                    && e.state() != SimulationState.RUNNING
                    && !e.message().startsWith("created")) onPause.countDown();
        });
    }

    @Test
    void stepRunsExactlyNUpdatesThenPauses() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        SimulationRunner r = runner(SimulationTest.mlp(1, 0.05, 8), paused);
        assertThat(r.state()).isEqualTo(SimulationState.PAUSED);
        assertThat(r.stepBy(37).get(5, TimeUnit.SECONDS)).isZero();
        assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(r.state()).isEqualTo(SimulationState.PAUSED);
        assertThat(r.step()).isEqualTo(37);
        assertThat(seen.stream()
                        .filter(o -> o.observable().equals("loss"))
                        .map(Observation::step)
                        .toList())
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(1, 37).boxed().toList());
    }

    /** Where a playing run will pause, as a state listener reads it on the run's thread; playUntil carries it on. */
    @Test
    void pausesAtTellsWhereAPlayingRunStopsAndPlayUntilStopsThere() throws Exception {
        CountDownLatch paused = new CountDownLatch(2);
        List<Long> targets = new CopyOnWriteArrayList<>();
        SimulationRunner[] holder = {null};
        SimulationRunner r =
                new SimulationRunner("s1", SimulationTest.build(SimulationTest.mlp(1, 0.05, 8)), pool, o -> {
                    if (o.payload() instanceof Observation.Event e
                            && !e.message().startsWith("created")) {
                        if (e.state() == SimulationState.RUNNING) targets.add(holder[0].pausesAt());
                        else paused.countDown();
                    }
                });
        holder[0] = r;
        r.stepBy(12).get(5, TimeUnit.SECONDS);
        long afterStep = waitPaused(r, 12);
        assertThat(afterStep).isEqualTo(12);
        r.playUntil(30).get(5, TimeUnit.SECONDS);
        assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(r.step()).isEqualTo(30);
        assertThat(r.state()).isEqualTo(SimulationState.PAUSED);
        assertThat(targets).containsExactly(12L, 30L); // 0 + 12 steps, then the target itself
        assertThat(r.playUntil(20).get(5, TimeUnit.SECONDS))
                .as("a target behind the run: nothing to do")
                .isEqualTo(30);
        assertThat(r.state()).isEqualTo(SimulationState.PAUSED);
        r.playUntil(-1).get(5, TimeUnit.SECONDS); // until paused
        assertThat(r.state()).isEqualTo(SimulationState.RUNNING);
        assertThat(targets).hasSize(3).last().isEqualTo(-1L);
        r.pause().get(5, TimeUnit.SECONDS);
    }

    private static long waitPaused(SimulationRunner r, long step) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((r.state() != SimulationState.PAUSED || r.step() != step) && System.nanoTime() < deadline)
            Thread.sleep(5); // the runner has no latch for this; its steps take microseconds
        return r.step();
    }

    @Test
    void playRunsUntilPausedAndPauseTakesEffectAtABoundary() throws Exception {
        SimulationRunner r = runner(SimulationTest.mlp(1, 0.05, 8), null);
        r.play().get(5, TimeUnit.SECONDS);
        assertThat(r.state()).isEqualTo(SimulationState.RUNNING);
        long at = r.pause().get(30, TimeUnit.SECONDS);
        assertThat(r.state()).isEqualTo(SimulationState.PAUSED);
        assertThat(r.step()).isEqualTo(at);
        long later = r.readParameters(List.of()).get(5, TimeUnit.SECONDS).step();
        assertThat(later).isEqualTo(at);
    }

    /** A small MLP on Fashion-MNIST, batch 4, evaluated every 5 steps, with a budget of 12 steps. */
    private static SimulationConfig budgetOf12() {
        return new SimulationConfig(
                "t",
                new ComponentConfig("mlp", Map.of("hidden", List.of(8L))),
                ComponentConfig.of("sgd"),
                ComponentConfig.of("fashion_mnist"),
                1,
                4,
                5,
                12);
    }

    @Test
    void theStepBudgetFinishesTheRunAndPlayIsThenRefused() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        SimulationConfig c = budgetOf12();
        SimulationRunner r = runner(c, done);
        r.play().get(5, TimeUnit.SECONDS);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(r.state()).isEqualTo(SimulationState.FINISHED);
        assertThat(r.step()).isEqualTo(12);
        assertThat(seen.stream()
                        .filter(o -> o.observable().equals("test_accuracy"))
                        .map(Observation::step)
                        .toList())
                .containsExactly(5L, 10L);
        assertThatThrownBy(() -> r.play().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("step budget of 12");
        r.reset().get(5, TimeUnit.SECONDS);
        assertThat(r.state()).isEqualTo(SimulationState.PAUSED);
        assertThat(r.step()).isZero();
    }

    /**
     * A run the server recovers at its budget (it finished, and the server was killed before it recorded so) comes
     * back finished; a copy of one at its budget, played, finishes without a step past it.
     */
    @Test
    void aRunRecoveredOrCopiedAtItsBudgetFinishesWithoutAStepPastIt() throws Exception {
        SimulationConfig c = budgetOf12();
        CountDownLatch done = new CountDownLatch(1);
        SimulationRunner first = runner(c, done);
        first.play().get(5, TimeUnit.SECONDS);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        StateDict atBudget = first.simulation().stateDict();

        SimulationRunner recovered = new SimulationRunner("s2", SimulationTest.build(c), pool, o -> {});
        String message = recovered
                .recover(
                        () -> new SimulationRunner.RecoveryPoint(12, 0, atBudget),
                        12,
                        Double.NaN,
                        SimulationState.PAUSED)
                .get(30, TimeUnit.SECONDS);
        assertThat(recovered.state()).isEqualTo(SimulationState.FINISHED);
        assertThat(recovered.step()).isEqualTo(12);
        assertThat(message).contains("reached its step budget of 12");

        Simulation copy = SimulationTest.build(c);
        copy.restoreStateDict(atBudget);
        List<Observation> copySeen = new CopyOnWriteArrayList<>();
        CountDownLatch copyDone = new CountDownLatch(1);
        SimulationRunner copied = new SimulationRunner("s3", copy, pool, o -> {
            copySeen.add(o);
            if (o.payload() instanceof Observation.Event e && e.state() == SimulationState.FINISHED)
                copyDone.countDown();
        });
        assertThat(copied.state()).isEqualTo(SimulationState.PAUSED);
        copied.play().get(5, TimeUnit.SECONDS);
        assertThat(copyDone.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(copied.step()).isEqualTo(12);
        assertThat(copySeen).noneMatch(o -> o.observable().equals("loss"));
    }

    @Test
    void aHugeLearningRateDivergesAndPausesWithTheReason() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        SimulationConfig c = new SimulationConfig(
                "t",
                new ComponentConfig("mlp", Map.of("hidden", List.of(32L, 32L, 32L))),
                new ComponentConfig("sgd", Map.of("learning_rate", 1000.0, "momentum", 0.99)),
                ComponentConfig.of("fashion_mnist"),
                1,
                8,
                0,
                5000);
        SimulationRunner r = runner(c, stopped);
        r.play().get(5, TimeUnit.SECONDS);
        assertThat(stopped.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(r.state())
                .as("stopped at step " + r.step() + ": " + r.statusMessage())
                .isEqualTo(SimulationState.DIVERGED);
        assertThat(r.statusMessage())
                .containsAnyOf("non-finite", "exploding parameters")
                .contains("step " + r.step());
    }

    @Test
    void weightsThatExplodeWhileStayingFiniteStopTheRunAsDivergedSayingWhere() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        SimulationConfig c = new SimulationConfig(
                "t",
                new ComponentConfig("mlp", Map.of("hidden", List.of(16L))),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.01)),
                ComponentConfig.of("fashion_mnist"),
                1,
                8,
                0,
                5000);
        SimulationRunner r = runner(c, stopped);
        r.stepBy(3).get(5, TimeUnit.SECONDS);
        assertThat(stopped.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(r.state()).as("a healthy run pauses").isEqualTo(SimulationState.PAUSED);
        // One weight far beyond anything a healthy run reaches, but finite (as in a recurrent net whose radius ran
        // away).
        r.apply(new Command.SetWeight("layer0.W", 0, 0, 3e7f)).get(5, TimeUnit.SECONDS);
        r.stepBy(1).get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (r.state() != SimulationState.DIVERGED && System.nanoTime() < deadline) TimeUnit.MILLISECONDS.sleep(5);
        assertThat(r.state()).isEqualTo(SimulationState.DIVERGED);
        assertThat(r.statusMessage())
                .contains(
                        "exploding parameters (layer0.W holds |w| = 3.00e+07, beyond 1e+06)",
                        "at step 4",
                        "lower the learning rate");
    }

    @Test
    void aNewRunnerAnnouncesItsPausedState() {
        runner(SimulationTest.mlp(1, 0.05, 8), null);
        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.observable()).isEqualTo("state");
            assertThat(((Observation.Event) o.payload()).state()).isEqualTo(SimulationState.PAUSED);
        });
    }

    @Test
    void stepZeroIsRejectedAtOnce() {
        SimulationRunner r = runner(SimulationTest.mlp(1, 0.05, 8), null);
        assertThatThrownBy(() -> r.stepBy(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 1");
    }

    @Test
    void demandedHistogramsArePublishedForTheRequestedParameterOnly() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        SimulationRunner r = runner(SimulationTest.mlp(1, 0.05, 8), paused);
        r.setDemands(List.of(new Demand("weight_histogram", "layer1.W", 0, 1)));
        r.stepBy(5).join();
        assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
        List<Observation> h = seen.stream()
                .filter(o -> o.observable().equals("weight_histogram"))
                .toList();
        assertThat(h).hasSize(5).allSatisfy(o -> assertThat(o.layer()).isEqualTo("layer1.W"));
        Observation.Histogram hist = (Observation.Histogram) h.get(4).payload();
        assertThat(java.util.Arrays.stream(hist.counts()).sum()).isEqualTo(10 * 32);
    }
}

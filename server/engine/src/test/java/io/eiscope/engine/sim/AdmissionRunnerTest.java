package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.observe.Observation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runners sharing an {@link Admission}: QUEUED, positions, FIFO starts, leaving the queue, steering while queued. */
class AdmissionRunnerTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ExecutorService control = Executors.newFixedThreadPool(2);
    /** "id STATE message" of every state event, in the order published. */
    private final BlockingQueue<String> states = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        pool.shutdownNow();
        control.shutdownNow();
    }

    private List<SimulationRunner> runners(Admission admission, int n) {
        List<SimulationRunner> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String id = "r" + i;
            SimulationRunner r = new SimulationRunner(
                    id,
                    SimulationTest.build(SimulationTest.mlp(i, 0.05, 8)),
                    pool,
                    control,
                    o -> {
                        if (o.observable().equals("state") && o.payload() instanceof Observation.Event e)
                            states.add(id + " " + e.state() + " " + e.message());
                    },
                    List.of());
            r.setAdmission(admission);
            out.add(r);
        }
        states.clear(); // the "created" frames
        return out;
    }

    /** Waits for the state event of {@code id} whose text starts with {@code prefix}, skipping others. */
    private String await(String id, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> skipped = new ArrayList<>();
        while (true) {
            String s = states.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (s == null) throw new AssertionError("no '" + id + " " + prefix + "' within 30 s; saw " + skipped);
            if (s.startsWith(id + " " + prefix)) return s;
            skipped.add(s);
        }
    }

    @Test
    void aThirdRunPlayedOnTwoSlotsQueuesAndStartsWhenTheFirstPauses() throws Exception {
        Admission admission = new Admission(2);
        List<SimulationRunner> r = runners(admission, 3);
        for (SimulationRunner x : r) x.play().get(5, TimeUnit.SECONDS);
        assertThat(r.get(0).state()).isEqualTo(SimulationState.RUNNING);
        assertThat(r.get(1).state()).isEqualTo(SimulationState.RUNNING);
        assertThat(r.get(2).state()).isEqualTo(SimulationState.QUEUED);
        assertThat(r.get(2).queuePosition()).isEqualTo(1);
        assertThat(r.get(2).statusMessage()).startsWith("queued at position 1: the server plays at most 2 runs");
        long queuedAt = r.get(2).step();

        r.get(0).pause().get(5, TimeUnit.SECONDS);
        assertThat(await("r3", "RUNNING")).matches("r3 RUNNING playing \\(after \\d+\\.\\d s in the queue\\)");
        assertThat(r.get(2).queuePosition()).isZero();
        assertThat(r.get(2).stepBy(1).get(5, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(queuedAt);
        assertThat(admission.queuedCount()).isZero();
    }

    /**
     * A reader on another thread (the poll, a list call) sees a state with its own message: a run that just queued
     * never reads as QUEUED with the message of the state before (the web UI once showed "queued #1" over an empty
     * message).
     */
    @Test
    void aStatusReadWhileTheRunQueuesAndLeavesPairsEachStateWithItsOwnMessage() throws Exception {
        Admission admission = new Admission(1);
        List<SimulationRunner> r = runners(admission, 2);
        r.get(0).play().get(5, TimeUnit.SECONDS);
        SimulationRunner queued = r.get(1);
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<SimulationRunner.Status> mismatched = java.util.Collections.synchronizedList(new ArrayList<>());
        var seen = new java.util.concurrent.atomic.AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                SimulationRunner.Status s = queued.status();
                boolean paired = switch (s.state()) {
                    case QUEUED -> s.message().startsWith("queued at position 1:");
                    case PAUSED ->
                        s.message().isEmpty() || s.message().startsWith("paused; it left"); // "" until first played
                    default -> false;
                };
                if (!paired) mismatched.add(s);
                if (s.state() == SimulationState.QUEUED) seen.incrementAndGet();
            }
        });
        reader.start();
        for (int i = 0; i < 300; i++) {
            queued.play().get(5, TimeUnit.SECONDS);
            queued.pause().get(5, TimeUnit.SECONDS);
        }
        stop.set(true);
        reader.join();
        assertThat(seen.get()).as("the reader saw the run queued").isPositive();
        assertThat(mismatched).isEmpty();
    }

    @Test
    void queuedRunsStartInArrivalOrderAndPauseOrStopTakesThemOutOfTheQueue() throws Exception {
        Admission admission = new Admission(1);
        List<SimulationRunner> r = runners(admission, 4);
        for (SimulationRunner x : r) x.play().get(5, TimeUnit.SECONDS);
        assertThat(r.stream().map(SimulationRunner::queuePosition).toList()).containsExactly(0, 1, 2, 3);

        r.get(2).pause().get(5, TimeUnit.SECONDS); // r3 leaves the queue: PAUSED, and r4 moves up
        assertThat(r.get(2).state()).isEqualTo(SimulationState.PAUSED);
        assertThat(r.get(2).statusMessage()).startsWith("paused; it left the queue at position 2");
        assertThat(r.get(3).queuePosition()).isEqualTo(2);
        assertThat(r.get(2).step()).as("a queued run never stepped").isZero();

        r.get(0).pause().get(5, TimeUnit.SECONDS);
        await("r2", "RUNNING");
        assertThat(r.get(3).queuePosition()).isEqualTo(1);
        r.get(1).stop().get(5, TimeUnit.SECONDS); // deleting the playing run hands its slot on
        await("r4", "RUNNING");
        assertThat(r.get(2).state()).isEqualTo(SimulationState.PAUSED);
        assertThat(r.get(0).state()).isEqualTo(SimulationState.PAUSED);
    }

    @Test
    void aQueuedRunTakesSteeringAtOnceAndStepsExactlyWhatItWasToldOnceStarted() throws Exception {
        Admission admission = new Admission(1);
        List<SimulationRunner> r = runners(admission, 2);
        r.get(0).play().get(5, TimeUnit.SECONDS);
        r.get(1).stepBy(7).get(5, TimeUnit.SECONDS);
        assertThat(r.get(1).state()).isEqualTo(SimulationState.QUEUED);

        long at = r.get(1)
                .apply(new Command.SetRuleParams(Map.of("learning_rate", 0.01)))
                .get(5, TimeUnit.SECONDS);
        assertThat(at).isZero();
        assertThat(r.get(1).simulation().ruleParams().asMap()).containsEntry("learning_rate", 0.01);
        assertThat(r.get(1).state()).isEqualTo(SimulationState.QUEUED);

        r.get(0).pause().get(5, TimeUnit.SECONDS);
        assertThat(await("r2", "RUNNING")).startsWith("r2 RUNNING stepping 7 (after ");
        await("r2", "PAUSED paused after stepping");
        assertThat(r.get(1).step()).isEqualTo(7);
        assertThat(admission.queuedCount()).isZero();
        r.get(0).play().get(5, TimeUnit.SECONDS);
        assertThat(r.get(0).state()).as("r2's slot was freed when it paused").isEqualTo(SimulationState.RUNNING);
    }
}

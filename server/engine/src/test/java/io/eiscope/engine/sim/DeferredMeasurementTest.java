package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.ToyDecisionTask;
import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deferred observables (kernel alignment) through a runner: computed on the analysis executor,
 * published on the simulation's thread with the step of the copy, conflated while in flight,
 * dropped after a reset, and without effect on training.
 */
class DeferredMeasurementTest {
    private static final Catalogue CATALOGUE = ToyDecisionTask.catalogue(5);
    private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "sim-worker"));
    private final BlockingQueue<Runnable> analysis = new LinkedBlockingQueue<>();
    private final List<Observation> seen = new CopyOnWriteArrayList<>();
    private final List<String> publishingThreads = new CopyOnWriteArrayList<>();
    private final AtomicReference<CountDownLatch> paused = new AtomicReference<>(new CountDownLatch(1));
    private final AtomicReference<CountDownLatch> alignment = new AtomicReference<>(new CountDownLatch(1));

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    static Simulation sim(long seed) {
        return new Simulation(
                new SimulationConfig(
                        "d",
                        new ComponentConfig("rnn", Map.of("hidden", List.of(8L))),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.05, "momentum", 0.9)),
                        ComponentConfig.of(ToyDecisionTask.KIND),
                        seed,
                        16,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(null));
    }

    private SimulationRunner runner(Simulation sim, java.util.concurrent.Executor analysisExecutor) {
        return new SimulationRunner(
                "d",
                sim,
                pool,
                null,
                analysisExecutor,
                o -> {
                    seen.add(o);
                    if (o.observable().equals("kernel_alignment")) {
                        publishingThreads.add(Thread.currentThread().getName());
                        alignment.get().countDown();
                    }
                    if (o.payload() instanceof Observation.Event e
                            && e.state() == SimulationState.PAUSED
                            && e.message().startsWith("paused after"))
                        paused.get().countDown();
                },
                List.of());
    }

    private void stepAndWait(SimulationRunner r, int n) throws Exception {
        paused.set(new CountDownLatch(1));
        r.stepBy(n).join();
        assertThat(paused.get().await(30, TimeUnit.SECONDS)).isTrue();
    }

    private List<Observation> alignments() {
        return seen.stream()
                .filter(o -> o.observable().equals("kernel_alignment"))
                .toList();
    }

    @Test
    void aResultIsPublishedOnTheSimulationThreadWithTheStepOfItsCopyAndDueMeasurementsConflateIntoTheLatest()
            throws Exception {
        SimulationRunner r = runner(sim(1), analysis::add);
        r.setDemands(List.of(new Demand("kernel_alignment", "", 0, 2)));
        stepAndWait(r, 6);
        assertThat(analysis)
                .hasSize(1); // due at 2, 4 and 6: the first copy is still waiting, 4 and 6 wait behind it as one
        analysis.poll().run(); // computed here, on the test thread
        assertThat(alignment.get().await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(alignments()).singleElement().satisfies(o -> {
            assertThat(o.step()).isEqualTo(2);
            assertThat(o.layer()).isEqualTo("rnn0");
            assertThat(((Observation.Scalar) o.payload()).value()).isBetween(0.0, 1.0);
        });
        assertThat(publishingThreads).containsExactly("sim-worker");
        r.readParameters(List.of()).get(30, TimeUnit.SECONDS); // the mailbox is FIFO: the publication's turn has passed
        assertThat(analysis)
                .as("the conflated measurement, taken on the latest state")
                .hasSize(1);
        alignment.set(new CountDownLatch(1));
        analysis.poll().run();
        assertThat(alignment.get().await(30, TimeUnit.SECONDS)).isTrue();
        r.readParameters(List.of()).get(30, TimeUnit.SECONDS);
        assertThat(analysis).isEmpty(); // nothing came due meanwhile

        stepAndWait(r, 2);
        assertThat(analysis).hasSize(1);
        alignment.set(new CountDownLatch(1));
        analysis.poll().run();
        assertThat(alignment.get().await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(alignments()).extracting(Observation::step).containsExactly(2L, 6L, 8L);
    }

    @Test
    void aResultOfARunThatWasResetMeanwhileIsDropped() throws Exception {
        SimulationRunner r = runner(sim(2), analysis::add);
        r.setDemands(List.of(new Demand("kernel_alignment", "rnn0", 0, 3)));
        stepAndWait(r, 3);
        assertThat(analysis).hasSize(1);
        r.reset().get(30, TimeUnit.SECONDS);
        analysis.poll().run();
        r.readParameters(List.of()).get(30, TimeUnit.SECONDS); // the mailbox is FIFO: the result's turn has passed
        assertThat(alignments()).isEmpty();
        // The next one is measured against the new run's start: nothing has changed yet at step 0.
        r.measureNow("kernel_alignment", List.of()).get(30, TimeUnit.SECONDS);
        assertThat(analysis).hasSize(1);
        analysis.poll().run();
        assertThat(alignment.get().await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(alignments()).singleElement().satisfies(o -> {
            assertThat(o.step()).isZero();
            assertThat(((Observation.Scalar) o.payload()).value()).isEqualTo(1.0);
        });
    }

    @Test
    void streamingEveryNewObservableLeavesTheTrainedWeightsBitIdentical() throws Exception {
        ExecutorService analysisPool = Executors.newSingleThreadExecutor();
        try {
            SimulationRunner watched = runner(sim(3), analysisPool);
            List<Demand> demands = new java.util.ArrayList<>();
            for (String name : List.of(
                    "kernel_alignment",
                    "representation_alignment",
                    "hidden_states",
                    "activation_mean",
                    "activation_std",
                    "activation_fraction_active",
                    "weight_change",
                    "relative_weight_change")) demands.add(new Demand(name, "", 0, 1));
            watched.setDemands(demands);
            stepAndWait(watched, 40);
            SimulationRunner plain = runner(sim(3), analysisPool);
            stepAndWait(plain, 40);
            var a = watched.readParameters(List.of()).get(30, TimeUnit.SECONDS);
            var b = plain.readParameters(List.of()).get(30, TimeUnit.SECONDS);
            assertThat(a.step()).isEqualTo(40);
            for (int i = 0; i < a.values().size(); i++)
                assertThat(a.values().get(i).data())
                        .containsExactly(b.values().get(i).data());
            assertThat(seen.stream().filter(o -> o.observable().equals("hidden_states")))
                    .hasSize(40);
            // measured on the analysis pool, and published from there: on a loaded machine, after the reads above
            assertThat(alignment.get().await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(alignments())
                    .isNotEmpty()
                    .allSatisfy(o -> assertThat(o.step()).isBetween(1L, 40L));
        } finally {
            analysisPool.shutdownNow();
        }
    }
}

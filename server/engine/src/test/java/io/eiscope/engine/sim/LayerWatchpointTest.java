package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.TestData;
import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Watchpoints on per-layer scalars (weight change of a parameter, spectral radius of a recurrent
 * matrix): measured at their own cadence while they stand, cheap ones on the training thread and
 * expensive ones off it, and they pause the simulation with the reason.
 */
class LayerWatchpointTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();
    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final ExecutorService analysis = Executors.newSingleThreadExecutor();
    private final CountDownLatch paused = new CountDownLatch(1);

    @AfterEach
    void stop() {
        pool.shutdownNow();
        analysis.shutdownNow();
    }

    private Simulation sim() {
        return new Simulation(
                new SimulationConfig(
                        "w",
                        new ComponentConfig("rnn", Map.of("hidden", List.of(16L))),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.05, "momentum", 0.9)),
                        ComponentConfig.of("perceptual_decision_making"),
                        2,
                        16,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(TestData.dataDir()));
    }

    private SimulationRunner runner(Simulation sim) {
        return new SimulationRunner(
                "w",
                sim,
                pool,
                null,
                analysis,
                o -> {
                    if (o.observable().equals("state")
                            && o.payload() instanceof Observation.Event e
                            && e.state() == SimulationState.PAUSED
                            && e.message().startsWith("watchpoint")) paused.countDown();
                },
                List.of());
    }

    private static double weightChange(Simulation s) {
        return ((Observation.Scalar)
                        CATALOGUE.measured("weight_change").orElseThrow().measure(s, "rnn0.W"))
                .value();
    }

    @Test
    void aWatchpointOnTheWeightChangeOfOneMatrixPausesAtTheFirstStepPastTheThreshold() throws Exception {
        Simulation s = sim();
        SimulationRunner r = runner(s);
        r.apply(new Command.AddWatchpoint("moved", "weight_change", "rnn0.W", 1, Watchpoint.Condition.ABOVE, 0.2))
                .get(5, TimeUnit.SECONDS);
        r.apply(new Command.RunUntil(5000)).get(5, TimeUnit.SECONDS);
        assertThat(paused.await(60, TimeUnit.SECONDS)).isTrue();
        long at = r.step();
        assertThat(r.statusMessage())
                .contains("watchpoint 'moved'")
                .contains("weight_change of rnn0.W")
                .contains("step " + at);
        assertThat(weightChange(s)).isGreaterThanOrEqualTo(0.2);
        // One step earlier (replayed from the same seed) it was still below: it paused at the first step past it.
        Simulation replay = sim();
        for (long i = 1; i < at; i++) replay.trainStep();
        assertThat(weightChange(replay)).isLessThan(0.2);
    }

    @Test
    void aWatchpointOnTheSpectralRadiusIsMeasuredOffTheTrainingThreadAndFires() throws Exception {
        Simulation s = sim();
        SimulationRunner r = runner(s);
        r.apply(new Command.AddWatchpoint("radius", "spectral_radius", "rnn0", 5, Watchpoint.Condition.BELOW, 100))
                .get(5, TimeUnit.SECONDS);
        r.apply(new Command.RunUntil(5000)).get(5, TimeUnit.SECONDS);
        assertThat(paused.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(r.statusMessage()).contains("spectral_radius of rnn0");
        assertThat(r.step())
                .isGreaterThanOrEqualTo(5)
                .isLessThan(5000); // measured first at step 5, landed a little later
    }

    @Test
    void aWatchpointNamesALayerExactlyWhenItsObservableIsPerLayer() {
        SimulationRunner r = runner(sim());
        assertThatThrownBy(
                        () -> r.apply(new Command.AddWatchpoint("w", "spectral_radius", Watchpoint.Condition.ABOVE, 1))
                                .get(5, TimeUnit.SECONDS))
                .hasMessageContaining("command.add_watchpoint.layer")
                .hasMessageContaining("rnn0");
        assertThatThrownBy(
                        () -> r.apply(new Command.AddWatchpoint("w", "nse", "rnn7", 0, Watchpoint.Condition.ABOVE, 1))
                                .get(5, TimeUnit.SECONDS))
                .hasMessageContaining("command.add_watchpoint.layer")
                .hasMessageContaining("rnn7");
        assertThatThrownBy(
                        () -> r.apply(new Command.AddWatchpoint("w", "loss", "rnn0", 0, Watchpoint.Condition.ABOVE, 1))
                                .get(5, TimeUnit.SECONDS))
                .hasMessageContaining("command.add_watchpoint.layer must be empty");
        assertThatThrownBy(() -> r.apply(new Command.AddWatchpoint(
                                "w", "hidden_states", "rnn0", 0, Watchpoint.Condition.ABOVE, 1))
                        .get(5, TimeUnit.SECONDS))
                .hasMessageContaining("must be a scalar observable");
        assertThat(r.interventionLog()).isEmpty();
    }
}

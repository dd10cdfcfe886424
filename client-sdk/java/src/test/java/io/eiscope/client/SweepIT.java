package io.eiscope.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.GetSweepResultsResponse;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.Sweep;
import io.eiscope.api.v1.SweepAggregate;
import io.eiscope.api.v1.SweepAxis;
import io.eiscope.api.v1.SweepMode;
import io.eiscope.api.v1.SweepRunResult;
import io.eiscope.api.v1.SweepSpec;
import io.eiscope.api.v1.SweepState;
import io.eiscope.api.v1.Value;
import io.eiscope.app.EiscopeServer;
import io.eiscope.app.ServerOptions;
import io.eiscope.client.EiscopeClient.FloatTensor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sweeps through the SDK against a live server (127.0.0.1, port 0, a fresh data directory): a
 * grid over seeds whose runs equal the same specs made one by one (weights bit for bit), whose
 * results match the runs' histories and whose mean ± s.e. matches one computed here; pause,
 * resume and cancel; a validation error naming the field.
 */
class SweepIT {
    static EiscopeServer server;
    static EiscopeClient client;

    @BeforeAll
    static void start() throws Exception {
        server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(Path.of(System.getProperty("eiscope.dataDir", ".data")))
                .withDataDir(Files.createTempDirectory("eiscope-record")));
        int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        client = EiscopeClient.connect("127.0.0.1", port);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    static Value integer(long v) {
        return Value.newBuilder().setInteger(v).build();
    }

    static SimulationSpec rOfK(long budget) {
        return SimulationSpec.newBuilder()
                .setModel(ComponentSpec.newBuilder().setKind("point_neuron"))
                .setLearningRule(ComponentSpec.newBuilder()
                        .setKind("sgd")
                        .putParams(
                                "learning_rate",
                                Value.newBuilder().setNumber(0.05).build()))
                .setTask(ComponentSpec.newBuilder()
                        .setKind("r_of_k")
                        .putParams("inputs", integer(200))
                        .putParams("train_size", integer(1000))
                        .putParams("held_out_size", integer(200)))
                .setBatchSize(50)
                .setEvalEverySteps(50)
                .setStepBudget(budget)
                .build();
    }

    static SweepSpec seeds(long budget, int concurrency, long... seeds) {
        SweepAxis.Builder axis = SweepAxis.newBuilder().setField("seed");
        for (long s : seeds) axis.addValues(integer(s));
        return SweepSpec.newBuilder()
                .setSpec(rOfK(budget))
                .setMode(SweepMode.SWEEP_MODE_GRID)
                .addAxes(axis)
                .setConcurrency(concurrency)
                .build();
    }

    static Sweep await(String id, Predicate<Sweep> until) {
        return Awaitility.await("sweep " + id)
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> client.sweep(id), until);
    }

    static double[] loss(String runId) {
        return client.history(runId, "loss").get("loss").values();
    }

    @Test
    void aGridsRunsAndResultsAreThoseOfTheSpecsMadeOneByOne() throws Exception {
        Sweep sweep = client.createSweep(seeds(60, 2, 1, 2, 3));
        assertThat(sweep.getTotalRuns()).isEqualTo(3);
        await(sweep.getId(), s -> s.getState() == SweepState.SWEEP_STATE_DONE);
        GetSweepResultsResponse results = client.sweepResults(sweep.getId(), "loss");
        double[] finals = new double[3];
        for (int i = 0; i < 3; i++) {
            SweepRunResult r = results.getRuns(i);
            assertThat(r.getRun().getState()).isEqualTo(SimulationState.SIMULATION_STATE_FINISHED);
            double[] loss = loss(r.getRun().getRunId());
            finals[i] = loss[loss.length - 1];
            assertThat(r.getMetrics(0).getFinal()).isEqualTo(finals[i]);
            assertThat(r.getMetrics(0).getBest())
                    .isEqualTo(Arrays.stream(loss).min().orElseThrow());
            String twin =
                    client.create(rOfK(60).toBuilder().setSeed(i + 1).build()).getId();
            client.play(twin);
            client.waitForStep(twin, 60, Duration.ofMinutes(2));
            Map<String, FloatTensor> mine = client.parameters(r.getRun().getRunId());
            for (Map.Entry<String, FloatTensor> e : client.parameters(twin).entrySet())
                assertThat(mine.get(e.getKey()).data())
                        .as(e.getKey())
                        .isEqualTo(e.getValue().data());
        }
        double mean = (finals[0] + finals[1] + finals[2]) / 3, ss = 0;
        for (double f : finals) ss += (f - mean) * (f - mean);
        SweepAggregate a = results.getGroups(0).getMetrics(0);
        assertThat(a.getN()).isEqualTo(3);
        assertThat(a.getFinalMean()).isCloseTo(mean, within(1e-12));
        assertThat(a.getFinalStderr()).isCloseTo(Math.sqrt(ss / 2) / Math.sqrt(3), within(1e-12));
        assertThat(client.sweeps()).anySatisfy(s -> assertThat(s.getId()).isEqualTo(sweep.getId()));
    }

    @Test
    void pauseResumeAndCancel() throws Exception {
        String id = client.createSweep(seeds(1_000_000, 1, 1, 2, 3)).getId();
        await(id, s -> s.getPlayingRuns() == 1);
        assertThat(client.pauseSweep(id).getState()).isEqualTo(SweepState.SWEEP_STATE_PAUSED);
        assertThat(client.resumeSweep(id).getState()).isEqualTo(SweepState.SWEEP_STATE_RUNNING);
        Sweep cancelled = client.cancelSweep(id);
        assertThat(cancelled.getState()).isEqualTo(SweepState.SWEEP_STATE_CANCELLED);
        cancelled.getRunsList().stream()
                .filter(r -> !r.getRunId().isEmpty())
                .forEach(r -> assertThat(client.get(r.getRunId()).getState())
                        .isNotEqualTo(SimulationState.SIMULATION_STATE_RUNNING));
    }

    @Test
    void aPapersGridStartsFromTheCatalogueWithFewerSeedsAndSteps() {
        var presets = client.sweepPresets();
        var grid = presets.stream()
                .filter(p -> p.getName().equals("li2023-size-ei-grid"))
                .findFirst()
                .orElseThrow();
        assertThat(grid.getRuns()).isEqualTo(500);
        var richLazy = presets.stream()
                .filter(p -> p.getName().equals("liu2024-rich-lazy"))
                .findFirst()
                .orElseThrow();
        Sweep sweep = client.createSweepFromPreset("liu2024-rich-lazy", java.util.List.of(3L), 2, 2);
        assertThat(sweep.getTotalRuns()).isEqualTo(4);
        assertThat(sweep.getConcurrency()).isEqualTo(2);
        await(sweep.getId(), s -> s.getState() == SweepState.SWEEP_STATE_DONE);
        GetSweepResultsResponse results =
                client.sweepResults(sweep.getId(), richLazy.getMetricsList().toArray(String[]::new));
        assertThat(results.getRunsList())
                .extracting(r -> {
                    var sim = client.get(r.getRun().getRunId());
                    assertThat(sim.getStep()).isEqualTo(2);
                    assertThat(sim.getSpec().getSeed()).isEqualTo(3);
                    return sim.getSpec()
                            .getModel()
                            .getParamsMap()
                            .get("init_rank")
                            .getInteger();
                })
                .containsExactly(1L, 30L, 100L, 300L);
        assertThatThrownBy(() -> client.createSweepFromPreset("li2023-grid", java.util.List.of(), 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no sweep preset 'li2023-grid'")
                .hasMessageContaining("li2023-size-ei-grid");
    }

    @Test
    void aBadFieldIsRefusedNamingIt() {
        SweepSpec bad = seeds(10, 1, 1).toBuilder()
                .addAxes(SweepAxis.newBuilder().setField("learning_rule.lr").addValues(integer(1)))
                .build();
        assertThatThrownBy(() -> client.createSweep(bad)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("spec.axes[1].field");
        });
    }
}

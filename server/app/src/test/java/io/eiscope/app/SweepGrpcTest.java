package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.ControlSweepRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.CreateSweepRequest;
import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.GetSweepRequest;
import io.eiscope.api.v1.GetSweepResultsRequest;
import io.eiscope.api.v1.GetSweepResultsResponse;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.ListSweepsRequest;
import io.eiscope.api.v1.NamedTensor;
import io.eiscope.api.v1.Series;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.Sweep;
import io.eiscope.api.v1.SweepAction;
import io.eiscope.api.v1.SweepAggregate;
import io.eiscope.api.v1.SweepAxis;
import io.eiscope.api.v1.SweepGroup;
import io.eiscope.api.v1.SweepMode;
import io.eiscope.api.v1.SweepRange;
import io.eiscope.api.v1.SweepRun;
import io.eiscope.api.v1.SweepSpec;
import io.eiscope.api.v1.SweepState;
import io.eiscope.api.v1.Value;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sweeps over real gRPC on 127.0.0.1: a grid's runs against the same specs made one by one (weights
 * bit for bit, final and best loss, and the mean ± s.e. over seeds computed here from the twins'
 * histories); the concurrency bound as ListSimulations shows it; pause, resume and cancel; the
 * validation messages.
 */
class SweepGrpcTest {
    static LiveServer live;
    static SimulationServiceGrpc.SimulationServiceBlockingStub stub;

    @BeforeAll
    static void start() throws Exception {
        live = LiveServer.start();
        stub = live.stub();
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    static Value integer(long v) {
        return Value.newBuilder().setInteger(v).build();
    }

    static Value number(double v) {
        return Value.newBuilder().setNumber(v).build();
    }

    /** A point neuron learning r-of-k on 200 inputs by GD: a few ms a step. */
    static SimulationSpec rOfK(long budget, long inputs) {
        return SimulationSpec.newBuilder()
                .setName("r-of-k")
                .setModel(ComponentSpec.newBuilder().setKind("point_neuron"))
                .setLearningRule(ComponentSpec.newBuilder().setKind("sgd"))
                .setTask(ComponentSpec.newBuilder()
                        .setKind("r_of_k")
                        .putParams("inputs", integer(inputs))
                        .putParams("train_size", integer(1000))
                        .putParams("held_out_size", integer(200)))
                .setSeed(1)
                .setBatchSize(50)
                .setEvalEverySteps(50)
                .setStepBudget(budget)
                .build();
    }

    static SweepAxis axis(String field, Value... values) {
        return SweepAxis.newBuilder()
                .setField(field)
                .addAllValues(List.of(values))
                .build();
    }

    static Sweep create(SweepSpec s) {
        return stub.createSweep(CreateSweepRequest.newBuilder().setSpec(s).build())
                .getSweep();
    }

    static Sweep get(String id) {
        return stub.getSweep(GetSweepRequest.newBuilder().setSweepId(id).build())
                .getSweep();
    }

    static Sweep control(String id, SweepAction a) {
        return stub.controlSweep(ControlSweepRequest.newBuilder()
                        .setSweepId(id)
                        .setAction(a)
                        .build())
                .getSweep();
    }

    /** The sweep's runs as ListSimulations shows them (by their tag), not as the sweep counts them. */
    static List<Simulation> runsOf(String sweepId) {
        List<Simulation> out = new ArrayList<>();
        for (Simulation s : stub.listSimulations(ListSimulationsRequest.getDefaultInstance())
                .getSimulationsList()) if (s.getTagsList().contains("sweep:" + sweepId)) out.add(s);
        return out;
    }

    static long playing(String sweepId) {
        return runsOf(sweepId).stream()
                .filter(s -> s.getState() == SimulationState.SIMULATION_STATE_RUNNING)
                .count();
    }

    /** Polls until the sweep satisfies {@code until}, tracking the most runs seen playing at once. */
    static int await(String id, Predicate<Sweep> until, long timeoutMillis) {
        AtomicInteger most = new AtomicInteger();
        Awaitility.await("sweep " + id)
                .atMost(Duration.ofMillis(timeoutMillis))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> {
                            most.accumulateAndGet((int) playing(id), Math::max);
                            return get(id);
                        },
                        until);
        return most.get();
    }

    static double[] values(Series s) {
        double[] v = new double[s.getValues().size() / 8];
        s.getValues()
                .asReadOnlyByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN)
                .asDoubleBuffer()
                .get(v);
        return v;
    }

    static double[] loss(String runId) {
        for (Series s : stub.getHistory(GetHistoryRequest.newBuilder()
                        .setId(runId)
                        .addObservables("loss")
                        .build())
                .getSeriesList()) if (s.getLayer().isEmpty()) return values(s);
        throw new AssertionError("no loss recorded for " + runId);
    }

    static Map<String, ByteBuffer> weights(String runId) {
        var out = new java.util.TreeMap<String, ByteBuffer>();
        for (NamedTensor t : stub.getParameters(
                        GetParametersRequest.newBuilder().setId(runId).build())
                .getParametersList())
            out.put(t.getName(), t.getTensor().getData().asReadOnlyByteBuffer());
        return out;
    }

    @Test
    void aGridsRunsAreTheSpecsMadeOneByOneAndItsAggregatesAreTheirs() throws Exception {
        double[] lrs = {0.01, 0.05};
        long[] seeds = {1, 2, 3};
        SimulationSpec base = rOfK(120, 200);
        Sweep sweep = create(SweepSpec.newBuilder()
                .setName("lr x seed")
                .setSpec(base)
                .setMode(SweepMode.SWEEP_MODE_GRID)
                .addAxes(axis("learning_rule.learning_rate", number(lrs[0]), number(lrs[1])))
                .addAxes(axis("seed", integer(seeds[0]), integer(seeds[1]), integer(seeds[2])))
                .setConcurrency(2)
                .build());
        assertThat(sweep.getTotalRuns()).isEqualTo(6);
        assertThat(sweep.getConcurrency()).isEqualTo(2);
        int most = await(sweep.getId(), s -> s.getState() == SweepState.SWEEP_STATE_DONE, 180_000);
        assertThat(most)
                .as("runs of the sweep seen playing at once (short runs may end between two looks)")
                .isLessThanOrEqualTo(2);

        // The same specs, made one by one, played side by side to their budget.
        List<String> twins = new ArrayList<>();
        for (double lr : lrs)
            for (long seed : seeds) {
                SimulationSpec spec = base.toBuilder()
                        .setSeed(seed)
                        .setLearningRule(
                                ComponentSpec.newBuilder().setKind("sgd").putParams("learning_rate", number(lr)))
                        .build();
                String id = stub.createSimulation(CreateSimulationRequest.newBuilder()
                                .setSpec(spec)
                                .build())
                        .getSimulation()
                        .getId();
                stub.control(ControlRequest.newBuilder()
                        .setId(id)
                        .setAction(ControlAction.CONTROL_ACTION_PLAY)
                        .build());
                twins.add(id);
            }
        for (String id : twins) awaitState(id, SimulationState.SIMULATION_STATE_FINISHED);

        GetSweepResultsResponse results = stub.getSweepResults(GetSweepResultsRequest.newBuilder()
                .setSweepId(sweep.getId())
                .addMetrics("loss")
                .build());
        Sweep done = results.getSweep();
        assertThat(done.getDoneRuns()).isEqualTo(6);
        assertThat(runsOf(sweep.getId())).hasSize(6);
        for (int i = 0; i < 6; i++) {
            SweepRun run = done.getRuns(i);
            assertThat(run.getState()).isEqualTo(SimulationState.SIMULATION_STATE_FINISHED);
            assertThat(run.getStep()).isEqualTo(120);
            assertThat(run.getValuesMap().get("learning_rule.learning_rate").getNumber())
                    .isEqualTo(lrs[i / 3]);
            assertThat(run.getValuesMap().get("seed").getInteger()).isEqualTo(seeds[i % 3]);
            Simulation sim = stub.getSimulation(GetSimulationRequest.newBuilder()
                            .setId(run.getRunId())
                            .build())
                    .getSimulation();
            assertThat(sim.getSpec().getName())
                    .isEqualTo("lr x seed · learning_rule.learning_rate=" + lrs[i / 3] + " seed=" + seeds[i % 3]);
            assertThat(weights(run.getRunId()))
                    .as("run %d's weights, bit for bit", i)
                    .isEqualTo(weights(twins.get(i)));
            double[] twinLoss = loss(twins.get(i));
            assertThat(loss(run.getRunId())).isEqualTo(twinLoss);
            var metric = results.getRuns(i).getMetrics(0);
            assertThat(metric.getName()).isEqualTo("loss");
            assertThat(metric.getFinal()).isEqualTo(twinLoss[twinLoss.length - 1]);
            assertThat(metric.getBest())
                    .isEqualTo(java.util.Arrays.stream(twinLoss).min().orElseThrow());
        }
        // Mean ± s.e. over the three seeds of each learning rate, from the twins' histories.
        assertThat(results.getGroupsList()).hasSize(2);
        for (int g = 0; g < 2; g++) {
            SweepGroup group = results.getGroups(g);
            assertThat(group.getValuesMap()).containsOnlyKeys("learning_rule.learning_rate");
            assertThat(group.getRunIndicesList()).containsExactly(3 * g, 3 * g + 1, 3 * g + 2);
            double[] finals = new double[3];
            for (int k = 0; k < 3; k++) {
                double[] l = loss(twins.get(3 * g + k));
                finals[k] = l[l.length - 1];
            }
            double mean = (finals[0] + finals[1] + finals[2]) / 3;
            double var = 0;
            for (double f : finals) var += (f - mean) * (f - mean) / 2;
            SweepAggregate a = group.getMetrics(0);
            assertThat(a.getN()).isEqualTo(3);
            assertThat(a.getFinalMean()).isCloseTo(mean, within(1e-12));
            assertThat(a.getFinalStderr()).isCloseTo(Math.sqrt(var / 3), within(1e-12));
        }
        assertThat(stub.listSweeps(ListSweepsRequest.getDefaultInstance()).getSweepsList())
                .anySatisfy(s -> {
                    assertThat(s.getId()).isEqualTo(sweep.getId());
                    assertThat(s.getRunsCount()).as("lists leave the runs out").isZero();
                    assertThat(s.getState()).isEqualTo(SweepState.SWEEP_STATE_DONE);
                });
    }

    static void awaitState(String id, SimulationState state) {
        Awaitility.await(id + " " + state)
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> stub.getSimulation(GetSimulationRequest.newBuilder()
                                        .setId(id)
                                        .build())
                                .getSimulation()
                                .getState(),
                        state::equals);
    }

    @Test
    void pauseStopsItsRunsResumeContinuesCancelKeepsWhatWasMade() throws Exception {
        // Long runs (a million steps): none finishes during the test.
        Sweep sweep = create(SweepSpec.newBuilder()
                .setSpec(rOfK(1_000_000, 200))
                .setMode(SweepMode.SWEEP_MODE_GRID)
                .addAxes(axis("seed", integer(1), integer(2), integer(3), integer(4)))
                .setConcurrency(1)
                .build());
        String id = sweep.getId();
        await(id, s -> s.getPlayingRuns() == 1, 60_000);
        assertThat(playing(id)).isEqualTo(1);

        Sweep paused = control(id, SweepAction.SWEEP_ACTION_PAUSE);
        assertThat(paused.getState()).isEqualTo(SweepState.SWEEP_STATE_PAUSED);
        assertThat(playing(id)).as("after pause").isZero();
        Thread.sleep(3 * Sweeps.TICK_MILLIS);
        assertThat(playing(id)).as("a paused sweep starts nothing").isZero();
        assertThat(runsOf(id)).hasSize(get(id).getStartedRuns());
        assertThatThrownBy(() -> control(id, SweepAction.SWEEP_ACTION_PAUSE))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("FAILED_PRECONDITION")
                .hasMessageContaining("PAUSED");

        control(id, SweepAction.SWEEP_ACTION_RESUME);
        await(id, s -> s.getPlayingRuns() == 1, 60_000);

        // Paused by hand: the slot goes to the next run.
        String first = runsOf(id).get(0).getId();
        stub.control(ControlRequest.newBuilder()
                .setId(first)
                .setAction(ControlAction.CONTROL_ACTION_PAUSE)
                .build());
        await(id, s -> s.getStartedRuns() == 2 && s.getPlayingRuns() == 1, 60_000);
        assertThat(stub.getSimulation(
                                GetSimulationRequest.newBuilder().setId(first).build())
                        .getSimulation()
                        .getState())
                .isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);

        Sweep cancelled = control(id, SweepAction.SWEEP_ACTION_CANCEL);
        assertThat(cancelled.getState()).isEqualTo(SweepState.SWEEP_STATE_CANCELLED);
        assertThat(playing(id)).isZero();
        Thread.sleep(3 * Sweeps.TICK_MILLIS);
        assertThat(runsOf(id)).as("the runs made are kept, no more are made").hasSize(2);
        assertThat(get(id).getRunsList().stream().filter(r -> r.getRunId().isEmpty()))
                .hasSize(2);
        assertThatThrownBy(() -> control(id, SweepAction.SWEEP_ACTION_RESUME))
                .hasMessageContaining("FAILED_PRECONDITION");
    }

    @Test
    void theCataloguesPaperGridsRunAsTheyAreServedOnceTrimmed() {
        var presets = stub.getCatalogue(io.eiscope.api.v1.GetCatalogueRequest.getDefaultInstance())
                .getSweepPresetsList();
        assertThat(presets)
                .extracting(io.eiscope.api.v1.SweepPreset::getName)
                .contains("li2023-size-ei-grid", "cornford2024-rofk-eg", "liu2024-rich-lazy");
        var richLazy = presets.stream()
                .filter(p -> p.getName().equals("liu2024-rich-lazy"))
                .findFirst()
                .orElseThrow();
        assertThat(richLazy.getRuns()).isEqualTo(12);
        // As a client trims it: one seed, 3 steps a run.
        SweepSpec.Builder trimmed = richLazy.getSpec().toBuilder().clearAxes();
        for (SweepAxis a : richLazy.getSpec().getAxesList())
            trimmed.addAxes(a.getField().equals("seed") ? axis("seed", integer(2)) : a);
        trimmed.addAxes(axis("step_budget", integer(3)));
        Sweep sweep = create(trimmed.build());
        await(sweep.getId(), x -> x.getState() == SweepState.SWEEP_STATE_DONE, 120_000);
        GetSweepResultsResponse results = stub.getSweepResults(GetSweepResultsRequest.newBuilder()
                .setSweepId(sweep.getId())
                .addAllMetrics(richLazy.getMetricsList())
                .build());
        assertThat(results.getRunsList()).hasSize(4);
        for (var r : results.getRunsList()) {
            Simulation sim = stub.getSimulation(GetSimulationRequest.newBuilder()
                            .setId(r.getRun().getRunId())
                            .build())
                    .getSimulation();
            assertThat(sim.getStep()).isEqualTo(3);
            assertThat(sim.getSpec().getModel().getKind()).isEqualTo("ctrnn");
            assertThat(r.getMetricsList())
                    .extracting(io.eiscope.api.v1.SweepMetric::getName)
                    .containsExactlyElementsOf(richLazy.getMetricsList());
            assertThat(r.getMetricsList()).allMatch(m -> Double.isFinite(m.getFinal()));
        }
        assertThat(results.getRunsList())
                .extracting(r -> stub.getSimulation(GetSimulationRequest.newBuilder()
                                .setId(r.getRun().getRunId())
                                .build())
                        .getSimulation()
                        .getSpec()
                        .getModel()
                        .getParamsMap()
                        .get("init_rank")
                        .getInteger())
                .containsExactly(1L, 30L, 100L, 300L);
    }

    @Test
    void aRandomSweepDrawsFromItsRangesWithItsSeed() {
        // Long runs, so that both sweeps are still running when the test cancels them.
        SweepSpec spec = SweepSpec.newBuilder()
                .setSpec(rOfK(1_000_000, 200))
                .setMode(SweepMode.SWEEP_MODE_RANDOM)
                .setSamples(5)
                .setSampleSeed(7)
                .addAxes(SweepAxis.newBuilder()
                        .setField("learning_rule.learning_rate")
                        .setRange(SweepRange.newBuilder()
                                .setMin(1e-3)
                                .setMax(1e-1)
                                .setLog(true)))
                .addAxes(SweepAxis.newBuilder()
                        .setField("batch_size")
                        .setRange(SweepRange.newBuilder().setMin(10).setMax(100).setInteger(true)))
                .build();
        Sweep a = create(spec), b = create(spec);
        assertThat(a.getRunsList().stream().map(SweepRun::getValuesMap).toList())
                .as("same sample_seed, same points")
                .isEqualTo(b.getRunsList().stream().map(SweepRun::getValuesMap).toList());
        for (SweepRun r : a.getRunsList()) {
            assertThat(r.getValuesMap().get("learning_rule.learning_rate").getNumber())
                    .isBetween(1e-3, 1e-1);
            assertThat(r.getValuesMap().get("batch_size").getInteger()).isBetween(10L, 100L);
        }
        control(a.getId(), SweepAction.SWEEP_ACTION_CANCEL);
        control(b.getId(), SweepAction.SWEEP_ACTION_CANCEL);
    }

    static void invalid(SweepSpec.Builder s, String... fragments) {
        assertThatThrownBy(() -> create(s.build())).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            for (String f : fragments)
                assertThat(e.getStatus().getDescription()).contains(f);
        });
    }

    @Test
    void badSweepsAreRefusedNamingTheField() {
        SweepSpec.Builder ok = SweepSpec.newBuilder()
                .setSpec(rOfK(10, 200))
                .setMode(SweepMode.SWEEP_MODE_GRID)
                .addAxes(axis("seed", integer(1)));
        invalid(
                ok.clone().clearAxes().addAxes(axis("learning_rule.lr", number(0.1))),
                "spec.axes[0].field",
                "'lr'",
                "learning_rate");
        invalid(ok.clone().addAxes(axis("colour", number(1))), "spec.axes[1].field", "unknown spec field 'colour'");
        invalid(ok.clone().addAxes(axis("batch_size")), "spec.axes[1].values is empty");
        invalid(ok.clone().addAxes(axis("seed", integer(2))), "spec.axes[1].field", "earlier axis");
        Value[] many = new Value[40];
        for (int i = 0; i < 40; i++) many[i] = integer(i + 1);
        invalid(
                ok.clone().clearAxes().addAxes(axis("seed", many)).addAxes(axis("batch_size", many)),
                "1600 points",
                "limit of 1000");
        invalid(
                ok.clone()
                        .setMode(SweepMode.SWEEP_MODE_RANDOM)
                        .setSamples(3)
                        .clearAxes()
                        .addAxes(SweepAxis.newBuilder()
                                .setField("learning_rule.learning_rate")
                                .setRange(SweepRange.newBuilder()
                                        .setMin(0)
                                        .setMax(1)
                                        .setLog(true))),
                "spec.axes[0].range",
                "log range needs min > 0");
        invalid(ok.clone().setMode(SweepMode.SWEEP_MODE_RANDOM).setSamples(0), "spec.samples");
        invalid(ok.clone().setMode(SweepMode.SWEEP_MODE_UNSPECIFIED), "spec.mode");
        invalid(ok.clone().clearSpec(), "spec.spec or spec.preset is required");
        invalid(ok.clone().setPreset("no-such-preset"), "spec.preset", "unknown preset 'no-such-preset'");
        invalid(ok.clone().setSpec(rOfK(0, 200)), "run 0 (seed=1)", "step_budget must be > 0");
        invalid(
                ok.clone()
                        .addAxes(axis(
                                "learning_rule.learning_rate",
                                Value.newBuilder().setText("fast").build())),
                "run 0",
                "learning_rule.learning_rate");
        invalid(ok.clone().setConcurrency(-1), "spec.concurrency");
        invalid(ok.clone().setPreset("rofk-gd"), "spec.spec: with a preset", "step_budget");
        assertThatThrownBy(() -> get("sweep-00000000")).hasMessageContaining("NOT_FOUND");
        assertThatThrownBy(() -> control(create(ok.build()).getId(), SweepAction.SWEEP_ACTION_UNSPECIFIED))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("action");
    }
}

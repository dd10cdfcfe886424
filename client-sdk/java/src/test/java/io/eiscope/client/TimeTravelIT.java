package io.eiscope.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.api.v1.CheckpointInfo;
import io.eiscope.api.v1.CheckpointPolicy;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.Intervention;
import io.eiscope.api.v1.ReconstructProgress;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.app.EiscopeServer;
import io.eiscope.app.ServerOptions;
import io.eiscope.client.EiscopeClient.FloatTensor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Time travel through the SDK against a live server (127.0.0.1, port 0, a fresh data directory):
 * parameters, measurements and forks at past steps of a steered run equal those of a twin (same
 * spec and seed, same commands) stepped to that step, bit for bit; reconstruct reports its
 * progress from the nearest checkpoint and is then served from the cache; a checkpoint saved at a
 * past step; the error paths. The runs are small MLPs checkpointed every {@link #EVERY} steps, so
 * a past step is rebuilt by replaying at most that many; their log holds one learning-rate change
 * at {@link #STEER_AT}.
 */
class TimeTravelIT {
    static final long EVERY = 50, STEER_AT = 60, END = 160;
    static final SimulationSpec SPEC = EiscopeClientIT.mlp(5, 0.05, 16).toBuilder()
            .setName("time travel")
            .setCheckpoints(CheckpointPolicy.newBuilder().setEverySteps(EVERY))
            .build();
    static EiscopeServer server;
    static EiscopeClient client;
    /** The steered run, paused at END; the tests only read its past (and fork it). */
    static String run;

    @BeforeAll
    static void startAndDrive() throws Exception {
        Path data = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(data)
                .withDataDir(Files.createTempDirectory("eiscope-record")));
        int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        client = EiscopeClient.connect("127.0.0.1", port);
        Simulation created = client.create(SPEC);
        assertThat(created.getSpec().getCheckpoints().getEverySteps()).isEqualTo(EVERY);
        run = created.getId();
        drive(run, END);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    /** Steps the run to {@code target} and waits until it is paused there. */
    static void go(String id, long target) throws Exception {
        long n = target - client.get(id).getStep();
        if (n <= 0) return;
        client.step(id, n);
        Simulation s = client.waitForStep(id, target, Duration.ofSeconds(60));
        assertThat(s.getStep()).isEqualTo(target);
        assertThat(s.getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
    }

    /** Steps the run to {@code target}, lowering the learning rate at STEER_AT on the way. */
    static void drive(String id, long target) throws Exception {
        if (client.get(id).getStep() < STEER_AT && STEER_AT <= target) {
            go(id, STEER_AT);
            assertThat(client.apply(id, Commands.setRuleParams(Map.of("learning_rate", 0.02))))
                    .isEqualTo(STEER_AT);
        }
        go(id, target);
    }

    /** Same names in the same order, same shapes, same float32 bits. */
    static void assertSameBits(Map<String, FloatTensor> actual, Map<String, FloatTensor> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, t) -> {
            assertThat(actual.get(name).shape()).as(name).isEqualTo(t.shape());
            float[] a = actual.get(name).data(), e = t.data();
            assertThat(a).as(name).hasSameSizeAs(e);
            for (int i = 0; i < e.length; i++) {
                if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(e[i]))
                    throw new AssertionError(name + "[" + i + "]: " + a[i] + " != " + e[i]);
            }
        });
    }

    /** Frames without the simulation id and wall time (the twin is another run, measured at another time). */
    static List<Frame> strip(List<Frame> frames) {
        return frames.stream()
                .map(f -> f.toBuilder()
                        .clearSimulationId()
                        .clearWallTimeUnixNanos()
                        .build())
                .toList();
    }

    static Status.Code code(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void parametersAtPastStepsEqualATwinSteppedThereBitForBit() throws Exception {
        String twin = client.create(SPEC).getId();
        for (long k : new long[] {0, 37, EVERY, STEER_AT, 99, 137}) {
            drive(twin, k);
            assertSameBits(client.parametersAt(run, k), client.parameters(twin));
            assertThat(client.parametersAt(run, k, "layer0.W")).containsOnlyKeys("layer0.W");
        }
        assertThat(client.parametersAt(run, 0, "layer0.W").get("layer0.W").data())
                .as("the run learned meanwhile")
                .isNotEqualTo(client.parametersAt(run, 137, "layer0.W")
                        .get("layer0.W")
                        .data());
        assertThat(client.get(run).getStep())
                .as("reading the past does not move the run")
                .isEqualTo(END);
        client.delete(twin);
    }

    @Test
    void aHeatmapReadsTheChangeSinceStepZeroPooledOnTheServer() {
        Map<String, FloatTensor> start = client.parametersAt(run, 0), now = client.parameters(run);
        Map<String, FloatTensor> pooled = client.parameters(io.eiscope.api.v1.GetParametersRequest.newBuilder()
                .setId(run)
                .setMaxRows(10)
                .setMaxCols(12)
                .setChangeSinceStart(true)
                .build());
        assertThat(pooled.keySet()).containsExactlyElementsOf(now.keySet());
        for (var e : now.entrySet()) {
            int[] shape = e.getValue().shape();
            int rows = shape.length == 2 ? shape[0] : 1, cols = shape.length == 2 ? shape[1] : shape[0];
            float[] change = new float[e.getValue().data().length];
            for (int i = 0; i < change.length; i++)
                change[i] = e.getValue().data()[i] - start.get(e.getKey()).data()[i];
            int r = Math.min(rows, 10), c = Math.min(cols, 12);
            float[] expected = new float[r * c];
            for (int bi = 0; bi < r; bi++) {
                for (int bj = 0; bj < c; bj++) {
                    float best = 0, bestAbs = -1;
                    for (int i = bi * rows / r; i < (bi + 1) * rows / r; i++) {
                        for (int j = bj * cols / c; j < (bj + 1) * cols / c; j++) {
                            if (Math.abs(change[i * cols + j]) > bestAbs) {
                                best = change[i * cols + j];
                                bestAbs = Math.abs(best);
                            }
                        }
                    }
                    expected[bi * c + bj] = best;
                }
            }
            assertThat(pooled.get(e.getKey()).data()).as(e.getKey()).containsExactly(expected);
        }
        assertThat(pooled.get("layer0.W").shape()).containsExactly(10, 12);
    }

    @Test
    void aForkFromAPastStepStartsThereWithTheLogUpToItAndEqualsTheTwin() throws Exception {
        long k = 117;
        Simulation fork = client.fork(run, k);
        assertThat(fork.getParentId()).isEqualTo(run);
        assertThat(fork.getForkStep()).isEqualTo(k);
        assertThat(fork.getStep()).isEqualTo(k);
        assertThat(fork.getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
        assertThat(client.interventionLog(fork.getId()))
                .extracting(Intervention::getStep)
                .containsExactly(STEER_AT);
        String twin = client.create(SPEC).getId();
        drive(twin, k);
        assertSameBits(client.parameters(fork.getId()), client.parameters(twin));
        go(fork.getId(), k + 30);
        go(twin, k + 30);
        assertSameBits(client.parameters(fork.getId()), client.parameters(twin));
        assertThat(client.get(run).getStep()).isEqualTo(END);
        client.delete(fork.getId());
        client.delete(twin);
    }

    @Test
    void measureAtAPastStepEqualsTheTwinsMeasureAtThatStep() throws Exception {
        long k = 133;
        List<String> wanted = List.of("singular_values", "weight_histogram", "activation_mean", "weights");
        List<Frame> past = client.measureAt(run, k, wanted, List.of("layer0"));
        String twin = client.create(SPEC).getId();
        drive(twin, k);
        List<Frame> now = client.measure(twin, wanted, List.of("layer0"));
        assertThat(strip(past)).isEqualTo(strip(now));
        assertThat(past).allSatisfy(f -> {
            assertThat(f.getStep()).isEqualTo(k);
            assertThat(f.getSimulationId()).isEqualTo(run);
        });
        assertThat(past)
                .extracting(f -> f.getObservable() + "@" + f.getLayer())
                .contains(
                        "singular_values@layer0.W",
                        "weight_histogram@layer0.W",
                        "activation_mean@layer0",
                        "weights@layer0.W");
        Frame spectrum = past.stream()
                .filter(f -> f.getObservable().equals("singular_values"))
                .findFirst()
                .orElseThrow();
        float[] sv = FloatTensor.of(spectrum.getTensor()).data();
        assertThat(sv).hasSize(16);
        for (int i = 1; i < sv.length; i++) assertThat(sv[i]).as("descending").isLessThanOrEqualTo(sv[i - 1]);
        Frame histogram = past.stream()
                .filter(f -> f.getObservable().equals("weight_histogram")
                        && f.getLayer().equals("layer0.W"))
                .findFirst()
                .orElseThrow();
        assertThat(histogram.getHistogram().getEdgesCount())
                .isEqualTo(histogram.getHistogram().getCountsCount() + 1);
        assertThat(histogram.getHistogram().getCountsList().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .isEqualTo(16 * 784);
        Frame weights = past.stream()
                .filter(f -> f.getObservable().equals("weights") && f.getLayer().equals("layer0.W"))
                .findFirst()
                .orElseThrow();
        assertSameBits(
                Map.of("layer0.W", FloatTensor.of(weights.getTensor())), client.parametersAt(run, k, "layer0.W"));
        client.delete(twin);
    }

    @Test
    void reconstructReportsProgressFromTheNearestCheckpointThenServesFromTheCache() throws Exception {
        String sim = client.create(SPEC).getId();
        go(sim, END);
        // the checkpoint taken as the run stopped at END is written after every earlier one: once it is listed, the
        // list is complete (a lagging interval checkpoint, e.g. at 135, may still be in the writer's queue before)
        Awaitility.await("the checkpoint at the stop step " + END + " is listed")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> client.checkpoints(sim).stream().anyMatch(c -> c.getStep() == END));
        long k = 137;
        long nearest = client.checkpoints(sim).stream()
                .mapToLong(CheckpointInfo::getStep)
                .filter(s -> s <= k)
                .max()
                .orElseThrow();
        assertThat(nearest)
                .as("checkpoints every %d steps (later if a write lagged)", EVERY)
                .isBetween(k - 2 * EVERY, k);
        List<ReconstructProgress> seen = new ArrayList<>();
        ReconstructProgress last = client.reconstruct(sim, k, seen::add);
        assertThat(last)
                .isEqualTo(ReconstructProgress.newBuilder()
                        .setStep(k)
                        .setFromStep(nearest)
                        .setSource("checkpoint")
                        .setReplayedSteps(k - nearest)
                        .setTotalSteps(k - nearest)
                        .setDone(true)
                        .build());
        assertThat(seen.get(seen.size() - 1)).isEqualTo(last);
        assertThat(seen.get(0).getReplayedSteps()).isZero();
        assertThat(seen.subList(0, seen.size() - 1)).noneMatch(ReconstructProgress::getDone);
        assertThat(seen).extracting(ReconstructProgress::getReplayedSteps).isSorted();

        ReconstructProgress again = client.reconstruct(sim, k);
        assertThat(again.getSource()).isEqualTo("cache");
        assertThat(again.getFromStep()).isEqualTo(k);
        assertThat(again.getTotalSteps()).isZero();
        assertThat(again.getDone()).isTrue();
        List<ReconstructProgress> live = new ArrayList<>();
        assertThat(client.reconstruct(sim, END, live::add).getSource()).isEqualTo("live");
        assertThat(live).singleElement().satisfies(p -> assertThat(p.getDone()).isTrue());
        client.delete(sim);
    }

    @Test
    void aProgressConsumerThatThrowsCancelsTheReconstruction() throws Exception {
        String sim = client.create(SPEC).getId();
        go(sim, 90);
        IllegalStateException giveUp = new IllegalStateException("give up");
        assertThatThrownBy(() -> client.reconstruct(sim, 80, p -> {
                    throw giveUp;
                }))
                .isSameAs(giveUp);
        assertThat(client.reconstruct(sim, 80).getDone())
                .as("the client and the server carry on")
                .isTrue();
        client.delete(sim);
    }

    @Test
    void aCheckpointSavedAtAPastStepIsPinnedAndHoldsThatStepsParameters() {
        CheckpointInfo saved = client.saveCheckpointAt(run, 123);
        assertThat(saved.getStep()).isEqualTo(123);
        assertThat(saved.getPinned()).isTrue();
        assertThat(saved.getReason()).isEqualTo("time travel");
        assertSameBits(client.checkpoint(run, 123), client.parametersAt(run, 123));
        CheckpointInfo existing = client.checkpoints(run).stream()
                .filter(c -> !c.getPinned() && c.getStep() < END)
                .findFirst()
                .orElseThrow();
        CheckpointInfo pinned = client.saveCheckpointAt(run, existing.getStep());
        assertThat(pinned.getPinned()).isTrue();
        assertThat(pinned.getReason()).isEqualTo(existing.getReason());
        assertThat(pinned.getSha256()).isEqualTo(existing.getSha256());
    }

    @Test
    void stepsAheadOfTheRunFailWithOutOfRangeAndBadRequestsWithInvalidArgument() throws Exception {
        String sim = client.create(SPEC).getId();
        go(sim, 20);
        assertThatThrownBy(() -> client.parametersAt(sim, 21))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
                    assertThat(e.getStatus().getDescription()).contains("ahead").contains("step 20");
                });
        assertThat(code(() -> client.fork(sim, 99))).isEqualTo(Status.Code.OUT_OF_RANGE);
        assertThat(code(() -> client.saveCheckpointAt(sim, 99))).isEqualTo(Status.Code.OUT_OF_RANGE);
        assertThat(code(() -> client.measureAt(sim, 99, List.of("weights"), List.of())))
                .isEqualTo(Status.Code.OUT_OF_RANGE);
        assertThat(code(() -> client.reconstruct(sim, 50))).isEqualTo(Status.Code.OUT_OF_RANGE);
        assertThat(code(() -> client.parametersAt(sim, -1))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThatThrownBy(() -> client.measureAt(sim, 3, List.of("loss"), List.of()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("GetHistory");
                });
        assertThat(code(() -> client.measure(sim, List.of("weights"), List.of("layer9"))))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> client.reconstruct("no-such-run", 1))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(client.get(sim).getStep()).isEqualTo(20);
        client.delete(sim);
    }
}

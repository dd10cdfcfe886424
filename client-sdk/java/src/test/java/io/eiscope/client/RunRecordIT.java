package io.eiscope.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.api.v1.CheckpointInfo;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.RecordedEvent;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.app.EiscopeServer;
import io.eiscope.app.ServerOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The run record through the SDK against a live server (127.0.0.1, port 0, a fresh data
 * directory): history checked against the frames a live watch saw while the run trained, watch
 * from step 0, downsampling, latest values, events, tags, checkpoints bit for bit, the waiting
 * calls, and each call's error path.
 */
class RunRecordIT {
    static final int STEPS = 200;
    static EiscopeServer server;
    static EiscopeClient client;
    static String id;
    /** Loss by step, as a live watch saw it while the run trained. */
    static final Map<Long, Double> live = new TreeMap<>();

    @BeforeAll
    static void startAndTrain() throws Exception {
        Path data = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(data)
                .withDataDir(Files.createTempDirectory("eiscope-record")));
        int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        client = EiscopeClient.connect("127.0.0.1", port);
        id = client.create(EiscopeClientIT.mlp(3, 0.05, 32)).getId();
        CountDownLatch standing = new CountDownLatch(1);
        EiscopeClient.Watch watch = client.watch(WatchRequest.newBuilder()
                .setId(id)
                .addObservables("loss")
                .addObservables("state")
                .build());
        Thread watcher = new Thread(() -> watch.forEach(f -> {
            standing.countDown(); // the current state arrives first
            if (f.getObservable().equals("loss")) {
                assertThat(f.getScalar().getMergedCount()).isEqualTo(1);
                live.put(f.getStep(), f.getScalar().getValue());
            }
            if (f.hasEvent()
                    && f.getStep() == STEPS
                    && f.getEvent().getState() == SimulationState.SIMULATION_STATE_PAUSED) watch.cancel();
        }));
        watcher.start();
        assertThat(standing.await(10, TimeUnit.SECONDS)).isTrue();
        client.step(id, STEPS);
        watcher.join(60_000);
        assertThat(watcher.isAlive())
                .as("the watch saw the run pause at step " + STEPS)
                .isFalse();
        // Pausing takes a checkpoint in the background; the tests that list checkpoints need it stored.
        Awaitility.await("the pause checkpoint at step " + STEPS + " is listed")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> client.checkpoints(id).stream().anyMatch(c -> c.getStep() == STEPS));
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void historyHoldsEachLossTheLiveWatchSaw() {
        History h = client.history(id, "loss"); // reads what the run published before the call
        assertThat(h.lastStep()).isEqualTo(STEPS);
        assertThat(client.get(id).getRecordedStep()).isEqualTo(STEPS);
        assertThat(h.series()).hasSize(1);
        History.Series loss = h.get("loss");
        assertThat(loss.layer()).isEmpty();
        assertThat(loss.steps())
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, STEPS).toArray());
        assertThat(loss.values())
                .isEqualTo(
                        live.values().stream().mapToDouble(Double::doubleValue).toArray());
        assertThat(loss.wallTimeNanos()).isSorted();
        assertThat(loss.wallTimeNanos()[0]).as("Unix nanoseconds").isGreaterThan(1_600_000_000_000_000_000L);
        assertThat(loss.recordedPoints()).isEqualTo(STEPS);
        assertThat(loss.downsampled()).isFalse();
        assertThat(loss.mergedSamples()).isZero();
    }

    @Test
    void aWatchFromStep0DeliversTheHistoryAndEndsOnceThePausedRunIsCaughtUp() {
        List<Frame> frames = new ArrayList<>();
        client.watchUntilPaused(WatchRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .setFromStep(0)
                        .build())
                .forEach(frames::add);
        History.Series loss = client.history(id, "loss").get("loss");
        assertThat(frames)
                .extracting(Frame::getObservable)
                .containsOnly("loss"); // the state events it ended on are not delivered
        assertThat(frames.stream().mapToLong(Frame::getStep).toArray()).isEqualTo(loss.steps());
        assertThat(frames.stream().mapToDouble(f -> f.getScalar().getValue()).toArray())
                .isEqualTo(loss.values());
        assertThat(frames.stream().mapToLong(Frame::getWallTimeUnixNanos).toArray())
                .isEqualTo(loss.wallTimeNanos());
    }

    @Test
    void downsampledHistoryKeepsTheExtremesOfTheFullSeries() {
        History.Series full = client.history(id, "loss").get("loss");
        History.Series small = client.history(GetHistoryRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .setMaxPoints(40)
                        .build())
                .get("loss");
        assertThat(small.downsampled()).isTrue();
        assertThat(small.recordedPoints()).isEqualTo(STEPS);
        assertThat(small.size()).isBetween(4, 40);
        assertThat(small.steps()).isSorted();
        assertThat(Arrays.stream(small.values()).min())
                .isEqualTo(Arrays.stream(full.values()).min());
        assertThat(Arrays.stream(small.values()).max())
                .isEqualTo(Arrays.stream(full.values()).max());
        for (int i = 0; i < small.size(); i++) {
            assertThat(small.values()[i])
                    .as("value at step %d", small.steps()[i])
                    .isEqualTo(full.values()[(int) small.steps()[i] - 1]);
        }
        History.Series range = client.history(GetHistoryRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .setFromStep(2)
                        .setToStep(150)
                        .build())
                .get("loss");
        assertThat(range.steps()).startsWith(2).endsWith(150).hasSize(149);
    }

    @Test
    void latestValuesAndEventsOfTheRecord() {
        var latest = client.latest(id, "loss");
        assertThat(latest.getValuesMap()).containsExactly(Map.entry("loss", live.get((long) STEPS)));
        assertThat(latest.getStep()).isEqualTo(STEPS);
        assertThat(latest.getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
        assertThat(client.latest(id).getValuesMap()).containsKey("loss");
        List<RecordedEvent> states = client.events(id).stream()
                .filter(e -> e.getKind().equals("state"))
                .toList();
        assertThat(states.get(0).getStep()).isZero();
        assertThat(states.get(0).getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
        assertThat(states.get(states.size() - 1).getStep()).isEqualTo(STEPS);
        assertThat(states.get(states.size() - 1).getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
        assertThat(states).extracting(RecordedEvent::getState).contains(SimulationState.SIMULATION_STATE_RUNNING);
        assertThat(client.events(id, 1, STEPS - 1)).isEmpty();
    }

    @Test
    void updateRunTagsShowInGetSimulation() {
        Simulation updated = client.updateRun(id, "baseline 32", List.of("baseline", "mlp"), "seed 3");
        assertThat(updated.getSpec().getName()).isEqualTo("baseline 32");
        Simulation seen = client.get(id);
        assertThat(seen.getSpec().getName()).isEqualTo("baseline 32");
        assertThat(seen.getTagsList()).containsExactly("baseline", "mlp");
        assertThat(seen.getNotes()).isEqualTo("seed 3");
        assertThat(client.list())
                .filteredOn(s -> s.getId().equals(id))
                .singleElement()
                .satisfies(s -> assertThat(s.getTagsList()).containsExactly("baseline", "mlp"));
        assertThat(client.updateRun(id, null, List.of(), null).getTagsList()).isEmpty();
        assertThat(client.get(id).getSpec().getName())
                .as("untouched by a tags-only update")
                .isEqualTo("baseline 32");
        assertThat(client.get(id).getNotes()).isEqualTo("seed 3");
    }

    @Test
    void aCheckpointEqualsTheParametersBitForBit() throws IOException {
        CheckpointInfo saved = client.saveCheckpoint(id, false); // pausing took one at this step already: that one
        assertThat(saved.getStep()).isEqualTo(STEPS);
        assertThat(saved.getReason()).isEqualTo("pause");
        assertThat(saved.getSha256()).hasSize(64);
        var parameters = client.parameters(id);
        for (var stored : List.of(client.checkpoint(id, STEPS), client.latestCheckpoint(id))) {
            assertThat(stored.keySet()).containsExactlyElementsOf(parameters.keySet());
            parameters.forEach((name, t) -> {
                assertThat(stored.get(name).shape()).as(name).isEqualTo(t.shape());
                assertThat(bits(stored.get(name).data())).as(name).isEqualTo(bits(t.data()));
            });
        }
        assertThat(client.checkpoint(id, STEPS, "layer0.W")).containsOnlyKeys("layer0.W");

        Map<String, float[]> npz = npzFloats(client.checkpointNpz(id, STEPS));
        parameters.forEach(
                (name, t) -> assertThat(bits(npz.get("param/" + name))).as(name).isEqualTo(bits(t.data())));
        assertThat(client.latestCheckpointNpz(id)).isEqualTo(client.checkpointNpz(id, STEPS));

        assertThat(client.pinCheckpoint(id, STEPS, true).getPinned()).isTrue();
        assertThat(client.checkpoints(id))
                .filteredOn(c -> c.getStep() == STEPS)
                .singleElement()
                .satisfies(c -> assertThat(c.getPinned()).isTrue());
        assertThat(client.pinCheckpoint(id, STEPS, false).getPinned()).isFalse();
    }

    @Test
    void waitForStepReturnsTheRunPausedWhereRunUntilStopsItWithItsRecordAndTimesOutNamingTheStep() throws Exception {
        String other = client.create(EiscopeClientIT.mlp(4, 0.05, 8)).getId();
        try {
            client.apply(other, Commands.runUntil(30));
            Simulation s = client.waitForStep(other, 30, Duration.ofSeconds(30));
            assertThat(s.getStep()).isEqualTo(30);
            assertThat(s.getState())
                    .as("told to stop there: paused there")
                    .isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
            assertThat(client.history(GetHistoryRequest.newBuilder()
                                    .setId(other)
                                    .addObservables("loss")
                                    .setToStep(30)
                                    .build())
                            .get("loss")
                            .steps())
                    .as("the record holds every step it waited for")
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, 30).toArray());
            assertThat(client.waitForStep(other, 1000, Duration.ofSeconds(30)).getState())
                    .as("a paused run stops short of the step: returned at once")
                    .isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
            client.play(other);
            assertThatThrownBy(() -> client.waitForStep(other, 1_000_000_000L, Duration.ofMillis(300)))
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageStartingWith("simulation " + other
                            + ": step 1000000000 not reached within PT0.3S; last seen SIMULATION_STATE_RUNNING");
        } finally {
            client.delete(other);
        }
        assertThat(code(() -> client.waitForStep(other, 5, Duration.ofSeconds(5))))
                .isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void recordCallsOnAnUnknownRunAreNotFound() {
        String nope = "sim-nope";
        List<ThrowingCall> calls = List.of(
                () -> client.history(nope),
                () -> client.latest(nope),
                () -> client.events(nope),
                () -> client.updateRun(nope, "x", null, null),
                () -> client.checkpoints(nope),
                () -> client.saveCheckpoint(nope, false),
                () -> client.pinCheckpoint(nope, 1, true),
                () -> client.checkpoint(nope, 1),
                () -> client.latestCheckpointNpz(nope),
                () -> client.watchUntilPaused(
                                WatchRequest.newBuilder().setId(nope).build())
                        .forEach(f -> {}));
        for (ThrowingCall call : calls) assertThat(code(call)).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void invalidRecordRequestsAreInvalidArgumentWithTheServersMessage() {
        assertThat(error(() -> client.history(
                        GetHistoryRequest.newBuilder().setId(id).setMaxPoints(2).build())))
                .isEqualTo(
                        "INVALID_ARGUMENT: max_points must be 0 (every point) or at least 4 (a bucket keeps up to 4), got 2");
        assertThat(error(() -> client.history(GetHistoryRequest.newBuilder()
                        .setId(id)
                        .setFromStep(10)
                        .setToStep(5)
                        .build())))
                .isEqualTo("INVALID_ARGUMENT: to_step 5 is before from_step 10");
        assertThat(error(() -> client.updateRun(id, null, List.of("a,b"), null)))
                .isEqualTo("INVALID_ARGUMENT: each tag must be 1..64 characters without commas, got 'a,b'");
        assertThat(error(() -> client.checkpoint(id, 7)))
                .isEqualTo("NOT_FOUND: run " + id + " has no checkpoint at step 7; it has "
                        + client.checkpoints(id).stream()
                                .map(CheckpointInfo::getStep)
                                .toList());
        assertThat(error(() -> client.checkpoint(id, STEPS, "layer9.W")))
                .isEqualTo("INVALID_ARGUMENT: unknown parameter 'layer9.W' in the checkpoint at step " + STEPS);
        assertThat(error(() -> client.watch(WatchRequest.newBuilder()
                                .setId(id)
                                .setFromStep(-1)
                                .build())
                        .forEach(f -> {})))
                .isEqualTo("INVALID_ARGUMENT: from_step must be >= 0, got -1");
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    static Status.Code code(ThrowingCall call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the call succeeded");
    }

    static String error(ThrowingCall call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the call succeeded");
    }

    static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) out[i] = Float.floatToRawIntBits(values[i]);
        return out;
    }

    /** The little-endian float32 arrays of an .npz (a zip of .npy files), by name without ".npy"; other dtypes skipped. */
    static Map<String, float[]> npzFloats(byte[] npz) throws IOException {
        Map<String, float[]> out = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(npz))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                ByteBuffer npy = ByteBuffer.wrap(zip.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
                assertThat(npy.get(0)).as("npy magic").isEqualTo((byte) 0x93);
                int major = npy.get(6),
                        headerLength = major == 1 ? Short.toUnsignedInt(npy.getShort(8)) : npy.getInt(8);
                int dataStart = (major == 1 ? 10 : 12) + headerLength;
                String header =
                        new String(npy.array(), dataStart - headerLength, headerLength, StandardCharsets.ISO_8859_1);
                if (!header.contains("'descr': '<f4'")) continue;
                float[] values = new float[(npy.capacity() - dataStart) / 4];
                npy.position(dataStart);
                npy.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                out.put(e.getName().replaceFirst("\\.npy$", ""), values);
            }
        }
        return out;
    }
}

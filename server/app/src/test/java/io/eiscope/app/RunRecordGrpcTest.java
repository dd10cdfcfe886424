package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.DeleteSimulationRequest;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetCheckpointRequest;
import io.eiscope.api.v1.GetCheckpointResponse;
import io.eiscope.api.v1.GetEventsRequest;
import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.GetLatestRequest;
import io.eiscope.api.v1.GetLatestResponse;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetParametersResponse;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.ListCheckpointsRequest;
import io.eiscope.api.v1.PinCheckpointRequest;
import io.eiscope.api.v1.SaveCheckpointRequest;
import io.eiscope.api.v1.Series;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.UpdateRunRequest;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import io.eiscope.store.Npz;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The run-record RPCs over real gRPC on 127.0.0.1: history, latest, events, update, checkpoints, Watch from a step; happy and error paths. */
class RunRecordGrpcTest {
    static LiveServer live;
    static int port;
    static ManagedChannel channel;
    static SimulationServiceGrpc.SimulationServiceBlockingStub stub;

    @BeforeAll
    static void start() throws Exception {
        live = LiveServer.start();
        port = live.port;
        channel = live.channel;
        stub = live.stub();
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    static String create(long seed) {
        return stub.createSimulation(CreateSimulationRequest.newBuilder()
                        .setSpec(SteeringGrpcTest.dann(seed))
                        .build())
                .getSimulation()
                .getId();
    }

    /**
     * Steps {@code n} and waits, on a watch of the state events, until the run paused there (the STEP
     * answer comes when the command took effect, not when the steps are done).
     */
    static void step(String id, long n) {
        live.stepTo(
                id,
                stub.getSimulation(GetSimulationRequest.newBuilder().setId(id).build())
                                .getSimulation()
                                .getStep()
                        + n);
    }

    static long[] longs(com.google.protobuf.ByteString b) {
        long[] out = new long[b.size() / 8];
        b.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    static double[] doubles(com.google.protobuf.ByteString b) {
        double[] out = new double[b.size() / 8];
        b.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }

    @Test
    void watchFromAStepSendsTheRecordedHistoryThenLiveFramesWithNoGapOrDuplicate() throws Exception {
        String id = create(3);
        step(id, 120);
        Iterator<WatchResponse> it = stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                .watch(WatchRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .setFromStep(0)
                        .build());
        List<Frame> frames = new ArrayList<>();
        CompletableFuture<Void> more = CompletableFuture.runAsync(() -> {
            step(id, 80);
        });
        while (frames.isEmpty() || frames.get(frames.size() - 1).getStep() < 200)
            frames.addAll(it.next().getFramesList());
        more.get(60, TimeUnit.SECONDS);
        assertThat(frames)
                .extracting(Frame::getStep)
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(1, 200).boxed().toList());
        Series h = stub.getHistory(GetHistoryRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .build())
                .getSeries(0);
        double[] values = doubles(h.getValues());
        for (int i = 0; i < 200; i++)
            assertThat(frames.get(i).getScalar().getValue()).isEqualTo(values[i]);
    }

    /** Subscribing while the run plays: what the recorder commits after the subscription arrives live only, once. */
    @Test
    void watchFromAStepWhilePlayingNeverDuplicatesOrSkipsAStep() throws Exception {
        String id = create(12);
        stub.control(ControlRequest.newBuilder()
                .setId(id)
                .setAction(ControlAction.CONTROL_ACTION_PLAY)
                .build());
        try {
            for (int round = 0; round < 5; round++) {
                Iterator<WatchResponse> it = stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                        .watch(WatchRequest.newBuilder()
                                .setId(id)
                                .addObservables("loss")
                                .setFromStep(1)
                                .build());
                List<Long> steps = new ArrayList<>();
                long until = -1;
                while (until < 0 || steps.get(steps.size() - 1) < until) {
                    for (Frame f : it.next().getFramesList()) steps.add(f.getStep());
                    if (until < 0 && !steps.isEmpty()) until = steps.get(steps.size() - 1) + 300;
                }
                for (int i = 0; i < steps.size(); i++)
                    assertThat(steps.get(i))
                            .as("round " + round + ", frame " + i)
                            .isEqualTo(i + 1L);
            }
        } finally {
            stub.control(ControlRequest.newBuilder()
                    .setId(id)
                    .setAction(ControlAction.CONTROL_ACTION_PAUSE)
                    .build());
        }
    }

    @Test
    void historyIsColumnarAndDownsamplesKeepingExtremes() throws Exception {
        String id = create(4);
        step(id, 300);
        var all = stub.getHistory(GetHistoryRequest.newBuilder()
                .setId(id)
                .addObservables("loss")
                .addObservables("accuracy")
                .build());
        assertThat(all.getLastStep()).isEqualTo(300);
        assertThat(all.getSeriesList()).extracting(Series::getObservable).containsExactly("accuracy", "loss");
        Series loss = all.getSeries(1);
        assertThat(longs(loss.getSteps())).hasSize(300).startsWith(1L, 2L).endsWith(300L);
        double[] v = doubles(loss.getValues());
        double min = java.util.Arrays.stream(v).min().orElseThrow(),
                max = java.util.Arrays.stream(v).max().orElseThrow();
        Series small = stub.getHistory(GetHistoryRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .setMaxPoints(40)
                        .build())
                .getSeries(0);
        assertThat(small.getDownsampled()).isTrue();
        assertThat(small.getRecordedPoints()).isEqualTo(300);
        double[] sv = doubles(small.getValues());
        assertThat(sv.length).isLessThanOrEqualTo(40);
        assertThat(java.util.Arrays.stream(sv).min().orElseThrow()).isEqualTo(min);
        assertThat(java.util.Arrays.stream(sv).max().orElseThrow()).isEqualTo(max);
        Series window = stub.getHistory(GetHistoryRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .setFromStep(101)
                        .setToStep(110)
                        .build())
                .getSeries(0);
        assertThat(longs(window.getSteps())).containsExactly(101, 102, 103, 104, 105, 106, 107, 108, 109, 110);
    }

    @Test
    void historyRejectsBadRangesWithTheFieldToFix() {
        String id = create(5);
        assertThatThrownBy(() -> stub.getHistory(
                        GetHistoryRequest.newBuilder().setId(id).setMaxPoints(2).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("max_points");
                });
        assertThatThrownBy(() -> stub.getHistory(GetHistoryRequest.newBuilder()
                        .setId(id)
                        .setFromStep(10)
                        .setToStep(5)
                        .build()))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("before from_step");
        assertThatThrownBy(() -> stub.getHistory(
                        GetHistoryRequest.newBuilder().setId("sim-nope").build()))
                .hasMessageContaining("NOT_FOUND");
        assertThatThrownBy(() -> stub.watch(WatchRequest.newBuilder()
                                .setId(id)
                                .setFromStep(-1)
                                .build())
                        .next())
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("from_step");
    }

    @Test
    void latestValuesNeedNoStreamAndEventsAreRecorded() throws Exception {
        String id = create(6);
        step(id, 20);
        GetLatestResponse latest =
                stub.getLatest(GetLatestRequest.newBuilder().setId(id).build());
        assertThat(latest.getStep()).isEqualTo(20);
        Series loss = stub.getHistory(GetHistoryRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .build())
                .getSeries(0);
        double[] v = doubles(loss.getValues());
        assertThat(latest.getValuesMap().get("loss")).isEqualTo(v[v.length - 1]);
        var events =
                stub.getEvents(GetEventsRequest.newBuilder().setId(id).build()).getEventsList();
        assertThat(events)
                .extracting(e -> e.getMessage())
                .contains("created, paused at step 0", "stepping 20", "paused after stepping");
    }

    @Test
    void updateRunRenamesTagsAndAnnotatesAndValidates() {
        String id = create(7);
        Simulation s = stub.updateRun(UpdateRunRequest.newBuilder()
                        .setId(id)
                        .setName("baseline")
                        .addTags("dale")
                        .addTags("lr-0.01")
                        .setNotes("first try")
                        .build())
                .getSimulation();
        assertThat(s.getSpec().getName()).isEqualTo("baseline");
        assertThat(s.getTagsList()).containsExactly("dale", "lr-0.01");
        assertThat(s.getNotes()).isEqualTo("first try");
        assertThat(stub.getSimulation(
                                GetSimulationRequest.newBuilder().setId(id).build())
                        .getSimulation()
                        .getTagsList())
                .containsExactly("dale", "lr-0.01");
        assertThatThrownBy(() -> stub.updateRun(
                        UpdateRunRequest.newBuilder().setId(id).addTags("a,b").build()))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("without commas");
    }

    @Test
    void aSavedCheckpointHoldsTheParametersBitForBitAndDownloadsAsNpz() throws Exception {
        String id = create(8);
        step(id, 30);
        var saved = stub.saveCheckpoint(SaveCheckpointRequest.newBuilder()
                        .setId(id)
                        .setPin(true)
                        .build())
                .getCheckpoint();
        assertThat(saved.getStep()).isEqualTo(30);
        assertThat(saved.getPinned()).isTrue();
        GetParametersResponse live =
                stub.getParameters(GetParametersRequest.newBuilder().setId(id).build());
        GetCheckpointResponse decoded = stub.getCheckpoint(
                GetCheckpointRequest.newBuilder().setId(id).setStep(30).build());
        assertThat(decoded.getNpz().isEmpty()).isTrue();
        GetCheckpointResponse cp = stub.getCheckpoint(GetCheckpointRequest.newBuilder()
                .setId(id)
                .setStep(30)
                .setIncludeNpz(true)
                .build());
        assertThat(cp.getParametersCount())
                .as("the .npz alone unless names are asked for")
                .isZero();
        cp = decoded.toBuilder().setNpz(cp.getNpz()).build();
        assertThat(cp.getParametersCount()).isEqualTo(live.getParametersCount());
        for (int i = 0; i < live.getParametersCount(); i++) {
            assertThat(cp.getParameters(i).getName())
                    .isEqualTo(live.getParameters(i).getName());
            assertThat(cp.getParameters(i).getTensor())
                    .isEqualTo(live.getParameters(i).getTensor());
        }
        var npz = Npz.read(cp.getNpz().toByteArray());
        assertThat(npz.longValue("step")).isEqualTo(30);
        HttpResponse<byte[]> http = HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + port + "/api/runs/" + id + "/checkpoints/30.npz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(http.statusCode()).isEqualTo(200);
        assertThat(http.body()).isEqualTo(cp.getNpz().toByteArray());
        HttpResponse<String> csv = HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs/" + id
                                        + "/scalars.csv?observables=loss"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(csv.body().lines().count()).isEqualTo(31); // header + 30 steps
        HttpResponse<String> missing = HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + port + "/api/runs/" + id + "/checkpoints/7.npz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no checkpoint 7.npz");
        assertThat(stub.listCheckpoints(
                                ListCheckpointsRequest.newBuilder().setId(id).build())
                        .getCheckpointsList())
                .extracting(c -> c.getStep())
                .contains(30L);
        assertThatThrownBy(() -> stub.pinCheckpoint(
                        PinCheckpointRequest.newBuilder().setId(id).setStep(31).build()))
                .hasMessageContaining("NOT_FOUND")
                .hasMessageContaining("no checkpoint at step 31");
        String fresh = create(13);
        assertThat(stub.saveCheckpoint(
                                SaveCheckpointRequest.newBuilder().setId(fresh).build())
                        .getCheckpoint()
                        .getStep())
                .isZero();
        assertThat(stub.getCheckpoint(GetCheckpointRequest.newBuilder()
                                .setId(fresh)
                                .setStep(0)
                                .build())
                        .getCheckpoint()
                        .getStep())
                .isZero();
    }

    @Test
    void aRunsOwnCheckpointPolicyIsFollowedShownAndValidated() throws Exception {
        var spec = SteeringGrpcTest.dann(11).toBuilder()
                .setCheckpoints(io.eiscope.api.v1.CheckpointPolicy.newBuilder().setEverySteps(25))
                .build();
        Simulation s = stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(spec).build())
                .getSimulation();
        assertThat(s.getSpec().getCheckpoints().getEverySteps()).isEqualTo(25);
        step(s.getId(), 90);
        // Asking for a checkpoint where one was just taken (the pause's) answers once that one is on disk. When an
        // interval checkpoint fell due at step 90 itself (the intervals shift while a write is slow), the pause takes
        // none of its own: that one is the step's.
        String atPause = stub.saveCheckpoint(
                        SaveCheckpointRequest.newBuilder().setId(s.getId()).build())
                .getCheckpoint()
                .getReason();
        assertThat(atPause).isIn("pause", "interval");
        List<String> kept = stub
                .listCheckpoints(
                        ListCheckpointsRequest.newBuilder().setId(s.getId()).build())
                .getCheckpointsList()
                .stream()
                .map(c -> c.getStep() + " " + c.getReason())
                .toList();
        // Interval checkpoints at least 25 steps apart (one still being written when the next falls due is not queued:
        // the next
        // comes when it is done); kept: the newest 3 and those that keep every step within 25 of one (time travel's
        // bound).
        assertThat(kept).hasSizeBetween(2, 4).last().isEqualTo("90 " + atPause);
        List<Long> interval = kept.subList(0, kept.size() - 1).stream()
                .map(k -> {
                    assertThat(k).endsWith(" interval");
                    return Long.parseLong(k.substring(0, k.indexOf(' ')));
                })
                .toList();
        assertThat(interval.get(0)).isGreaterThanOrEqualTo(25);
        for (int i = 1; i < interval.size(); i++)
            assertThat(interval.get(i) - interval.get(i - 1)).isGreaterThanOrEqualTo(25);
        var bad = SteeringGrpcTest.dann(11).toBuilder()
                .setCheckpoints(io.eiscope.api.v1.CheckpointPolicy.newBuilder().setEverySteps(-1))
                .build();
        assertThatThrownBy(() -> stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(bad).build()))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("spec.checkpoints.every_steps must be >= 0");
    }

    @Test
    void theCsvExportHoldsEveryStepTakenBeforeTheRequest() throws Exception {
        String id = create(21);
        for (int round = 1; round <= 5; round++) {
            step(id, 7); // at once: within the recorder's write-behind interval
            HttpResponse<String> csv = HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs/"
                                            + id + "/scalars.csv?observables=loss"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(csv.body().lines().count())
                    .as("round %d: the header and %d steps", round, 7 * round)
                    .isEqualTo(1 + 7L * round);
        }
    }

    @Test
    void deletingARunRemovesItsRecord() throws Exception {
        String id = create(9);
        step(id, 10);
        stub.deleteSimulation(DeleteSimulationRequest.newBuilder().setId(id).build());
        assertThat(live.server.registry().archive().store().run(id)).isEmpty();
        assertThatThrownBy(() ->
                        stub.getHistory(GetHistoryRequest.newBuilder().setId(id).build()))
                .hasMessageContaining("NOT_FOUND");
    }

    /** A notebook that opens and cancels a watch per cell, a thousand times on one connection, is never cut off. */
    @Test
    void aThousandWatchOpenCancelCyclesOnOneConnectionAllSucceed() throws Exception {
        String id = create(10);
        for (int i = 0; i < 1000; i++) {
            ClientCall<WatchRequest, WatchResponse> call =
                    channel.newCall(SimulationServiceGrpc.getWatchMethod(), io.grpc.CallOptions.DEFAULT);
            CompletableFuture<WatchResponse> first = new CompletableFuture<>();
            call.start(
                    new ClientCall.Listener<>() {
                        @Override
                        public void onMessage(WatchResponse message) {
                            first.complete(message);
                        }

                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            first.completeExceptionally(status.asRuntimeException());
                        }
                    },
                    new Metadata());
            call.sendMessage(WatchRequest.newBuilder().setId(id).build());
            call.halfClose();
            call.request(1);
            assertThat(first.get(10, TimeUnit.SECONDS).getFramesCount())
                    .as("cycle " + i)
                    .isPositive();
            call.cancel("done with this cell", null);
        }
        assertThat(stub.getSimulation(
                                GetSimulationRequest.newBuilder().setId(id).build())
                        .getSimulation()
                        .getId())
                .isEqualTo(id);
    }
}

package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.IntList;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.Value;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading (real gRPC over a socket, manual flow control, no messages
 * requested) costs bounded memory and does not stop the simulation; when it reads again,
 * it gets merged scalar samples that say how many samples they stand for.
 */
class WatchBackPressureTest {
    static final int QUEUE = 300;
    EiscopeServer server;
    ManagedChannel channel;
    ManagedChannel stalled;

    @BeforeEach
    void start() throws Exception {
        Path data = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(data)
                .withDataDir(java.nio.file.Files.createTempDirectory("eiscope-record"))
                .withWatchQueueFrames(QUEUE));
        int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
        // The stalled client has its own connection with a small window, as a separate program would.
        stalled = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .flowControlWindow(65_536)
                .maxInboundMessageSize(64 << 20)
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        stalled.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void aStalledClientCostsBoundedMemoryAndGetsMergedSamplesLater() throws Exception {
        var stub = SimulationServiceGrpc.newBlockingStub(channel);
        SimulationSpec spec = SimulationSpec.newBuilder()
                .setSeed(1)
                .setBatchSize(4)
                .setModel(ComponentSpec.newBuilder()
                        .setKind("mlp")
                        .putParams(
                                "hidden",
                                Value.newBuilder()
                                        .setInts(IntList.newBuilder().addValues(64))
                                        .build()))
                .setLearningRule(ComponentSpec.newBuilder().setKind("sgd"))
                .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist"))
                .build();
        String id = stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(spec).build())
                .getSimulation()
                .getId();

        List<Frame> frames = new CopyOnWriteArrayList<>();
        CountDownLatch merged = new CountDownLatch(1);
        ClientCall<WatchRequest, WatchResponse> call =
                stalled.newCall(SimulationServiceGrpc.getWatchMethod(), CallOptions.DEFAULT);
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onMessage(WatchResponse message) {
                        frames.addAll(message.getFramesList());
                        if (message.getFramesList().stream()
                                .anyMatch(f -> f.hasScalar() && f.getScalar().getMergedCount() > 1)) merged.countDown();
                        call.request(1);
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {}
                },
                new Metadata());
        call.sendMessage(WatchRequest.newBuilder()
                .setId(id)
                .addObservables("loss")
                .addObservables("accuracy")
                .addObservables("weights")
                .addLayers("layer0.W")
                .build());
        call.halfClose();
        // No call.request(n): the client reads nothing, so the transport's window fills up.

        stub.control(ControlRequest.newBuilder()
                .setId(id)
                .setAction(ControlAction.CONTROL_ACTION_PLAY)
                .build());
        SimulationRegistry.Entry entry = server.registry().get(id);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (entry.runner().step() < 8 * QUEUE && System.nanoTime() < deadline) {
            assertThat(entry.streams().maxBacklog()).isLessThanOrEqualTo(QUEUE + 2);
            TimeUnit.MILLISECONDS.sleep(5);
        }
        long stalledAt = entry.runner().step();
        assertThat(stalledAt)
                .as("training went on while the client read nothing")
                .isGreaterThanOrEqualTo(8 * QUEUE);
        assertThat(entry.streams().maxBacklog()).isLessThanOrEqualTo(QUEUE + 2);
        assertThat(frames)
                .as("nothing was delivered to a client that requested nothing")
                .isEmpty();

        call.request(1);
        assertThat(merged.await(30, TimeUnit.SECONDS))
                .as("merged scalar samples arrive once the client reads")
                .isTrue();
        // Training goes on after the client reads again. The training thread runs at a lower
        // priority than the threads that deliver, so on a busy machine the merged samples can
        // arrive before its next step: wait for that step rather than expect it at once.
        long after = stalledAt;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (after <= stalledAt && System.nanoTime() < until) {
            after = stub.getSimulation(
                            GetSimulationRequest.newBuilder().setId(id).build())
                    .getSimulation()
                    .getStep();
            TimeUnit.MILLISECONDS.sleep(5);
        }
        stub.control(ControlRequest.newBuilder()
                .setId(id)
                .setAction(ControlAction.CONTROL_ACTION_PAUSE)
                .build());
        assertThat(after).as("training went on after the client read again").isGreaterThan(stalledAt);
        call.cancel("done", null);
    }

    /**
     * A live view wants the present. With a queue that never fills (a million frames), a client that reads nothing
     * would find every sample since it stopped waiting for it; past the lag bound (100 ms, the default) the backlog is
     * merged instead, so only the last moment's frames wait, and the merged counts account for every sample, none twice.
     */
    @Test
    void aLiveWatchWhoseClientCannotKeepUpStaysNearThePresentWithEverySampleCounted() throws Exception {
        EiscopeServer big = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(Path.of(System.getProperty("eiscope.dataDir", ".data")))
                .withDataDir(java.nio.file.Files.createTempDirectory("eiscope-record"))
                .withWatchQueueFrames(1_000_000));
        int port = big.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        ManagedChannel control = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
        ManagedChannel slow = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .flowControlWindow(65_536)
                .build();
        try {
            var stub = SimulationServiceGrpc.newBlockingStub(control);
            String id = stub.createSimulation(CreateSimulationRequest.newBuilder()
                            .setSpec(SimulationSpec.newBuilder()
                                    .setSeed(2)
                                    .setBatchSize(4)
                                    .setModel(ComponentSpec.newBuilder().setKind("mlp"))
                                    .setLearningRule(ComponentSpec.newBuilder().setKind("sgd"))
                                    .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist")))
                            .build())
                    .getSimulation()
                    .getId();
            List<Frame> losses = new CopyOnWriteArrayList<>();
            ClientCall<WatchRequest, WatchResponse> call =
                    slow.newCall(SimulationServiceGrpc.getWatchMethod(), CallOptions.DEFAULT);
            call.start(
                    new ClientCall.Listener<>() {
                        @Override
                        public void onMessage(WatchResponse message) {
                            for (Frame f : message.getFramesList())
                                if (f.getObservable().equals("loss")) losses.add(f);
                            call.request(1);
                        }

                        @Override
                        public void onClose(Status status, Metadata trailers) {}
                    },
                    new Metadata());
            call.sendMessage(
                    WatchRequest.newBuilder().setId(id).addObservables("loss").build());
            call.halfClose();
            SimulationRegistry.Entry entry = big.registry().get(id);
            // Played once the watch is subscribed: a step before it would not be the watch's to count (CI once saw
            // the first 5 steps missing from the count).
            org.awaitility.Awaitility.await("the watch subscribed")
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> entry.streams().subscriberCount() == 1);
            stub.control(ControlRequest.newBuilder()
                    .setId(id)
                    .setAction(ControlAction.CONTROL_ACTION_PLAY)
                    .build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (entry.runner().step() < 3000 && System.nanoTime() < deadline) TimeUnit.MILLISECONDS.sleep(5);
            int waiting = entry.streams().maxBacklog();
            long at = entry.runner().step();
            stub.control(ControlRequest.newBuilder()
                    .setId(id)
                    .setAction(ControlAction.CONTROL_ACTION_PAUSE)
                    .build());
            long paused = stub.getSimulation(
                            GetSimulationRequest.newBuilder().setId(id).build())
                    .getSimulation()
                    .getStep();
            assertThat(at).as("trained while the client read nothing").isGreaterThanOrEqualTo(3000);
            assertThat(waiting)
                    .as("merged past the lag bound: the last moment's frames wait, not the %d steps since", at)
                    .isLessThan((int) (at / 2));

            call.request(1);
            org.awaitility.Awaitility.await("the loss of step " + paused)
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(() ->
                            !losses.isEmpty() && losses.get(losses.size() - 1).getStep() == paused);
            long counted = 0, previous = 0;
            for (Frame f : losses) {
                assertThat(f.getStep()).as("in order, none twice").isGreaterThan(previous);
                previous = f.getStep();
                counted += Math.max(1, f.getScalar().getMergedCount());
            }
            assertThat(counted).as("every step's loss counted once").isEqualTo(paused);
            assertThat(losses)
                    .as("the queue never filled: merged frames come from the lag bound")
                    .anyMatch(f -> f.getScalar().getMergedCount() > 1);
            call.cancel("done", null);
        } finally {
            control.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            slow.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            big.close();
        }
    }
}

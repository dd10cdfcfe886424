package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.Command;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.RunUntil;
import io.eiscope.api.v1.SessionAck;
import io.eiscope.api.v1.SessionRequest;
import io.eiscope.api.v1.SessionResponse;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bidirectional Session RPC over real gRPC on 127.0.0.1: steer and observe on one call. */
class SessionGrpcTest {
    EiscopeServer server;
    ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        Path data = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(data)
                .withDataDir(java.nio.file.Files.createTempDirectory("eiscope-record")));
        int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    /** A session call whose responses land in queues the test polls with timeouts. */
    final class Client implements StreamObserver<SessionResponse> {
        final BlockingQueue<SessionAck> acks = new LinkedBlockingQueue<>();
        final Map<Long, List<Frame>> frames = new ConcurrentHashMap<>();
        final BlockingQueue<Object> ended = new LinkedBlockingQueue<>();
        /** Subscriptions the server ended. */
        final BlockingQueue<io.eiscope.api.v1.SessionEnded> endedSubscriptions = new LinkedBlockingQueue<>();

        final StreamObserver<SessionRequest> out =
                SimulationServiceGrpc.newStub(channel).session(this);

        @Override
        public void onNext(SessionResponse r) {
            if (r.hasAck()) acks.add(r.getAck());
            else if (r.hasEnded()) endedSubscriptions.add(r.getEnded());
            else
                frames.computeIfAbsent(r.getFrames().getSubscriptionId(), k -> new CopyOnWriteArrayList<>())
                        .addAll(r.getFrames().getFramesList());
        }

        @Override
        public void onError(Throwable t) {
            ended.add(t);
        }

        @Override
        public void onCompleted() {
            ended.add("completed");
        }

        SessionAck send(SessionRequest r) throws InterruptedException {
            out.onNext(r);
            SessionAck a = acks.poll(30, TimeUnit.SECONDS);
            assertThat(a).as("ack of request " + r.getRequestId()).isNotNull();
            assertThat(a.getRequestId()).isEqualTo(r.getRequestId());
            return a;
        }

        void awaitFrame(long subscription, Predicate<Frame> p) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (frames.getOrDefault(subscription, List.of()).stream().noneMatch(p)) {
                assertThat(System.nanoTime())
                        .as("frames so far: " + frames.get(subscription))
                        .isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }
    }

    String create() {
        return SimulationServiceGrpc.newBlockingStub(channel)
                .createSimulation(CreateSimulationRequest.newBuilder()
                        .setSpec(SteeringGrpcTest.dann(1))
                        .build())
                .getSimulation()
                .getId();
    }

    static Command runUntil(long step) {
        return Command.newBuilder()
                .setRunUntil(RunUntil.newBuilder().setStep(step))
                .build();
    }

    @Test
    void aSubscriptionWhoseRunIsDeletedEndsWithAMessageSayingSoAndTheSessionGoesOn() throws Exception {
        String doomed = create(), other = create();
        Client c = new Client();
        for (long i = 1; i <= 2; i++)
            assertThat(c.send(SessionRequest.newBuilder()
                                    .setRequestId(i)
                                    .setSubscribe(WatchRequest.newBuilder()
                                            .setId(i == 1 ? doomed : other)
                                            .addObservables("loss"))
                                    .build())
                            .getCode())
                    .isZero();
        SimulationServiceGrpc.newBlockingStub(channel)
                .deleteSimulation(io.eiscope.api.v1.DeleteSimulationRequest.newBuilder()
                        .setId(doomed)
                        .build());
        var ended = c.endedSubscriptions.poll(30, TimeUnit.SECONDS);
        assertThat(ended).as("an ended message").isNotNull();
        assertThat(ended.getSubscriptionId()).isEqualTo(1);
        assertThat(ended.getReason()).contains("deleted");
        SessionAck step = c.send(SessionRequest.newBuilder()
                .setRequestId(3)
                .setControl(ControlRequest.newBuilder()
                        .setId(other)
                        .setAction(ControlAction.CONTROL_ACTION_STEP)
                        .setSteps(2))
                .build());
        assertThat(step.getCode()).isZero();
        c.awaitFrame(2, f -> f.getStep() == 2);
        assertThat(c.endedSubscriptions)
                .as("only the deleted run's subscription ended")
                .isEmpty();
        c.out.onCompleted();
        assertThat(c.ended.poll(30, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void aClientSteersAndObservesOverOneCall() throws Exception {
        String id = create();
        Client c = new Client();
        SessionAck sub = c.send(SessionRequest.newBuilder()
                .setRequestId(1)
                .setSubscribe(WatchRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .addObservables("intervention")
                        .addObservables("state"))
                .build());
        assertThat(sub.getCode()).isZero();
        SessionAck run = c.send(SessionRequest.newBuilder()
                .setRequestId(2)
                .setCommand(ApplyCommandRequest.newBuilder().setId(id).setCommand(runUntil(20)))
                .build());
        assertThat(run.getCode()).isZero();
        assertThat(run.getEffectiveStep()).isZero();
        c.awaitFrame(1, f -> f.getObservable().equals("loss") && f.getStep() == 20);
        c.awaitFrame(
                1,
                f -> f.getObservable().equals("intervention")
                        && f.getEvent().getMessage().startsWith("run until step "));
        c.awaitFrame(
                1,
                f -> f.getObservable().equals("state")
                        && f.getEvent().getMessage().contains("reached step 20"));
        SessionAck step = c.send(SessionRequest.newBuilder()
                .setRequestId(3)
                .setControl(ControlRequest.newBuilder()
                        .setId(id)
                        .setAction(ControlAction.CONTROL_ACTION_STEP)
                        .setSteps(2))
                .build());
        assertThat(step.getEffectiveStep()).isEqualTo(20);
        assertThat(c.send(SessionRequest.newBuilder()
                                .setRequestId(4)
                                .setUnsubscribe(1)
                                .build())
                        .getCode())
                .isZero();
        c.out.onCompleted();
        assertThat(c.ended.poll(30, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void hiddenStatesAndTheDeferredKernelAlignmentOfARecurrentNetworkStream() throws Exception {
        String id = SimulationServiceGrpc.newBlockingStub(channel)
                .createSimulation(CreateSimulationRequest.newBuilder()
                        .setSpec(io.eiscope.api.v1.SimulationSpec.newBuilder()
                                .setName("rnn")
                                .setSeed(3)
                                .setBatchSize(8)
                                .setModel(io.eiscope.api.v1.ComponentSpec.newBuilder()
                                        .setKind("rnn")
                                        .putParams("hidden", SteeringGrpcTest.ints(12)))
                                .setLearningRule(io.eiscope.api.v1.ComponentSpec.newBuilder()
                                        .setKind("sgd"))
                                .setTask(io.eiscope.api.v1.ComponentSpec.newBuilder()
                                        .setKind("mnist")))
                        .build())
                .getSimulation()
                .getId();
        Client c = new Client();
        assertThat(c.send(SessionRequest.newBuilder()
                                .setRequestId(1)
                                .setSubscribe(WatchRequest.newBuilder()
                                        .setId(id)
                                        .addObservables("hidden_states")
                                        .addObservables("kernel_alignment")
                                        .addObservables("representation_alignment")
                                        .addLayers("rnn0")
                                        .setEverySteps(2)
                                        .setMaxHz(1e6))
                                .build())
                        .getCode())
                .isZero();
        c.send(SessionRequest.newBuilder()
                .setRequestId(2)
                .setCommand(ApplyCommandRequest.newBuilder().setId(id).setCommand(runUntil(6)))
                .build());
        // Flat MNIST runs the cell for one step: hidden states [1 step, 32 probe trials, 12 units]; no recurrent
        // gradient, so the kernel is 0 and its alignment NaN, computed off the training thread all the same.
        c.awaitFrame(1, f -> f.getObservable().equals("hidden_states") && f.getStep() == 6);
        Frame h = c.frames.get(1L).stream()
                .filter(f -> f.getObservable().equals("hidden_states"))
                .findFirst()
                .orElseThrow();
        assertThat(h.getTensor().getShapeList()).containsExactly(1, 32, 12);
        assertThat(h.getTensor().getData().size()).isEqualTo(32 * 12 * Float.BYTES);
        c.awaitFrame(
                1,
                f -> f.getObservable().equals("kernel_alignment")
                        && f.getLayer().equals("rnn0")
                        && Double.isNaN(f.getScalar().getValue()));
        c.awaitFrame(
                1,
                f -> f.getObservable().equals("representation_alignment")
                        && f.getStep() == 6
                        && f.getScalar().getValue() < 1);
    }

    @Test
    void aRecurrentNetworkOnASequenceTaskStreamsItsKernelAlignmentHiddenStatesAndTheSpectraOfItsEffectiveMatrices()
            throws Exception {
        String id = SimulationServiceGrpc.newBlockingStub(channel)
                .createSimulation(CreateSimulationRequest.newBuilder()
                        .setSpec(io.eiscope.api.v1.SimulationSpec.newBuilder()
                                .setName("rnn 2AF")
                                .setSeed(4)
                                .setBatchSize(16)
                                .setModel(io.eiscope.api.v1.ComponentSpec.newBuilder()
                                        .setKind("rnn")
                                        .putParams("hidden", SteeringGrpcTest.ints(12)))
                                .setLearningRule(io.eiscope.api.v1.ComponentSpec.newBuilder()
                                        .setKind("sgd"))
                                .setTask(io.eiscope.api.v1.ComponentSpec.newBuilder()
                                        .setKind("perceptual_decision_making")))
                        .build())
                .getSimulation()
                .getId();
        Client c = new Client();
        assertThat(c.send(SessionRequest.newBuilder()
                                .setRequestId(1)
                                .setSubscribe(WatchRequest.newBuilder()
                                        .setId(id)
                                        .addObservables("hidden_states")
                                        .addObservables("kernel_alignment")
                                        .addObservables("nse")
                                        .addObservables("singular_values")
                                        .addLayers("rnn0.input")
                                        .addLayers("rnn0")
                                        .setEverySteps(5)
                                        .setMaxHz(1e6))
                                .build())
                        .getCode())
                .isZero();
        c.send(SessionRequest.newBuilder()
                .setRequestId(2)
                .setCommand(ApplyCommandRequest.newBuilder().setId(id).setCommand(runUntil(40)))
                .build());
        // 8 steps of 100 ms, 32 probe trials, 12 units; the kernel has a recurrent gradient here, so its alignment is a
        // number
        c.awaitFrame(1, f -> f.getObservable().equals("hidden_states") && f.getStep() == 40);
        Frame h = c.frames.get(1L).stream()
                .filter(f -> f.getObservable().equals("hidden_states"))
                .findFirst()
                .orElseThrow();
        assertThat(h.getTensor().getShapeList()).containsExactly(8, 32, 12);
        c.awaitFrame(
                1,
                f -> f.getObservable().equals("kernel_alignment")
                        && f.getLayer().equals("rnn0")
                        && f.getStep() > 0
                        && f.getScalar().getValue() > -1
                        && f.getScalar().getValue() < 1);
        // rnn0.input (the effective input matrix, 12 x 3) is a watchable target, not only layers and parameters
        c.awaitFrame(
                1,
                f -> f.getObservable().equals("singular_values")
                        && f.getLayer().equals("rnn0.input")
                        && f.getTensor().getShapeList().equals(java.util.List.of(3)));
        c.awaitFrame(
                1,
                f -> f.getObservable().equals("nse")
                        && f.getLayer().equals("rnn0")
                        && f.getScalar().getValue() > 0
                        && f.getScalar().getValue() <= 1);
    }

    @Test
    void aFailedRequestIsAcknowledgedWithItsStatusAndTheSessionGoesOn() throws Exception {
        String id = create();
        Client c = new Client();
        assertThat(c.send(SessionRequest.newBuilder()
                                .setRequestId(7)
                                .setSubscribe(WatchRequest.newBuilder().setId("sim-nope"))
                                .build())
                        .getCode())
                .isEqualTo(Status.Code.NOT_FOUND.value());
        SessionAck bad = c.send(SessionRequest.newBuilder()
                .setRequestId(8)
                .setCommand(ApplyCommandRequest.newBuilder().setId(id).setCommand(runUntil(0)))
                .build());
        assertThat(bad.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(bad.getMessage()).contains("command.run_until.step");
        assertThat(c.send(SessionRequest.newBuilder().setRequestId(9).build()).getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(c.send(SessionRequest.newBuilder()
                                .setRequestId(10)
                                .setUnsubscribe(99)
                                .build())
                        .getCode())
                .isEqualTo(Status.Code.NOT_FOUND.value());
        assertThat(c.send(SessionRequest.newBuilder()
                                .setRequestId(11)
                                .setCommand(ApplyCommandRequest.newBuilder()
                                        .setId(id)
                                        .setCommand(runUntil(3)))
                                .build())
                        .getCode())
                .isZero();
    }

    @Test
    void cancellingTheCallReleasesEverySubscription() throws Exception {
        String id = create();
        SimulationRegistry.Entry e = server.registry().get(id);
        Client c = new Client();
        for (long k = 1; k <= 3; k++) {
            c.send(SessionRequest.newBuilder()
                    .setRequestId(k)
                    .setSubscribe(WatchRequest.newBuilder().setId(id).addObservables("loss"))
                    .build());
        }
        assertThat(e.streams().subscriberCount()).isEqualTo(3);
        c.out.onError(Status.CANCELLED.asRuntimeException());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (e.streams().subscriberCount() > 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }
}

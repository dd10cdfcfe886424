package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.SessionAck;
import io.eiscope.api.v1.SessionRead;
import io.eiscope.api.v1.SessionRequest;
import io.eiscope.api.v1.SessionResponse;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Session subscription with {@code max_unread_messages}: the server sends no more messages than the client has said
 * it read, and what the client reads after a pause is the present, with the counts of what was merged. Real gRPC on
 * 127.0.0.1.
 */
class SessionReadsGrpcTest {
    /** The clients' request rate here (a burst of twice that): reads must not count against it. */
    static final int REQUESTS_PER_SECOND = 20;

    EiscopeServer server;
    ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        Path data = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(data)
                .withMaxRequestsPerSecond(REQUESTS_PER_SECOND)
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

    /** A session whose frames messages are kept whole, in arrival order. */
    final class Client implements StreamObserver<SessionResponse> {
        final BlockingQueue<SessionAck> acks = new LinkedBlockingQueue<>();
        /** Subscription 1's frames messages. */
        final List<List<Frame>> messages = new CopyOnWriteArrayList<>();
        /** A permit for each of subscription 1's messages not yet awaited. */
        final java.util.concurrent.Semaphore arrived = new java.util.concurrent.Semaphore(0);

        private int awaited;
        /** Other subscriptions' frames messages, by subscription. */
        final java.util.Map<Long, List<List<Frame>>> others = new java.util.concurrent.ConcurrentHashMap<>();

        final StreamObserver<SessionRequest> out =
                SimulationServiceGrpc.newStub(channel).session(this);

        @Override
        public void onNext(SessionResponse r) {
            if (r.hasAck()) acks.add(r.getAck());
            else if (r.getFrames().getSubscriptionId() == 1) {
                messages.add(r.getFrames().getFramesList());
                arrived.release();
            } else
                others.computeIfAbsent(r.getFrames().getSubscriptionId(), k -> new CopyOnWriteArrayList<>())
                        .add(r.getFrames().getFramesList());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}

        SessionAck send(SessionRequest r) throws InterruptedException {
            out.onNext(r);
            SessionAck a = acks.poll(30, TimeUnit.SECONDS);
            assertThat(a).as("ack of request " + r.getRequestId()).isNotNull();
            assertThat(a.getRequestId()).isEqualTo(r.getRequestId());
            return a;
        }

        void read(long subscription, long messages) {
            out.onNext(SessionRequest.newBuilder()
                    .setRead(SessionRead.newBuilder()
                            .setSubscriptionId(subscription)
                            .setMessages(messages))
                    .build());
        }

        /** Waits until subscription 1 has had {@code n} messages. */
        void awaitMessages(int n) throws InterruptedException {
            if (n <= awaited) return;
            assertThat(arrived.tryAcquire(n - awaited, 30, TimeUnit.SECONDS))
                    .as("messages so far: " + messages.size() + ", awaiting " + n)
                    .isTrue();
            awaited = n;
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

    long step(String id) {
        return SimulationServiceGrpc.newBlockingStub(channel)
                .getSimulation(GetSimulationRequest.newBuilder().setId(id).build())
                .getSimulation()
                .getStep();
    }

    static SessionRequest subscribe(long requestId, String id, int maxUnread) {
        return SessionRequest.newBuilder()
                .setRequestId(requestId)
                .setSubscribe(WatchRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .setMaxUnreadMessages(maxUnread))
                .build();
    }

    static SessionRequest control(long requestId, String id, ControlAction action) {
        return SessionRequest.newBuilder()
                .setRequestId(requestId)
                .setControl(ControlRequest.newBuilder().setId(id).setAction(action))
                .build();
    }

    /** How many training steps the loss frames of {@code messages} stand for (merged ones count what they merged). */
    static long samples(List<List<Frame>> messages) {
        return messages.stream()
                .flatMap(List::stream)
                .mapToLong(f -> Math.max(1, f.getScalar().getMergedCount()))
                .sum();
    }

    @Test
    void theServerSendsNoMoreThanTheClientSaysItReadAndThenThePresent() throws Exception {
        String id = create();
        Client c = new Client();
        assertThat(c.send(subscribe(1, id, 2)).getCode()).isZero();
        assertThat(c.send(control(2, id, ControlAction.CONTROL_ACTION_PLAY)).getCode())
                .isZero();
        c.awaitMessages(2);
        long before = step(id);
        TimeUnit.MILLISECONDS.sleep(400); // hundreds of steps, none read: a third message must not come
        assertThat(step(id)).as("the run plays on").isGreaterThan(before + 50);
        assertThat(c.messages).as("two unread messages at most").hasSize(2);

        long now = step(id);
        c.read(1, 1); // room for one more
        c.awaitMessages(3);
        TimeUnit.MILLISECONDS.sleep(200); // what must not come: nothing but time shows it
        assertThat(c.messages).as("one read, two unread again").hasSize(3);
        List<Frame> present = c.messages.get(2);
        assertThat(present).as("each observable's newest sample, merged").hasSize(1);
        assertThat(present.get(0).getStep())
                .as("the present: the step the run was at when the read was sent, or later (a step's count moves"
                        + " just before its frames go out)")
                .isGreaterThanOrEqualTo(now - 1);
        assertThat(present.get(0).getScalar().getMergedCount())
                .as("it stands for the samples that waited")
                .isGreaterThan(50);

        c.read(1, 3);
        c.awaitMessages(5);
        assertThat(c.send(control(3, id, ControlAction.CONTROL_ACTION_PAUSE)).getCode())
                .isZero();
        long last = step(id);
        // Read on until the run's last step has arrived: every step's loss is in exactly one frame's count.
        for (int read = 5; ; read = c.messages.size()) {
            List<Frame> newest = c.messages.get(c.messages.size() - 1);
            if (newest.get(newest.size() - 1).getStep() == last) break;
            c.read(1, read);
            c.awaitMessages(read + 1);
        }
        long first = c.messages.get(0).get(0).getStep();
        assertThat(samples(c.messages))
                .as("loss samples from step " + first + " to " + last + ", merged ones counted")
                .isEqualTo(last - first + 1);
    }

    @Test
    void readsAreNotCountedAgainstTheRequestRate() throws Exception {
        String id = create();
        Client c = new Client();
        assertThat(c.send(subscribe(1, id, 1)).getCode()).isZero();
        assertThat(c.send(control(2, id, ControlAction.CONTROL_ACTION_PLAY)).getCode())
                .isZero();
        int reads = 5 * REQUESTS_PER_SECOND; // more than the burst and a second's worth together
        long start = System.nanoTime();
        for (int read = 1; read <= reads; read++) {
            c.awaitMessages(read);
            c.read(1, read);
        }
        c.awaitMessages(reads + 1);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(c.send(control(3, id, ControlAction.CONTROL_ACTION_PAUSE)).getCode())
                .isZero();
        assertThat(reads)
                .as("reads in %.2f s, more than the rate would admit", seconds)
                .isGreaterThan((int) (2 * REQUESTS_PER_SECOND + seconds * REQUESTS_PER_SECOND));
        assertThat(c.acks).as("no read was refused").isEmpty();
    }

    @Test
    void wrongReadsAreRefusedWithWhatToFixAndTheSessionGoesOn() throws Exception {
        String id = create();
        Client c = new Client();
        assertThat(c.send(subscribe(1, id, 1)).getCode()).isZero();
        assertThat(c.send(subscribe(2, id, 0)).getCode()).isZero();
        assertThat(c.send(SessionRequest.newBuilder()
                                .setRequestId(3)
                                .setControl(ControlRequest.newBuilder()
                                        .setId(id)
                                        .setAction(ControlAction.CONTROL_ACTION_STEP)
                                        .setSteps(2))
                                .build())
                        .getCode())
                .isZero();
        c.awaitMessages(1); // a loss; then nothing more until a read

        c.out.onNext(SessionRequest.newBuilder()
                .setRequestId(10)
                .setRead(SessionRead.newBuilder().setSubscriptionId(1).setMessages(7))
                .build());
        SessionAck tooMany = c.acks.poll(30, TimeUnit.SECONDS);
        assertThat(tooMany.getRequestId()).isEqualTo(10);
        assertThat(tooMany.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(tooMany.getMessage()).contains("read says 7 messages of subscription 1", "but 1 were sent");

        c.out.onNext(SessionRequest.newBuilder()
                .setRequestId(11)
                .setRead(SessionRead.newBuilder().setSubscriptionId(2).setMessages(1))
                .build());
        SessionAck unlimited = c.acks.poll(30, TimeUnit.SECONDS);
        assertThat(unlimited.getRequestId()).isEqualTo(11);
        assertThat(unlimited.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(unlimited.getMessage()).contains("subscription 2 was made without max_unread_messages");

        c.out.onNext(SessionRequest.newBuilder()
                .setRequestId(12)
                .setRead(SessionRead.newBuilder().setSubscriptionId(99).setMessages(1))
                .build());
        SessionAck unknown = c.acks.poll(30, TimeUnit.SECONDS);
        assertThat(unknown.getRequestId()).isEqualTo(12);
        assertThat(unknown.getCode()).isEqualTo(Status.Code.NOT_FOUND.value());
        assertThat(unknown.getMessage()).contains("no subscription 99");

        // Subscription 2, without a limit, is sent the run's loss on its own schedule: seen before it ends.
        Awaitility.await("subscription 2 had its current loss")
                .atMost(Duration.ofSeconds(30))
                .until(() -> c.others.get(2L) != null);

        // A read that is right is not acknowledged, nor is a late one for a subscription that has ended.
        c.read(1, 1);
        assertThat(c.send(SessionRequest.newBuilder()
                                .setRequestId(13)
                                .setUnsubscribe(2)
                                .build())
                        .getCode())
                .isZero();
        c.read(2, 1);
        assertThat(c.send(SessionRequest.newBuilder()
                                .setRequestId(14)
                                .setControl(ControlRequest.newBuilder()
                                        .setId(id)
                                        .setAction(ControlAction.CONTROL_ACTION_STEP)
                                        .setSteps(3))
                                .build())
                        .getCode())
                .as("the next ack is the step's: the reads were taken silently")
                .isZero();
        c.awaitMessages(2); // subscription 1 goes on after its read
        assertThat(c.messages.get(1)).extracting(Frame::getObservable).containsOnly("loss");
    }

    @Test
    void aWatchCallRefusesMaxUnreadMessages() {
        String id = create();
        var stream = SimulationServiceGrpc.newBlockingStub(channel)
                .watch(WatchRequest.newBuilder()
                        .setId(id)
                        .setMaxUnreadMessages(2)
                        .build());
        assertThatThrownBy(stream::hasNext).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("max_unread_messages is for Session subscriptions");
        });
    }
}

package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.GetCatalogueRequest;
import io.eiscope.api.v1.IntList;
import io.eiscope.api.v1.SessionRequest;
import io.eiscope.api.v1.SessionResponse;
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
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The limits that keep one client from costing the others, over real gRPC on 127.0.0.1: each
 * client's request rate (unary calls and session messages), watch streams per connection, and a
 * reader that takes nothing for too long disconnected with RESOURCE_EXHAUSTED, its memory
 * released and the event logged with its key=value pairs.
 */
class StreamLimitsGrpcTest {
    static final String ALICE = "alice-steer-0123456789abcdef", BOB = "bob-steer-0123456789abcdef";

    static SimulationServiceGrpc.SimulationServiceBlockingStub as(LiveServer live, String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return live.stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    @Test
    void aClientOverItsRateIsRefusedWithTheFlagWhileOthersGoOn() throws Exception {
        Path tokens = Files.createTempFile("eiscope-tokens", "");
        Files.writeString(tokens, ALICE + " steer alice\n" + BOB + " steer bob\n");
        try (LiveServer live = LiveServer.start(
                o -> o.withAuth(ServerOptions.Auth.TOKEN, tokens).withMaxRequestsPerSecond(5))) {
            var alice = as(live, ALICE);
            int ok = 0;
            StatusRuntimeException refused = null;
            long start = System.nanoTime();
            for (int i = 0; i < 40 && refused == null; i++) {
                try {
                    alice.getCatalogue(GetCatalogueRequest.getDefaultInstance());
                    ok++;
                } catch (StatusRuntimeException e) {
                    refused = e;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(refused)
                    .as("40 calls at once from one client, 5/s allowed")
                    .isNotNull();
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(refused.getStatus().getDescription())
                    .contains("owner 'alice'", "5 requests a second", "retry in", "--max-requests-per-second");
            assertThat(ok)
                    .as("the burst (10) and what refilled meanwhile")
                    .isBetween(10, 10 + (int) Math.ceil(5 * seconds) + 1);
            assertThat(as(live, BOB)
                            .getCatalogue(GetCatalogueRequest.getDefaultInstance())
                            .hasCatalogue())
                    .as("another client is not slowed")
                    .isTrue();

            // A session's messages count too: refused ones are refused in their acknowledgement, the session goes on.
            TimeUnit.MILLISECONDS.sleep(2100); // refilled
            List<SessionResponse> acks = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            StreamObserver<SessionRequest> session = SimulationServiceGrpc.newStub(live.channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(ALICE)))
                    .session(new StreamObserver<>() {
                        @Override
                        public void onNext(SessionResponse r) {
                            acks.add(r);
                        }

                        @Override
                        public void onError(Throwable t) {
                            done.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            done.countDown();
                        }
                    });
            for (int i = 1; i <= 20; i++)
                session.onNext(SessionRequest.newBuilder()
                        .setRequestId(i)
                        .setUnsubscribe(1000 + i)
                        .build());
            session.onCompleted();
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(acks).hasSize(20);
            assertThat(acks)
                    .filteredOn(a -> a.getAck().getCode() == Status.Code.NOT_FOUND.value())
                    .as("answered on their merits")
                    .isNotEmpty();
            assertThat(acks)
                    .filteredOn(a -> a.getAck().getCode() == Status.Code.RESOURCE_EXHAUSTED.value())
                    .as("over the rate")
                    .isNotEmpty()
                    .allSatisfy(a -> assertThat(a.getAck().getMessage()).contains("--max-requests-per-second"));
        }
    }

    static Metadata headers(String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return m;
    }

    @Test
    void aConnectionHoldsAtMostItsWatchStreamsAndClosingOneFreesItsPlace() throws Exception {
        try (LiveServer live = LiveServer.start(o -> o.withMaxWatchStreamsPerConnection(3))) {
            String id = live.stub()
                    .createSimulation(CreateSimulationRequest.newBuilder()
                            .setSpec(SteeringGrpcTest.dann(1))
                            .build())
                    .getSimulation()
                    .getId();
            List<ClientCall<WatchRequest, WatchResponse>> open = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                var w = watch(live.channel, id);
                assertThat(w.headers.get(10, TimeUnit.SECONDS))
                        .as("watch %d is served", i)
                        .isTrue();
                open.add(w.call);
            }
            Watch fourth = watch(live.channel, id);
            Status s = fourth.closed.get(10, TimeUnit.SECONDS);
            assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(s.getDescription())
                    .contains("already holds 3 watch streams", "--max-watch-streams-per-connection");

            ManagedChannel other = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress(
                            "127.0.0.1", live.port)
                    .usePlaintext()
                    .build();
            try {
                assertThat(watch(other, id).headers.get(10, TimeUnit.SECONDS))
                        .as("another connection has places of its own")
                        .isTrue();
            } finally {
                other.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            open.get(0).cancel("done", null);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Watch again;
            do {
                again = watch(live.channel, id);
                if (again.headers.get(10, TimeUnit.SECONDS)) break;
                TimeUnit.MILLISECONDS.sleep(50);
            } while (System.nanoTime() < deadline);
            assertThat(again.headers.getNow(false))
                    .as("a cancelled watch frees its place")
                    .isTrue();
        }
    }

    /** A watch call that reads whatever comes; {@code headers} completes true when served, false when refused. */
    record Watch(
            ClientCall<WatchRequest, WatchResponse> call,
            CompletableFuture<Boolean> headers,
            CompletableFuture<Status> closed,
            AtomicInteger messages) {}

    static Watch watch(ManagedChannel channel, String id) {
        return watch(
                channel,
                WatchRequest.newBuilder().setId(id).addObservables("loss").build(),
                Integer.MAX_VALUE);
    }

    static Watch watch(ManagedChannel channel, WatchRequest request, int requested) {
        ClientCall<WatchRequest, WatchResponse> call =
                channel.newCall(SimulationServiceGrpc.getWatchMethod(), CallOptions.DEFAULT);
        CompletableFuture<Boolean> headers = new CompletableFuture<>();
        CompletableFuture<Status> closed = new CompletableFuture<>();
        AtomicInteger messages = new AtomicInteger();
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onHeaders(Metadata h) {
                        headers.complete(true);
                    }

                    @Override
                    public void onMessage(WatchResponse message) {
                        messages.incrementAndGet();
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        headers.complete(false);
                        closed.complete(status);
                    }
                },
                new Metadata());
        if (requested > 0) call.request(requested);
        call.sendMessage(request);
        call.halfClose();
        return new Watch(call, headers, closed, messages);
    }

    @Test
    void aReaderThatTakesNothingIsDisconnectedAndItsMemoryReleasedWhileASlowOneStays() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger subscriberLog = (Logger) LoggerFactory.getLogger(Subscriber.class);
        subscriberLog.addAppender(log);
        try (LiveServer live = LiveServer.start(o -> o.withStalledReaderSeconds(1))) {
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
            String id = live.stub()
                    .createSimulation(
                            CreateSimulationRequest.newBuilder().setSpec(spec).build())
                    .getSimulation()
                    .getId();
            // Each reader on a connection of its own with a small window, as separate programs would be; a weight
            // tensor is 200 KB.
            WatchRequest weights = WatchRequest.newBuilder()
                    .setId(id)
                    .addObservables("weights")
                    .addLayers("layer0.W")
                    .build();
            ManagedChannel stalledChannel = smallWindow(live.port), slowChannel = smallWindow(live.port);
            long stalledBefore = Subscriber.STALLED.sum();
            try {
                Watch stalled = watch(stalledChannel, weights, 0);
                Watch slow = watch(slowChannel, weights, 1);
                live.stub()
                        .control(ControlRequest.newBuilder()
                                .setId(id)
                                .setAction(ControlAction.CONTROL_ACTION_PLAY)
                                .build());
                SimulationRegistry.Entry entry = live.server.registry().get(id);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (entry.streams().subscriberCount() < 2 && System.nanoTime() < deadline)
                    TimeUnit.MILLISECONDS.sleep(10);
                assertThat(entry.streams().subscriberCount())
                        .as("both readers subscribed")
                        .isEqualTo(2);
                while (entry.streams().subscriberCount() > 1 && System.nanoTime() < deadline) {
                    slow.call.request(1); // a message every 200 ms: slow, never stalled for a second
                    TimeUnit.MILLISECONDS.sleep(200);
                }
                assertThat(entry.streams().subscriberCount())
                        .as("the stalled reader was let go, the slow one kept")
                        .isEqualTo(1);
                assertThat(Subscriber.STALLED.sum() - stalledBefore).isEqualTo(1);
                int slowSoFar = slow.messages.get();
                for (int i = 0; i < 10; i++) {
                    slow.call.request(1);
                    TimeUnit.MILLISECONDS.sleep(200);
                }
                assertThat(slow.messages.get())
                        .as("the slow reader still gets frames")
                        .isGreaterThan(slowSoFar);
                assertThat(slow.closed).isNotDone();

                // The stalled client learns it once it reads: RESOURCE_EXHAUSTED (HTTP/2 ENHANCE_YOUR_CALM).
                stalled.call.request(Integer.MAX_VALUE);
                Status status = stalled.closed.get(10, TimeUnit.SECONDS);
                assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

                ILoggingEvent event = log.list.stream()
                        .filter(e -> e.getFormattedMessage().contains("stalled reader"))
                        .findFirst()
                        .orElseThrow();
                assertThat(event.getLevel().toString()).isEqualTo("WARN");
                assertThat(event.getFormattedMessage())
                        .contains("took none of its frames for 1 s", "--stalled-reader-seconds");
                assertThat(event.getKeyValuePairs()).anySatisfy(kv -> {
                    assertThat(kv.key).isEqualTo("stream");
                    assertThat(kv.value).isEqualTo("Watch of run " + id);
                });
                // The same event as a line of --log-format json.
                var context = (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
                JsonObject json = new JsonObject(
                        new String(LogSetup.jsonEncoder(context).encode(event), StandardCharsets.UTF_8).trim());
                assertThat(json.getString("level")).isEqualTo("WARN");
                assertThat(json.getString("loggerName")).isEqualTo(Subscriber.class.getName());
                assertThat(json.getString("formattedMessage")).contains("--stalled-reader-seconds");
                assertThat(json.getJsonArray("kvpList").getJsonObject(0).getString("stream"))
                        .isEqualTo("Watch of run " + id);
                live.stub()
                        .control(ControlRequest.newBuilder()
                                .setId(id)
                                .setAction(ControlAction.CONTROL_ACTION_PAUSE)
                                .build());
            } finally {
                stalledChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                slowChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            subscriberLog.detachAppender(log);
        }
    }

    static ManagedChannel smallWindow(int port) {
        return io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .flowControlWindow(65_536)
                .maxInboundMessageSize(64 << 20)
                .build();
    }
}

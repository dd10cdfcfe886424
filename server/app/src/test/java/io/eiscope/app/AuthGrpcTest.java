package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.Command;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.DeleteSimulationRequest;
import io.eiscope.api.v1.ForkSimulationRequest;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.RunUntil;
import io.eiscope.api.v1.SessionRequest;
import io.eiscope.api.v1.SessionResponse;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationServiceProto;
import io.eiscope.api.v1.WatchRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Authentication and authorisation over real gRPC and HTTP on 127.0.0.1: no token gets
 * UNAUTHENTICATED on every method of the service (gRPC and gRPC-Web); a read-only token cannot
 * steer; owners see and touch only their runs, admins all; exports need a token; the Host and
 * Origin guard; a token generated at first start.
 */
class AuthGrpcTest {
    static final String ADMIN = "admin-token-0123456789abcdef",
            ALICE = "alice-steer-0123456789abcdef",
            ALICE_READ = "alice-read-0123456789abcdef",
            BOB = "bob-steer-0123456789abcdef";
    static LiveServer live;

    @BeforeAll
    static void start() throws Exception {
        Path tokens = Files.createTempFile("eiscope-tokens", "");
        Files.writeString(
                tokens,
                "# test tokens\n" + ADMIN + " admin root\n" + ALICE + " steer alice\n" + ALICE_READ + " read alice\n"
                        + BOB + " steer bob\n");
        live = LiveServer.start(o -> o.withAuth(ServerOptions.Auth.TOKEN, tokens));
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    static SimulationServiceGrpc.SimulationServiceBlockingStub as(String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return live.stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    static String create(String token) {
        return as(token)
                .createSimulation(CreateSimulationRequest.newBuilder()
                        .setSpec(SteeringGrpcTest.dann(1))
                        .build())
                .getSimulation()
                .getId();
    }

    static Status.Code code(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    /** Passes raw bytes through (an empty message is a valid request of every type). */
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new RuntimeException(e);
            }
        }
    };

    /** Calls a method with an empty message and no token; its final status. */
    static Status raw(String fullMethod, MethodDescriptor.MethodType type) throws Exception {
        MethodDescriptor<byte[], byte[]> d = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(fullMethod)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        ClientCall<byte[], byte[]> call =
                live.channel.newCall(d, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        closed.complete(status);
                    }
                },
                new Metadata());
        call.request(1);
        call.sendMessage(new byte[0]);
        call.halfClose();
        return closed.get(15, TimeUnit.SECONDS);
    }

    @Test
    void withoutATokenEveryMethodIsUnauthenticated() throws Exception {
        var methods = SimulationServiceProto.getDescriptor()
                .findServiceByName("SimulationService")
                .getMethods();
        assertThat(methods).hasSizeGreaterThan(20);
        for (var m : methods) {
            MethodDescriptor.MethodType type = m.isClientStreaming()
                    ? MethodDescriptor.MethodType.BIDI_STREAMING
                    : m.isServerStreaming()
                            ? MethodDescriptor.MethodType.SERVER_STREAMING
                            : MethodDescriptor.MethodType.UNARY;
            Status s = raw("eiscope.v1.SimulationService/" + m.getName(), type);
            assertThat(s.getCode()).as(m.getName()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(s.getDescription()).contains("authorization: Bearer");
        }
        // An unknown token, and gRPC-Web without a token.
        assertThat(code(() ->
                        as("not-a-token-0123456789").listSimulations(ListSimulationsRequest.getDefaultInstance())))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        HttpResponse<byte[]> web = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + live.port
                                        + "/eiscope.v1.SimulationService/ListSimulations"))
                                .header("content-type", "application/grpc-web+proto")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5]))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(web.headers().firstValue("grpc-status")).hasValue("16");
        // Health stays open (load balancers and readiness probes carry no token).
        assertThat(raw("grpc.health.v1.Health/Check", MethodDescriptor.MethodType.UNARY)
                        .getCode())
                .isEqualTo(Status.Code.OK);
    }

    @Test
    void aReadOnlyTokenReadsItsOwnersRunsButCannotSteerThem() throws Exception {
        String run = create(ALICE);
        assertThat(as(ALICE_READ)
                        .getSimulation(
                                GetSimulationRequest.newBuilder().setId(run).build())
                        .getSimulation()
                        .getOwner())
                .isEqualTo("alice");
        assertThat(as(ALICE_READ)
                        .getParameters(
                                GetParametersRequest.newBuilder().setId(run).build())
                        .getParametersCount())
                .isPositive();
        StatusRuntimeException denied = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () -> as(ALICE_READ)
                        .control(ControlRequest.newBuilder()
                                .setId(run)
                                .setAction(ControlAction.CONTROL_ACTION_STEP)
                                .setSteps(1)
                                .build()));
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(denied.getStatus().getDescription()).contains("read-only");
        assertThat(code(() -> as(ALICE_READ)
                        .deleteSimulation(
                                DeleteSimulationRequest.newBuilder().setId(run).build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> create(ALICE_READ))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> as(ALICE_READ)
                        .forkSimulation(
                                ForkSimulationRequest.newBuilder().setId(run).build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        // In a session it may subscribe, but a command is refused in its acknowledgement.
        List<SessionResponse> got = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + ALICE_READ);
        StreamObserver<SessionRequest> out = SimulationServiceGrpc.newStub(live.channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                .session(new StreamObserver<>() {
                    @Override
                    public void onNext(SessionResponse r) {
                        synchronized (got) {
                            got.add(r);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        out.onNext(SessionRequest.newBuilder()
                .setRequestId(1)
                .setSubscribe(WatchRequest.newBuilder().setId(run).addObservables("state"))
                .build());
        out.onNext(SessionRequest.newBuilder()
                .setRequestId(2)
                .setCommand(ApplyCommandRequest.newBuilder()
                        .setId(run)
                        .setCommand(Command.newBuilder()
                                .setRunUntil(RunUntil.newBuilder().setStep(5))))
                .build());
        out.onCompleted();
        done.get(30, TimeUnit.SECONDS);
        synchronized (got) {
            var acks = got.stream()
                    .filter(SessionResponse::hasAck)
                    .map(SessionResponse::getAck)
                    .toList();
            assertThat(acks).extracting(a -> a.getRequestId()).containsExactly(1L, 2L);
            assertThat(acks.get(0).getCode()).isZero();
            assertThat(acks.get(1).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED.value());
        }
        assertThat(as(ALICE)
                        .getSimulation(
                                GetSimulationRequest.newBuilder().setId(run).build())
                        .getSimulation()
                        .getStep())
                .isZero();
    }

    @Test
    void ownersSeeAndTouchOnlyTheirRunsAndAdminsAll() {
        String alices = create(ALICE), bobs = create(BOB);
        assertThat(as(ALICE)
                        .listSimulations(ListSimulationsRequest.getDefaultInstance())
                        .getSimulationsList())
                .extracting(s -> s.getOwner())
                .containsOnly("alice");
        assertThat(as(BOB).listSimulations(ListSimulationsRequest.getDefaultInstance())
                        .getSimulationsList())
                .extracting(s -> s.getId())
                .contains(bobs)
                .doesNotContain(alices);
        assertThat(as(ADMIN)
                        .listSimulations(ListSimulationsRequest.getDefaultInstance())
                        .getSimulationsList())
                .extracting(s -> s.getId())
                .contains(alices, bobs);
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () -> as(BOB).getSimulation(
                                GetSimulationRequest.newBuilder().setId(alices).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(e.getStatus().getDescription()).contains("belongs to 'alice'");
        assertThat(code(() -> as(BOB).control(ControlRequest.newBuilder()
                        .setId(alices)
                        .setAction(ControlAction.CONTROL_ACTION_STEP)
                        .setSteps(1)
                        .build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> as(BOB).watch(
                                WatchRequest.newBuilder().setId(alices).build())
                        .next()))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        // Bob may not fork Alice's run; an admin may steer it.
        assertThat(code(() -> as(BOB).forkSimulation(
                                ForkSimulationRequest.newBuilder().setId(alices).build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> as(ADMIN)
                        .control(ControlRequest.newBuilder()
                                .setId(alices)
                                .setAction(ControlAction.CONTROL_ACTION_PAUSE)
                                .build())))
                .isEqualTo(Status.Code.OK);
        var fork = as(ALICE)
                .forkSimulation(ForkSimulationRequest.newBuilder().setId(alices).build())
                .getSimulation();
        assertThat(fork.getOwner()).isEqualTo("alice");
    }

    @Test
    void exportsNeedATokenAndTheHostAndOriginMustBeOurs() throws Exception {
        String run = create(ALICE);
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + live.port;
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(base + "/api/runs/" + run + "/scalars.csv"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(401);
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(
                                                base + "/api/runs/" + run + "/scalars.csv?token=" + ALICE_READ))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(200);
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(base + "/api/runs/" + run + "/scalars.csv"))
                                        .header("Authorization", "Bearer " + BOB)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(403);
        // A page elsewhere, and a DNS name rebound to 127.0.0.1, are refused; our own page is not.
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(base + "/"))
                                        .header("Origin", "http://evil.example")
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(403);
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(base + "/"))
                                        .header("Origin", base)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isNotEqualTo(403);
        // java.net.http does not let a caller set Host; a raw request does.
        try (var socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), live.port)) {
            socket.getOutputStream()
                    .write("GET / HTTP/1.1\r\nHost: rebound.evil.example\r\nConnection: close\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer =
                    new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 403").contains("--allowed-hosts rebound.evil.example");
        }
    }

    @Test
    void aTokenIsGeneratedAtFirstStartReadableByItsOwnerOnly() throws Exception {
        Path dir = Files.createTempDirectory("eiscope-auth");
        try (LiveServer fresh = LiveServer.start(o -> o.withDataDir(dir).withAuth(ServerOptions.Auth.TOKEN, null))) {
            String token = fresh.server.generatedToken();
            assertThat(token).hasSizeGreaterThanOrEqualTo(Tokens.MIN_LENGTH);
            Path file = dir.resolve("tokens");
            assertThat(Files.readString(file)).contains(token + " admin admin");
            assertThat(Files.getPosixFilePermissions(file))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            Metadata m = new Metadata();
            m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
            assertThat(fresh.stub()
                            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                            .listSimulations(ListSimulationsRequest.getDefaultInstance())
                            .getSimulationsCount())
                    .isZero();
        }
        try (LiveServer again = LiveServer.start(o -> o.withDataDir(dir).withAuth(ServerOptions.Auth.TOKEN, null))) {
            assertThat(again.server.generatedToken())
                    .as("the file exists: nothing new")
                    .isNull();
        }
    }

    @Test
    void settingsThatWouldExposeRunsAreRefusedWithWhatToDo() throws Exception {
        assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--host", "0.0.0.0"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--auth token")
                .hasMessageContaining("--insecure-no-auth");
        assertThat(ServerOptions.parse(new String[] {"--host", "0.0.0.0", "--auth", "token"})
                        .auth())
                .isEqualTo(ServerOptions.Auth.TOKEN);
        assertThat(ServerOptions.parse(new String[] {"--host", "0.0.0.0", "--insecure-no-auth"})
                        .insecureNoAuth())
                .isTrue();
        assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--auth", "maybe"}))
                .hasMessageContaining("--auth must be none or token");
        assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--tls-cert", "/nope.pem"}))
                .hasMessageContaining("--tls-key");
        Path bad = Files.createTempFile("eiscope-tokens", "");
        Files.writeString(bad, "short admin root\n");
        assertThatThrownBy(() -> Tokens.loadOrCreate(bad)).hasMessageContaining("at least 16 characters");
        Files.writeString(bad, "0123456789abcdefgh boss root\n");
        assertThatThrownBy(() -> Tokens.loadOrCreate(bad)).hasMessageContaining("role must be read, steer or admin");
        assertThat(Set.of(Caller.Role.values())).hasSize(3);
    }
}

package io.eiscope.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.Command;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.RunUntil;
import io.eiscope.api.v1.SessionRequest;
import io.eiscope.api.v1.SessionResponse;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.app.EiscopeServer;
import io.eiscope.app.ServerOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tokens and TLS against an in-process server with {@code --auth token}, a token file and a
 * self-signed certificate, on 127.0.0.1: with its token, over TLS trusting the certificate, a
 * client does everything; no token, an unknown one, a read-only one steering, another owner's
 * run and an untrusted certificate each fail with a status that says so.
 */
class AuthIT {
    static final String ADMIN = "admin-token-0123456789abcdef",
            ALICE = "alice-steer-0123456789abcdef",
            ALICE_READ = "alice-read-0123456789abcdef",
            BOB = "bob-steer-0123456789abcdef";
    static EiscopeServer server;
    static int port;
    static Path cert;
    static final List<EiscopeClient> opened = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path tokens = Files.createTempFile("eiscope-tokens", "");
        Files.writeString(
                tokens,
                ADMIN + " admin root\n" + ALICE + " steer alice\n" + ALICE_READ + " read alice\n" + BOB
                        + " steer bob\n");
        Path datasets = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(datasets)
                .withDataDir(Files.createTempDirectory("eiscope-auth"))
                .withAuth(ServerOptions.Auth.TOKEN, tokens)
                .withTlsSelfSigned(true));
        port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        cert = server.tlsCertificate();
    }

    @AfterAll
    static void stop() throws Exception {
        for (EiscopeClient c : opened) c.close();
        server.close();
    }

    /** A client over TLS trusting the server's certificate, with {@code token} (null: none). */
    static EiscopeClient as(String token) {
        return open(ConnectOptions.fromEnvironment(Map.of())
                .withTrustedCertificates(cert)
                .withToken(token));
    }

    static EiscopeClient open(ConnectOptions options) {
        EiscopeClient c = EiscopeClient.connect("127.0.0.1", port, options);
        opened.add(c);
        return c;
    }

    static String mlp(EiscopeClient client) {
        return client.create(EiscopeClientIT.mlp(1, 0.05, 32)).getId();
    }

    static Status status(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
        throw new AssertionError("the call succeeded");
    }

    /** Opens a session, sends {@code requests}, half-closes; the acknowledgements' codes in order, or the call's failure. */
    static CompletableFuture<List<Integer>> session(EiscopeClient client, SessionRequest... requests) {
        CompletableFuture<List<Integer>> done = new CompletableFuture<>();
        List<Integer> codes = new CopyOnWriteArrayList<>();
        StreamObserver<SessionRequest> out = client.session(new StreamObserver<>() {
            @Override
            public void onNext(SessionResponse r) {
                if (r.hasAck()) codes.add(r.getAck().getCode());
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(codes);
            }
        });
        for (SessionRequest r : requests) out.onNext(r);
        out.onCompleted();
        return done;
    }

    static SessionRequest subscribe(long requestId, String id) {
        return SessionRequest.newBuilder()
                .setRequestId(requestId)
                .setSubscribe(WatchRequest.newBuilder().setId(id).addObservables("state"))
                .build();
    }

    static SessionRequest runUntil(long requestId, String id, long step) {
        return SessionRequest.newBuilder()
                .setRequestId(requestId)
                .setCommand(ApplyCommandRequest.newBuilder()
                        .setId(id)
                        .setCommand(Command.newBuilder()
                                .setRunUntil(RunUntil.newBuilder().setStep(step))))
                .build();
    }

    @Test
    void withItsTokenOverTlsAClientCreatesStepsWatchesAndReadsHistory() throws Exception {
        EiscopeClient alice = as(ALICE);
        Simulation sim = alice.create(EiscopeClientIT.mlp(1, 0.05, 32));
        assertThat(sim.getOwner()).isEqualTo("alice");
        alice.step(sim.getId(), 20);
        assertThat(alice.waitForStep(sim.getId(), 20, Duration.ofSeconds(60)).getStep())
                .isEqualTo(20);
        List<Frame> frames = new ArrayList<>();
        alice.watchUntilPaused(WatchRequest.newBuilder()
                        .setId(sim.getId())
                        .addObservables("loss")
                        .setFromStep(1)
                        .build())
                .forEach(frames::add);
        List<Long> steps = LongStream.rangeClosed(1, 20).boxed().toList();
        assertThat(frames).extracting(Frame::getStep).containsExactlyElementsOf(steps);
        assertThat(alice.history(sim.getId(), "loss").get("loss").steps())
                .containsExactly(LongStream.rangeClosed(1, 20).toArray());
        assertThat(alice.reconstruct(sim.getId(), 10).getDone()).isTrue();
        assertThat(session(alice, subscribe(1, sim.getId()), runUntil(2, sim.getId(), 25))
                        .get(30, TimeUnit.SECONDS))
                .containsExactly(0, 0);
    }

    @Test
    void withoutATokenEveryKindOfCallIsUnauthenticated() throws Exception {
        EiscopeClient none = as(null);
        Status list = status(none::list);
        assertThat(list.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(list.getDescription()).contains("authorization: Bearer");
        assertThat(status(() -> none.watch(
                                        WatchRequest.newBuilder().setId("any").build())
                                .forEach(f -> {}))
                        .getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status(() -> none.reconstruct("any", 1)).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThatThrownBy(() -> session(none, subscribe(1, "any")).get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        Status unknown = status(() -> as("not-a-token-0123456789").catalogue());
        assertThat(unknown.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(unknown.getDescription()).isEqualTo("the token is not one this server knows");
    }

    @Test
    void aReadOnlyTokenReadsItsOwnersRunsButCannotSteerThem() throws Exception {
        String id = mlp(as(ALICE));
        EiscopeClient reader = as(ALICE_READ);
        assertThat(reader.get(id).getOwner()).isEqualTo("alice");
        assertThat(reader.parameters(id, "layer0.W").get("layer0.W").shape()).containsExactly(16, 784);
        List<Frame> frames = new ArrayList<>();
        EiscopeClient.Watch watch = reader.watch(
                WatchRequest.newBuilder().setId(id).addObservables("state").build());
        watch.forEach(f -> {
            frames.add(f);
            watch.cancel();
        });
        assertThat(frames).extracting(Frame::getObservable).containsExactly("state");
        Status step = status(() -> reader.step(id, 1));
        assertThat(step.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(step.getDescription()).contains("read-only");
        assertThat(status(() -> mlp(reader)).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(session(reader, subscribe(1, id), runUntil(2, id, 5)).get(30, TimeUnit.SECONDS))
                .containsExactly(0, Status.Code.PERMISSION_DENIED.value());
        assertThat(reader.get(id).getStep()).isZero();
    }

    @Test
    void anotherOwnersRunIsPermissionDeniedAndAnAdminReachesEveryRun() {
        String alices = mlp(as(ALICE));
        EiscopeClient bob = as(BOB);
        String bobs = mlp(bob);
        Status get = status(() -> bob.get(alices));
        assertThat(get.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(get.getDescription()).contains("belongs to 'alice'");
        assertThat(status(() -> bob.step(alices, 1)).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(bob.list()).extracting(Simulation::getId).contains(bobs).doesNotContain(alices);
        assertThat(as(ADMIN).list()).extracting(Simulation::getId).contains(alices, bobs);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsSayingWhatToTrust() {
        EiscopeClient untrusting =
                open(ConnectOptions.fromEnvironment(Map.of()).withTls().withToken(ALICE)); // the JVM's trust store
        Status s = status(untrusting::list);
        assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(s.getDescription())
                .startsWith("the server's TLS certificate is not trusted")
                .contains("withTrustedCertificates");
        assertThat(s.getCause()).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aHandshakeThatFailsForAnotherReasonKeepsItsStatus() {
        Status other = Status.UNAVAILABLE
                .withDescription("io exception")
                .withCause(new SSLHandshakeException("Connection closed"));
        assertThat(Connection.explained(other)).isSameAs(other);
    }

    @Test
    void aPlaintextClientGetsNoAnswerFromATlsPort() {
        EiscopeClient plain = open(ConnectOptions.fromEnvironment(Map.of()).withToken(ALICE));
        assertThat(status(plain::list).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void optionsTakeTheTokenFromTheEnvironmentAndNeverPrintIt() throws Exception {
        ConnectOptions fromEnv = ConnectOptions.fromEnvironment(Map.of(ConnectOptions.TOKEN_ENV, " " + ALICE + "\n"));
        assertThat(fromEnv.token()).isEqualTo(ALICE);
        assertThat(fromEnv.withToken("").token()).isNull();
        assertThat(fromEnv.toString()).contains("token=set").doesNotContain(ALICE);
        assertThat(fromEnv.tls()).isFalse();
        assertThat(fromEnv.withTrustedCertificates(cert).tls()).isTrue();
        assertThatThrownBy(() -> fromEnv.withToken("two words"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whitespace");
        Path notPem = Files.createTempFile("not-a-certificate", ".pem");
        Files.writeString(notPem, "not a certificate");
        assertThatThrownBy(() -> EiscopeClient.connect("127.0.0.1", port, fromEnv.withTrustedCertificates(notPem)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(notPem.toString());
        assertThatThrownBy(() -> EiscopeClient.connect(
                        "127.0.0.1", port, fromEnv.withTrustedCertificates(Path.of("/no/such.pem"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/no/such.pem");
    }

    @Test
    void aTokenCanBeAddedToAChannelTheCallerBuilt() throws Exception {
        io.grpc.ManagedChannel channel = io.grpc.Grpc.newChannelBuilderForAddress(
                        "127.0.0.1",
                        port,
                        io.grpc.TlsChannelCredentials.newBuilder()
                                .trustManager(cert.toFile())
                                .build())
                .build();
        try {
            mlp(as(ALICE));
            assertThat(new EiscopeClient(channel, ALICE).list())
                    .extracting(Simulation::getOwner)
                    .containsOnly("alice");
            assertThat(status(() -> new EiscopeClient(channel).list()).getCode())
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}

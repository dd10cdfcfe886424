package io.eiscope.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.CheckpointInfo;
import io.eiscope.api.v1.CheckpointPolicy;
import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.IntList;
import io.eiscope.api.v1.Intervention;
import io.eiscope.api.v1.ReconstructProgress;
import io.eiscope.api.v1.RecordedEvent;
import io.eiscope.api.v1.SessionRequest;
import io.eiscope.api.v1.SessionResponse;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.Value;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.app.EiscopeServer;
import io.eiscope.app.ServerOptions;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The java blocks of client-sdk/java/README.md (the tour, the worked example, time travel, tokens and TLS) are this
 * test's code between markers, and run as written (but for the port, and the path of the
 * self-signed certificate) against a live server, with --auth token and TLS for the last.
 */
class ReadmeIT {
    private static final Path SOURCE = Path.of("src/test/java/io/eiscope/client/ReadmeIT.java");

    @Test
    void theReadmesJavaBlocksAreThisTestsCode() throws Exception {
        Matcher block =
                Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(Path.of("README.md")));
        for (String name : List.of("tour", "worked example", "time travel", "tokens and TLS")) {
            assertThat(block.find()).as("the %s block in README.md", name).isTrue();
            assertThat(block.group(1)).as("the %s block", name).isEqualTo(marked(name));
        }
        assertThat(block.find()).as("no other java block").isFalse();
    }

    @Test
    void theMainReadmesJavaBlockIsThisTestsCode() throws Exception {
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(Path.of("../../README.md")));
        assertThat(block.find())
                .as("the java block of the repository's README.md")
                .isTrue();
        assertThat(block.group(1)).isEqualTo(marked("main"));
        assertThat(block.find()).as("no other java block").isFalse();
    }

    @Test
    void theMainReadmesJavaBlockRuns() throws Exception {
        EiscopeServer server = server();
        try {
            int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            // README main: begin
            EiscopeClient client = EiscopeClient.connect("127.0.0.1", port); // close() when done
            Simulation sim = client.createFromPreset("mlp-fashion-mnist"); // PAUSED at step 0
            client.step(sim.getId(), 200); // exactly 200 updates, then paused
            client.waitForStep(sim.getId(), 200, Duration.ofSeconds(60));
            History.Series loss = client.history(sim.getId(), "loss").get("loss"); // steps 1..200 and their losses
            float[] w =
                    client.parameters(sim.getId(), "layer0.W").get("layer0.W").data(); // post x pre, row-major
            // README main: end
            try (client) {
                assertThat(loss.steps()).startsWith(1).endsWith(200).hasSize(200);
                assertThat(w).hasSize(100 * 784);
                assertThat(client.get(sim.getId()).getStep()).isEqualTo(200);
            }
        } finally {
            server.close();
        }
    }

    /** The code between "// README <name>: begin" and "...: end" in this file, dedented, with the README's port and certificate path. */
    private static String marked(String name) throws Exception {
        String source = Files.readString(SOURCE),
                begin = "// README " + name + ": begin",
                end = "// README " + name + ": end";
        String code = source.substring(
                source.indexOf(begin + "\n") + begin.length(), source.indexOf(end + "\n")); // the markers' lines
        List<String> lines = code.lines().toList(); // dedented by the block's own indentation
        int indent = lines.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        String dedented = String.join(
                                "\n",
                                lines.stream()
                                        .map(l -> l.isBlank() ? "" : l.substring(indent))
                                        .toList())
                        .strip()
                + "\n";
        return dedented.replace("connect(\"127.0.0.1\", port", "connect(\"127.0.0.1\", 7070")
                .replace("server.tlsCertificate()", "Path.of(\".data/tls/cert.pem\")");
    }

    private static EiscopeServer server() throws Exception {
        Path data = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        return new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(data)
                .withDataDir(Files.createTempDirectory("eiscope-record")));
    }

    @Test
    void theTourRuns() throws Exception {
        EiscopeServer server = server();
        try {
            int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            // README tour: begin
            EiscopeClient client = EiscopeClient.connect("127.0.0.1", port); // close() when done
            String id = client.createFromPreset("mlp-fashion-mnist").getId(); // PAUSED at step 0
            client.step(id, 200); // starts exactly 200 updates
            client.waitForStep(id, 200, Duration.ofSeconds(60)); // blocks until they are done

            // Every recorded loss from step 0, then live frames; returns once the run is paused.
            List<Frame> frames = new ArrayList<>();
            client.watchUntilPaused(WatchRequest.newBuilder()
                            .setId(id)
                            .addObservables("loss")
                            .setFromStep(0)
                            .build())
                    .forEach(frames::add);

            History.Series loss =
                    client.history(id, "loss").get("loss"); // long[] steps, double[] values, long[] wallTimeNanos
            History.Series curve = client.history(GetHistoryRequest.newBuilder()
                            .setId(id)
                            .addObservables("loss")
                            .setMaxPoints(40)
                            .build())
                    .get("loss"); // downsampled on the server, extremes kept
            double now = client.latest(id, "loss").getValuesOrThrow("loss"); // no stream
            List<RecordedEvent> events = client.events(id); // state changes and interventions

            client.updateRun(id, "baseline", List.of("mlp", "sgd"), "first try"); // null leaves a field as it is
            CheckpointInfo saved = client.saveCheckpoint(id, true); // pinned: kept whatever the retention
            Map<String, EiscopeClient.FloatTensor> stored = client.checkpoint(id, saved.getStep()); // == parameters(id)
            byte[] npz = client.checkpointNpz(id, saved.getStep()); // the .npz file numpy.load reads
            // README tour: end
            try (client) {
                assertThat(frames)
                        .extracting(Frame::getStep)
                        .containsExactlyElementsOf(
                                Arrays.stream(loss.steps()).boxed().toList());
                assertThat(loss.steps()).startsWith(1).endsWith(200);
                assertThat(curve.size()).isBetween(4, 40);
                assertThat(now).isEqualTo(loss.values()[loss.size() - 1]);
                assertThat(events).isNotEmpty();
                assertThat(client.get(id).getTagsList()).containsExactly("mlp", "sgd");
                assertThat(saved.getStep()).isEqualTo(200);
                assertThat(saved.getPinned()).isTrue();
                assertThat(stored.get("layer0.W").data())
                        .isEqualTo(client.parameters(id, "layer0.W")
                                .get("layer0.W")
                                .data());
                assertThat(npz).startsWith((byte) 'P', (byte) 'K'); // a zip
            }
        } finally {
            server.close();
        }
    }

    @Test
    void theWorkedExampleRuns() throws Exception {
        EiscopeServer server = server();
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            // README worked example: begin
            EiscopeClient client = EiscopeClient.connect("127.0.0.1", port);
            SimulationSpec spec = SimulationSpec.newBuilder()
                    .setSeed(1)
                    .setBatchSize(32)
                    .setModel(
                            ComponentSpec.newBuilder().setKind("mlp").putParams("hidden", Commands.value(List.of(100))))
                    .setLearningRule(
                            ComponentSpec.newBuilder().setKind("sgd").putParams("learning_rate", Commands.value(0.05)))
                    .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist"))
                    .build();
            String sim = client.create(spec).getId();
            client.apply(sim, Commands.runUntil(300)); // play, pause at step 300; returns at once
            client.waitForStep(sim, 300, Duration.ofSeconds(60)); // blocks until it got there
            client.apply(sim, Commands.prune(0.5)); // applied at step 300, logged
            String fork = client.fork(sim).getId(); // exact copy: weights, optimiser, data order, masks
            client.apply(fork, Commands.switchRule("eg", Map.of("learning_rate", 0.05))); // exponentiated gradient
            List<Intervention> log = client.interventionLog(fork); // (step, command) pairs: replayable

            // Steer and observe over one Session call: a subscription, then a command for each run.
            CountDownLatch acks = new CountDownLatch(3);
            AtomicLong lossFrames = new AtomicLong();
            StreamObserver<SessionRequest> session = client.session(new StreamObserver<SessionResponse>() {
                @Override
                public void onNext(SessionResponse r) { // on a gRPC thread
                    if (r.hasAck()) acks.countDown(); // r.getAck().getEffectiveStep(): where it took effect
                    else lossFrames.addAndGet(r.getFrames().getFramesCount());
                }

                @Override
                public void onError(Throwable t) {
                    t.printStackTrace();
                }

                @Override
                public void onCompleted() {}
            });
            session.onNext(SessionRequest.newBuilder()
                    .setRequestId(1)
                    .setSubscribe(WatchRequest.newBuilder().setId(fork).addObservables("loss"))
                    .build());
            session.onNext(SessionRequest.newBuilder()
                    .setRequestId(2)
                    .setCommand(ApplyCommandRequest.newBuilder().setId(fork).setCommand(Commands.runUntil(600)))
                    .build());
            session.onNext(SessionRequest.newBuilder()
                    .setRequestId(3)
                    .setCommand(ApplyCommandRequest.newBuilder().setId(sim).setCommand(Commands.runUntil(600)))
                    .build());
            acks.await(10, TimeUnit.SECONDS);
            for (String run : List.of(sim, fork)) client.waitForStep(run, 600, Duration.ofSeconds(60));
            session.onCompleted(); // ends the subscription

            History.Series sgd = client.history(sim, "loss").get("loss"); // steps 1..600
            History.Series eg = client.history(fork, "loss").get("loss"); // 301..600: the fork's own record
            System.out.printf(
                    "loss at step 600: SGD %.3f, EG %.3f%n", sgd.values()[sgd.size() - 1], eg.values()[eg.size() - 1]);
            // README worked example: end
            System.setOut(stdout);
            try (client) {
                Intervention prune = log.get(log.size() - 2),
                        shift = log.get(log.size() - 1); // the parent's log, then the switch
                assertThat(prune.getCommand().hasPrune()).isTrue();
                assertThat(shift.getCommand().hasSwitchRule()).isTrue();
                assertThat(List.of(prune.getStep(), shift.getStep())).containsExactly(300L, 300L);
                assertThat(acks.getCount()).isZero();
                assertThat(lossFrames.get()).isPositive();
                assertThat(client.get(fork).getParentId()).isEqualTo(sim);
                assertThat(client.get(fork).getLearningRule().getKind()).isEqualTo("eg");
                assertThat(List.of(client.get(sim).getStep(), client.get(fork).getStep()))
                        .containsExactly(600L, 600L);
                assertThat(sgd.steps()).startsWith(1).endsWith(600).hasSize(600);
                assertThat(eg.steps()).startsWith(301).endsWith(600).hasSize(300);
                assertThat(printed.toString(StandardCharsets.UTF_8))
                        .matches("loss at step 600: SGD \\d\\.\\d{3}, EG \\d\\.\\d{3}\\R");
            }
        } finally {
            System.setOut(stdout);
            server.close();
        }
    }

    @Test
    void theTimeTravelBlockRuns() throws Exception {
        EiscopeServer server = server();
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            // README time travel: begin
            EiscopeClient client = EiscopeClient.connect("127.0.0.1", port);
            SimulationSpec spec = SimulationSpec.newBuilder()
                    .setName("mlp")
                    .setSeed(3)
                    .setBatchSize(32)
                    .setModel(ComponentSpec.newBuilder()
                            .setKind("mlp")
                            .putParams(
                                    "hidden",
                                    Value.newBuilder()
                                            .setInts(IntList.newBuilder().addValues(100))
                                            .build()))
                    .setLearningRule(ComponentSpec.newBuilder().setKind("sgd"))
                    .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist"))
                    .setCheckpoints(
                            CheckpointPolicy.newBuilder().setEverySteps(100)) // a replay covers at most ~100 steps
                    .build();
            String id = client.create(spec).getId();
            client.step(id, 300);
            client.waitForStep(id, 300, Duration.ofSeconds(60));

            ReconstructProgress done = client.reconstruct(
                    id,
                    250,
                    p -> // rebuilds step 250, with progress
                    System.out.println(p.getReplayedSteps() + "/" + p.getTotalSteps() + " steps from " + p.getSource()
                            + " " + p.getFromStep()));
            Map<String, EiscopeClient.FloatTensor> then = client.parametersAt(id, 250, "layer0.W"); // as it was at 250
            List<Frame> spectra =
                    client.measureAt(id, 250, List.of("singular_values"), List.of("layer0")); // as watch delivers them
            Simulation fork = client.fork(id, 250); // PAUSED at 250, the run's log up to there
            CheckpointInfo pinned = client.saveCheckpointAt(id, 250); // later visits replay nothing
            try {
                client.parametersAt(id, 10_000);
            } catch (StatusRuntimeException e) { // OUT_OF_RANGE: step 10000 is ahead of run ...
                System.out.println(
                        e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            }
            // README time travel: end
            System.setOut(stdout);
            try (client) {
                // From the checkpoint at 200, or later if a checkpoint write was still in flight there.
                assertThat(done.getDone()).isTrue();
                assertThat(done.getSource()).isEqualTo("checkpoint");
                assertThat(done.getFromStep()).isBetween(50L, 250L);
                assertThat(done.getTotalSteps()).isEqualTo(250 - done.getFromStep());
                List<String> lines =
                        printed.toString(StandardCharsets.UTF_8).lines().toList();
                assertThat(lines)
                        .contains(done.getTotalSteps() + "/" + done.getTotalSteps() + " steps from checkpoint "
                                + done.getFromStep());
                assertThat(lines)
                        .anyMatch(l -> l.startsWith(
                                "OUT_OF_RANGE: step 10000 is ahead of run " + id + ", which is at step 300"));
                assertThat(then.get("layer0.W").shape()).containsExactly(100, 784);
                assertThat(spectra).extracting(Frame::getLayer).containsExactly("layer0.W");
                assertThat(spectra).extracting(Frame::getStep).containsExactly(250L);
                assertThat(fork.getParentId()).isEqualTo(id);
                assertThat(fork.getForkStep()).isEqualTo(250);
                assertThat(pinned.getPinned()).isTrue();
                assertThat(pinned.getReason()).isEqualTo("time travel");
            }
        } finally {
            System.setOut(stdout);
            server.close();
        }
    }

    @Test
    void theTokensAndTlsBlockRuns() throws Exception {
        Path tokens = Files.createTempFile("eiscope-tokens", "");
        String token = "alice-steer-0123456789abcdef";
        Files.writeString(tokens, token + " steer alice\n");
        Path data = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        EiscopeServer server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(data)
                .withDataDir(Files.createTempDirectory("eiscope-record"))
                .withAuth(ServerOptions.Auth.TOKEN, tokens)
                .withTlsSelfSigned(true));
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            // README tokens and TLS: begin
            ConnectOptions options = ConnectOptions.defaults() // the token in $EISCOPE_TOKEN, if set,
                    .withToken(token) // or this one
                    .withTrustedCertificates(server.tlsCertificate()); // TLS, trusting the certificate it generated
            try (EiscopeClient client = EiscopeClient.connect("127.0.0.1", port, options)) {
                Simulation sim = client.createFromPreset("mlp-fashion-mnist");
                System.out.println(sim.getOwner()); // the owner of the token
                try (EiscopeClient anonymous = EiscopeClient.connect("127.0.0.1", port, options.withToken(null))) {
                    anonymous.get(sim.getId());
                } catch (StatusRuntimeException e) { // UNAUTHENTICATED: this server needs a token ...
                    System.out.println(
                            e.getStatus().getCode() + ": " + e.getStatus().getDescription());
                }
            }
            // README tokens and TLS: end
            System.setOut(stdout);
            assertThat(printed.toString(StandardCharsets.UTF_8).lines().toList())
                    .containsExactly(
                            "alice",
                            "UNAUTHENTICATED: this server needs a token: send the header 'authorization: Bearer <token>' (the SDKs take token= or $EISCOPE_TOKEN)");
        } finally {
            System.setOut(stdout);
            server.close();
        }
    }
}

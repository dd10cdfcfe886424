package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.Command;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.DeleteSimulationRequest;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.RunUntil;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import io.eiscope.store.PostgresCluster;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real server processes on 127.0.0.1 as one cluster (Vert.x over Hazelcast) on a real PostgreSQL record and one
 * data directory: a run created through one member is listed, steered and watched through the others; when its owner
 * is killed with SIGKILL, a survivor takes it from the record and it plays on to the same weights, bit for bit, as a
 * twin on another member that was never interrupted; a watch opened anywhere after that reads its whole history.
 */
class ClusterProcessTest {
    @TempDir
    Path dataDir;

    private ServerProcesses servers;
    private final Map<Integer, SimulationServiceGrpc.SimulationServiceBlockingStub> members = new TreeMap<>();
    private final List<Integer> ports = new ArrayList<>();

    @BeforeEach
    void cluster() throws Exception {
        String store = PostgresCluster.shared().newDatabase();
        servers = new ServerProcesses(dataDir, List.of("--store", store), 120);
        int[] hz = {freePort(), freePort(), freePort()};
        String list = "127.0.0.1:" + hz[0] + ",127.0.0.1:" + hz[1] + ",127.0.0.1:" + hz[2];
        for (int p : hz) {
            var s = servers.start(
                    List.of("--cluster", "--cluster-port", Integer.toString(p), "--cluster-members", list));
            members.put(s.port(), s.stub());
            ports.add(s.port());
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        servers.close();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static SimulationSpec spec() {
        return SimulationSpec.newBuilder()
                .setName("clustered")
                .setSeed(5)
                .setBatchSize(16)
                .setModel(io.eiscope.api.v1.ComponentSpec.newBuilder()
                        .setKind("dann")
                        .putParams("hidden_excitatory", SteeringGrpcTest.ints(32))
                        .putParams("hidden_inhibitory", SteeringGrpcTest.ints(4)))
                .setLearningRule(io.eiscope.api.v1.ComponentSpec.newBuilder().setKind("adam"))
                .setTask(io.eiscope.api.v1.ComponentSpec.newBuilder().setKind("fashion_mnist"))
                .build();
    }

    /** A stub to the member on {@code port}, with a deadline from now (a stub's deadline is fixed when it is made). */
    private SimulationServiceGrpc.SimulationServiceBlockingStub at(int port) {
        return members.get(port).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static int portOf(Simulation s) {
        assertThat(s.getMember()).as("the member that holds " + s.getId()).startsWith("127.0.0.1:");
        return Integer.parseInt(s.getMember().substring(s.getMember().lastIndexOf(':') + 1));
    }

    private static Simulation get(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id) {
        return stub.withDeadlineAfter(20, TimeUnit.SECONDS)
                .getSimulation(GetSimulationRequest.newBuilder().setId(id).build())
                .getSimulation();
    }

    private static Simulation waitFor(
            SimulationServiceGrpc.SimulationServiceBlockingStub stub,
            String id,
            java.util.function.Predicate<Simulation> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = "";
        while (true) {
            try {
                Simulation s = get(stub, id);
                if (done.test(s)) return s;
                last = s.getState() + " at " + s.getStep() + " on " + s.getMember() + ": " + s.getStatusMessage();
            } catch (StatusRuntimeException e) {
                // While the owner's death is noticed, calls for its runs are UNAVAILABLE and say to retry.
                assertThat(e.getStatus().getCode()).as(e.getMessage()).isEqualTo(Status.Code.UNAVAILABLE);
                last = e.getMessage();
            }
            assertThat(System.nanoTime()).as("waiting for " + id + ": " + last).isLessThan(deadline);
            Thread.sleep(50); // polling remote processes: no latch to wait on
        }
    }

    private static void runUntil(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id, long step) {
        stub.applyCommand(ApplyCommandRequest.newBuilder()
                .setId(id)
                .setCommand(
                        Command.newBuilder().setRunUntil(RunUntil.newBuilder().setStep(step)))
                .build());
    }

    /** The distinct steps of the loss frames of a watch from step 0, read until step {@code upTo}'s. */
    private static java.util.NavigableSet<Long> watchedLossSteps(
            SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id, long upTo) {
        TreeSet<Long> steps = new TreeSet<>();
        Iterator<WatchResponse> it = stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                .watch(WatchRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .setFromStep(0)
                        .build());
        while ((steps.isEmpty() || steps.last() < upTo) && it.hasNext()) {
            for (Frame f : it.next().getFramesList()) if (f.getObservable().equals("loss")) steps.add(f.getStep());
        }
        return steps;
    }

    /**
     * A session on a member that does not hold the run: its subscription relays the owner's frames, its control is
     * applied there and acknowledged with the step it took effect at. A relayed subscription with max_unread_messages
     * gets no more messages than it says it read.
     */
    private void sessionThroughAnotherMember(int port, String id) throws Exception {
        io.grpc.ManagedChannel ch = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
        try {
            java.util.concurrent.BlockingQueue<io.eiscope.api.v1.SessionResponse> in =
                    new java.util.concurrent.LinkedBlockingQueue<>();
            var out = SimulationServiceGrpc.newStub(ch)
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .session(new io.grpc.stub.StreamObserver<>() {
                        @Override
                        public void onNext(io.eiscope.api.v1.SessionResponse r) {
                            in.add(r);
                        }

                        @Override
                        public void onError(Throwable t) {}

                        @Override
                        public void onCompleted() {}
                    });
            out.onNext(io.eiscope.api.v1.SessionRequest.newBuilder()
                    .setRequestId(1)
                    .setSubscribe(WatchRequest.newBuilder().setId(id).addObservables("loss"))
                    .build());
            var first = in.poll(30, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(first.getAck().getRequestId()).isEqualTo(1);
            assertThat(first.getAck().getCode()).as(first.getAck().getMessage()).isZero();
            assertThat(first.getAck().getEffectiveStep()).isEqualTo(40);
            out.onNext(io.eiscope.api.v1.SessionRequest.newBuilder()
                    .setRequestId(3)
                    .setSubscribe(WatchRequest.newBuilder()
                            .setId(id)
                            .addObservables("loss")
                            .setMaxUnreadMessages(1))
                    .build());
            java.util.List<java.util.List<io.eiscope.api.v1.Frame>> limited =
                    new java.util.concurrent.CopyOnWriteArrayList<>();
            out.onNext(io.eiscope.api.v1.SessionRequest.newBuilder()
                    .setRequestId(2)
                    .setControl(ControlRequest.newBuilder()
                            .setId(id)
                            .setAction(ControlAction.CONTROL_ACTION_STEP)
                            .setSteps(5))
                    .build());
            TreeSet<Long> steps = new TreeSet<>();
            long controlAt = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((controlAt < 0 || steps.isEmpty() || steps.last() < 45) && System.nanoTime() < deadline) {
                var r = in.poll(1, TimeUnit.SECONDS);
                if (r == null) continue;
                if (r.hasAck())
                    assertThat(r.getAck().getCode()).as(r.getAck().getMessage()).isZero();
                if (r.hasAck() && r.getAck().getRequestId() == 2)
                    controlAt = r.getAck().getEffectiveStep();
                if (r.hasFrames() && r.getFrames().getSubscriptionId() == 3)
                    limited.add(r.getFrames().getFramesList());
                else if (r.hasFrames()) {
                    assertThat(r.getFrames().getSubscriptionId()).isEqualTo(1);
                    r.getFrames().getFramesList().forEach(f -> steps.add(f.getStep()));
                }
            }
            assertThat(controlAt).as("the step the control took effect at").isEqualTo(40);
            assertThat(steps.tailSet(41L))
                    .as("loss frames relayed from the owner")
                    .containsExactly(41L, 42L, 43L, 44L, 45L);
            // Subscription 3 read nothing yet: one message, whatever the owner sent meanwhile.
            for (var r = in.poll(300, TimeUnit.MILLISECONDS); r != null; r = in.poll(300, TimeUnit.MILLISECONDS))
                if (r.hasFrames() && r.getFrames().getSubscriptionId() == 3)
                    limited.add(r.getFrames().getFramesList());
            assertThat(limited)
                    .as("messages of the subscription allowed one unread")
                    .hasSize(1);
            // Each read lets one more through, until the run's step 45.
            for (int read = 1; limited.get(limited.size() - 1).stream().noneMatch(f -> f.getStep() == 45); read++) {
                assertThat(read).as("reads before step 45 arrived").isLessThan(10);
                out.onNext(io.eiscope.api.v1.SessionRequest.newBuilder()
                        .setRead(io.eiscope.api.v1.SessionRead.newBuilder()
                                .setSubscriptionId(3)
                                .setMessages(read))
                        .build());
                var r = in.poll(30, TimeUnit.SECONDS);
                assertThat(r).as("a message after read " + read).isNotNull();
                assertThat(r.getFrames().getSubscriptionId()).isEqualTo(3);
                limited.add(r.getFrames().getFramesList());
                assertThat(in.poll(200, TimeUnit.MILLISECONDS))
                        .as("no second message before the next read")
                        .isNull();
            }
            long firstStep = limited.get(0).get(limited.get(0).size() - 1).getStep();
            assertThat(limited.stream()
                            .skip(1)
                            .flatMap(java.util.List::stream)
                            .mapToLong(f -> Math.max(1, f.getScalar().getMergedCount()))
                            .sum())
                    .as("every loss sample after step " + firstStep + " in exactly one frame's count")
                    .isEqualTo(45 - firstStep);
            out.onCompleted();
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** The CSV export asked of a member that does not hold the run: redirected to the one that does. */
    private static void exportThroughAnotherMember(int port, String id, int steps) throws Exception {
        var http = java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NORMAL)
                .build();
        var resp = http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                "http://127.0.0.1:" + port + "/api/runs/" + id + "/scalars.csv?observables=loss"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        assertThat(resp.uri().getPort()).as("answered by the owner").isNotEqualTo(port);
        assertThat(resp.body().lines().filter(l -> l.contains("loss"))).hasSize(steps);
    }

    /** A sweep made through one member: its runs are spread over the members, and it is followed through another. */
    private void sweepSpreadOverTheMembers(int through, int other) throws Exception {
        io.eiscope.api.v1.Sweep sweep = at(through)
                .createSweep(io.eiscope.api.v1.CreateSweepRequest.newBuilder()
                        .setSpec(io.eiscope.api.v1.SweepSpec.newBuilder()
                                .setSpec(SweepGrpcTest.rOfK(100, 200))
                                .setMode(io.eiscope.api.v1.SweepMode.SWEEP_MODE_GRID)
                                .addAxes(SweepGrpcTest.axis(
                                        "seed",
                                        java.util.stream.LongStream.rangeClosed(1, 8)
                                                .mapToObj(SweepGrpcTest::integer)
                                                .toArray(io.eiscope.api.v1.Value[]::new)))
                                .setConcurrency(2))
                        .build())
                .getSweep();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        io.eiscope.api.v1.Sweep seen;
        do {
            Thread.sleep(100); // polling remote processes
            seen = at(other)
                    .getSweep(io.eiscope.api.v1.GetSweepRequest.newBuilder()
                            .setSweepId(sweep.getId())
                            .build())
                    .getSweep();
        } while (seen.getState() != io.eiscope.api.v1.SweepState.SWEEP_STATE_DONE && System.nanoTime() < deadline);
        assertThat(seen.getState()).as(seen.toString()).isEqualTo(io.eiscope.api.v1.SweepState.SWEEP_STATE_DONE);
        assertThat(seen.getDoneRuns()).isEqualTo(8);
        java.util.Set<String> where = new java.util.TreeSet<>();
        for (var r : seen.getRunsList()) {
            Simulation s = get(at(other), r.getRunId());
            assertThat(s.getStep()).isEqualTo(100);
            assertThat(s.getState()).isEqualTo(SimulationState.SIMULATION_STATE_FINISHED);
            assertThat(s.getTagsList()).containsExactly("sweep:" + sweep.getId());
            where.add(s.getMember());
        }
        assertThat(where).as("the members its runs were made on").hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aRunIsSteeredThroughAnyMemberAndOutlivesItsOwnerBitForBit() throws Exception {
        int entry = ports.get(0);
        Simulation run = at(entry)
                .createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(spec()).build())
                .getSimulation();
        int owner = portOf(run);
        assertThat(ports).contains(owner);
        // An uninterrupted twin on another member (new runs go to the least loaded member).
        Simulation twin = null;
        for (int attempt = 0; attempt < 6 && (twin == null || portOf(twin) == owner); attempt++) {
            if (twin != null)
                at(entry)
                        .deleteSimulation(DeleteSimulationRequest.newBuilder()
                                .setId(twin.getId())
                                .build());
            twin = at(entry)
                    .createSimulation(
                            CreateSimulationRequest.newBuilder().setSpec(spec()).build())
                    .getSimulation();
        }
        assertThat(portOf(twin)).as("the twin's member").isNotEqualTo(owner);
        int[] others = ports.stream()
                .filter(p -> p != owner)
                .mapToInt(Integer::intValue)
                .toArray();
        int b = others[0], c = others[1];

        // Every member lists both runs; a member that does not hold the run steers and watches it.
        for (int m : ports)
            assertThat(at(m).listSimulations(ListSimulationsRequest.getDefaultInstance())
                            .getSimulationsList())
                    .extracting(Simulation::getId)
                    .contains(run.getId(), twin.getId());
        at(b).control(ControlRequest.newBuilder()
                .setId(run.getId())
                .setAction(ControlAction.CONTROL_ACTION_STEP)
                .setSteps(40)
                .build());
        waitFor(at(c), run.getId(), s -> s.getStep() == 40 && s.getState() == SimulationState.SIMULATION_STATE_PAUSED);
        assertThat(watchedLossSteps(at(b), run.getId(), 40))
                .as("loss steps watched through another member")
                .hasSize(40);
        assertThat(get(at(c), run.getId()).getMember()).isEqualTo("127.0.0.1:" + owner);
        sessionThroughAnotherMember(b, run.getId());
        exportThroughAnotherMember(c, run.getId(), 45);

        sweepSpreadOverTheMembers(entry, b);

        // Both play on towards step 800; the owner is killed on the way.
        long end = 800;
        runUntil(at(c), run.getId(), end);
        runUntil(at(b), twin.getId(), end);
        waitFor(at(b), run.getId(), s -> s.getRecordedStep() >= 300);
        Process ownerProcess = servers.process(ports.indexOf(owner));
        ownerProcess.destroyForcibly(); // SIGKILL: no checkpoint, no goodbye
        assertThat(ownerProcess.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long killed = System.nanoTime();

        Simulation moved = waitFor(at(b), run.getId(), s -> !s.getMember().isEmpty() && portOf(s) != owner);
        double tookOverSeconds = (System.nanoTime() - killed) / 1e9;
        assertThat(portOf(moved)).isIn(others[0], others[1]);
        System.out.printf(
                "ClusterProcessTest: a survivor took the run over %.1f s after its owner died%n", tookOverSeconds);
        Simulation done = waitFor(at(c), run.getId(), s -> s.getStep() == end);
        assertThat(done.getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
        waitFor(
                at(c),
                twin.getId(),
                s -> s.getStep() == end && s.getState() == SimulationState.SIMULATION_STATE_PAUSED);
        assertThat(get(at(b), twin.getId()).getMember())
                .as("the twin was never moved")
                .isEqualTo(twin.getMember());
        RunRecordProcessTest.assertSameParameters(at(b), run.getId(), twin.getId());
        RunRecordProcessTest.assertSameParameters(at(c), run.getId(), twin.getId());

        // A watcher reconnecting through either survivor reads every step, the record's and the new member's.
        java.util.NavigableSet<Long> steps = watchedLossSteps(at(c), run.getId(), end);
        assertThat(steps).hasSize((int) end);
        assertThat(steps.first()).isEqualTo(1L);
        assertThat(steps.last()).isEqualTo(end);
    }
}

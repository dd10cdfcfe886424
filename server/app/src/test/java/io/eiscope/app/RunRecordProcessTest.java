package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.Command;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetParametersResponse;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.ListCheckpointsRequest;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.NamedTensor;
import io.eiscope.api.v1.Prune;
import io.eiscope.api.v1.PruneMethod;
import io.eiscope.api.v1.PruneScope;
import io.eiscope.api.v1.Series;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SimulationState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run record across real server processes on one data directory: a run killed with
 * SIGKILL (or stopped with SIGTERM) mid-training is listed after a restart with its whole
 * history, comes back paused where its record ends, and continues bit-identically with a twin
 * that was never interrupted; a corrupt newest checkpoint falls back to the previous one.
 */
class RunRecordProcessTest {
    @TempDir
    Path dataDir;

    private ServerProcesses servers;

    @BeforeEach
    void servers() {
        servers = new ServerProcesses(dataDir, serverArgs(), 120);
    }

    /** Flags of every server the test starts; {@code RunRecordProcessOnPostgresqlTest} adds {@code --store}. */
    List<String> serverArgs() {
        return List.of();
    }

    @AfterEach
    void cleanUp() throws Exception {
        servers.close();
    }

    private SimulationServiceGrpc.SimulationServiceBlockingStub start() throws Exception {
        return servers.start();
    }

    private static SimulationSpec spec() {
        return SimulationSpec.newBuilder()
                .setName("durable")
                .setSeed(11)
                .setBatchSize(16)
                .setModel(io.eiscope.api.v1.ComponentSpec.newBuilder()
                        .setKind("dann")
                        .putParams("hidden_excitatory", SteeringGrpcTest.ints(32))
                        .putParams("hidden_inhibitory", SteeringGrpcTest.ints(4)))
                .setLearningRule(io.eiscope.api.v1.ComponentSpec.newBuilder().setKind("adam"))
                .setTask(io.eiscope.api.v1.ComponentSpec.newBuilder().setKind("fashion_mnist"))
                .build();
    }

    private static Simulation waitFor(
            SimulationServiceGrpc.SimulationServiceBlockingStub stub,
            String id,
            java.util.function.Predicate<Simulation> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            Simulation s = stub.getSimulation(
                            GetSimulationRequest.newBuilder().setId(id).build())
                    .getSimulation();
            if (done.test(s)) return s;
            assertThat(System.nanoTime())
                    .as("waiting for " + id + ": " + s.getStatusMessage())
                    .isLessThan(deadline);
            Thread.sleep(20); // polling a remote process: no latch to wait on
        }
    }

    private static void stepTo(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id, long from, long to)
            throws Exception {
        stub.control(ControlRequest.newBuilder()
                .setId(id)
                .setAction(ControlAction.CONTROL_ACTION_STEP)
                .setSteps(to - from)
                .build());
        waitFor(stub, id, s -> s.getStep() == to && s.getState() == SimulationState.SIMULATION_STATE_PAUSED);
    }

    private static Command prune() {
        return Command.newBuilder()
                .setPrune(Prune.newBuilder()
                        .setMethod(PruneMethod.PRUNE_METHOD_MAGNITUDE)
                        .setFraction(0.3)
                        .setScope(PruneScope.PRUNE_SCOPE_GLOBAL))
                .build();
    }

    /** Trains 150 steps, prunes, then plays until at least step 260 is recorded; returns the run's id. */
    private String trainAndPlay(SimulationServiceGrpc.SimulationServiceBlockingStub stub) throws Exception {
        String id = stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(spec()).build())
                .getSimulation()
                .getId();
        stepTo(stub, id, 0, 150);
        stub.applyCommand(
                ApplyCommandRequest.newBuilder().setId(id).setCommand(prune()).build());
        stub.control(ControlRequest.newBuilder()
                .setId(id)
                .setAction(ControlAction.CONTROL_ACTION_PLAY)
                .build());
        waitFor(stub, id, s -> s.getRecordedStep() >= 260);
        return id;
    }

    /** After a restart: the run is listed, recovered with a matching loss, its history complete; returns its step. */
    private long checkRecovered(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id) throws Exception {
        assertThat(stub.listSimulations(ListSimulationsRequest.getDefaultInstance())
                        .getSimulationsList())
                .extracting(Simulation::getId)
                .contains(id);
        Simulation s = waitFor(stub, id, x -> x.getStatusMessage().startsWith("recovered"));
        assertThat(s.getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
        assertThat(s.getStatusMessage())
                .doesNotContain("differs")
                .containsAnyOf("the recomputed loss equals the recorded one", "replayed 0 steps; nothing to recompute");
        long step = s.getStep();
        assertThat(step).isGreaterThanOrEqualTo(260);
        Series loss = stub.getHistory(GetHistoryRequest.newBuilder()
                        .setId(id)
                        .addObservables("loss")
                        .build())
                .getSeries(0);
        long[] steps = new long[loss.getSteps().size() / 8];
        ByteBuffer.wrap(loss.getSteps().toByteArray())
                .order(ByteOrder.LITTLE_ENDIAN)
                .asLongBuffer()
                .get(steps);
        assertThat(steps).hasSize((int) step); // every step 1..step, no gap, no duplicate
        for (int i = 0; i < steps.length; i++) assertThat(steps[i]).isEqualTo(i + 1);
        return step;
    }

    /** A twin of the run, never interrupted, stepped to {@code step}; then both continue 40 steps, bit-identical at both points. */
    private void checkTwin(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id, long step)
            throws Exception {
        String twin = stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(spec()).build())
                .getSimulation()
                .getId();
        stepTo(stub, twin, 0, 150);
        stub.applyCommand(
                ApplyCommandRequest.newBuilder().setId(twin).setCommand(prune()).build());
        stepTo(stub, twin, 150, step);
        assertSameParameters(stub, id, twin);
        stepTo(stub, id, step, step + 40);
        stepTo(stub, twin, step, step + 40);
        assertSameParameters(stub, id, twin);
    }

    /** Both runs are at one step with the same parameters, bit for bit. */
    static void assertSameParameters(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String a, String b) {
        GetParametersResponse pa =
                stub.getParameters(GetParametersRequest.newBuilder().setId(a).build());
        GetParametersResponse pb =
                stub.getParameters(GetParametersRequest.newBuilder().setId(b).build());
        assertThat(pa.getStep()).isEqualTo(pb.getStep());
        assertThat(pa.getParametersCount()).isEqualTo(pb.getParametersCount()).isPositive();
        for (int i = 0; i < pa.getParametersCount(); i++) {
            NamedTensor x = pa.getParameters(i), y = pb.getParameters(i);
            assertThat(x.getName()).isEqualTo(y.getName());
            assertThat(x.getTensor().getData().equals(y.getTensor().getData()))
                    .as(x.getName() + " bit for bit at step " + pa.getStep())
                    .isTrue();
        }
    }

    @Test
    void aRunKilledWithSigkillComesBackWithItsHistoryAndContinuesLikeItsTwin() throws Exception {
        var first = start();
        String id = trainAndPlay(first);
        servers.process(0).destroyForcibly(); // SIGKILL: no shutdown hook
        servers.process(0).waitFor(30, TimeUnit.SECONDS);

        var second = start();
        long step = checkRecovered(second, id);
        checkTwin(second, id, step);
    }

    @Test
    void aRunStoppedWithSigtermIsCheckpointedAndComesBackExactly() throws Exception {
        var first = start();
        String id = trainAndPlay(first);
        servers.process(0).destroy(); // SIGTERM: the shutdown hook pauses and checkpoints every run
        assertThat(servers.process(0).waitFor(60, TimeUnit.SECONDS)).isTrue();

        var second = start();
        long step = checkRecovered(second, id);
        Simulation s = second.getSimulation(
                        GetSimulationRequest.newBuilder().setId(id).build())
                .getSimulation();
        assertThat(s.getStatusMessage())
                .contains("restored the checkpoint at step " + step)
                .contains("replayed 0 steps");
        checkTwin(second, id, step);
    }

    @Test
    void aCorruptNewestCheckpointFallsBackToThePreviousOne() throws Exception {
        var first = start();
        String id = trainAndPlay(first);
        servers.process(0).destroy();
        assertThat(servers.process(0).waitFor(60, TimeUnit.SECONDS)).isTrue();
        Path dir = dataDir.resolve("runs").resolve(id);
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(f -> f.toString().endsWith(".npz")).sorted().toList();
        }
        assertThat(files.size()).isGreaterThanOrEqualTo(2);
        Path newest = files.get(files.size() - 1);
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(newest, bytes);
        String previous = files.get(files.size() - 2)
                .getFileName()
                .toString()
                .replaceAll("\\D", "")
                .replaceFirst("^0+", "");

        var second = start();
        long step = checkRecovered(second, id);
        Simulation s = second.getSimulation(
                        GetSimulationRequest.newBuilder().setId(id).build())
                .getSimulation();
        assertThat(s.getStatusMessage()).contains("restored the checkpoint at step " + previous);
        assertThat(second.listCheckpoints(
                                ListCheckpointsRequest.newBuilder().setId(id).build())
                        .getCheckpointsCount())
                .isPositive();
        checkTwin(second, id, step);
    }
}

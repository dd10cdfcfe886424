package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.CreateSweepRequest;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.GetSweepRequest;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.ListSweepsRequest;
import io.eiscope.api.v1.NamedTensor;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.Sweep;
import io.eiscope.api.v1.SweepMode;
import io.eiscope.api.v1.SweepRun;
import io.eiscope.api.v1.SweepSpec;
import io.eiscope.api.v1.SweepState;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep across real server processes on one data directory: killed with SIGKILL while its
 * second run plays, the restarted server lists the sweep again, recovers its runs, carries on
 * with the rest (one playing at a time, no point made twice), and every run ends with the weights
 * of the same spec made one by one.
 */
class SweepProcessTest {
    @TempDir
    Path dataDir;

    private ServerProcesses servers;

    @BeforeEach
    void servers() {
        servers = new ServerProcesses(dataDir, 300);
    }

    @AfterEach
    void cleanUp() throws Exception {
        servers.close();
    }

    private SimulationServiceGrpc.SimulationServiceBlockingStub start() throws Exception {
        return servers.start();
    }

    private static Sweep awaitSweep(
            SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id, Predicate<Sweep> until, int most)
            throws InterruptedException {
        long end = System.currentTimeMillis() + 240_000;
        while (true) {
            long playing =
                    stub.listSimulations(ListSimulationsRequest.getDefaultInstance()).getSimulationsList().stream()
                            .filter(s -> s.getTagsList().contains("sweep:" + id))
                            .filter(s -> s.getState() == SimulationState.SIMULATION_STATE_RUNNING)
                            .count();
            assertThat(playing).as("runs of the sweep playing at once").isLessThanOrEqualTo(most);
            Sweep s = stub.getSweep(GetSweepRequest.newBuilder().setSweepId(id).build())
                    .getSweep();
            if (until.test(s)) return s;
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out; the sweep is now " + s);
            Thread.sleep(50);
        }
    }

    private static Map<String, ByteBuffer> weights(
            SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id) {
        Map<String, ByteBuffer> out = new TreeMap<>();
        for (NamedTensor t : stub.getParameters(
                        GetParametersRequest.newBuilder().setId(id).build())
                .getParametersList())
            out.put(t.getName(), t.getTensor().getData().asReadOnlyByteBuffer());
        return out;
    }

    @Test
    void aSweepKilledWithSigkillCarriesOnAfterARestart() throws Exception {
        long budget = 1500;
        SimulationSpec base = SweepGrpcTest.rOfK(budget, 200);
        var stub = start();
        Sweep sweep = stub.createSweep(CreateSweepRequest.newBuilder()
                        .setSpec(SweepSpec.newBuilder()
                                .setName("restart")
                                .setSpec(base)
                                .setMode(SweepMode.SWEEP_MODE_GRID)
                                .addAxes(SweepGrpcTest.axis(
                                        "seed",
                                        SweepGrpcTest.integer(11),
                                        SweepGrpcTest.integer(12),
                                        SweepGrpcTest.integer(13)))
                                .setConcurrency(1))
                        .build())
                .getSweep();
        String id = sweep.getId();
        Sweep before = awaitSweep(stub, id, s -> s.getStartedRuns() >= 2, 1);
        servers.process(0).destroyForcibly(); // SIGKILL: no shutdown hook, no last checkpoint
        servers.process(0).waitFor(30, TimeUnit.SECONDS);
        assertThat(before.getDoneRuns()).as("killed before the sweep ended").isLessThan(3);

        var again = start();
        assertThat(again.listSweeps(ListSweepsRequest.getDefaultInstance()).getSweepsList())
                .singleElement()
                .satisfies(s -> assertThat(s.getId()).isEqualTo(id));
        Sweep done = awaitSweep(again, id, s -> s.getState() == SweepState.SWEEP_STATE_DONE, 1);
        List<Simulation> runs = again.listSimulations(ListSimulationsRequest.getDefaultInstance())
                .getSimulationsList();
        assertThat(runs).as("one run per point, none made twice").hasSize(3);
        for (SweepRun r : done.getRunsList()) {
            assertThat(r.getState()).isEqualTo(SimulationState.SIMULATION_STATE_FINISHED);
            assertThat(r.getStep()).isEqualTo(budget);
            String twin = again.createSimulation(CreateSimulationRequest.newBuilder()
                            .setSpec(base.toBuilder()
                                    .setSeed(r.getValuesMap().get("seed").getInteger()))
                            .build())
                    .getSimulation()
                    .getId();
            again.control(ControlRequest.newBuilder()
                    .setId(twin)
                    .setAction(ControlAction.CONTROL_ACTION_PLAY)
                    .build());
            long end = System.currentTimeMillis() + 120_000;
            while (again.getSimulation(GetSimulationRequest.newBuilder()
                                    .setId(twin)
                                    .build())
                            .getSimulation()
                            .getState()
                    != SimulationState.SIMULATION_STATE_FINISHED) {
                assertThat(System.currentTimeMillis()).isLessThan(end);
                Thread.sleep(50);
            }
            assertThat(weights(again, r.getRunId()))
                    .as("run %d after the restart, bit for bit", r.getIndex())
                    .isEqualTo(weights(again, twin));
        }
    }
}

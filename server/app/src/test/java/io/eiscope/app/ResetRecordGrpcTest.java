package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.CheckpointInfo;
import io.eiscope.api.v1.CheckpointPolicy;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.ListCheckpointsRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resets of a run whose checkpoints are being written, over real gRPC on 127.0.0.1: the record of
 * every other run stays whole, and the reset run keeps only checkpoints of its new start. (Found by
 * the field fuzz: a reset deleted the run's checkpoint directory while a checkpoint was written into
 * it, the deletion failed, and the record's whole batch, other runs' scalars included, was lost.)
 */
class ResetRecordGrpcTest {
    static LiveServer live;

    @BeforeAll
    static void start() throws Exception {
        live = LiveServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    static ControlRequest control(String id, ControlAction action, long steps) {
        return ControlRequest.newBuilder()
                .setId(id)
                .setAction(action)
                .setSteps(steps)
                .build();
    }

    @Test
    void resetsWhileCheckpointsAreWrittenLoseNoOtherRunsHistory() throws Exception {
        var stub = live.stub();
        // Checkpointed every step: a checkpoint is nearly always being written when the reset comes.
        String reset = stub.createSimulation(CreateSimulationRequest.newBuilder()
                        .setSpec(SteeringGrpcTest.dann(1).toBuilder()
                                .setCheckpoints(CheckpointPolicy.newBuilder().setEverySteps(1)))
                        .build())
                .getSimulation()
                .getId();
        String other = stub.createSimulation(CreateSimulationRequest.newBuilder()
                        .setSpec(SteeringGrpcTest.dann(2))
                        .build())
                .getSimulation()
                .getId();
        stub.control(control(
                other, ControlAction.CONTROL_ACTION_PLAY, 0)); // its points are in every batch of the record meanwhile
        for (int i = 0; i < 40; i++) {
            stub.control(control(reset, ControlAction.CONTROL_ACTION_STEP, 5));
            stub.control(control(reset, ControlAction.CONTROL_ACTION_RESET, 0));
        }
        long steps = stub.control(control(other, ControlAction.CONTROL_ACTION_PAUSE, 0))
                .getEffectiveStep();
        live.stepTo(reset, 3);
        var history = stub.getHistory(GetHistoryRequest.newBuilder()
                        .setId(other)
                        .addObservables("loss")
                        .build())
                .getSeries(0);
        assertThat(history.getRecordedPoints() + history.getMergedSamples())
                .as("every step of the other run is recorded (or counted merged)")
                .isEqualTo(steps);
        var resetHistory = stub.getHistory(GetHistoryRequest.newBuilder()
                        .setId(reset)
                        .addObservables("loss")
                        .build())
                .getSeries(0);
        assertThat(resetHistory.getRecordedPoints())
                .as("the reset run's history starts again at step 1")
                .isEqualTo(3);
        assertThat(stub.listCheckpoints(
                                ListCheckpointsRequest.newBuilder().setId(reset).build())
                        .getCheckpointsList())
                .extracting(CheckpointInfo::getStep)
                .allMatch(s -> s <= 3);
        assertThat(stub.getSimulation(
                                GetSimulationRequest.newBuilder().setId(reset).build())
                        .getSimulation()
                        .getStep())
                .isEqualTo(3);
    }
}

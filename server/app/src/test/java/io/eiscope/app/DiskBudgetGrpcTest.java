package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.DeleteSimulationRequest;
import io.eiscope.api.v1.SaveCheckpointRequest;
import io.eiscope.api.v1.SimulationSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** A record over its disk budget refuses new runs with RESOURCE_EXHAUSTED naming the budget, and takes them again after a delete. */
class DiskBudgetGrpcTest {

    @Test
    void newRunsAreRefusedOverTheBudgetAndAcceptedAgainAfterADelete() throws Exception {
        try (LiveServer live = LiveServer.start(o -> o.withDiskBudgetMb(2))) {
            var stub = live.stub();
            SimulationSpec big = SimulationSpec.newBuilder()
                    .setSeed(1)
                    .setBatchSize(8)
                    .setModel(ComponentSpec.newBuilder().setKind("mlp").putParams("hidden", SteeringGrpcTest.ints(600)))
                    .setLearningRule(ComponentSpec.newBuilder().setKind("sgd"))
                    .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist"))
                    .build();
            String id = stub.createSimulation(
                            CreateSimulationRequest.newBuilder().setSpec(big).build())
                    .getSimulation()
                    .getId();
            // Parameters and initial values of a 784-600-10 MLP: about 3.8 MB, over the 2 MiB budget.
            assertThat(stub.saveCheckpoint(
                                    SaveCheckpointRequest.newBuilder().setId(id).build())
                            .getCheckpoint()
                            .getSizeBytes())
                    .isGreaterThan(2L << 20);
            assertThatThrownBy(() -> stub.createSimulation(
                            CreateSimulationRequest.newBuilder().setSpec(big).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.getStatus().getDescription())
                                .contains("over its budget of 2 MiB")
                                .contains("--disk-budget-mb");
                    });
            stub.deleteSimulation(DeleteSimulationRequest.newBuilder().setId(id).build());
            assertThat(stub.createSimulation(CreateSimulationRequest.newBuilder()
                                    .setSpec(big)
                                    .build())
                            .getSimulation()
                            .getId())
                    .isNotEmpty();
        }
    }
}

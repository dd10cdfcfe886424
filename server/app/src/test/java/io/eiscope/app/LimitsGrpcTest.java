package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.ListSimulationsResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Limits that keep one client from breaking the server for others: lengths, pages, the outgoing message size; reflection v1alpha. */
class LimitsGrpcTest {

    static StatusRuntimeException refused(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call was answered");
    }

    @Test
    void longNamesAndIdsAreRefusedWithoutEchoingThem() throws Exception {
        try (LiveServer live = LiveServer.start()) {
            var stub = live.stub();
            StatusRuntimeException name = refused(() -> stub.createSimulation(CreateSimulationRequest.newBuilder()
                    .setSpec(SteeringGrpcTest.dann(1).toBuilder().setName("n".repeat(201)))
                    .build()));
            assertThat(name.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(name.getStatus().getDescription()).contains("at most 200 characters, got 201");
            String longId = "sim-" + "x".repeat(17_000);
            StatusRuntimeException id = refused(() -> stub.getSimulation(
                    GetSimulationRequest.newBuilder().setId(longId).build()));
            assertThat(id.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(id.getStatus().getDescription())
                    .contains("17004 characters")
                    .hasSizeLessThan(200);
        }
    }

    @Test
    void listSimulationsComesInPagesThatCoverEveryRunOnce() throws Exception {
        try (LiveServer live = LiveServer.start()) {
            var stub = live.stub();
            List<String> created = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                created.add(stub.createSimulation(CreateSimulationRequest.newBuilder()
                                .setSpec(SteeringGrpcTest.dann(i))
                                .build())
                        .getSimulation()
                        .getId());
            }
            List<String> seen = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            String token = "";
            do {
                ListSimulationsResponse page = stub.listSimulations(ListSimulationsRequest.newBuilder()
                        .setPageSize(2)
                        .setPageToken(token)
                        .build());
                page.getSimulationsList().forEach(s -> seen.add(s.getId()));
                sizes.add(page.getSimulationsCount());
                token = page.getNextPageToken();
            } while (!token.isEmpty());
            assertThat(sizes).containsExactly(2, 2, 1);
            assertThat(seen).containsExactlyInAnyOrderElementsOf(created);
            assertThat(new HashSet<>(seen)).hasSize(5);
            assertThat(stub.listSimulations(ListSimulationsRequest.getDefaultInstance())
                            .getSimulationsCount())
                    .isEqualTo(5);
            assertThat(refused(() -> stub.listSimulations(ListSimulationsRequest.newBuilder()
                                    .setPageToken("garbage")
                                    .build()))
                            .getStatus()
                            .getCode())
                    .isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(refused(() -> stub.listSimulations(ListSimulationsRequest.newBuilder()
                                    .setPageSize(-1)
                                    .build()))
                            .getStatus()
                            .getCode())
                    .isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
    }

    @Test
    void anAnswerOverTheMessageLimitIsRefusedWithWhatToAskInstead() throws Exception {
        try (LiveServer live = LiveServer.start(o -> o.withMaxMessageBytes(1 << 15))) {
            var stub = live.stub();
            String id = stub.createSimulation(CreateSimulationRequest.newBuilder()
                            .setSpec(SteeringGrpcTest.dann(1))
                            .build())
                    .getSimulation()
                    .getId();
            StatusRuntimeException big = refused(() -> stub.getParameters(
                    GetParametersRequest.newBuilder().setId(id).build()));
            assertThat(big.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(big.getStatus().getDescription())
                    .contains("over this server's limit of 32768")
                    .contains("ask for less");
            // One small parameter still fits.
            assertThat(stub.getParameters(GetParametersRequest.newBuilder()
                                    .setId(id)
                                    .addNames("layer0.b")
                                    .build())
                            .getParametersCount())
                    .isEqualTo(1);
        }
    }

    @Test
    void reflectionAnswersInV1alphaAsInV1() throws Exception {
        try (LiveServer live = LiveServer.start()) {
            for (String service :
                    List.of("grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection")) {
                MethodDescriptor<byte[], byte[]> d = MethodDescriptor.<byte[], byte[]>newBuilder()
                        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                        .setFullMethodName(service + "/ServerReflectionInfo")
                        .setRequestMarshaller(AuthGrpcTest.BYTES)
                        .setResponseMarshaller(AuthGrpcTest.BYTES)
                        .build();
                ClientCall<byte[], byte[]> call =
                        live.channel.newCall(d, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
                CompletableFuture<byte[]> answer = new CompletableFuture<>();
                call.start(
                        new ClientCall.Listener<>() {
                            @Override
                            public void onMessage(byte[] message) {
                                answer.complete(message);
                            }

                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                answer.completeExceptionally(status.asRuntimeException());
                            }
                        },
                        new Metadata());
                call.request(1);
                call.sendMessage(new byte[] {0x3a, 0x00}); // ServerReflectionRequest{list_services: ""}
                call.halfClose();
                var response = io.vertx.grpc.reflection.v1.ServerReflectionResponse.parseFrom(
                        answer.get(15, TimeUnit.SECONDS));
                assertThat(response.getListServicesResponse().getServiceList())
                        .as(service)
                        .extracting(s -> s.getName())
                        .contains("eiscope.v1.SimulationService");
            }
        }
    }

    @Test
    void anOwnerAtItsLimitOfRunsIsRefusedWithTheFlagToRaiseIt() throws Exception {
        try (LiveServer live = LiveServer.start(o -> o.withMaxRunsPerOwner(2))) {
            var stub = live.stub();
            String first = stub.createSimulation(CreateSimulationRequest.newBuilder()
                            .setSpec(SteeringGrpcTest.dann(1))
                            .build())
                    .getSimulation()
                    .getId();
            stub.createSimulation(CreateSimulationRequest.newBuilder()
                    .setSpec(SteeringGrpcTest.dann(2))
                    .build());
            StatusRuntimeException third = refused(() -> stub.createSimulation(CreateSimulationRequest.newBuilder()
                    .setSpec(SteeringGrpcTest.dann(3))
                    .build()));
            assertThat(third.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(third.getStatus().getDescription())
                    .contains("holds 2 runs")
                    .contains("--max-runs-per-owner 2");
            assertThat(refused(() -> stub.forkSimulation(io.eiscope.api.v1.ForkSimulationRequest.newBuilder()
                                    .setId(first)
                                    .build()))
                            .getStatus()
                            .getCode())
                    .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            stub.deleteSimulation(io.eiscope.api.v1.DeleteSimulationRequest.newBuilder()
                    .setId(first)
                    .build());
            assertThat(stub.createSimulation(CreateSimulationRequest.newBuilder()
                                    .setSpec(SteeringGrpcTest.dann(3))
                                    .build())
                            .getSimulation()
                            .getId())
                    .as("room again after a delete")
                    .startsWith("sim-");
        }
    }

    @Test
    void runningOutOfMemoryIsSaidInWords() {
        ApiException e = ApiException.from(
                new java.util.concurrent.CompletionException(new OutOfMemoryError("Java heap space")));
        assertThat(e.status()).isEqualTo(io.vertx.grpc.common.GrpcStatus.RESOURCE_EXHAUSTED);
        assertThat(e.getMessage()).contains("ran out of memory").contains("MiB").contains("-Xmx");
    }

    @Test
    void aSpecThatCannotFitInTheHeapIsRefusedBeforeItIsBuilt() throws Exception {
        try (LiveServer live = LiveServer.start()) {
            var stub = live.stub();
            long[] widths = new long[16];
            java.util.Arrays.fill(widths, 8192);
            var spec = io.eiscope.api.v1.SimulationSpec.newBuilder()
                    .setName("huge")
                    .setSeed(1)
                    .setBatchSize(32)
                    .setModel(io.eiscope.api.v1.ComponentSpec.newBuilder()
                            .setKind("mlp")
                            .putParams("hidden", SteeringGrpcTest.ints(widths)))
                    .setLearningRule(
                            io.eiscope.api.v1.ComponentSpec.newBuilder().setKind("adam"))
                    .setTask(io.eiscope.api.v1.ComponentSpec.newBuilder().setKind("fashion_mnist"))
                    .build();
            StatusRuntimeException e = refused(() -> stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                    .createSimulation(
                            CreateSimulationRequest.newBuilder().setSpec(spec).build()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("needs about").contains("-Xmx");
            assertThat(stub.listSimulations(ListSimulationsRequest.getDefaultInstance())
                            .getSimulationsCount())
                    .isZero();
            assertThat(stub.createSimulation(CreateSimulationRequest.newBuilder()
                                    .setSpec(SteeringGrpcTest.dann(1))
                                    .build())
                            .getSimulation()
                            .getId())
                    .as("the server is fine afterwards")
                    .startsWith("sim-");
        }
    }

    @Test
    void runsTogetherStayWithinTheServersMemoryBudgetAndDeletingOneMakesRoom() throws Exception {
        try (LiveServer live = LiveServer.start()) {
            var stub = live.stub();
            String first = stub.createSimulation(CreateSimulationRequest.newBuilder()
                            .setSpec(SteeringGrpcTest.dann(1))
                            .build())
                    .getSimulation()
                    .getId();
            long one = live.server.registry().reservedBytes();
            assertThat(one).as("a run's estimate").isPositive();
            live.server.registry().setMemoryBudgetBytes(one * 5 / 2); // room for two such runs
            stub.createSimulation(CreateSimulationRequest.newBuilder()
                    .setSpec(SteeringGrpcTest.dann(2))
                    .build());
            StatusRuntimeException third = refused(() -> stub.createSimulation(CreateSimulationRequest.newBuilder()
                    .setSpec(SteeringGrpcTest.dann(3))
                    .build()));
            assertThat(third.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(third.getStatus().getDescription())
                    .contains("the 2 runs on this server already hold", "--memory-budget-mb");
            StatusRuntimeException fork =
                    refused(() -> stub.forkSimulation(io.eiscope.api.v1.ForkSimulationRequest.newBuilder()
                            .setId(first)
                            .build()));
            assertThat(fork.getStatus().getCode()).as("a fork is a run too").isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(stub.listSimulations(ListSimulationsRequest.getDefaultInstance())
                            .getSimulationsCount())
                    .isEqualTo(2);
            stub.deleteSimulation(io.eiscope.api.v1.DeleteSimulationRequest.newBuilder()
                    .setId(first)
                    .build());
            assertThat(stub.createSimulation(CreateSimulationRequest.newBuilder()
                                    .setSpec(SteeringGrpcTest.dann(3))
                                    .build())
                            .getSimulation()
                            .getId())
                    .as("deleting a run makes room")
                    .startsWith("sim-");
        }
    }
}

package io.eiscope.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.IntList;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.Value;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.app.EiscopeServer;
import io.eiscope.app.ServerOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every RPC over real gRPC on a real socket (127.0.0.1, port 0), happy path beside error path. */
class EiscopeClientIT {
    static EiscopeServer server;
    static ManagedChannel channel;
    static EiscopeClient client;

    @BeforeAll
    static void start() throws Exception {
        Path data = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(data)
                .withDataDir(java.nio.file.Files.createTempDirectory("eiscope-record")));
        int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
        client = new EiscopeClient(channel);
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    static SimulationSpec mlp(long seed, double lr, int batch) {
        return SimulationSpec.newBuilder()
                .setName("it")
                .setSeed(seed)
                .setBatchSize(batch)
                .setModel(ComponentSpec.newBuilder()
                        .setKind("mlp")
                        .putParams(
                                "hidden",
                                Value.newBuilder()
                                        .setInts(IntList.newBuilder().addValues(16))
                                        .build()))
                .setLearningRule(ComponentSpec.newBuilder()
                        .setKind("sgd")
                        .putParams(
                                "learning_rate",
                                Value.newBuilder().setNumber(lr).build()))
                .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist"))
                .build();
    }

    static Status.Code code(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void catalogueDescribesEveryParameter() {
        var c = client.catalogue();
        assertThat(c.getModelsList()).extracting("kind").contains("mlp");
        var lr = c.getLearningRulesList().stream()
                .filter(r -> r.getKind().equals("sgd"))
                .findFirst()
                .orElseThrow()
                .getParamsList()
                .stream()
                .filter(p -> p.getName().equals("learning_rate"))
                .findFirst()
                .orElseThrow();
        assertThat(lr.getMin()).isGreaterThan(0);
        assertThat(lr.getDefaultValue().getNumber()).isEqualTo(0.05);
        assertThat(lr.getDoc()).isNotEmpty();
        assertThat(c.getTasksList()).extracting("kind").contains("fashion_mnist", "mnist");
        assertThat(c.getPresetsList()).extracting("name").contains("mlp-fashion-mnist");
    }

    @Test
    void createStepAndReadWeights() throws Exception {
        Simulation s = client.create(mlp(1, 0.05, 32));
        assertThat(s.getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
        assertThat(s.getStep()).isZero();
        client.step(s.getId(), 50);
        Simulation after = client.awaitNotRunning(s.getId(), 30, TimeUnit.SECONDS);
        assertThat(after.getStep()).isEqualTo(50);
        assertThat(after.getLatestScalarsMap()).containsKey("loss");
        var w = client.parameters(s.getId(), "layer0.W").get("layer0.W");
        assertThat(w.shape()).containsExactly(16, 784);
        assertThat(w.data()).hasSize(16 * 784);
        assertThat(client.list()).extracting(Simulation::getId).contains(s.getId());
    }

    @Test
    void aSimulationStartsFromAnUploadedMatrixAndRejectsANegativeOneForSignedWeights() throws Exception {
        float[] w = new float[16 * 784];
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < w.length; i++) w[i] = r.nextDouble() < 0.1 ? (float) r.nextDouble(0, 0.05) : 0f;
        Simulation s = client.create(
                mlp(1, 0.05, 8), java.util.Map.of("layer0.W", EiscopeClient.FloatTensor.matrix(16, 784, w)));
        assertThat(s.getInitialParameterNamesList()).containsExactly("layer0.W");
        assertThat(client.parameters(s.getId(), "layer0.W").get("layer0.W").data())
                .isEqualTo(w);

        SimulationSpec dann = mlp(1, 0.05, 8).toBuilder()
                .setModel(ComponentSpec.newBuilder()
                        .setKind("dann")
                        .putParams(
                                "hidden_excitatory",
                                Value.newBuilder()
                                        .setInts(IntList.newBuilder().addValues(16))
                                        .build())
                        .putParams(
                                "hidden_inhibitory",
                                Value.newBuilder()
                                        .setInts(IntList.newBuilder().addValues(2))
                                        .build()))
                .build();
        float[] signed = w.clone();
        signed[5] = -0.5f;
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () -> client.create(
                        dann, java.util.Map.of("layer0.Wex", EiscopeClient.FloatTensor.matrix(16, 784, signed))));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription())
                .startsWith("initial_parameters[\"layer0.Wex\"]: holds -0.5 at (0, 5), but "
                        + "layer0.Wex is sign-constrained (every value >= 0)");
        assertThatThrownBy(() ->
                        EiscopeClient.FloatTensor.matrix(2, 2, new float[3]).toProto())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape [2, 2] needs 4 values, got 3");
    }

    @Test
    void sameSpecAndSeedGiveIdenticalWeightsOverTheWire() throws Exception {
        String a = client.create(mlp(9, 0.05, 8)).getId(),
                b = client.create(mlp(9, 0.05, 8)).getId();
        client.step(a, 30);
        client.step(b, 30);
        client.awaitNotRunning(a, 30, TimeUnit.SECONDS);
        client.awaitNotRunning(b, 30, TimeUnit.SECONDS);
        assertThat(client.parameters(a).get("layer1.W").data())
                .isEqualTo(client.parameters(b).get("layer1.W").data());
    }

    @Test
    void watchStreamsLossEveryStepAndCancels() throws Exception {
        String id = client.create(mlp(2, 0.05, 8)).getId();
        List<Frame> frames = new CopyOnWriteArrayList<>();
        CountDownLatch enough = new CountDownLatch(20);
        var watch = client.watch(
                WatchRequest.newBuilder().setId(id).addObservables("loss").build());
        Thread t = new Thread(() -> watch.forEach(f -> {
            frames.add(f);
            enough.countDown();
        }));
        t.start();
        client.play(id);
        assertThat(enough.await(30, TimeUnit.SECONDS)).isTrue();
        watch.cancel();
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
        client.pause(id);
        List<Long> steps = frames.stream().map(Frame::getStep).toList();
        assertThat(steps).isSorted();
        assertThat(frames).allSatisfy(f -> assertThat(f.getObservable()).isEqualTo("loss"));
        assertThat(frames.get(frames.size() - 1).getStep() - frames.get(0).getStep() + 1)
                .isEqualTo(frames.size());
    }

    @Test
    void effectiveWeightsOfADannLayerStreamAsTheSignedMatrix() throws Exception {
        SimulationSpec dann = mlp(4, 0.05, 8).toBuilder()
                .setModel(ComponentSpec.newBuilder()
                        .setKind("dann")
                        .putParams(
                                "hidden_excitatory",
                                Value.newBuilder()
                                        .setInts(IntList.newBuilder().addValues(20))
                                        .build())
                        .putParams(
                                "hidden_inhibitory",
                                Value.newBuilder()
                                        .setInts(IntList.newBuilder().addValues(4))
                                        .build()))
                .build();
        String id = client.create(dann).getId();
        List<Frame> frames = new CopyOnWriteArrayList<>();
        CountDownLatch got = new CountDownLatch(1);
        var watch = client.watch(WatchRequest.newBuilder()
                .setId(id)
                .addObservables("effective_weights")
                .addLayers("layer0")
                .build());
        Thread t = new Thread(() -> watch.forEach(f -> {
            frames.add(f);
            got.countDown();
        }));
        t.start();
        assertThat(got.await(20, TimeUnit.SECONDS))
                .as("measured at once for a new subscriber, while paused")
                .isTrue();
        watch.cancel();
        t.join(5000);
        Frame f = frames.get(0);
        assertThat(f.getLayer()).isEqualTo("layer0");
        assertThat(f.getTensor().getShapeList()).containsExactly(20, 784);
        var p = client.parameters(id, "layer0.Wex", "layer0.Wix", "layer0.Wei");
        float[] wex = p.get("layer0.Wex").data(),
                wix = p.get("layer0.Wix").data(),
                wei = p.get("layer0.Wei").data();
        float[] w = EiscopeClient.FloatTensor.of(f.getTensor()).data();
        for (int i : new int[] {0, 5, 19}) {
            for (int j : new int[] {0, 400, 783}) {
                double expected = wex[i * 784 + j];
                for (int k = 0; k < 4; k++) expected -= (double) wei[i * 4 + k] * wix[k * 784 + j];
                assertThat((double) w[i * 784 + j]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void healthSaysServing() {
        var health = HealthGrpc.newBlockingStub(channel);
        assertThat(health.check(HealthCheckRequest.newBuilder()
                                .setService("eiscope.v1.SimulationService")
                                .build())
                        .getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void serverReflectionListsTheServicesForGenericTools() throws Exception {
        var services = new java.util.concurrent.LinkedBlockingQueue<List<String>>();
        var stub = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel);
        var requests = stub.serverReflectionInfo(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(io.grpc.reflection.v1.ServerReflectionResponse r) {
                services.add(r.getListServicesResponse().getServiceList().stream()
                        .map(io.grpc.reflection.v1.ServiceResponse::getName)
                        .toList());
            }

            @Override
            public void onError(Throwable t) {
                services.add(List.of("error: " + t));
            }

            @Override
            public void onCompleted() {}
        });
        requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder()
                .setListServices("")
                .build());
        List<String> names = services.poll(10, TimeUnit.SECONDS);
        requests.onCompleted();
        assertThat(names).contains("eiscope.v1.SimulationService", "grpc.health.v1.Health");
    }

    @Test
    void unknownIdsAreNotFound() {
        assertThat(code(() -> client.get("sim-nope"))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> client.delete("sim-nope"))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> client.play("sim-nope"))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> client.parameters("sim-nope"))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> client.watch(
                                WatchRequest.newBuilder().setId("sim-nope").build())
                        .forEach(f -> {})))
                .isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void invalidSpecsAreInvalidArgumentNamingTheField() {
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class, () -> client.create(mlp(1, -0.5, 8)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription())
                .contains("learning_rule.learning_rate")
                .contains("-0.5");
        SimulationSpec zeroUnits = mlp(1, 0.1, 8).toBuilder()
                .setModel(ComponentSpec.newBuilder()
                        .setKind("mlp")
                        .putParams(
                                "hidden",
                                Value.newBuilder()
                                        .setInts(IntList.newBuilder().addValues(0))
                                        .build()))
                .build();
        assertThatThrownBy(() -> client.create(zeroUnits))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("model.hidden");
        SimulationSpec unknownTask = mlp(1, 0.1, 8).toBuilder()
                .setTask(ComponentSpec.newBuilder().setKind("imagenet"))
                .build();
        assertThatThrownBy(() -> client.create(unknownTask))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("unknown task 'imagenet'");
        assertThatThrownBy(() -> client.create(mlp(1, 0.1, 100_000)))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("batch_size");
        assertThatThrownBy(() -> client.createFromPreset("nope"))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("mlp-fashion-mnist");
        String id = client.create(mlp(1, 0.1, 8)).getId();
        assertThatThrownBy(() -> client.step(id, 0))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("steps");
        assertThatThrownBy(() -> client.parameters(id, "layer9.W"))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("layer0.W");
        assertThatThrownBy(() -> client.watch(WatchRequest.newBuilder()
                                .setId(id)
                                .addObservables("entropy")
                                .build())
                        .forEach(f -> {}))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("unknown observable");
        assertThat(client.get(id).getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
    }

    @Test
    void aPresetTakesANameASeedInitialValuesAndACheckpointPolicyFromOverrides() {
        float[] w = new float[16 * 784];
        java.util.Arrays.fill(w, 0.01f);
        SimulationSpec overrides = SimulationSpec.newBuilder()
                .setName("mine")
                .setSeed(7)
                .putInitialParameters(
                        "layer0.W", EiscopeClient.FloatTensor.matrix(16, 784, w).toProto())
                .setCheckpoints(io.eiscope.api.v1.CheckpointPolicy.newBuilder().setEverySteps(50))
                .build();
        Simulation plain = client.createFromPreset("mlp-fashion-mnist");
        assertThatThrownBy(() -> client.createFromPreset("mlp-fashion-mnist", overrides))
                .as("the preset's MLP is wider than 16")
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("layer0.W");
        int hidden = plain.getParametersList().stream()
                .filter(p -> p.getName().equals("layer0.W"))
                .findFirst()
                .orElseThrow()
                .getShape(0);
        float[] right = new float[hidden * 784];
        java.util.Arrays.fill(right, 0.01f);
        Simulation sim = client.createFromPreset(
                "mlp-fashion-mnist",
                overrides.toBuilder()
                        .putInitialParameters(
                                "layer0.W",
                                EiscopeClient.FloatTensor.matrix(hidden, 784, right)
                                        .toProto())
                        .build());
        assertThat(sim.getPreset()).isEqualTo("mlp-fashion-mnist");
        assertThat(sim.getSpec().getName()).isEqualTo("mine");
        assertThat(sim.getSpec().getSeed()).isEqualTo(7);
        assertThat(sim.getSpec().getModel()).isEqualTo(plain.getSpec().getModel());
        assertThat(sim.getSpec().getCheckpoints().getEverySteps()).isEqualTo(50);
        assertThat(sim.getInitialParameterNamesList()).containsExactly("layer0.W");
        assertThat(client.parameters(sim.getId(), "layer0.W").get("layer0.W").data())
                .isEqualTo(right);
    }

    @Test
    void playingAFinishedSimulationIsAFailedPrecondition() throws Exception {
        String id = client.create(mlp(1, 0.05, 8).toBuilder().setStepBudget(5).build())
                .getId();
        client.play(id);
        Simulation s = client.awaitNotRunning(id, 30, TimeUnit.SECONDS);
        assertThat(s.getState()).isEqualTo(SimulationState.SIMULATION_STATE_FINISHED);
        assertThat(s.getStep()).isEqualTo(5);
        assertThat(code(() -> client.play(id))).isEqualTo(Status.Code.FAILED_PRECONDITION);
        client.reset(id);
        assertThat(client.get(id).getStep()).isZero();
    }

    @Test
    void deleteEndsTheSimulationAndItsStreams() throws Exception {
        String id = client.create(mlp(3, 0.05, 8)).getId();
        CountDownLatch ended = new CountDownLatch(1), subscribed = new CountDownLatch(1);
        Throwable[] error = new Throwable[1];
        var watch = client.watch(WatchRequest.newBuilder().setId(id).build());
        Thread t = new Thread(() -> {
            try {
                watch.forEach(f -> subscribed.countDown());
            } catch (Throwable e) {
                error[0] = e;
            } finally {
                ended.countDown();
            }
        });
        t.start();
        assertThat(subscribed.await(10, TimeUnit.SECONDS))
                .as("the current state arrives at once")
                .isTrue();
        client.play(id);
        client.delete(id);
        assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(error[0]).as("the stream ends normally").isNull();
        assertThat(code(() -> client.get(id))).isEqualTo(Status.Code.NOT_FOUND);
    }
}

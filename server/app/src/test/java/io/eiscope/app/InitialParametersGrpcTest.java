package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.ForkSimulationRequest;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.IntList;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.Tensor;
import io.eiscope.api.v1.Value;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A spec's initial_parameters over real gRPC on 127.0.0.1: uploaded, read back bit for bit, kept by reset; bad uploads refused. */
class InitialParametersGrpcTest {
    static final int HIDDEN = 16, INPUTS = 784;
    static EiscopeServer server;
    static ManagedChannel channel;
    static SimulationServiceGrpc.SimulationServiceBlockingStub stub;

    @BeforeAll
    static void start() throws Exception {
        server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(dataDir())
                .withDataDir(java.nio.file.Files.createTempDirectory("eiscope-record")));
        channel = connect(server);
        stub = SimulationServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    static Path dataDir() {
        return Path.of(System.getProperty("eiscope.dataDir", ".data"));
    }

    static ManagedChannel connect(EiscopeServer s) throws Exception {
        int port = s.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
    }

    static SimulationSpec mlp() {
        return SimulationSpec.newBuilder()
                .setName("connectome")
                .setSeed(5)
                .setBatchSize(8)
                .setModel(ComponentSpec.newBuilder()
                        .setKind("mlp")
                        .putParams(
                                "hidden",
                                Value.newBuilder()
                                        .setInts(IntList.newBuilder().addValues(HIDDEN))
                                        .build()))
                .setLearningRule(ComponentSpec.newBuilder().setKind("sgd"))
                .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist"))
                .build();
    }

    /** Little-endian float32 bytes of {@code values}. */
    static ByteString bytes(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return ByteString.copyFrom(b.array());
    }

    static Tensor tensor(int rows, int cols, float[] values) {
        return Tensor.newBuilder()
                .addShape(rows)
                .addShape(cols)
                .setData(bytes(values))
                .build();
    }

    /** Sparse non-negative weights with edge cases of the float format: -0, subnormals, the largest float. */
    static float[] connectome(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[HIDDEN * INPUTS];
        for (int i = 0; i < w.length; i++) w[i] = r.nextDouble() < 0.1 ? (float) r.nextDouble(0, 0.05) : 0f;
        w[1] = -0f;
        w[2] = Float.MIN_VALUE;
        w[3] = 9.999e5f; // large, just within what a healthy run may hold (Simulation.DIVERGED_MAGNITUDE)
        return w;
    }

    static Simulation create(SimulationSpec spec) {
        return stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(spec).build())
                .getSimulation();
    }

    static ByteString read(String id, String name) {
        return stub.getParameters(GetParametersRequest.newBuilder()
                        .setId(id)
                        .addNames(name)
                        .build())
                .getParameters(0)
                .getTensor()
                .getData();
    }

    static StatusRuntimeException refused(SimulationSpec spec) {
        return assertThrows(StatusRuntimeException.class, () -> create(spec));
    }

    @Test
    void anUploadedMatrixReadsBackBitIdenticalAndResetReturnsToIt() throws Exception {
        Tensor w = tensor(HIDDEN, INPUTS, connectome(1));
        Simulation sim =
                create(mlp().toBuilder().putInitialParameters("layer0.W", w).build());
        assertThat(read(sim.getId(), "layer0.W")).isEqualTo(w.getData());
        assertThat(sim.getInitialParameterNamesList()).containsExactly("layer0.W");
        assertThat(sim.getSpec().getInitialParametersMap())
                .as("values are not echoed")
                .isEmpty();
        assertThat(stub.getSimulation(GetSimulationRequest.newBuilder()
                                .setId(sim.getId())
                                .build())
                        .getSimulation()
                        .getInitialParameterNamesList())
                .containsExactly("layer0.W");

        stub.control(ControlRequest.newBuilder()
                .setId(sim.getId())
                .setAction(ControlAction.CONTROL_ACTION_STEP)
                .setSteps(3)
                .build());
        assertThat(awaitStep(sim.getId(), 3)).isEqualTo(3);
        assertThat(read(sim.getId(), "layer0.W")).isNotEqualTo(w.getData());
        Simulation fork = stub.forkSimulation(
                        ForkSimulationRequest.newBuilder().setId(sim.getId()).build())
                .getSimulation();
        assertThat(fork.getInitialParameterNamesList()).containsExactly("layer0.W");
        stub.control(ControlRequest.newBuilder()
                .setId(fork.getId())
                .setAction(ControlAction.CONTROL_ACTION_RESET)
                .build());
        assertThat(read(fork.getId(), "layer0.W")).isEqualTo(w.getData());
    }

    static long awaitStep(String id, long step) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long now = stub.getSimulation(
                            GetSimulationRequest.newBuilder().setId(id).build())
                    .getSimulation()
                    .getStep();
            if (now >= step || System.nanoTime() > deadline) return now;
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    @Test
    void badUploadsAreInvalidArgumentNamingTheEntryAndLeaveOtherSimulationsAlone() {
        Simulation other = create(mlp());
        ByteString before = read(other.getId(), "layer0.W");
        int count = stub.listSimulations(ListSimulationsRequest.getDefaultInstance())
                .getSimulationsCount();

        float[] nan = connectome(2);
        nan[3 * INPUTS + 7] = Float.NaN;
        assertInvalid(
                mlp().toBuilder()
                        .putInitialParameters("layer0.W", tensor(HIDDEN, INPUTS, nan))
                        .build(),
                "initial_parameters[\"layer0.W\"]: holds NaN at (3, 7); every value must be finite");
        assertInvalid(
                mlp().toBuilder()
                        .putInitialParameters("layer0.W", tensor(HIDDEN, 700, new float[HIDDEN * 700]))
                        .build(),
                "initial_parameters[\"layer0.W\"]: shape 16x700 does not match the parameter's 16x784");
        assertInvalid(
                mlp().toBuilder()
                        .putInitialParameters("layer0.X", tensor(1, 1, new float[1]))
                        .build(),
                "initial_parameters[\"layer0.X\"]: no parameter 'layer0.X'; one of [layer0.W, layer0.b, layer1.W, layer1.b]");
        assertInvalid(
                mlp().toBuilder()
                        .putInitialParameters(
                                "layer0.W",
                                Tensor.newBuilder()
                                        .addShape(HIDDEN)
                                        .addShape(INPUTS)
                                        .setData(bytes(new float[10]))
                                        .build())
                        .build(),
                "initial_parameters[\"layer0.W\"]: data holds 40 bytes, but shape 16x784 needs 50176 (little-endian float32, row-major)");
        assertInvalid(
                mlp().toBuilder()
                        .putInitialParameters("layer0.W", Tensor.getDefaultInstance())
                        .build(),
                "initial_parameters[\"layer0.W\"]: shape is required, e.g. [n_out, n_in] for a weight matrix");

        assertThat(stub.listSimulations(ListSimulationsRequest.getDefaultInstance())
                        .getSimulationsCount())
                .isEqualTo(count);
        assertThat(read(other.getId(), "layer0.W")).isEqualTo(before);
    }

    static void assertInvalid(SimulationSpec spec, String message) {
        StatusRuntimeException e = refused(spec);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).isEqualTo(message);
    }

    @Test
    void anUploadLargerThanTheServersMessageLimitIsResourceExhausted() throws Exception {
        EiscopeServer small = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(dataDir())
                .withDataDir(java.nio.file.Files.createTempDirectory("eiscope-record"))
                .withMaxMessageBytes(1 << 15));
        ManagedChannel ch = connect(small);
        try {
            var tiny = SimulationServiceGrpc.newBlockingStub(ch);
            SimulationSpec spec = mlp().toBuilder()
                    .putInitialParameters("layer0.W", tensor(HIDDEN, INPUTS, connectome(3)))
                    .build();
            StatusRuntimeException e = assertThrows(
                    StatusRuntimeException.class,
                    () -> tiny.createSimulation(
                            CreateSimulationRequest.newBuilder().setSpec(spec).build()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription())
                    .startsWith("the request message is ")
                    .endsWith(
                            " bytes; this server accepts at most 32768 per message (initial_parameters count toward it)");
            assertThat(tiny.listSimulations(ListSimulationsRequest.getDefaultInstance())
                            .getSimulationsCount())
                    .isZero();
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            small.close();
        }
    }
}

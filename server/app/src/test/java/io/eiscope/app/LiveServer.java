package io.eiscope.app;

import io.eiscope.api.v1.SimulationServiceGrpc;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * An in-process eiscope server for tests: 127.0.0.1, a free port, the checkout's datasets, a
 * run record in a fresh temporary directory; and a plaintext channel to it.
 */
final class LiveServer implements AutoCloseable {
    final EiscopeServer server;
    final int port;
    final ManagedChannel channel;

    private LiveServer(EiscopeServer server, int port, ManagedChannel channel) {
        this.server = server;
        this.port = port;
        this.channel = channel;
    }

    static LiveServer start() throws Exception {
        return start(o -> o);
    }

    /** With the default test options changed by {@code options}. */
    static LiveServer start(UnaryOperator<ServerOptions> options) throws Exception {
        Path datasets = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        EiscopeServer server = new EiscopeServer(options.apply(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(datasets)
                .withDataDir(Files.createTempDirectory("eiscope-record"))));
        int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
        return new LiveServer(server, port, channel);
    }

    SimulationServiceGrpc.SimulationServiceBlockingStub stub() {
        return SimulationServiceGrpc.newBlockingStub(channel);
    }

    /**
     * Steps run {@code id} to {@code target} and waits, on a watch of its state events, until it paused there
     * (the STEP answer comes when the command took effect, not when the steps are done).
     */
    void stepTo(String id, long target) {
        var stub = stub();
        long n = target
                - stub.getSimulation(io.eiscope.api.v1.GetSimulationRequest.newBuilder()
                                .setId(id)
                                .build())
                        .getSimulation()
                        .getStep();
        if (n == 0) return;
        io.grpc.Context.CancellableContext watching = io.grpc.Context.current().withCancellation();
        try {
            java.util.Iterator<io.eiscope.api.v1.WatchResponse> states =
                    watching.call(() -> stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                            .watch(io.eiscope.api.v1.WatchRequest.newBuilder()
                                    .setId(id)
                                    .addObservables("state")
                                    .build()));
            stub.control(io.eiscope.api.v1.ControlRequest.newBuilder()
                    .setId(id)
                    .setAction(io.eiscope.api.v1.ControlAction.CONTROL_ACTION_STEP)
                    .setSteps(n)
                    .build());
            while (true) {
                for (io.eiscope.api.v1.Frame f : states.next().getFramesList()) {
                    if (f.getStep() == target
                            && f.getEvent().getState() == io.eiscope.api.v1.SimulationState.SIMULATION_STATE_PAUSED)
                        return;
                }
            }
        } catch (Exception e) {
            throw new AssertionError("waiting for step " + target + " of " + id, e);
        } finally {
            watching.cancel(null);
        }
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }
}

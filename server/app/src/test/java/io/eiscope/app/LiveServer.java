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
        EiscopeServer server = new EiscopeServer(options.apply(ServerOptions.defaults().withPort(0).withDatasetsDir(datasets)
                .withDataDir(Files.createTempDirectory("eiscope-record"))));
        int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        return new LiveServer(server, port, channel);
    }

    SimulationServiceGrpc.SimulationServiceBlockingStub stub() {
        return SimulationServiceGrpc.newBlockingStub(channel);
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }
}

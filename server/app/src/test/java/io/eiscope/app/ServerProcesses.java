package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.SimulationServiceGrpc;
import io.grpc.ManagedChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real server processes (this JVM's java and class path, {@link Main}) on one data directory,
 * started one after another as a test kills and restarts them; {@link #close} kills what is left.
 */
final class ServerProcesses implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("eiscope listening on http://127\\.0\\.0\\.1:(\\d+)");

    private final Path dataDir;
    private final List<String> serverArgs;
    private final long callDeadlineSeconds;
    private final List<Process> processes = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    /** @param callDeadlineSeconds the deadline of every call through a stub {@link #start} returns */
    ServerProcesses(Path dataDir, long callDeadlineSeconds) {
        this(dataDir, List.of(), callDeadlineSeconds);
    }

    /** @param serverArgs flags every server gets after the usual ones (e.g. {@code --store URL}) */
    ServerProcesses(Path dataDir, List<String> serverArgs, long callDeadlineSeconds) {
        this.dataDir = dataDir;
        this.serverArgs = List.copyOf(serverArgs);
        this.callDeadlineSeconds = callDeadlineSeconds;
    }

    /** Starts a server on the data directory (checkpoints every 100 steps); a stub to it once it listens. */
    SimulationServiceGrpc.SimulationServiceBlockingStub start() throws IOException {
        return start(List.of()).stub();
    }

    /** A started server: a stub to it and its port. */
    record Started(SimulationServiceGrpc.SimulationServiceBlockingStub stub, int port) {}

    /** ... with {@code extra} flags of its own after the shared ones (a cluster member's port). */
    Started start(List<String> extra) throws IOException {
        Path datasets = Path.of(System.getProperty("eiscope.dataDir", ".data")).toAbsolutePath();
        List<String> argv = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "--port",
                "0",
                "--data-dir",
                dataDir.toString(),
                "--datasets",
                datasets.toString(),
                "--checkpoint-every-steps",
                "100",
                "--web-root",
                dataDir.resolve("no-ui").toString()));
        argv.addAll(serverArgs);
        argv.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        processes.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        int port = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String line; port < 0 && System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) port = Integer.parseInt(m.group(1));
        }
        assertThat(port).as("the server printed its port").isPositive();
        Thread drain = new Thread(
                () -> {
                    try {
                        while (out.readLine() != null) {} // keep the pipe from filling
                    } catch (IOException closed) {
                        // the process ended
                    }
                },
                "drain");
        drain.setDaemon(true);
        drain.start();
        ManagedChannel ch = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
        channels.add(ch);
        return new Started(
                SimulationServiceGrpc.newBlockingStub(ch).withDeadlineAfter(callDeadlineSeconds, TimeUnit.SECONDS),
                port);
    }

    /** The {@code i}-th process started (0: the first). */
    Process process(int i) {
        return processes.get(i);
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel c : channels) c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

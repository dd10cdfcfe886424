package io.eiscope.client.bench;

import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import io.eiscope.app.EiscopeServer;
import io.eiscope.app.ServerOptions;
import io.eiscope.client.Commands;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The streaming benchmark of docs/benchmarks.md ("Streaming"); a main, not a test. Starts a
 * server in this JVM on 127.0.0.1 and measures, with a DANN on Fashion-MNIST:
 * (1) training throughput with 0, 1, 10, 100 subscribers, each watching loss every step and
 * layer0's weights and weight histograms at 10 Hz; (2) step-to-client latency of loss frames
 * (receive wall time minus the frame's wall time); (3) heap used while one client stops
 * reading; (4) control latency with 50 simulations playing at once.
 *
 * <p>Args: {@code dataDir [secondsPerPoint=10] [stallSeconds=60] [parts=throughput,stall,many]}.
 */
public final class StreamingBenchmark {
    private static final List<Integer> SUBSCRIBERS = List.of(0, 1, 10, 100);

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : ".data");
        if (!"1".equals(System.getenv("OPENBLAS_NUM_THREADS")))
            System.out.println(
                    "warning: OPENBLAS_NUM_THREADS is not 1; the eiscope launcher sets it, and without it steps are far slower");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int stallSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        EiscopeServer server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(data)
                .withDataDir(java.nio.file.Files.createTempDirectory("eiscope-record")));
        int port = server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
        var stub = SimulationServiceGrpc.newBlockingStub(ch);
        System.out.printf(
                "cores=%d, %ds per point, DANN [100 E, 10 I], batch 32%n",
                Runtime.getRuntime().availableProcessors(), seconds);
        try {
            String parts = args.length > 3 ? args[3] : "throughput,stall,many";
            if (parts.contains("throughput")) for (int n : SUBSCRIBERS) throughput(ch, stub, n, seconds);
            if (parts.contains("stall")) stalledClient(port, stub, stallSeconds);
            if (parts.contains("many")) manySimulations(stub, 50, seconds);
        } finally {
            ch.shutdownNow();
            server.close();
            System.exit(0);
        }
    }

    static SimulationSpec dann(int excitatory, int inhibitory, long seed) {
        return SimulationSpec.newBuilder()
                .setName("bench")
                .setSeed(seed)
                .setBatchSize(32)
                .setModel(ComponentSpec.newBuilder()
                        .setKind("dann")
                        .putParams("hidden_excitatory", Commands.value(List.of(excitatory)))
                        .putParams("hidden_inhibitory", Commands.value(List.of(inhibitory))))
                .setLearningRule(
                        ComponentSpec.newBuilder().setKind("sgd").putParams("correct_inhibitory", Commands.value(true)))
                .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist"))
                .build();
    }

    static String create(SimulationServiceGrpc.SimulationServiceBlockingStub stub, SimulationSpec spec) {
        return stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(spec).build())
                .getSimulation()
                .getId();
    }

    static long control(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id, ControlAction a) {
        return stub.control(ControlRequest.newBuilder().setId(id).setAction(a).build())
                .getEffectiveStep();
    }

    static long step(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id) {
        return stub.getSimulation(GetSimulationRequest.newBuilder().setId(id).build())
                .getSimulation()
                .getStep();
    }

    /** Steps per second with {@code n} watchers; latency percentiles of loss frames when n > 0. */
    static void throughput(
            ManagedChannel ch, SimulationServiceGrpc.SimulationServiceBlockingStub stub, int n, int seconds)
            throws InterruptedException {
        String id = create(stub, dann(100, 10, 1));
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong frames = new AtomicLong();
        List<io.grpc.Context.CancellableContext> calls = new ArrayList<>();
        List<ManagedChannel> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // One connection per subscriber, as separate clients would have: HTTP/2 caps the
            // concurrent streams of one connection (the server's default is 100).
            ManagedChannel own = NettyChannelBuilder.forTarget(ch.authority())
                    .usePlaintext()
                    .maxInboundMessageSize(64 << 20)
                    .build();
            clients.add(own);
            var async = SimulationServiceGrpc.newStub(own);
            var ctx = io.grpc.Context.current().withCancellation();
            calls.add(ctx);
            WatchRequest loss =
                    WatchRequest.newBuilder().setId(id).addObservables("loss").build();
            WatchRequest weights = WatchRequest.newBuilder()
                    .setId(id)
                    .addObservables("weights")
                    .addObservables("weight_histogram")
                    .addLayers("layer0")
                    .setMaxHz(10)
                    .build();
            ctx.run(() -> {
                async.watch(loss, observer(frames, latencies));
                async.watch(weights, observer(frames, null));
            });
        }
        control(stub, id, ControlAction.CONTROL_ACTION_PLAY);
        TimeUnit.SECONDS.sleep(2); // warm-up: JIT, first allocations
        long s0 = step(stub, id), t0 = System.nanoTime();
        latencies.clear();
        TimeUnit.SECONDS.sleep(seconds);
        long s1 = step(stub, id), t1 = System.nanoTime();
        control(stub, id, ControlAction.CONTROL_ACTION_PAUSE);
        calls.forEach(c -> c.cancel(null));
        clients.forEach(ManagedChannel::shutdownNow);
        stub.deleteSimulation(
                io.eiscope.api.v1.DeleteSimulationRequest.newBuilder().setId(id).build());
        double rate = (s1 - s0) / ((t1 - t0) / 1e9);
        System.out.printf(
                "subscribers=%3d  steps/s=%8.1f  frames received=%d  loss latency ms %s%n",
                n, rate, frames.get(), percentiles(new ArrayList<>(latencies)));
    }

    static StreamObserver<WatchResponse> observer(AtomicLong frames, ConcurrentLinkedQueue<Long> latencies) {
        return new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                long now = wallNanos();
                frames.addAndGet(r.getFramesCount());
                if (latencies != null) r.getFramesList().forEach(f -> latencies.add(now - f.getWallTimeUnixNanos()));
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        };
    }

    static String percentiles(List<Long> nanos) {
        if (nanos.isEmpty()) return "-";
        nanos.sort(null);
        return String.format(
                "p50=%.2f p90=%.2f p99=%.2f max=%.2f (n=%d)",
                nanos.get(nanos.size() / 2) / 1e6,
                nanos.get((int) (nanos.size() * 0.9)) / 1e6,
                nanos.get((int) (nanos.size() * 0.99)) / 1e6,
                nanos.get(nanos.size() - 1) / 1e6,
                nanos.size());
    }

    static long wallNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    static long usedHeapMiB() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    /** One client watches loss and weights on its own connection and never reads; heap is sampled. */
    static void stalledClient(int port, SimulationServiceGrpc.SimulationServiceBlockingStub stub, int seconds)
            throws InterruptedException {
        String id = create(stub, dann(100, 10, 2));
        ManagedChannel stalled = NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .flowControlWindow(65_536)
                .maxInboundMessageSize(64 << 20)
                .build();
        ClientCall<WatchRequest, WatchResponse> call =
                stalled.newCall(SimulationServiceGrpc.getWatchMethod(), CallOptions.DEFAULT);
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onClose(Status status, Metadata trailers) {}
                },
                new Metadata());
        call.sendMessage(WatchRequest.newBuilder()
                .setId(id)
                .addObservables("loss")
                .addObservables("accuracy")
                .addObservables("weights")
                .build());
        call.halfClose(); // and never call.request(n): the client reads nothing
        long before = usedHeapMiB();
        control(stub, id, ControlAction.CONTROL_ACTION_PLAY);
        long s0 = step(stub, id), t0 = System.nanoTime();
        StringBuilder samples = new StringBuilder();
        for (int t = 0; t < seconds; t += 10) {
            TimeUnit.SECONDS.sleep(Math.min(10, seconds - t));
            samples.append(' ').append(usedHeapMiB());
        }
        long s1 = step(stub, id), t1 = System.nanoTime();
        control(stub, id, ControlAction.CONTROL_ACTION_PAUSE);
        System.out.printf(
                "stalled client for %ds: heap used MiB before=%d, every 10 s:%s; steps/s meanwhile=%.1f%n",
                seconds, before, samples, (s1 - s0) / ((t1 - t0) / 1e9));
        call.cancel("done", null);
        stalled.shutdownNow();
        stub.deleteSimulation(
                io.eiscope.api.v1.DeleteSimulationRequest.newBuilder().setId(id).build());
    }

    /** {@code count} small DANNs playing; round-trip of a steering command to each, applied at a step boundary. */
    static void manySimulations(SimulationServiceGrpc.SimulationServiceBlockingStub stub, int count, int seconds)
            throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) ids.add(create(stub, dann(100, 10, 100 + i)));
        for (String id : ids) control(stub, id, ControlAction.CONTROL_ACTION_PLAY);
        TimeUnit.SECONDS.sleep(2);
        List<Long> rtt = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        outer:
        while (true) {
            for (String id : ids) {
                if (System.nanoTime() > deadline) break outer;
                long t = System.nanoTime();
                stub.applyCommand(io.eiscope.api.v1.ApplyCommandRequest.newBuilder()
                        .setId(id)
                        .setCommand(Commands.setRuleParams(java.util.Map.of("learning_rate", 0.05)))
                        .build());
                rtt.add(System.nanoTime() - t);
            }
        }
        long total = 0;
        for (String id : ids) {
            total += step(stub, id);
            control(stub, id, ControlAction.CONTROL_ACTION_PAUSE);
            stub.deleteSimulation(io.eiscope.api.v1.DeleteSimulationRequest.newBuilder()
                    .setId(id)
                    .build());
        }
        System.out.printf(
                "%d simulations playing: command round trip ms %s; %d steps in all%n", count, percentiles(rtt), total);
    }
}

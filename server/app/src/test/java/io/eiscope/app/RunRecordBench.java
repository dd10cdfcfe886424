package io.eiscope.app;

import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.sim.SimulationRunner;
import io.eiscope.engine.sim.SimulationState;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.store.Checkpoints;
import io.eiscope.store.Recorder;
import io.eiscope.store.RunRecord;
import io.eiscope.store.RunStore;
import io.eiscope.store.SeriesData;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Benchmarks of the run record (issue 10's goals). Not a test. Parts:
 * <ul>
 *   <li>{@code record}: steps/s of the demo MLP preset (784-100-10, batch 32, SGD, held-out
 *       evaluation every 500 steps) run by a {@link SimulationRunner} on one worker thread through the
 *       server's SimulationStreams, without and with the record (RunRecording + the write-behind
 *       Recorder into SQLite); conditions alternate within each round; wall steps/s and the
 *       training thread's CPU ms per step;</li>
 *   <li>{@code checkpoint}: how long a checkpoint holds the training thread ({@code stateDict()},
 *       the copy taken there) for a DANN 784-(500E,50I)x2-10 with Adam, and the write on the store
 *       thread (npz, fsync, rename);</li>
 *   <li>{@code restart}: a data directory with 100 runs of 100,000 recorded steps (loss and accuracy)
 *       plus one of 1,000,000, each with a checkpoint; time until a new server listens and lists
 *       all of them, until all are recovered, and GetHistory of the million-step loss to 2,000 points
 *       over gRPC.</li>
 * </ul>
 * Usage: {@code java -cp ... io.eiscope.app.RunRecordBench DATASETS_DIR [record|checkpoint|restart|all] [steps] [rounds]}.
 */
public final class RunRecordBench {
    private RunRecordBench() {}

    public static void main(String[] args) throws Exception {
        Path datasets = Path.of(args.length > 0 ? args[0] : ".data");
        String part = args.length > 1 ? args[1] : "all";
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        System.out.println("cpu: " + cpu() + "; cores " + Runtime.getRuntime().availableProcessors() + "; java "
                + System.getProperty("java.version"));
        if (part.equals("record") || part.equals("all")) record(datasets, steps, rounds);
        if (part.equals("checkpoint") || part.equals("all")) checkpoint(datasets);
        if (part.equals("restart") || part.equals("all")) restart(datasets);
        System.exit(0);
    }

    static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 2))
                    .orElse("?");
        } catch (Exception e) {
            return "?";
        }
    }

    static SimulationConfig demo() {
        return Catalogue.standard().preset("mlp-fashion-mnist").orElseThrow().config();
    }

    // ---- record ----

    static void record(Path datasets, int steps, int rounds) throws Exception {
        Path dir = Files.createTempDirectory("eiscope-bench-record");
        RunStore store = RunStore.open(dir);
        Recorder recorder = new Recorder(store, Recorder.DEFAULT_CAPACITY, Recorder.DEFAULT_FLUSH_MILLIS);
        ExecutorService worker = Executors.newSingleThreadExecutor();
        long[] threadId = new long[1];
        worker.submit(() -> threadId[0] = Thread.currentThread().getId()).get();
        List<double[]> none = new ArrayList<>(), recorded = new ArrayList<>(), writer = new ArrayList<>();
        System.out.printf("%nrecord: demo MLP, %d steps per cell, %d rounds%n", steps, rounds);
        for (int r = 0; r < rounds; r++) {
            for (boolean rec : new boolean[] {false, true}) {
                String id = "bench-" + r + (rec ? "-rec" : "-none");
                Simulation sim = new Simulation(demo(), Catalogue.standard(), EngineContext.of(datasets));
                if (rec)
                    store.createRun(RunRecord.created(
                            id, "bench", new byte[0], 1, System.currentTimeMillis(), "PAUSED", "", "", 0, ""));
                // The server's path either way (frames built for subscribers, latest values kept); the record is the
                // difference.
                SimulationStreams sink =
                        new SimulationStreams(id, Set.of(), rec ? new RunRecording(id, recorder) : null, () -> {});
                SimulationRunner runner = new SimulationRunner(id, sim, worker, sink);
                sink.attach(runner);
                runner.stepBy(500).get();
                waitPaused(runner, 500);
                long writer0 = threadCpu("eiscope-recorder");
                long cpu0 = ManagementFactory.getThreadMXBean().getThreadCpuTime(threadId[0]);
                long t0 = System.nanoTime();
                runner.stepBy(steps).get();
                waitPaused(runner, 500 + steps);
                long wall = System.nanoTime() - t0;
                long cpu = ManagementFactory.getThreadMXBean().getThreadCpuTime(threadId[0]) - cpu0;
                double[] m = {steps / (wall / 1e9), cpu / 1e6 / steps};
                (rec ? recorded : none).add(m);
                if (rec) writer.add(new double[] {(threadCpu("eiscope-recorder") - writer0) / 1e6 / steps});
                System.out.printf(
                        "  round %d %-8s %8.0f steps/s  %.4f ms CPU/step%s%n",
                        r, rec ? "recorded" : "none", m[0], m[1], rec ? "  merged " + recorder.merged(id) : "");
            }
        }
        recorder.flush().get();
        double n = median(none, 0), rr = median(recorded, 0), nc = median(none, 1), rc = median(recorded, 1);
        System.out.printf(
                "record: none %.0f steps/s (%.4f ms CPU), recorded %.0f steps/s (%.4f ms CPU): %+.2f %% steps/s, %+.2f %% CPU%n",
                n, nc, rr, rc, 100 * (rr / n - 1), 100 * (rc / nc - 1));
        // The difference above is within round-to-round noise; measure the record's own cost directly.
        long points = 0;
        for (SeriesData sd : store.history("bench-0-rec", List.of(), List.of(), 0, 0, 0)) points += sd.recordedPoints();
        double perStep = points / (double) (500 + steps);
        double writerMs = median(writer, 0);
        double offerNs = offerCost(recorder, store);
        System.out.printf(
                "record: %.2f points recorded per step; offerPoint %.0f ns CPU on the calling thread"
                        + " => %.4f %% of the training thread's CPU per step; writer thread %.4f ms CPU per step (%.2f %% of a core's step time)%n",
                perStep, offerNs, 100 * perStep * offerNs / 1e6 / nc, writerMs, 100 * writerMs / nc);
        recorder.close();
        store.close();
        worker.shutdown();
    }

    /** CPU ns of the calling thread per {@link Recorder#offerPoint}, with the writer draining (a flush every 16,384 keeps merging out). */
    static double offerCost(Recorder recorder, RunStore store) throws Exception {
        store.createRun(RunRecord.created(
                "bench-offer", "bench", new byte[0], 1, System.currentTimeMillis(), "PAUSED", "", "", 0, ""));
        var mx = ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        long step = 0;
        for (int round = 0; round < 5; round++) {
            long cpu = 0;
            int n = 1 << 20;
            for (int done = 0; done < n; done += 1 << 14) {
                long c0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < 1 << 14; i++, step++) {
                    recorder.offerPoint(
                            "bench-offer", (i & 1) == 0 ? "loss" : "accuracy", "", step, step, 1.0 / (1 + step));
                }
                cpu += mx.getCurrentThreadCpuTime() - c0;
                recorder.flush().get();
            }
            best = Math.min(best, cpu / (double) n);
        }
        return best;
    }

    static long threadCpu(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name))
                return ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId());
        }
        throw new IllegalStateException("no thread " + name);
    }

    static void waitPaused(SimulationRunner r, long step) throws InterruptedException {
        while (!(r.step() == step && r.state() == SimulationState.PAUSED)) Thread.sleep(0, 200_000);
    }

    static double median(List<double[]> xs, int k) {
        double[] v = xs.stream().mapToDouble(x -> x[k]).sorted().toArray();
        return v[v.length / 2];
    }

    // ---- checkpoint ----

    static void checkpoint(Path datasets) throws Exception {
        SimulationConfig dann = new SimulationConfig(
                "dann",
                new ComponentConfig(
                        "dann",
                        Map.of("hidden_excitatory", List.of(500L, 500L), "hidden_inhibitory", List.of(50L, 50L))),
                new ComponentConfig("adam", Map.of()),
                ComponentConfig.of("fashion_mnist"),
                1,
                32,
                0,
                0);
        Simulation sim = new Simulation(dann, Catalogue.standard(), EngineContext.of(datasets));
        for (int i = 0; i < 20; i++) sim.trainStep();
        double[] hold = new double[60], holdCpu = new double[60];
        StateDict last = null;
        var threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < hold.length; i++) {
            long c0 = threads.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            last = sim.stateDict(
                    last); // as the runner captures: into the previous checkpoint's arrays once it is written
            hold[i] = (System.nanoTime() - t0) / 1e6;
            holdCpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
            sim.trainStep();
        }
        double[] timed = Arrays.copyOfRange(hold, 10, hold.length),
                timedCpu = Arrays.copyOfRange(holdCpu, 10, holdCpu.length);
        Arrays.sort(timed);
        Arrays.sort(timedCpu);
        long bytes = last.arrays().stream()
                .mapToLong(a -> (long) java.lang.reflect.Array.getLength(a.data())
                        * (a.data() instanceof float[] || a.data() instanceof int[]
                                ? 4
                                : a.data() instanceof byte[] ? 1 : 8))
                .sum();
        System.out.printf(
                "%ncheckpoint: DANN 784-(500E,50I)x2-10, Adam: %d entries, %.1f MB; training-thread hold (stateDict) median %.2f ms,"
                        + " min %.2f, max %.2f; thread CPU median %.2f ms, min %.2f (50 captures)%n",
                last.arrays().size(),
                bytes / 1e6,
                timed[timed.length / 2],
                timed[0],
                timed[timed.length - 1],
                timedCpu[timedCpu.length / 2],
                timedCpu[0]);
        Path dir = Files.createTempDirectory("eiscope-bench-cp");
        RunStore store = RunStore.open(dir);
        store.createRun(RunRecord.created("cp", "bench", new byte[0], 1, 0, "PAUSED", "", "", 0, ""));
        Checkpoints cps = new Checkpoints(store, 3);
        double[] write = new double[10];
        for (int i = 0; i < write.length; i++) {
            long t0 = System.nanoTime();
            cps.write("cp", i + 1, 0, "bench", false, last);
            write[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(write);
        System.out.printf(
                "checkpoint: written on the store thread (npz + fsync + rename + row) median %.1f ms, min %.1f, max %.1f%n",
                write[write.length / 2], write[0], write[write.length - 1]);
        store.close();
    }

    // ---- restart ----

    static void restart(Path datasets) throws Exception {
        Path dir = Files.createTempDirectory("eiscope-bench-restart");
        SimulationConfig config = demo();
        byte[] spec = ProtoMapper.toRecordedSpec(config, null).toByteArray();
        Simulation sim = new Simulation(config, Catalogue.standard(), EngineContext.of(datasets));
        long t0 = System.nanoTime();
        try (RunStore store = RunStore.open(dir)) {
            Recorder recorder = new Recorder(store, 1 << 20, 100);
            Checkpoints cps = new Checkpoints(store, 3);
            for (int r = 0; r <= 100; r++) {
                String id = String.format("sim-bench%03d", r);
                int n = r == 100 ? 1_000_000 : 100_000;
                store.createRun(RunRecord.created(
                        id,
                        "run " + r,
                        spec,
                        1,
                        System.currentTimeMillis() + r,
                        "RUNNING",
                        "playing",
                        "",
                        0,
                        "mlp-fashion-mnist"));
                for (int s = 1; s <= n; s++) {
                    double v = 2.3 * Math.exp(-s / 20_000.0) + 0.1 * Math.sin(s * 0.01);
                    recorder.offerPoint(id, "loss", "", s, 1_000_000L * s, v);
                    if (r < 100) recorder.offerPoint(id, "accuracy", "", s, 1_000_000L * s, 1 - v / 2.4);
                    if ((s & 0xffff) == 0) recorder.flush().get(); // keep the queue from merging
                }
                StateDict at = new StateDict();
                for (StateDict.Array a : sim.stateDict().arrays()) {
                    if (a.name().equals("step")) at.putLongs("step", new long[] {n});
                    else at.put(a);
                }
                cps.write(id, n, 0, "interval", false, at);
            }
            recorder.close();
        }
        System.out.printf(
                "%nrestart: wrote 100 runs x 100,000 steps (loss, accuracy) + 1 x 1,000,000 (loss) in %.1f s; record %.0f MB%n",
                (System.nanoTime() - t0) / 1e9, dirBytes(dir) / 1e6);
        long start = System.nanoTime();
        EiscopeServer server = new EiscopeServer(
                ServerOptions.defaults().withPort(0).withDatasetsDir(datasets).withDataDir(dir));
        int port = server.start().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        var channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
        var stub = SimulationServiceGrpc.newBlockingStub(channel);
        int listed = stub.listSimulations(ListSimulationsRequest.getDefaultInstance())
                .getSimulationsCount();
        double serving = (System.nanoTime() - start) / 1e9;
        while (stub.listSimulations(ListSimulationsRequest.getDefaultInstance()).getSimulationsList().stream()
                .anyMatch(s -> !s.getStatusMessage().startsWith("recovered"))) Thread.sleep(10);
        double recovered = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "restart: serving and listing %d runs %.2f s after start; all recovered after %.2f s%n",
                listed, serving, recovered);
        double[] ms = new double[30];
        int points = 0;
        for (int i = 0; i < ms.length; i++) {
            long q = System.nanoTime();
            var h = stub.getHistory(GetHistoryRequest.newBuilder()
                    .setId("sim-bench100")
                    .addObservables("loss")
                    .setMaxPoints(2000)
                    .build());
            ms[i] = (System.nanoTime() - q) / 1e6;
            points = h.getSeries(0).getSteps().size() / 8;
        }
        double[] timed = Arrays.copyOfRange(ms, 5, ms.length);
        Arrays.sort(timed);
        System.out.printf(
                "history: 1,000,000-step loss to %d points over gRPC: median %.1f ms, min %.1f, max %.1f (25 calls after 5 warm-up)%n",
                points, timed[timed.length / 2], timed[0], timed[timed.length - 1]);
        channel.shutdownNow();
        server.close();
    }

    static long dirBytes(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }
}

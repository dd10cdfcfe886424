package io.eiscope.app;

import io.eiscope.engine.sim.CheckpointSink;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Reconstruction;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.store.CheckpointRecord;
import io.eiscope.store.Checkpoints;
import io.eiscope.store.RunRecord;
import io.eiscope.store.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Benchmark of time travel (issue 16), not a test: how long rebuilding a step halfway between
 * two checkpoints takes, with the server's default checkpoint spacing
 * ({@link CheckpointSink.Policy#DEFAULT_EVERY_STEPS}), for the DANN 784-(500E,50I)×2-10 (Adam,
 * batch 32, Fashion-MNIST) and the 500-unit ReLU RNN (SGD, batch 32, row-sequential MNIST).
 * The demo MLP is there for scale. Per model: a checkpoint written to a temporary run record at step S (the state after S steps
 * of training), then, {@code rounds} times, the reconstruction of step S + spacing/2: read and
 * check the .npz, build the simulation and restore it, replay spacing/2 steps. Also prints the
 * checkpoint's size on disk (the disk cost of the spacing) and plain training steps/s.
 *
 * <p>Usage: {@code java -cp ... io.eiscope.app.TimeTravelBench DATASETS_DIR [mlp|dann|rnn|all|dann-rate] [spacing] [rounds]}.
 */
public final class TimeTravelBench {
    private TimeTravelBench() {}

    public static void main(String[] args) throws Exception {
        Path datasets = Path.of(args.length > 0 ? args[0] : ".data");
        String which = args.length > 1 ? args[1] : "all";
        long spacing = args.length > 2 ? Long.parseLong(args[2]) : CheckpointSink.Policy.DEFAULT_EVERY_STEPS;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        System.out.printf(
                "cpu: %s; cores %d; java %s; spacing %d steps%n",
                RunRecordBench.cpu(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                spacing);
        Catalogue catalogue = Catalogue.standard();
        EngineContext context = EngineContext.of(datasets);
        if (which.equals("dann-rate")) { // plain training, steps/s per window: what a replay runs at
            Simulation sim = new Simulation(dann(), catalogue, context);
            for (int w = 0; w < rounds; w++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < spacing; i++) sim.trainStep();
                System.out.printf(
                        "steps %d-%d: %.1f steps/s%n",
                        sim.step() - spacing, sim.step(), spacing / ((System.nanoTime() - t0) / 1e9));
            }
            return;
        }
        if (which.equals("mlp") || which.equals("all")) {
            run(
                    "demo MLP 784-100-10, SGD, batch 32 (preset mlp-fashion-mnist)",
                    RunRecordBench.demo(),
                    catalogue,
                    context,
                    spacing,
                    rounds);
        }
        if (which.equals("dann") || which.equals("all")) {
            run("DANN 784-(500E,50I)x2-10, Adam, batch 32", dann(), catalogue, context, spacing, rounds);
        }
        if (which.equals("rnn") || which.equals("all")) {
            run(
                    "RNN 28-500-10 (ReLU), SGD, batch 32, row-sequential MNIST",
                    new SimulationConfig(
                            "rnn",
                            new ComponentConfig("rnn", Map.of("hidden", List.of(500L))),
                            new ComponentConfig("sgd", Map.of("learning_rate", 0.01)),
                            ComponentConfig.of("seq_mnist"),
                            1,
                            32,
                            0,
                            0),
                    catalogue,
                    context,
                    spacing,
                    rounds);
        }
    }

    static SimulationConfig dann() {
        return new SimulationConfig(
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
    }

    static void run(
            String name, SimulationConfig config, Catalogue catalogue, EngineContext context, long spacing, int rounds)
            throws Exception {
        Path dir = Files.createTempDirectory("eiscope-bench-timetravel");
        try (RunStore store = RunStore.open(dir)) {
            store.createRun(RunRecord.created(
                    "bench", "bench", new byte[0], 1, System.currentTimeMillis(), "PAUSED", "", "", 0, ""));
            Checkpoints checkpoints = new Checkpoints(store, 3);
            Simulation sim = new Simulation(config, catalogue, context);
            int warm = 200;
            long t0 = System.nanoTime();
            for (int i = 0; i < warm; i++) sim.trainStep();
            double stepsPerSecond = warm / ((System.nanoTime() - t0) / 1e9);
            StateDict state = sim.stateDict();
            CheckpointRecord cp = checkpoints.write("bench", sim.step(), 0, "interval", false, state);
            long target = sim.step() + spacing / 2;
            System.out.printf(
                    "%n%s: training %.1f steps/s; checkpoint %.1f MB on disk (%.0f MB per 1,000,000 steps at this spacing)%n",
                    name, stepsPerSecond, cp.sizeBytes() / 1e6, cp.sizeBytes() / 1e6 * 1_000_000 / spacing);
            List<Double> seconds = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                StateDict loaded = checkpoints.read(cp);
                long read = System.nanoTime();
                Reconstruction rec = Reconstruction.fromCheckpoint(config, catalogue, context, 0, loaded);
                long restored = System.nanoTime();
                rec.advance(List.of(), target, s -> {});
                long end = System.nanoTime();
                seconds.add((end - start) / 1e9);
                System.out.printf(
                        "  round %d: step %d rebuilt in %.1f s (read %.0f ms, build+restore %.0f ms, replay %d steps %.1f s = %.1f steps/s)%n",
                        r,
                        target,
                        (end - start) / 1e9,
                        (read - start) / 1e6,
                        (restored - read) / 1e6,
                        target - cp.step(),
                        (end - restored) / 1e9,
                        (target - cp.step()) / ((end - restored) / 1e9));
            }
            seconds.sort(null);
            System.out.printf(
                    "%s: halfway between checkpoints %d apart: median %.1f s (min %.1f, max %.1f)%n",
                    name, spacing, seconds.get(seconds.size() / 2), seconds.get(0), seconds.get(seconds.size() - 1));
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}

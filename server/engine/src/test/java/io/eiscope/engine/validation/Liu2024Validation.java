package io.eiscope.engine.validation;

import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Liu et al. 2024, "How connectivity structure shapes rich and lazy learning in neural circuits"
 * (science.md §5): a CTRNN of N units learns the 2AF task from a recurrent matrix truncated to rank
 * r and renormalised to the Frobenius norm of the full draw (the same draw for every rank of a
 * seed); SGD with momentum 0.9, lr 0.003, batch 32. At the end, through the catalogue's own
 * observables: ‖ΔW_rec‖_F ({@code weight_change} of {@code rnn0.W}), the tangent-kernel alignment
 * ({@code kernel_alignment} of {@code rnn0}) and the representation alignment
 * ({@code representation_alignment} of {@code rnn0}) against the initial network, and the
 * decision accuracy on the held-out trials. Expected (§5.7): as r grows, ‖ΔW‖ falls and KA and RA
 * rise (lazier).
 *
 * <p>Not a test: run {@code tools/validation/liu2024.sh [updates] [seeds] [threads] [units] [ranks] [task]}.
 */
public final class Liu2024Validation {
    private static final Catalogue CATALOGUE = Catalogue.standard();

    record Result(
            int rank,
            long seed,
            double weightChange,
            double kernelAlignment,
            double representationAlignment,
            double accuracy,
            double seconds) {}

    static double scalar(Simulation sim, String observable, String target) {
        Observation.Payload p = CATALOGUE.measured(observable).orElseThrow().measure(sim, target);
        return ((Observation.Scalar) p).value();
    }

    static Result run(EngineContext ctx, String task, int units, int rank, long seed, int updates) {
        SimulationConfig c = new SimulationConfig(
                "rank " + rank,
                new ComponentConfig("ctrnn", Map.of("hidden", (long) units, "init_rank", (long) rank)),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.003, "momentum", 0.9)),
                ComponentConfig.of(task),
                seed,
                32,
                0,
                0);
        Simulation sim = new Simulation(c, CATALOGUE, ctx);
        long start = System.nanoTime();
        scalar(sim, "kernel_alignment", "rnn0"); // K_0 and KR_0 are taken at step 0 and cached for the run
        scalar(sim, "representation_alignment", "rnn0");
        for (int u = 0; u < updates; u++) {
            if (!Double.isFinite(sim.trainStep().loss())) // recorded, left out of the means, counted in the table
            return new Result(
                        rank, seed, Double.NaN, Double.NaN, Double.NaN, Double.NaN, (System.nanoTime() - start) / 1e9);
        }
        return new Result(
                rank,
                seed,
                scalar(sim, "weight_change", "rnn0.W"),
                scalar(sim, "kernel_alignment", "rnn0"),
                scalar(sim, "representation_alignment", "rnn0"),
                sim.evaluate().accuracy(),
                (System.nanoTime() - start) / 1e9);
    }

    public static void main(String[] args) throws Exception {
        int updates = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seeds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int units = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        int[] ranks = Arrays.stream((args.length > 4 ? args[4] : "1,30,100," + units).split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        String task = args.length > 5 ? args[5] : "perceptual_decision_making";
        EngineContext ctx = EngineContext.of(Path.of(System.getProperty("eiscope.dataDir", ".data")));
        ExecutorService pool =
                Executors.newFixedThreadPool(threads, Liu2024Validation::daemon); // a failure in main ends the run
        List<Future<Result>> futures = new ArrayList<>();
        for (int r : ranks)
            for (long s = 1; s <= seeds; s++) {
                long seed = s;
                futures.add(pool.submit(() -> {
                    Result res = run(ctx, task, units, r, seed, updates);
                    System.err.printf(
                            Locale.ROOT,
                            "rank %d seed %d: dW %.3f KA %.3f RA %.3f acc %.3f (%.0f s)%n",
                            r,
                            seed,
                            res.weightChange(),
                            res.kernelAlignment(),
                            res.representationAlignment(),
                            res.accuracy(),
                            res.seconds());
                    return res;
                }));
            }
        List<Result> results = new ArrayList<>();
        for (Future<Result> f : futures) results.add(f.get());
        pool.shutdown();
        StringBuilder t = new StringBuilder(String.format(
                Locale.ROOT,
                "%n%s, CTRNN N = %d, %d updates, mean ± sd over %d seeds (diverged runs left out)%n%n| initial rank | ‖ΔW_rec‖_F | kernel alignment | representation alignment | decision accuracy | diverged |%n|---|---|---|---|---|---|%n",
                task,
                units,
                updates,
                seeds));
        for (int r : ranks) {
            List<Result> rs = results.stream().filter(x -> x.rank() == r).toList();
            t.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %s | %s | %s | %d |%n",
                    r,
                    stat(rs, Result::weightChange),
                    stat(rs, Result::kernelAlignment),
                    stat(rs, Result::representationAlignment),
                    stat(rs, Result::accuracy),
                    rs.stream().filter(x -> Double.isNaN(x.weightChange())).count()));
        }
        System.out.print(t);
    }

    /** Pool threads that do not keep the JVM alive once main has failed. */
    static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "validation");
        t.setDaemon(true);
        return t;
    }

    private static String stat(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = rs.stream().mapToDouble(f).filter(Double::isFinite).toArray();
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        double sd = Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, v.length - 1));
        return String.format(Locale.ROOT, "%.3f ± %.3f", mean, sd);
    }
}

package io.eiscope.engine.validation;

import io.eiscope.engine.model.Model;
import io.eiscope.engine.observe.SpectralObservables;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.Params;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Spectra;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Li et al. 2023, "Learning better with Dale's Law: a spectral perspective" (science.md §2), with
 * the catalogue's recurrent models. Not a test (minutes to hours): run
 * {@code tools/validation/li2023.sh}. Two parts:
 * <ul>
 *   <li>{@code nse sizes fractions seeds threads}: the normalised SVD entropy of the effective
 *   recurrent matrix at initialisation over a grid of sizes × inhibitory fractions, for the
 *   standard RNN, the recurrent DANN and the column-E/I RNN (§2.4, §2.6: NSE rises with size and
 *   with the inhibitory fraction; ColEI is well below the other two, which are close).</li>
 *   <li>{@code seqmnist updates seeds threads [dataset]}: one recurrent layer of 100 units on
 *   row-sequential MNIST, batch 32, learning rate 0.01, for the conditions of the §2.6 table
 *   (standard RNN, DANN, ColEI, the clamp-removed ColEI, the sign-frozen RNN and the four
 *   spectrum transplants); test error after a budget of updates, averaged over the last five
 *   evaluations (every updates/20).</li>
 * </ul>
 */
public final class Li2023Validation {
    private static final Catalogue CATALOGUE = Catalogue.standard();

    public static void main(String[] args) throws Exception {
        if (args.length < 1) usage();
        EngineContext ctx = EngineContext.of(Path.of(System.getProperty("eiscope.dataDir", ".data")));
        switch (args[0]) {
            case "nse" ->
                nse(
                        ints(args, 1, "100,200,300,400,500,600,700,800,900,1000"),
                        doubles(args, 2, "0.01,0.0644,0.1189,0.1733,0.2278,0.2822,0.3367,0.3911,0.4456,0.5"),
                        arg(args, 3, 3),
                        arg(args, 4, 4));
            case "seqmnist" ->
                seqMnist(
                        ctx,
                        arg(args, 1, 10_000),
                        arg(args, 2, 3),
                        arg(args, 3, 4),
                        args.length > 4 ? args[4] : "seq_mnist");
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: Li2023Validation nse [sizes] [fractions] [seeds] [threads]\n"
                + "       Li2023Validation seqmnist [updates] [seeds] [threads] [seq_mnist|seq_fashion_mnist]");
        System.exit(2);
    }

    // ---- NSE grid ------------------------------------------------------------------------------

    /** The model spec of one family at {@code n} recurrent units and inhibitory fraction {@code f}. */
    static ComponentConfig family(String family, int n, double f) {
        return switch (family) {
            case "RNN" -> new ComponentConfig("rnn", Map.of("hidden", List.of((long) n)));
            // ColEI: n units of which ceil(n/(r+1)) inhibitory, r = 1/f - 1 (the grid's ratio)
            case "ColEI" ->
                new ComponentConfig(
                        "column_ei_rnn",
                        Map.of("hidden", List.of((long) n), "ei_ratio", Math.max(1L, Math.round(1 / f - 1))));
            // DANN: n excitatory recurrent units and ni = f/(1-f) n inhibitory interneurons (fraction f of all units)
            case "DANN" ->
                new ComponentConfig(
                        "dann_rnn",
                        Map.of(
                                "hidden",
                                List.of((long) n),
                                "ni_h2h",
                                Math.max(1L, Math.round(n * f / (1 - f))),
                                "ni_i2h",
                                Math.max(1L, Math.round(n * f / (1 - f)))));
            default -> throw new IllegalArgumentException(family);
        };
    }

    /** NSE of the effective recurrent matrix {@code rnn0} of a freshly initialised model. */
    static double nseAtInit(ComponentConfig spec, long seed) {
        var entry = Catalogue.find("model", CATALOGUE.models(), spec.kind());
        Params p = Params.resolve("model", entry.descriptor(), spec.params());
        Model m = entry.factory()
                .create(
                        p,
                        new TaskShape(28, 28, 10, false),
                        Rng.derive(seed, "init"),
                        new EngineContext(null, Blas.best()));
        return SpectralObservables.normalisedSvdEntropy(
                Spectra.singularValues(m.effectiveWeight("rnn0").orElseThrow()));
    }

    static void nse(int[] sizes, double[] fractions, int seeds, int threads) throws Exception {
        List<String> families = List.of("RNN", "DANN", "ColEI");
        ExecutorService pool =
                Executors.newFixedThreadPool(threads, Liu2024Validation::daemon); // a failure in main ends the run
        Map<String, Future<Double>> futures = new LinkedHashMap<>();
        for (String fam : families)
            for (int n : sizes)
                for (double f : fractions)
                    for (long s = 1; s <= seeds; s++) {
                        long seed = s;
                        futures.put(
                                fam + "/" + n + "/" + f + "/" + s,
                                pool.submit(() -> nseAtInit(family(fam, n, f), seed)));
                    }
        Map<String, Double> mean = new HashMap<>();
        for (String fam : families)
            for (int n : sizes)
                for (double f : fractions) {
                    double sum = 0;
                    for (long s = 1; s <= seeds; s++)
                        sum += futures.get(fam + "/" + n + "/" + f + "/" + s).get();
                    mean.put(fam + "/" + n + "/" + f, sum / seeds);
                }
        pool.shutdown();
        for (String fam : families) {
            StringBuilder t = new StringBuilder("\n" + fam + ": NSE at initialisation, mean of " + seeds
                    + " seeds (rows: units; columns: inhibitory fraction)\n\n| n |");
            for (double f : fractions) t.append(String.format(Locale.ROOT, " %.3f |", f));
            t.append("\n|---|").append("---|".repeat(fractions.length)).append('\n');
            for (int n : sizes) {
                t.append("| ").append(n).append(" |");
                for (double f : fractions)
                    t.append(String.format(Locale.ROOT, " %.3f |", mean.get(fam + "/" + n + "/" + f)));
                t.append('\n');
            }
            System.out.print(t);
        }
    }

    // ---- Sequential MNIST ----------------------------------------------------------------------

    record Condition(String label, ComponentConfig model, ComponentConfig rule) {}

    static List<Condition> conditions() {
        List<Long> h = List.of(100L);
        Map<String, Object> clipLayer = Map.of("learning_rate", 0.01, "clip_norm", 10.0, "clip_scope", "layer");
        Map<String, Object> clipTensor = Map.of("learning_rate", 0.01, "clip_norm", 10.0, "clip_scope", "tensor");
        return List.of(
                new Condition(
                        "Standard RNN",
                        new ComponentConfig("rnn", Map.of("hidden", h)),
                        new ComponentConfig("sgd", clipLayer)),
                new Condition(
                        "DANN RNN",
                        new ComponentConfig("dann_rnn", Map.of("hidden", h)),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.01, "correct_inhibitory", true))),
                new Condition(
                        "ColEI (sign-constrained)",
                        new ComponentConfig("column_ei_rnn", Map.of("hidden", h, "ei_ratio", 9L)),
                        new ComponentConfig("sgd", clipTensor)),
                new Condition(
                        "ColEI, clamp removed",
                        new ComponentConfig(
                                "column_ei_rnn", Map.of("hidden", h, "ei_ratio", 9L, "sign_constrained", false)),
                        new ComponentConfig("sgd", clipTensor)),
                new Condition(
                        "Standard RNN, signs frozen",
                        new ComponentConfig("rnn", Map.of("hidden", h, "freeze_recurrent_signs", true)),
                        new ComponentConfig("sgd", clipLayer)),
                new Condition(
                        "ColEI vectors + RNN values, signs frozen",
                        transplant("colei_vectors_rnn_values", true),
                        new ComponentConfig("sgd", clipLayer)),
                new Condition(
                        "ColEI vectors + RNN values, unconstrained",
                        transplant("colei_vectors_rnn_values", false),
                        new ComponentConfig("sgd", clipLayer)),
                new Condition(
                        "RNN vectors + ColEI values, signs frozen",
                        transplant("rnn_vectors_colei_values", true),
                        new ComponentConfig("sgd", clipLayer)),
                new Condition(
                        "RNN vectors + ColEI values, unconstrained",
                        transplant("rnn_vectors_colei_values", false),
                        new ComponentConfig("sgd", clipLayer)));
    }

    private static ComponentConfig transplant(String init, boolean frozen) {
        return new ComponentConfig(
                "rnn",
                Map.of(
                        "hidden",
                        List.of(100L),
                        "recurrent_init",
                        init,
                        "freeze_recurrent_signs",
                        frozen,
                        "freeze_readout_signs",
                        frozen));
    }

    record Result(String condition, long seed, double errorPercent, boolean diverged, double seconds) {}

    static Result train(EngineContext ctx, String task, Condition c, long seed, int updates) {
        Simulation sim = new Simulation(
                new SimulationConfig(c.label(), c.model(), c.rule(), ComponentConfig.of(task), seed, 32, 0, 0),
                CATALOGUE,
                ctx);
        long start = System.nanoTime();
        int every = Math.max(1, updates / 20);
        double[] evals = new double[20];
        int k = 0;
        for (int u = 1; u <= updates; u++) {
            if (!Double.isFinite(sim.trainStep().loss())) return new Result(c.label(), seed, Double.NaN, true, 0);
            if (u % every == 0 && k < evals.length)
                evals[k++] = 100 * (1 - sim.evaluate().accuracy());
        }
        double lastFive = Arrays.stream(evals, Math.max(0, k - 5), k).average().orElse(Double.NaN);
        return new Result(c.label(), seed, lastFive, false, (System.nanoTime() - start) / 1e9);
    }

    static void seqMnist(EngineContext ctx, int updates, int seeds, int threads, String task) throws Exception {
        ExecutorService pool =
                Executors.newFixedThreadPool(threads, Liu2024Validation::daemon); // a failure in main ends the run
        List<Future<Result>> futures = new ArrayList<>();
        for (Condition c : conditions())
            for (long s = 1; s <= seeds; s++) {
                long seed = s;
                futures.add(pool.submit(() -> {
                    Result r = train(ctx, task, c, seed, updates);
                    System.err.printf(
                            Locale.ROOT,
                            "%s / seed %d: %.2f %% (%.0f s)%n",
                            c.label(),
                            seed,
                            r.errorPercent(),
                            r.seconds());
                    return r;
                }));
            }
        List<Result> results = new ArrayList<>();
        for (Future<Result> f : futures) results.add(f.get());
        pool.shutdown();
        StringBuilder t = new StringBuilder(String.format(
                Locale.ROOT,
                "%n| condition | test error %% (mean ± sd over %d seeds; %s, %d updates, mean of the last 5 of 20 evaluations) |%n|---|---|%n",
                seeds,
                task,
                updates));
        for (Condition c : conditions()) {
            double[] v = results.stream()
                    .filter(r -> r.condition().equals(c.label()))
                    .mapToDouble(Result::errorPercent)
                    .toArray();
            double mean = Arrays.stream(v).average().orElse(Double.NaN);
            double sd =
                    Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, v.length - 1));
            long div = Arrays.stream(v).filter(Double::isNaN).count();
            t.append(String.format(
                    Locale.ROOT,
                    "| %s | %.2f ± %.2f%s |%n",
                    c.label(),
                    mean,
                    sd,
                    div > 0 ? " (" + div + " diverged)" : ""));
        }
        System.out.print(t);
    }

    // ---- arguments -----------------------------------------------------------------------------

    private static int arg(String[] a, int i, int def) {
        return a.length > i ? Integer.parseInt(a[i]) : def;
    }

    private static int[] ints(String[] a, int i, String def) {
        return Arrays.stream((a.length > i ? a[i] : def).split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
    }

    private static double[] doubles(String[] a, int i, String def) {
        return Arrays.stream((a.length > i ? a[i] : def).split(","))
                .mapToDouble(Double::parseDouble)
                .toArray();
    }
}

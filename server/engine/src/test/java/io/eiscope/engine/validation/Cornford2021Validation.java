package io.eiscope.engine.validation;

import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reproduces the feed-forward comparison of Cornford et al. 2021 (science.md §1.7) with the
 * catalogue's models: MLP, LayerNorm MLP, DANN, DANN without the inhibitory correction and
 * column-E/I, and the BatchNorm MLP and DANN + diagonal natural gradient (d-NGD) baselines, on
 * Fashion-MNIST and MNIST, several seeds, batch 32 (250 for d-NGD), the configs' learning rates.
 * {@code -Deiscope.models="BatchNorm MLP;DANN + diag NGD"} runs only the models named.
 *
 * <p>Not a test (it runs for many minutes): run {@code tools/validation/cornford2021.sh}.
 * Arguments: {@code epochs seeds threads outCsv [datasets...]}. Reports, per model and dataset,
 * the mean and spread over seeds of the test error (%) averaged over the last 5 evaluations
 * (5 evaluations spread over the final epoch, as the paper's "last 5 evaluations" of a run
 * that evaluates after every update), and whether any run diverged.
 */
public final class Cornford2021Validation {

    /** A model of the comparison, trained at {@code batch} (32, or 250 for d-NGD as its config). */
    record Model(String label, ComponentConfig model, ComponentConfig rule, int batch) {
        Model(String label, ComponentConfig model, ComponentConfig rule) {
            this(label, model, rule, 32);
        }
    }

    record Result(
            String dataset,
            String model,
            long seed,
            double lastFiveErrorPercent,
            double[] epochErrors,
            boolean diverged,
            double secondsPerEpoch) {}

    static List<Model> models(String dataset) {
        double pixelMean = dataset.equals("mnist") ? 0.1307 : 0.2860;
        List<Long> h500 = List.of(500L, 500L, 500L);
        return List.of(
                new Model(
                        "MLP",
                        new ComponentConfig("mlp", Map.of("hidden", h500)),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.2976))),
                new Model(
                        "LayerNorm MLP",
                        new ComponentConfig("layernorm_mlp", Map.of("hidden", h500)),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.2976))),
                new Model(
                        "DANN",
                        new ComponentConfig(
                                "dann", Map.of("hidden_excitatory", h500, "hidden_inhibitory", List.of(50L))),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.1107, "correct_inhibitory", true))),
                new Model(
                        "DANN, no correction",
                        new ComponentConfig(
                                "dann", Map.of("hidden_excitatory", h500, "hidden_inhibitory", List.of(50L))),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.003981, "correct_inhibitory", false))),
                new Model(
                        "Column-E/I",
                        new ComponentConfig(
                                "column_ei_mlp",
                                Map.of("hidden", List.of(550L, 550L, 550L), "ei_ratio", 10L, "pixel_mean", pixelMean)),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.05273))),
                new Model(
                        "BatchNorm MLP",
                        new ComponentConfig("batchnorm_mlp", Map.of("hidden", h500)),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.2976))),
                new Model(
                        "DANN + diag NGD",
                        new ComponentConfig(
                                "dann", Map.of("hidden_excitatory", h500, "hidden_inhibitory", List.of(1L))),
                        new ComponentConfig(
                                "dngd", Map.of("learning_rate", 300.0, "f_lambda", 2.5e-5, "f_ma_scale", 0.02)),
                        250));
    }

    /** The models named in the system property {@code eiscope.models} (labels separated by ';'), else all. */
    static List<Model> selected(String dataset) {
        String only = System.getProperty("eiscope.models", "");
        if (only.isBlank()) return models(dataset);
        List<String> labels =
                List.of(only.split(";")).stream().map(String::trim).toList();
        List<Model> out =
                models(dataset).stream().filter(m -> labels.contains(m.label())).toList();
        if (out.size() != labels.size())
            throw new IllegalArgumentException("eiscope.models: unknown label among " + labels + "; known: "
                    + models(dataset).stream().map(Model::label).toList());
        return out;
    }

    static Result run(EngineContext ctx, String dataset, Model m, long seed, int epochs) {
        SimulationConfig c = new SimulationConfig(
                m.label(), m.model(), m.rule(), ComponentConfig.of(dataset), seed, m.batch(), 0, 0);
        Simulation sim = new Simulation(c, Catalogue.standard(), ctx);
        int trainSize = sim.trainSize();
        long perEpoch = trainSize / m.batch();
        double[] epochErrors = new double[epochs];
        double lastFive = 0;
        boolean diverged = false;
        long start = System.nanoTime();
        for (int e = 0; e < epochs && !diverged; e++) {
            for (long s = 0; s < perEpoch; s++) {
                double loss = sim.trainStep().loss();
                if (!Double.isFinite(loss)) {
                    diverged = true;
                    break;
                }
                boolean lastEpoch = e == epochs - 1;
                if (lastEpoch && (s + 1) % (perEpoch / 5) == 0 && (s + 1) / (perEpoch / 5) <= 5) {
                    lastFive += 100 * (1 - sim.evaluate().accuracy()) / 5;
                }
            }
            epochErrors[e] = diverged ? Double.NaN : 100 * (1 - sim.evaluate().accuracy());
        }
        double secondsPerEpoch = (System.nanoTime() - start) / 1e9 / epochs;
        return new Result(
                dataset, m.label(), seed, diverged ? Double.NaN : lastFive, epochErrors, diverged, secondsPerEpoch);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: Cornford2021Validation epochs seeds threads out.csv [fashion_mnist] [mnist]");
            System.exit(2);
        }
        int epochs = Integer.parseInt(args[0]), seeds = Integer.parseInt(args[1]), threads = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        List<String> datasets =
                args.length > 4 ? List.of(args).subList(4, args.length) : List.of("fashion_mnist", "mnist");
        EngineContext ctx = EngineContext.of(Path.of(System.getProperty("eiscope.dataDir", ".data")));
        ExecutorService pool =
                Executors.newFixedThreadPool(threads, Liu2024Validation::daemon); // a failure in main ends the run
        List<Future<Result>> futures = new ArrayList<>();
        for (String d : datasets)
            for (Model m : selected(d))
                for (long seed = 1; seed <= seeds; seed++) {
                    long s = seed;
                    futures.add(pool.submit(() -> {
                        Result r = run(ctx, d, m, s, epochs);
                        System.err.printf(
                                Locale.ROOT,
                                "%s / %s / seed %d: %.2f %% (%.1f s/epoch)%n",
                                d,
                                m.label(),
                                s,
                                r.lastFiveErrorPercent(),
                                r.secondsPerEpoch());
                        return r;
                    }));
                }
        List<Result> results = new ArrayList<>();
        for (Future<Result> f : futures) results.add(f.get());
        pool.shutdown();
        write(out, results, epochs);
        System.out.println(table(results, datasets, epochs, seeds));
    }

    static void write(Path out, List<Result> results, int epochs) throws IOException {
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            StringBuilder header =
                    new StringBuilder("dataset,model,seed,last5_error_percent,diverged,seconds_per_epoch");
            for (int e = 1; e <= epochs; e++) header.append(",epoch").append(e).append("_error_percent");
            w.println(header);
            for (Result r : results) {
                StringBuilder row = new StringBuilder(String.format(
                        Locale.ROOT,
                        "%s,%s,%d,%.3f,%b,%.2f",
                        r.dataset(),
                        r.model(),
                        r.seed(),
                        r.lastFiveErrorPercent(),
                        r.diverged(),
                        r.secondsPerEpoch()));
                for (double e : r.epochErrors()) row.append(String.format(Locale.ROOT, ",%.3f", e));
                w.println(row);
            }
        }
    }

    static String table(List<Result> results, List<String> datasets, int epochs, int seeds) {
        StringBuilder t = new StringBuilder(String.format(
                Locale.ROOT,
                "| model | %s |%n|---|%s%n",
                String.join(
                        " | ",
                        datasets.stream()
                                .map(d -> d + " test error % (mean ± sd, " + seeds + " seeds, " + epochs + " epochs)")
                                .toList()),
                "---|".repeat(datasets.size())));
        for (Model m : selected("fashion_mnist")) {
            t.append("| ").append(m.label());
            for (String d : datasets) {
                double[] v = results.stream()
                        .filter(r -> r.dataset().equals(d) && r.model().equals(m.label()))
                        .mapToDouble(Result::lastFiveErrorPercent)
                        .toArray();
                double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
                double sd = Math.sqrt(java.util.Arrays.stream(v)
                                .map(x -> (x - mean) * (x - mean))
                                .sum()
                        / Math.max(1, v.length - 1));
                long div = java.util.Arrays.stream(v).filter(Double::isNaN).count();
                t.append(String.format(
                        Locale.ROOT, " | %.2f ± %.2f%s", mean, sd, div > 0 ? " (" + div + " diverged)" : ""));
            }
            t.append(" |\n");
        }
        return t.toString();
    }
}

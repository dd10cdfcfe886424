package io.eiscope.engine.validation;

import io.eiscope.engine.learning.Potential;
import io.eiscope.engine.observe.WeightStatistics;
import io.eiscope.engine.prune.Pruning;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Two studies of the geometry of plasticity; not tests. Run {@code tools/validation/geometry.sh}.
 * <ul>
 *   <li>{@code robustness seeds}: the synthetic robustness study of Pogodin et al. (2024),
 *       science.md §4.4: 1000 initial weights, log-normal with random signs (magnitudes' mean = std = 0.1)
 *       or normal (std 0.1);
 *       a Gaussian dual-space perturbation {@code grad phi(w) = grad phi(w0) + 0.1 |grad phi(0.1)| xi}
 *       under a true potential; every candidate (p-norms 1.1 .. 3.0 and negative entropy) scored
 *       by the mean ΔCDF over seeds. The true potential should score lowest.</li>
 *   <li>{@code regression dimension seeds}: the linear-regression study of §4.4 on one size:
 *       N = floor(D^0.5) correlated examples (q = 2), a bias-free linear neuron with
 *       {@code w0 ~ N(0, 1/D)}, full-batch mirror descent with momentum 0.9 and a cosine schedule
 *       over 500 updates, learning rate from {@code logspace(-4, 0, 9)} by lowest final loss
 *       (required &lt; 1e-3); then the ΔCDF of every candidate potential on the learned change.</li>
 *   <li>{@code pruning epochs seeds [egLr gdLr]}: a 784-100-10 MLP (log-normal init) learns
 *       Fashion-MNIST by EG (split biases) and by GD (both momentum 0.9, batch 32), is pruned
 *       globally by magnitude to 90 .. 99 % and re-learns for one epoch with fresh optimiser
 *       state: test accuracy before pruning, right after, after 100 steps and after the epoch.</li>
 * </ul>
 */
public final class GeometryValidation {

    public static void main(String[] args) {
        switch (args[0]) {
            case "robustness" -> robustness(Integer.parseInt(args[1]));
            case "pruning" ->
                pruning(
                        Integer.parseInt(args[1]),
                        Integer.parseInt(args[2]),
                        args.length > 3 ? Double.parseDouble(args[3]) : 0.1,
                        args.length > 4 ? Double.parseDouble(args[4]) : 0.01);
            case "train" -> {
                // learning-rate probe for the pruning study: train epochs, rule, lr -> test accuracy
                EngineContext ctx = EngineContext.of(Path.of(System.getProperty("eiscope.dataDir", ".data")));
                Simulation sim = new Simulation(
                        pruningConfig(args[2], Double.parseDouble(args[3]), 1), Catalogue.standard(), ctx);
                for (long s = 0; s < Integer.parseInt(args[1]) * (sim.trainSize() / 32L); s++) sim.trainStep();
                System.out.printf(
                        Locale.ROOT,
                        "%s lr %s: test accuracy %.2f %%%n",
                        args[2],
                        args[3],
                        100 * sim.evaluate().accuracy());
            }
            case "regression" -> regression(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("unknown study " + args[0]);
        }
    }

    static List<Potential> candidates() {
        List<Potential> all = new ArrayList<>();
        for (int k = 11; k <= 30; k++) all.add(new Potential.PNorm(k / 10.0));
        all.add(new Potential.NegativeEntropy());
        return all;
    }

    static void robustness(int seeds) {
        List<Potential> truths = List.of(
                new Potential.PNorm(2),
                new Potential.PNorm(3),
                new Potential.PNorm(1.5),
                new Potential.NegativeEntropy());
        List<Potential> candidates = candidates();
        System.out.println(
                "| initial weights | true potential | lowest candidate | rank of the true one (of 21) | ΔCDF: 1.5-norm | 2-norm | 3-norm | neg. entropy |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (String init : List.of("lognormal", "normal")) {
            for (Potential truth : truths) {
                double[] score = new double[candidates.size()];
                for (int s = 0; s < seeds; s++) {
                    SplittableRandom r = new SplittableRandom(1000L * s + 17);
                    float[] w0 = new float[1000], wt = new float[1000];
                    for (int i = 0; i < w0.length; i++) {
                        // §4.4: magnitudes with mean = std = 1/sqrt(100) = 0.1 (random signs), so sigma^2 = log(1 + 1)
                        // and
                        // mu = log 0.1 - sigma^2 / 2 = log(0.1 / sqrt 2); normal: N(0, 1/100)
                        double sigma = Math.sqrt(Math.log(2)), mu = Math.log(0.1 / Math.sqrt(2));
                        w0[i] = (float)
                                (init.equals("normal")
                                        ? 0.1 * r.nextGaussian()
                                        : (r.nextBoolean() ? 1 : -1) * Math.exp(mu + sigma * r.nextGaussian()));
                    }
                    double scale = 0.1 * Math.abs(truth.map(0.1));
                    for (int i = 0; i < w0.length; i++)
                        wt[i] = (float) truth.inverse(truth.map(w0[i]) + scale * r.nextGaussian(), w0[i]);
                    for (int c = 0; c < candidates.size(); c++)
                        score[c] +=
                                WeightStatistics.deltaCdf(WeightStatistics.dualChange(candidates.get(c), w0, wt), false)
                                        / seeds;
                }
                int own = candidates.indexOf(truth), best = 0, rank = 1;
                for (int c = 0; c < candidates.size(); c++) {
                    if (score[c] < score[best]) best = c;
                    if (score[c] < score[own]) rank++;
                }
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %s | %s | %d | %.4f | %.4f | %.4f | %.4f |%n",
                        init,
                        truth.name(),
                        candidates.get(best).name(),
                        rank,
                        score[4],
                        score[9],
                        score[19],
                        score[20]);
            }
        }
    }

    static SimulationConfig regressionConfig(int d, Map<String, Object> rule, long seed) {
        Map<String, Object> r = new java.util.HashMap<>(rule);
        r.putAll(Map.of("momentum", 0.9, "schedule", "cosine", "schedule_steps", 500L));
        int n = (int) Math.floor(Math.pow(d, 0.5) + 1e-9);
        return new SimulationConfig(
                "regression",
                new ComponentConfig("point_neuron", Map.of("threshold", 0.0, "init", "normal", "init_gain", 1.0)),
                new ComponentConfig("mirror_descent", r),
                new ComponentConfig("linear_regression", Map.of("dimension", (long) d)),
                seed,
                n,
                0,
                500);
    }

    static void regression(int d, int seeds) {
        EngineContext ctx = EngineContext.of(null);
        List<Potential> candidates = candidates();
        List<Map<String, Object>> trained =
                List.of(Map.of("p", 2.0), Map.of("p", 3.0), Map.of("p", 1.5), Map.of("potential", "negative_entropy"));
        System.out.println(
                "| trained with | lr | final loss | lowest-ΔCDF candidate | ΔCDF: 1.5-norm | 2-norm | 3-norm | neg. entropy |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Map<String, Object> rule : trained) {
            double bestLoss = Double.POSITIVE_INFINITY, bestLr = Double.NaN;
            for (int k = 0; k <= 8; k++) {
                double lr = Math.pow(10, -4 + 0.5 * k), loss = 0;
                for (long seed = 1; seed <= seeds; seed++) loss += train(ctx, d, rule, lr, seed, null) / seeds;
                if (loss < bestLoss) {
                    bestLoss = loss;
                    bestLr = lr;
                }
            }
            double[] score = new double[candidates.size()];
            for (long seed = 1; seed <= seeds; seed++)
                train(ctx, d, rule, bestLr, seed, (w0, w) -> {
                    for (int c = 0; c < candidates.size(); c++)
                        score[c] +=
                                WeightStatistics.deltaCdf(WeightStatistics.dualChange(candidates.get(c), w0, w), false)
                                        / seeds;
                });
            int best = 0;
            for (int c = 0; c < score.length; c++) if (score[c] < score[best]) best = c;
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %g | %.2e%s | %s | %.4f | %.4f | %.4f | %.4f |%n",
                    rule,
                    bestLr,
                    bestLoss,
                    bestLoss < 1e-3 ? "" : " (not converged)",
                    candidates.get(best).name(),
                    score[4],
                    score[9],
                    score[19],
                    score[20]);
        }
    }

    /** Trains one regression run; returns the final full-batch loss and hands (w0, w) to {@code sink} if given. */
    static double train(
            EngineContext ctx,
            int d,
            Map<String, Object> rule,
            double lr,
            long seed,
            java.util.function.BiConsumer<float[], float[]> sink) {
        Map<String, Object> r = new java.util.HashMap<>(rule);
        r.put("learning_rate", lr);
        Simulation sim = new Simulation(regressionConfig(d, r, seed), Catalogue.standard(), ctx);
        for (int s = 0; s < 500; s++) sim.trainStep();
        double loss = sim.evaluate().loss();
        if (sink != null)
            sink.accept(
                    sim.initialValue("neuron.w").orElseThrow().toArray(),
                    sim.parameters().get(0).value().toArray());
        return Double.isFinite(loss) ? loss : Double.POSITIVE_INFINITY;
    }

    static SimulationConfig pruningConfig(String rule, double lr, long seed) {
        Map<String, Object> mlp = Map.of("hidden", List.of(100L), "init", "lognormal", "split_bias", rule.equals("eg"));
        return new SimulationConfig(
                rule,
                new ComponentConfig("mlp", mlp),
                new ComponentConfig(rule, Map.of("learning_rate", lr, "momentum", 0.9)),
                ComponentConfig.of("fashion_mnist"),
                seed,
                32,
                0,
                0);
    }

    static void pruning(int epochs, int seeds, double egLr, double gdLr) {
        EngineContext ctx = EngineContext.of(Path.of(System.getProperty("eiscope.dataDir", ".data")));
        double[] fractions = {0.9, 0.95, 0.975, 0.99};
        System.out.println(
                "| rule (lr) | seed | trained acc. % | pruned | acc. right after % | after 100 steps % | after 1 epoch % |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String rule : List.of("eg", "sgd")) {
            double lr = rule.equals("eg") ? egLr : gdLr;
            for (long seed = 1; seed <= seeds; seed++) {
                Simulation trained = new Simulation(pruningConfig(rule, lr, seed), Catalogue.standard(), ctx);
                long perEpoch = trained.trainSize() / 32;
                for (long s = 0; s < epochs * perEpoch; s++) trained.trainStep();
                double acc = trained.evaluate().accuracy();
                for (double f : fractions) {
                    Simulation sim = new Simulation(pruningConfig(rule, lr, seed), Catalogue.standard(), ctx);
                    for (int k = 0; k < sim.parameters().size(); k++)
                        sim.parameters()
                                .get(k)
                                .value()
                                .copyFrom(trained.parameters().get(k).value());
                    Pruning.magnitude(sim.model(), f, Pruning.Scope.GLOBAL);
                    double after = sim.evaluate().accuracy();
                    for (int s = 0; s < 100; s++) sim.trainStep();
                    double after100 = sim.evaluate().accuracy();
                    for (long s = 100; s < perEpoch; s++) sim.trainStep();
                    double afterEpoch = sim.evaluate().accuracy();
                    System.out.printf(
                            Locale.ROOT,
                            "| %s (%g) | %d | %.2f | %.1f %% | %.2f | %.2f | %.2f |%n",
                            rule,
                            lr,
                            seed,
                            100 * acc,
                            100 * f,
                            100 * after,
                            100 * after100,
                            100 * afterEpoch);
                }
            }
        }
    }
}

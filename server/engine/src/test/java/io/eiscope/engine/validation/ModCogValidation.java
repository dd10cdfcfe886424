package io.eiscope.engine.validation;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.prune.Pruning;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * EG vs GD on Mod-Cog, then pruning and re-learning (science.md §3.3a–b), at a size a small
 * machine holds; not a test. Run {@code tools/validation/mod-cog.sh}.
 *
 * <p>Each rule trains a bias-free ReLU RNN on all 82 tasks with the paper's settings (momentum
 * 0.925, global-norm clipping at 2, warm-up / constant / cool-down schedule, the pruning runs'
 * weight decays), evaluating the held-out windows every {@code evalEvery} updates. The parameters
 * at the start of the cool-down (the paper's {@code epoch_ckpts[-2]}) are then pruned globally by
 * magnitude over every weight matrix, at each fraction, and re-learn with the masks held, fresh
 * optimiser state and a learning rate decaying linearly from its peak to 0. Every re-learning
 * peak rate of the rule's grid is tried, and the table reports the best by final {@code dec_acc},
 * as the paper picks its rates.
 *
 * <p>Arguments: {@code hidden seqLen updates seeds relearnUpdates csvPrefix}, seeds as {@code 5,6,7}.
 * System properties {@code modcog.init} (normal), {@code modcog.nonlinearity} (relu), {@code modcog.egLr} (0.15), {@code modcog.gdLr}
 * (0.05), {@code modcog.egRelearn} (0.1,0.15,0.25,0.5), {@code modcog.gdRelearn}
 * (0.02,0.05,0.1,0.2,0.5,1.0), {@code
 * modcog.evalEvery} (100), {@code modcog.batch} (32), {@code modcog.rules} (eg,sgd).
 */
public final class ModCogValidation {
    static final double[] FRACTIONS = {0.9, 0.925, 0.95, 0.975, 0.99};

    private ModCogValidation() {}

    record Rule(String name, double lr, double weightDecay, double[] relearnRates) {}

    public static void main(String[] args) throws IOException {
        int hidden = Integer.parseInt(args[0]);
        int seqLen = Integer.parseInt(args[1]);
        long updates = Long.parseLong(args[2]);
        long[] seeds =
                Arrays.stream(args[3].split(",")).mapToLong(Long::parseLong).toArray();
        long relearn = Long.parseLong(args[4]);
        String prefix = args[5];
        int evalEvery = Integer.getInteger("modcog.evalEvery", 100);
        List<Rule> rules = List.of(
                new Rule(
                        "eg",
                        Double.parseDouble(System.getProperty("modcog.egLr", "0.15")),
                        1e-7,
                        rates(System.getProperty("modcog.egRelearn", "0.1,0.15,0.25,0.5"))),
                new Rule(
                        "sgd",
                        Double.parseDouble(System.getProperty("modcog.gdLr", "0.05")),
                        1e-6,
                        rates(System.getProperty("modcog.gdRelearn", "0.02,0.05,0.1,0.2,0.5,1.0"))));
        EngineContext ctx = EngineContext.of(Path.of(System.getProperty("eiscope.dataDir", ".data")));
        try (PrintWriter curves = csv(prefix + "-curves.csv", "rule,seed,step,test_loss,test_acc,test_dec_acc");
                PrintWriter pruning = csv(
                        prefix + "-pruning.csv",
                        "rule,seed,fraction,relearn_lr,cosine_to_unpruned,trained_dec_acc,after_pruning_dec_acc,"
                                + "relearn_step,dec_acc")) {
            List<String> only =
                    List.of(System.getProperty("modcog.rules", "eg,sgd").split(","));
            for (Rule rule : rules) {
                if (!only.contains(rule.name)) continue;
                for (long seed : seeds) {
                    long t0 = System.nanoTime();
                    Simulation sim = new Simulation(
                            config(
                                    rule.name,
                                    rule.lr,
                                    rule.weightDecay,
                                    hidden,
                                    seqLen,
                                    updates,
                                    seed,
                                    updates / 12,
                                    updates / 6),
                            Catalogue.standard(),
                            ctx);
                    long beforeCooldown = updates - updates / 6;
                    List<float[]> snapshot = null;
                    for (long s = 0; s <= updates; s++) {
                        if (s % evalEvery == 0 || s == updates) {
                            Simulation.EvalResult e = sim.evaluate();
                            curves.printf(
                                    Locale.ROOT,
                                    "%s,%d,%d,%.5f,%.5f,%.5f%n",
                                    rule.name,
                                    seed,
                                    s,
                                    e.loss(),
                                    e.accuracy(),
                                    e.decisionAccuracy());
                            curves.flush();
                        }
                        if (s == beforeCooldown) snapshot = values(sim);
                        if (s < updates) sim.trainStep();
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "%s seed %d: %d updates in %.0f s, test dec_acc %.3f%n",
                            rule.name,
                            seed,
                            updates,
                            (System.nanoTime() - t0) / 1e9,
                            sim.evaluate().decisionAccuracy());
                    pruneAndRelearn(rule, seed, snapshot, hidden, seqLen, relearn, evalEvery, ctx, pruning);
                }
            }
        }
    }

    private static void pruneAndRelearn(
            Rule rule,
            long seed,
            List<float[]> trained,
            int hidden,
            int seqLen,
            long relearn,
            int evalEvery,
            EngineContext ctx,
            PrintWriter out) {
        for (double fraction : FRACTIONS) {
            for (double lr : rule.relearnRates) {
                // The re-learning run: the same network and task stream, a fresh rule whose rate falls linearly
                // from lr to 0 over the re-learning updates (warm-up 0, cool-down over all of them).
                Simulation sim = new Simulation(
                        config(rule.name, lr, rule.weightDecay, hidden, seqLen, relearn, seed + 1000, 0, relearn),
                        Catalogue.standard(),
                        ctx);
                restore(sim, trained);
                double trainedAcc = sim.evaluate().decisionAccuracy();
                double full = sumOfSquares(sim);
                Pruning.magnitude(sim.model(), fraction, Pruning.Scope.GLOBAL);
                double cosine = Math.sqrt(sumOfSquares(sim) / full); // the pruned vector is the unpruned one masked
                double afterPruning = Double.NaN;
                for (long s = 0; s <= relearn; s++) {
                    if (s % evalEvery == 0 || s == relearn) {
                        double dec = sim.evaluate().decisionAccuracy();
                        if (s == 0) afterPruning = dec;
                        out.printf(
                                Locale.ROOT,
                                "%s,%d,%.3f,%g,%.6f,%.5f,%.5f,%d,%.5f%n",
                                rule.name,
                                seed,
                                fraction,
                                lr,
                                cosine,
                                trainedAcc,
                                afterPruning,
                                s,
                                dec);
                        out.flush();
                    }
                    if (s < relearn) sim.trainStep();
                }
            }
        }
    }

    public static SimulationConfig config(
            String rule,
            double lr,
            double weightDecay,
            int hidden,
            int seqLen,
            long updates,
            long seed,
            long warmup,
            long cooldown) {
        Map<String, Object> r = new HashMap<>();
        r.put("learning_rate", lr);
        r.put("momentum", 0.925);
        r.put("weight_decay", weightDecay);
        r.put("clip_norm", 2.0);
        r.put("clip_scope", "global");
        r.put("schedule", "warmup_cooldown");
        r.put("warmup_steps", warmup);
        r.put("cooldown_steps", cooldown);
        r.put("schedule_steps", updates);
        Map<String, Object> model = Map.of(
                "hidden",
                List.of((long) hidden),
                "bias",
                false,
                "recurrent_init",
                System.getProperty("modcog.init", "normal"),
                "nonlinearity",
                System.getProperty("modcog.nonlinearity", "relu"));
        return new SimulationConfig(
                rule + " on Mod-Cog",
                new ComponentConfig("rnn", model),
                new ComponentConfig(rule, r),
                new ComponentConfig("mod_cog", Map.of("tasks", "all", "seq_len", (long) seqLen, "test_size", 128L)),
                seed,
                Integer.getInteger("modcog.batch", 32),
                0,
                updates);
    }

    static List<float[]> values(Simulation sim) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : sim.parameters()) out.add(p.value().toArray());
        return out;
    }

    static void restore(Simulation sim, List<float[]> values) {
        for (int k = 0; k < values.size(); k++) sim.parameters().get(k).value().copyFrom(values.get(k));
    }

    /** The sum of squares of every prunable weight (pruned ones are 0). */
    static double sumOfSquares(Simulation sim) {
        double sum = 0;
        for (Parameter p : sim.parameters()) {
            if (!Pruning.prunable(p)) continue;
            for (float v : p.value().toArray()) sum += (double) v * v;
        }
        return sum;
    }

    static double[] rates(String list) {
        return Arrays.stream(list.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    private static PrintWriter csv(String path, String header) throws IOException {
        Path p = Path.of(path);
        if (p.getParent() != null) Files.createDirectories(p.getParent());
        PrintWriter w = new PrintWriter(Files.newBufferedWriter(p, StandardCharsets.UTF_8));
        w.println(header);
        return w;
    }
}

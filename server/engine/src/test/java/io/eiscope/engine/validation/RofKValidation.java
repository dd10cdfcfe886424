package io.eiscope.engine.validation;

import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.task.Objective;
import io.eiscope.engine.task.RofK;
import io.eiscope.engine.tensor.Matrix;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sparse-relevant-input study of Cornford et al. (2024), science.md §3.3c: a point neuron
 * learns r-of-k (k = 100, r = 50, p = 0.5, 5 % + 5 % label noise) with n inputs by EG and by GD,
 * batch 500, 30 epochs (600 updates), no momentum or decay. For each n and rule the learning
 * rate is chosen by the mean final validation loss over seeds, and the mean test accuracy at
 * that rate is reported (the authors' notebook: n = 2000, EG 92.9 %, GD 70.5 %).
 *
 * <p>Not a test: run {@code tools/validation/geometry.sh rofk [seeds] [n...]}. Arguments:
 * {@code seeds outCsv n...}. Single-threaded.
 */
public final class RofKValidation {
    /** The paper's sweeps; {@code -Drofk.egRates=0.5,1} and {@code -Drofk.gdRates=...} narrow them when time is short. */
    static final double[] EG_RATES = rates("rofk.egRates", new double[] {0.1, 0.25, 0.5, 0.75, 1});

    static final double[] GD_RATES = rates("rofk.gdRates", new double[] {0.005, 0.01, 0.05, 0.1, 0.5, 1});
    static final int BATCH = 500, EPOCHS = 30;

    static double[] rates(String property, double[] paper) {
        String given = System.getProperty(property);
        return given == null
                ? paper
                : Arrays.stream(given.split(","))
                        .mapToDouble(Double::parseDouble)
                        .toArray();
    }

    record Run(int n, String rule, double lr, long seed, double valLoss, double testAccuracy) {}

    static Run run(int n, String rule, double lr, long seed) {
        Map<String, Object> task = Map.of("inputs", (long) n, "held_out", "validation");
        Simulation sim = new Simulation(
                new SimulationConfig(
                        "r-of-k",
                        ComponentConfig.of("point_neuron"),
                        new ComponentConfig(rule, Map.of("learning_rate", lr)),
                        new ComponentConfig("r_of_k", task),
                        seed,
                        BATCH,
                        0,
                        0),
                Catalogue.standard(),
                EngineContext.of(null));
        long steps = (long) EPOCHS * sim.trainSize() / BATCH;
        for (long s = 0; s < steps; s++) sim.trainStep();
        double val = sim.evaluate().loss();
        // the same seed draws the same examples; this copy serves the test set
        RofK test = new RofK(RofK.Hyper.paper(n), seed);
        Matrix x = Matrix.zeros(test.testSize(), n), y = Matrix.zeros(test.testSize(), 1);
        test.testBatch(0, x, y);
        double acc = new Objective.BinaryCrossEntropyWithLogits()
                .compute(sim.model().forward(x), y, null)
                .accuracy();
        return new Run(n, rule, lr, seed, Double.isFinite(val) ? val : Double.POSITIVE_INFINITY, acc);
    }

    public static void main(String[] args) throws Exception {
        int seeds = Integer.parseInt(args[0]);
        Path out = Path.of(args[1]);
        int[] ns = Arrays.stream(args).skip(2).mapToInt(Integer::parseInt).toArray();
        List<Run> runs = new ArrayList<>();
        StringBuilder table =
                new StringBuilder("| n | GD test acc. % (best lr) | EG test acc. % (best lr) |\n|---|---|---|\n");
        for (int n : ns) {
            table.append("| ").append(n);
            for (String rule : List.of("sgd", "eg")) {
                double bestVal = Double.POSITIVE_INFINITY,
                        bestAcc = Double.NaN,
                        bestLr = Double.NaN,
                        bestSd = Double.NaN;
                for (double lr : rule.equals("eg") ? EG_RATES : GD_RATES) {
                    double[] val = new double[seeds], acc = new double[seeds];
                    long start = System.nanoTime();
                    for (int s = 0; s < seeds; s++) {
                        Run r = run(n, rule, lr, s + 1);
                        runs.add(r);
                        val[s] = r.valLoss();
                        acc[s] = r.testAccuracy();
                    }
                    double meanVal = Arrays.stream(val).average().orElseThrow(),
                            meanAcc = Arrays.stream(acc).average().orElseThrow();
                    System.err.printf(
                            Locale.ROOT,
                            "n=%d %s lr=%g: val loss %.4f, test acc %.2f %% (%.1f s)%n",
                            n,
                            rule,
                            lr,
                            meanVal,
                            100 * meanAcc,
                            (System.nanoTime() - start) / 1e9);
                    if (meanVal < bestVal) {
                        bestVal = meanVal;
                        bestAcc = meanAcc;
                        bestLr = lr;
                        bestSd = Math.sqrt(Arrays.stream(acc)
                                        .map(a -> (a - meanAcc) * (a - meanAcc))
                                        .sum()
                                / Math.max(1, seeds - 1));
                    }
                }
                table.append(String.format(Locale.ROOT, " | %.1f ± %.1f (%g)", 100 * bestAcc, 100 * bestSd, bestLr));
            }
            table.append(" |\n");
        }
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("n,rule,learning_rate,seed,val_loss,test_accuracy");
            for (Run r : runs)
                w.printf(
                        Locale.ROOT,
                        "%d,%s,%g,%d,%.6f,%.4f%n",
                        r.n(),
                        r.rule(),
                        r.lr(),
                        r.seed(),
                        r.valLoss(),
                        r.testAccuracy());
        }
        System.out.println(table);
    }
}

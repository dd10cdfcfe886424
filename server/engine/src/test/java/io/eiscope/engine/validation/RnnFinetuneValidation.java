package io.eiscope.engine.validation;

import io.eiscope.engine.learning.Potential;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.observe.WeightStatistics;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.spec.TensorValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * RNN finetuning geometry, Pogodin et al. (2024) §4.4 ({@code finetuning_rnn.py}); not a test. Run
 * {@code tools/validation/geometry.sh rnn-finetune H seeds pretrainEpochs finetuneEpochs}.
 *
 * <p>A tanh RNN (28 inputs, H units, PyTorch's uniform init, readout at the last step) learns
 * row-sequential MNIST by mirror descent under a potential (2-norm = SGD, negative entropy = EG,
 * 3-norm), momentum 0.9 and a cosine schedule, batch 256, learning rate from {@code logspace(-5,
 * 1, 7)} by lowest held-out loss (the reference's grid stops at 0.1; our training split is 7 times
 * smaller, so fewer updates, and negative entropy, whose steps scale with |w|, needs larger rates). The pretrained weights are then finetuned, under the same
 * potential, on N = sqrt(#weight_hh) = H test images (task option {@code test_subset}; each seed
 * draws its own images and order) until they fit all N (finetune epochs, plus as many again up to
 * four times when they do not), the rate again chosen from the grid by lowest final loss. The
 * change of the recurrent matrix {@code weight_hh} ({@code rnn0.W}) from pretrained to finetuned
 * is scored by the ΔCDF of every candidate potential (§4.3, uncentred): the potential that trained
 * it should score lowest.
 */
public final class RnnFinetuneValidation {
    static final int BATCH = 256;
    static final String WEIGHT_HH = "rnn0.W";

    record Trained(
            String potential,
            int hidden,
            long seed,
            double lr,
            double loss,
            double accuracy,
            int epochs,
            double[] deltaCdf,
            double[] magnitude) {}

    private RnnFinetuneValidation() {}

    public static void main(String[] args) {
        int hidden = Integer.parseInt(args[0]);
        int seeds = Integer.parseInt(args[1]);
        int pretrainEpochs = Integer.parseInt(args[2]);
        int finetuneEpochs = Integer.parseInt(args[3]);
        Path csv = Path.of(args.length > 4 ? args[4] : "docs/validation/rnn-finetune-h" + hidden + ".csv");
        EngineContext ctx = EngineContext.of(Path.of(System.getProperty("eiscope.dataDir", ".data")));
        List<Trained> rows = new ArrayList<>();
        for (String potential : potentials()) {
            long t0 = System.nanoTime();
            Map<String, TensorValue> pretrained = pretrain(ctx, potential, hidden, pretrainEpochs);
            System.err.printf(Locale.ROOT, "%s: pretrained in %.0f s%n", potential, (System.nanoTime() - t0) / 1e9);
            for (long seed = 1; seed <= seeds; seed++)
                rows.add(finetune(ctx, potential, hidden, seed, pretrained, finetuneEpochs));
        }
        print(rows);
        write(csv, rows);
    }

    static List<Potential> candidates() {
        return List.of(
                new Potential.PNorm(1.5),
                new Potential.PNorm(2.0),
                new Potential.PNorm(2.5),
                new Potential.PNorm(3.0),
                new Potential.NegativeEntropy());
    }

    static Map<String, Object> rule(String potential, double lr, long steps) {
        Map<String, Object> r = new HashMap<>(
                Map.of("learning_rate", lr, "momentum", 0.9, "schedule", "cosine", "schedule_steps", steps));
        if (potential.equals("negative_entropy")) r.put("potential", "negative_entropy");
        else r.put("p", Double.parseDouble(potential.substring(0, potential.indexOf('-'))));
        return r;
    }

    static SimulationConfig config(
            String potential, double lr, int hidden, long seed, int subset, int batch, long steps) {
        Map<String, Object> model =
                Map.of("hidden", List.of((long) hidden), "nonlinearity", "tanh", "recurrent_init", "pytorch");
        return new SimulationConfig(
                "rnn-finetune",
                new ComponentConfig("rnn", model),
                new ComponentConfig("mirror_descent", rule(potential, lr, steps)),
                new ComponentConfig("seq_mnist", Map.of("test_subset", (long) subset)),
                seed,
                batch,
                0,
                0);
    }

    /** The potentials trained with: all three, or those of {@code -Drnn.potentials=a,b} (to share them out among processes). */
    static List<String> potentials() {
        String only = System.getProperty("rnn.potentials");
        return only == null ? List.of("2-norm", "negative_entropy", "3-norm") : List.of(only.split(","));
    }

    /**
     * The learning rates tried for {@code potential}: the whole grid, or {@code -Drnn.rates.<potential>=r1,r2}
     * (a larger network's runs around the rates a smaller one chose, where the whole grid would take hours).
     */
    static double[] lrGrid(String potential) {
        return rates("rnn.rates." + potential, new double[] {1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10});
    }

    /** The finetuning rates: those of {@code -Drnn.finetuneRates.<potential>=r1,r2}, else {@link #lrGrid}'s. */
    static double[] finetuneGrid(String potential) {
        return rates("rnn.finetuneRates." + potential, lrGrid(potential));
    }

    /** The comma-separated rates of system property {@code property}, or {@code otherwise} when it is not set. */
    private static double[] rates(String property, double[] otherwise) {
        String narrowed = System.getProperty(property);
        return narrowed == null
                ? otherwise
                : java.util.Arrays.stream(narrowed.split(","))
                        .mapToDouble(Double::parseDouble)
                        .toArray();
    }

    /** How many times finetuning starts again with as many more epochs when it has not fitted every image (4; {@code -Drnn.extensions}). */
    static int extensions() {
        return Integer.getInteger("rnn.extensions", 4);
    }

    /** Pretrains on the training split (seed 1) at every rate of the grid; returns the lowest-loss run's parameters. */
    static Map<String, TensorValue> pretrain(EngineContext ctx, String potential, int hidden, int epochs) {
        Map<String, TensorValue> best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (double lr : lrGrid(potential)) {
            Simulation probe = new Simulation(config(potential, lr, hidden, 1, 0, BATCH, 1), Catalogue.standard(), ctx);
            long steps = (long) epochs * ((probe.trainSize() + BATCH - 1) / BATCH);
            Simulation sim =
                    new Simulation(config(potential, lr, hidden, 1, 0, BATCH, steps), Catalogue.standard(), ctx);
            for (long s = 0; s < steps; s++) sim.trainStep();
            Simulation.EvalResult e = sim.evaluate();
            System.err.printf(
                    Locale.ROOT,
                    "  pretrain %s lr %g: test loss %.4f, accuracy %.2f %%%n",
                    potential,
                    lr,
                    e.loss(),
                    100 * e.accuracy());
            if (Double.isFinite(e.loss()) && e.loss() < bestLoss) {
                bestLoss = e.loss();
                best = values(sim);
            }
        }
        if (best == null)
            throw new IllegalStateException(potential + ": no rate of the grid pretrained to a finite loss");
        return best;
    }

    static Map<String, TensorValue> values(Simulation sim) {
        Map<String, TensorValue> v = new HashMap<>();
        for (Parameter p : sim.parameters())
            v.put(
                    p.name(),
                    new TensorValue(
                            new int[] {p.value().rows, p.value().cols},
                            p.value().toArray()));
        return v;
    }

    static float[] floats(TensorValue t) {
        float[] a = new float[t.size()];
        for (int i = 0; i < a.length; i++) a[i] = t.get(i);
        return a;
    }

    /** Finetunes on H test images: epochs (+ as many again, up to 4 times, until all fit); then the ΔCDF of each candidate. */
    static Trained finetune(
            EngineContext ctx,
            String potential,
            int hidden,
            long seed,
            Map<String, TensorValue> pretrained,
            int epochs) {
        int n = hidden; // N = sqrt(#weight_hh) = H
        int batch = Math.min(BATCH, n);
        long perEpoch = ((n + batch - 1L) / batch);
        Simulation best = null;
        double bestLoss = Double.POSITIVE_INFINITY, bestLr = Double.NaN;
        int e = 0;
        for (int extension = 0; extension <= extensions(); extension++) {
            e = epochs * (extension + 1);
            bestLoss = Double.POSITIVE_INFINITY;
            best = null;
            for (double lr : finetuneGrid(potential)) {
                Simulation sim = new Simulation(
                        config(potential, lr, hidden, seed, n, batch, e * perEpoch)
                                .withInitialParameters(pretrained),
                        Catalogue.standard(),
                        ctx);
                for (long s = 0; s < e * perEpoch; s++) sim.trainStep();
                Simulation.EvalResult fit = sim.evaluate();
                double loss = fit.loss();
                System.err.printf(
                        Locale.ROOT,
                        "    finetune %s seed %d lr %g, %d epochs: loss %.4f, accuracy %.1f %%%n",
                        potential,
                        seed,
                        lr,
                        e,
                        loss,
                        100 * fit.accuracy());
                if (Double.isFinite(loss) && loss < bestLoss) {
                    bestLoss = loss;
                    bestLr = lr;
                    best = sim;
                }
            }
            if (best != null && best.evaluate().accuracy() == 1.0) break;
        }
        if (best == null) throw new IllegalStateException(potential + " seed " + seed + ": no finite finetuning loss");
        float[] w0 = floats(pretrained.get(WEIGHT_HH)),
                w = best.parameter(WEIGHT_HH).orElseThrow().value().toArray();
        List<Potential> c = candidates();
        double[] score = new double[c.size()], magnitude = new double[c.size()];
        for (int k = 0; k < c.size(); k++) {
            score[k] = WeightStatistics.deltaCdf(WeightStatistics.dualChange(c.get(k), w0, w), false);
            magnitude[k] = WeightStatistics.changeMagnitude(c.get(k), w0, w);
        }
        Simulation.EvalResult ev = best.evaluate();
        System.err.printf(
                Locale.ROOT,
                "  finetune %s seed %d: lr %g, %d epochs, loss %.4f, accuracy %.1f %%%n",
                potential,
                seed,
                bestLr,
                e,
                ev.loss(),
                100 * ev.accuracy());
        return new Trained(potential, hidden, seed, bestLr, ev.loss(), ev.accuracy(), e, score, magnitude);
    }

    static void print(List<Trained> rows) {
        List<Potential> c = candidates();
        StringBuilder head = new StringBuilder("| trained with | seeds | fitted (100 %) | lowest-ΔCDF candidate |");
        for (Potential p : c) head.append(' ').append(p.name()).append(" |");
        System.out.println(head);
        System.out.println("|---|---|---|---|" + "---|".repeat(c.size()));
        for (String potential : potentials()) {
            List<Trained> of =
                    rows.stream().filter(r -> r.potential().equals(potential)).toList();
            double[] mean = new double[c.size()], sd = new double[c.size()];
            for (int k = 0; k < c.size(); k++) {
                final int kk = k;
                mean[k] =
                        of.stream().mapToDouble(r -> r.deltaCdf()[kk]).average().orElse(Double.NaN);
                double m = mean[k];
                sd[k] = Math.sqrt(of.stream()
                                .mapToDouble(r -> (r.deltaCdf()[kk] - m) * (r.deltaCdf()[kk] - m))
                                .sum()
                        / Math.max(1, of.size() - 1));
            }
            int best = 0;
            for (int k = 1; k < c.size(); k++) if (mean[k] < mean[best]) best = k;
            StringBuilder line = new StringBuilder(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d of %d | %s |",
                    potential,
                    of.size(),
                    of.stream().filter(r -> r.accuracy() == 1.0).count(),
                    of.size(),
                    c.get(best).name()));
            for (int k = 0; k < c.size(); k++)
                line.append(String.format(
                        Locale.ROOT, k == best ? " **%.4f ± %.4f** |" : " %.4f ± %.4f |", mean[k], sd[k]));
            System.out.println(line);
        }
    }

    static void write(Path csv, List<Trained> rows) {
        List<String> lines = new ArrayList<>();
        StringBuilder head = new StringBuilder("trained_with,hidden,seed,lr,final_loss,accuracy,epochs");
        for (Potential p : candidates()) head.append(",dcdf_").append(p.name());
        for (Potential p : candidates()) head.append(",magnitude_").append(p.name());
        lines.add(head.toString());
        for (Trained r : rows) {
            StringBuilder l = new StringBuilder(String.format(
                    Locale.ROOT,
                    "%s,%d,%d,%g,%.6f,%.4f,%d",
                    r.potential(),
                    r.hidden(),
                    r.seed(),
                    r.lr(),
                    r.loss(),
                    r.accuracy(),
                    r.epochs()));
            for (double d : r.deltaCdf()) l.append(String.format(Locale.ROOT, ",%.6f", d));
            for (double d : r.magnitude()) l.append(String.format(Locale.ROOT, ",%.6f", d));
            lines.add(l.toString());
        }
        try {
            Files.createDirectories(csv.toAbsolutePath().getParent());
            Files.write(csv, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

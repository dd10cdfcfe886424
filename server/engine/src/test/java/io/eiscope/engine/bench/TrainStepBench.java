package io.eiscope.engine.bench;

import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.model.Dann;
import io.eiscope.engine.model.Mlp;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Rnn;
import io.eiscope.engine.model.SoftmaxCrossEntropy;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.IntraOp;
import io.eiscope.engine.tensor.Matrix;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Steps per second of one full training step (forward, softmax cross-entropy with its
 * gradient, backward, SGD update, projection) on synthetic data fixed before timing, so no
 * data loading is measured. The counterpart of {@code bench/torch_bench.py}; both are run by
 * {@code bench/run.sh}, which prints the comparison table.
 *
 * <p>Not a test (no {@code Test} in its name, so surefire never runs it). Usage:
 * {@code java -cp ... io.eiscope.engine.bench.TrainStepBench [--models mlp,dann,rnn100,rnn500]
 * [--batches 1,32,128] [--seconds 2] [--warmup 1] [--rounds 5] [--spare-cores 0] [--busy 0] [--label threads] [--momentum 0] [--rule sgd]}. OpenBLAS
 * runs on one thread (the engine sets it). {@code --spare-cores N} lends N cores
 * to the step's large products as a server does when fewer runs play than it has cores ({@link
 * io.eiscope.engine.tensor.IntraOp}); {@code --busy N} keeps N other threads of this JVM spinning meanwhile
 * (another run playing, or the server's own busy threads; bench/run.sh's {@code BUSY} runs other programs).
 *
 * <p>Prints one {@code RESULT} line per cell: side, model, batch, threads, median steps/s
 * over the rounds, min, max, heap bytes allocated per steady-state step, final loss, the
 * steps/s of every round (comma-separated), and the process CPU milliseconds per step of every
 * round (all threads: BLAS workers too; less sensitive than wall time to other load on a
 * shared machine). Then a {@code LENDING} line: model, batch, threads, the timed steps, the product halves
 * that helpers computed, that callers took back, the lending back-offs, and the cores the rest of the
 * machine used (the mean of one reading a round).
 */
public final class TrainStepBench {
    static final int INPUTS = 784;
    static final int CLASSES = 10;
    static final double LEARNING_RATE = 0.01;
    /** Row-sequential MNIST's layout: 28 steps of 28 pixels, 10 classes scored at the last step. */
    static final TaskShape ROW_SEQUENTIAL = new TaskShape(28, 28, CLASSES, false);

    /** The models of the table, by the name {@code run.sh} and {@code torch_bench.py} share. */
    static final Map<String, IntFunction<Model>> MODELS = new LinkedHashMap<>();

    static {
        // MLP 784-500-500-10, He init, as the catalogue's "mlp" default.
        MODELS.put("mlp", seed -> Mlp.create(INPUTS, new int[] {500, 500}, CLASSES, Blas.best(), new Rng(seed)));
        // DANN 784-3x(500E,50I)-10 with shunting inhibition (DannLayer, Cornford et al. 2021 §1.1),
        // the paper's initialisation; the output layer has one inhibitory unit.
        MODELS.put(
                "dann",
                seed -> Dann.create(
                        INPUTS,
                        new int[] {500, 500, 500},
                        new int[] {50, 50, 50},
                        CLASSES,
                        Dann.Inhibition.SUBTRACTIVE_DIVISIVE,
                        Blas.best(),
                        new Rng(seed)));
        // Standard ReLU RNN (Li et al. 2023) on row-sequential MNIST: 28 steps of one 28-pixel image
        // row, logits at the last step, full BPTT; a batch row is still one 784-pixel image.
        for (int n : new int[] {100, 500}) {
            MODELS.put("rnn" + n, seed -> Rnn.create(ROW_SEQUENTIAL, new int[] {n}, Blas.best(), new Rng(seed)));
        }
    }

    private TrainStepBench() {}

    public static void main(String[] args) {
        Map<String, String> opt = options(args);
        String[] models = opt.getOrDefault("models", "mlp").split(",", -1);
        int[] batches = Arrays.stream(opt.getOrDefault("batches", "1,32,128").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        double seconds = Double.parseDouble(opt.getOrDefault("seconds", "2"));
        double warmup = Double.parseDouble(opt.getOrDefault("warmup", "1"));
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "5"));
        int spareCores = Integer.parseInt(opt.getOrDefault("spare-cores", "0"));
        momentum = Double.parseDouble(opt.getOrDefault("momentum", "0"));
        ruleName = opt.getOrDefault("rule", "sgd");
        int busy = Integer.parseInt(opt.getOrDefault("busy", "0"));
        io.eiscope.engine.tensor.IntraOp.setSpareCores(spareCores);
        // the threads column: BLAS threads, plus the spare cores lent to the products (run.sh's "2" is 1 + 1)
        String threads = opt.getOrDefault("label", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "?"));
        for (int i = 0; i < busy; i++) {
            Thread t = new Thread(TrainStepBench::spin, "busy-" + i);
            t.setDaemon(true);
            t.start();
        }
        System.out.println("# blas=" + Blas.best().name() + " OPENBLAS_NUM_THREADS=" + threads + " java="
                + System.getProperty("java.vm.version") + " spare_cores="
                + io.eiscope.engine.tensor.IntraOp.spareCores() + " busy_threads=" + busy);
        for (String name : models) {
            IntFunction<Model> factory = MODELS.get(name);
            if (factory == null) {
                System.out.println("SKIP\teiscope\t" + name + "\tnot in the engine yet");
                continue;
            }
            for (int batch : batches) {
                Cell c = run(factory.apply(42), batch, seconds, warmup, rounds);
                StringBuilder all = new StringBuilder(), cpu = new StringBuilder();
                for (double r : c.rates)
                    all.append(all.length() == 0 ? "" : ",").append(String.format("%.1f", r));
                for (double m : c.cpuMs)
                    cpu.append(cpu.length() == 0 ? "" : ",").append(String.format("%.3f", m));
                System.out.printf(
                        "RESULT\teiscope\t%s\t%d\t%s\t%.1f\t%.1f\t%.1f\t%d\t%.4f\t%s\t%s%n",
                        name,
                        batch,
                        threads,
                        c.median(),
                        c.rates[0],
                        c.rates[c.rates.length - 1],
                        c.bytesPerStep,
                        c.loss,
                        all,
                        cpu);
                System.out.printf("LENDING\t%s\t%d\t%s\t%s%n", name, batch, threads, c.lending());
            }
        }
    }

    /** Another run's work, as far as the cores are concerned. */
    private static void spin() {
        double x = 1;
        while (x > 0) x = Math.sqrt(x + 1);
    }

    /**
     * Steps/s of each round (sorted), process CPU ms per step of each round (in round order), heap bytes per step,
     * the last loss, and what the spare cores did meanwhile ({@code lending}, printed as a LENDING line).
     */
    record Cell(double[] rates, double[] cpuMs, long bytesPerStep, double loss, String lending) {
        double median() {
            return rates[rates.length / 2];
        }
    }

    /** The heavy ball's momentum of the step's SGD ({@code --momentum}; 0, plain SGD, by default). */
    private static double momentum = 0;

    /** The catalogue's learning rule of the step ({@code --rule}; {@code sgd} by default). */
    private static String ruleName = "sgd";

    /**
     * The catalogue's rule named by {@code --rule} at the bench's learning rate, its other parameters at
     * their defaults (SGD and EG: no decay, momentum as {@code --momentum} says), as a simulation builds it.
     */
    static LearningRule benchRule() {
        var rule = io.eiscope.engine.spec.Catalogue.find(
                "learning_rule", io.eiscope.engine.spec.Catalogue.standard().rules(), ruleName);
        java.util.Map<String, Object> params = ruleName.equals("sgd") || ruleName.startsWith("eg")
                ? java.util.Map.of("learning_rate", LEARNING_RATE, "momentum", momentum)
                : java.util.Map.of("learning_rate", LEARNING_RATE);
        return rule.factory().create(io.eiscope.engine.spec.Params.resolve("learning_rule", rule.descriptor(), params));
    }

    /** The step: what {@code Simulation.trainStep} does after drawing its batch. */
    static final class Trainer {
        final Model model;
        final LearningRule rule = benchRule();
        final Matrix x;
        final int[] labels;
        final Matrix dLogits;
        double loss;

        Trainer(Model model, int batch) {
            this.model = model;
            Rng rng = new Rng(7);
            x = Matrix.zeros(batch, INPUTS);
            for (int i = 0; i < x.size(); i++) x.set(i, (float) rng.nextDouble());
            labels = new int[batch];
            for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(CLASSES);
            dLogits = Matrix.zeros(batch, CLASSES);
        }

        void step() {
            Matrix logits = model.forward(x);
            loss = SoftmaxCrossEntropy.meanLoss(logits, labels, dLogits, null);
            model.backward(dLogits);
            rule.updateAndProject(model.parameters()); // as Simulation.trainStep
            model.projectBeyondParameters();
        }
    }

    static Cell run(Model model, int batch, double seconds, double warmup, int rounds) {
        Trainer t = new Trainer(model, batch);
        long end = System.nanoTime() + (long) (warmup * 1e9);
        while (System.nanoTime() < end) t.step();
        long bytes = allocatedBytesPerStep(t, 1000);
        double[] rates = new double[rounds], cpuMs = new double[rounds];
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long roundNanos = (long) (seconds * 1e9 / rounds);
        long lent0 = IntraOp.helpedHalves(), back0 = IntraOp.takenBackHalves(), off0 = IntraOp.backOffs(), all = 0;
        double elsewhere = 0;
        for (int r = 0; r < rounds; r++) {
            long cpu0 = os.getProcessCpuTime(), start = System.nanoTime(), stop = start + roundNanos, now;
            int steps = 0;
            do {
                t.step();
                steps++;
                now = System.nanoTime();
            } while (now < stop);
            rates[r] = steps / ((now - start) / 1e9);
            cpuMs[r] = (os.getProcessCpuTime() - cpu0) / 1e6 / steps;
            all += steps;
            elsewhere += IntraOp.coresUsedElsewhere() / rounds;
        }
        Arrays.sort(rates);
        String lending = String.format(
                "%d\t%d\t%d\t%d\t%.2f",
                all,
                IntraOp.helpedHalves() - lent0,
                IntraOp.takenBackHalves() - back0,
                IntraOp.backOffs() - off0,
                elsewhere);
        return new Cell(rates, cpuMs, bytes, t.loss, lending);
    }

    /** Heap bytes this thread allocates per step, averaged over {@code steps} steps. */
    static long allocatedBytesPerStep(Trainer t, int steps) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < steps; i++) t.step();
        return (mx.getThreadAllocatedBytes(id) - before) / steps;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}

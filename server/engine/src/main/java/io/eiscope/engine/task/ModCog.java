package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;

/**
 * The Mod-Cog multi-task suite as a streaming sequence task, as trained in the EG paper
 * (Cornford et al. 2024, science.md §3.3a): every example is a window of {@code seqLen} steps of
 * back-to-back trials, each of a task drawn from the selected ones, with the
 * {@value ModCogTrial#INPUTS} inputs of {@link ModCogTrial} plus a one-hot rule input naming the
 * trial's task, and {@value ModCogTrial#OUTPUTS} outputs scored at every step by
 * {@link FixationDecisionLoss}.
 *
 * <p>Trials follow neurogym's {@code ScheduleEnvs} with a {@code RandomSchedule}: a window's
 * first task is uniform over the selection, each next one uniform over the others (never the
 * same twice in a row, unless only one is selected). A window starts with a fresh trial and the
 * trial running at its end is cut off (the reference's {@code Dataset} carries it into the next
 * window). Training windows are drawn fresh for every batch from the "data" stream (no cache;
 * the position is one random state) and get {@code N(0, inputNoise^2)} added to every input,
 * rule included, as the reference's training loop does; held-out windows are drawn once from
 * the "held-out" stream and stay clean.
 *
 * <p>Targets: row {@code b} holds {@code seqLen} labels (0 = fixate, {@code 1 + a} = ring unit
 * {@code a}) then {@code seqLen} decision flags (1 on the steps where the fixation input is 0).
 */
public final class ModCog implements Task {
    /** Windows per nominal training epoch ({@link #trainSize()}): the reference's 1,000 batches of 512. */
    public static final int NOMINAL_EPOCH_WINDOWS = 512_000;

    /**
     * What the suite generates; validated on construction.
     *
     * @param tasks      the selected tasks, in the order of the rule input; not empty, no repeats
     * @param seqLen     steps per window, >= 1
     * @param sigma      neurogym's noise level: the dm and match tasks' stimuli get {@code N(0, (sigma/sqrt(dt))^2)} per step
     * @param inputNoise std of the Gaussian noise added to training inputs only
     * @param testSize   held-out windows, >= 1
     */
    public record Hyper(List<ModCogRule> tasks, int seqLen, double sigma, double inputNoise, int testSize) {
        public Hyper {
            tasks = List.copyOf(tasks);
            if (tasks.isEmpty()) throw new IllegalArgumentException("task.tasks must name at least one task");
            if (tasks.stream().distinct().count() != tasks.size())
                throw new IllegalArgumentException("task.tasks names a task twice: " + tasks);
            if (seqLen < 1) throw new IllegalArgumentException("task.seq_len must be >= 1, got " + seqLen);
            if (!(sigma >= 0) || !Double.isFinite(sigma))
                throw new IllegalArgumentException("task.sigma must be >= 0, got " + sigma);
            if (!(inputNoise >= 0) || !Double.isFinite(inputNoise))
                throw new IllegalArgumentException("task.input_noise must be >= 0, got " + inputNoise);
            if (testSize < 1) throw new IllegalArgumentException("task.test_size must be >= 1, got " + testSize);
        }
    }

    private final Hyper hyper;
    private final long seed;
    private final double noiseStd;
    private final TaskShape shape;
    private final Objective objective;
    private final ModCogTrial.Buffer trial = new ModCogTrial.Buffer();
    private final Matrix heldOutInputs;
    private final Matrix heldOutTargets;
    private Rng rng;

    public ModCog(Hyper hyper, long seed) {
        this.hyper = hyper;
        this.seed = seed;
        this.noiseStd = hyper.sigma() / Math.sqrt(ModCogTrial.DT_MILLIS);
        this.shape =
                new TaskShape(ModCogTrial.INPUTS + hyper.tasks().size(), hyper.seqLen(), ModCogTrial.OUTPUTS, true);
        this.objective = new FixationDecisionLoss(hyper.seqLen(), FixationDecisionLoss.PAPER_SMOOTHING);
        heldOutInputs = Matrix.zeros(hyper.testSize(), shape.inputSize());
        heldOutTargets = Matrix.zeros(hyper.testSize(), 2 * hyper.seqLen());
        Rng heldOut = Rng.derive(seed, "held-out");
        for (int r = 0; r < hyper.testSize(); r++) window(heldOut, heldOutInputs, heldOutTargets, r);
        reset();
    }

    public Hyper hyper() {
        return hyper;
    }

    @Override
    public TaskShape shape() {
        return shape;
    }

    @Override
    public int inputSize() {
        return shape.inputSize();
    }

    @Override
    public int outputSize() {
        return shape.outputs();
    }

    @Override
    public Objective objective() {
        return objective;
    }

    @Override
    public int trainSize() {
        return NOMINAL_EPOCH_WINDOWS;
    }

    @Override
    public int testSize() {
        return heldOutInputs.rows;
    }

    @Override
    public void reset() {
        rng = Rng.derive(seed, "data");
    }

    @Override
    public void nextBatch(Matrix x, Matrix targets) {
        for (int r = 0; r < x.rows; r++) window(rng, x, targets, r);
        if (hyper.inputNoise() > 0)
            for (int i = 0; i < x.size(); i++) x.set(i, x.get(i) + (float) (hyper.inputNoise() * rng.nextGaussian()));
    }

    @Override
    public void testBatch(int from, Matrix x, Matrix targets) {
        int n = x.cols, w = targets.cols;
        for (int r = 0; r < x.rows; r++) {
            int src = from + r;
            for (int c = 0; c < n; c++) x.set(r * n + c, heldOutInputs.get(src * n + c));
            for (int c = 0; c < w; c++) targets.set(r * w + c, heldOutTargets.get(src * w + c));
        }
    }

    /** Fills row {@code row} of {@code x} and {@code targets} with back-to-back trials, overwriting all of it. */
    private void window(Rng rng, Matrix x, Matrix targets, int row) {
        int steps = shape.steps(), width = shape.stepInputs(), n = hyper.tasks().size();
        int xBase = row * x.cols, yBase = row * targets.cols;
        for (int c = 0; c < x.cols; c++) x.set(xBase + c, 0f);
        int task = -1;
        for (int t = 0; t < steps; ) {
            task = n == 1 ? 0 : task < 0 ? rng.nextInt(n) : (task + 1 + rng.nextInt(n - 1)) % n;
            ModCogTrial.draw(hyper.tasks().get(task), rng, noiseStd, trial);
            int take = Math.min(trial.length, steps - t);
            for (int s = 0; s < take; s++, t++) {
                int o = xBase + t * width;
                for (int c = 0; c < ModCogTrial.INPUTS; c++) x.set(o + c, trial.x[s * ModCogTrial.INPUTS + c]);
                x.set(o + ModCogTrial.INPUTS + task, 1f);
                targets.set(yBase + t, trial.label[s]);
                targets.set(yBase + steps + t, trial.decision[s] ? 1f : 0f);
            }
        }
    }

    private record Position(long rngState) implements Task.State {
        /** {@code rng_state}, int64 {@code [1]}. */
        @Override
        public void save(StateDict dict, String prefix) {
            dict.putLongs(prefix + "rng_state", new long[] {rngState});
        }
    }

    @Override
    public State snapshot() {
        return new Position(rng.state());
    }

    @Override
    public State readState(StateDict dict, String prefix) {
        return new Position(dict.longValue(prefix + "rng_state"));
    }

    @Override
    public void restore(State state) {
        rng.setState(((Position) state).rngState());
    }
}

package io.eiscope.engine.sim;

import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.Params;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.task.Objective;
import io.eiscope.engine.task.Task;
import io.eiscope.engine.tensor.Matrix;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One training run: a model, a learning rule and a task built from a validated config, with
 * every random draw taken from streams derived from the config's seed. Confined to one
 * thread; {@link SimulationRunner} provides that thread and the lifecycle.
 *
 * <p>{@link #step()}: (1) draw the next minibatch; (2) forward; (3) the task's objective (softmax
 * cross-entropy, binary cross-entropy with logits, mean squared error) and its gradient;
 * (4) backward; (5) learning-rule update; (6) the model's projection (sign clamps, pruning
 * masks; each parameter's part in the same pass as its update); (7) the steering constraints (lesion masks, frozen parameters).
 *
 * <p>Steering commands ({@link #apply}) change parameters or the rule between steps;
 * {@link #snapshot}, {@link #restore} and {@link #fork} capture and copy the whole state;
 * {@link #stateDict} and {@link #restoreStateDict} give and take it as plain named arrays.
 */
public final class Simulation {
    private static final int EVAL_CHUNK = 1000;
    /** Examples in the probe batch of the activation and alignment observables: the first 32 held-out ones (all, if fewer). */
    public static final int PROBE_SIZE = 32;

    private final SimulationConfig config;
    private final Catalogue catalogue;
    private final EngineContext context;
    private final Params modelParams;
    private volatile Params ruleParams; // volatile: read by other threads for status views
    private final Catalogue.Entry<Catalogue.ModelFactory> modelEntry;
    private volatile Catalogue.Entry<Catalogue.RuleFactory> ruleEntry;
    private Steering steering;
    private Map<String, Parameter> byName;
    private final Task task;
    private Model model;
    private LearningRule rule;
    /** Copies of the parameters at build or reset, by name, for observables that compare to the start. */
    private Map<String, Matrix> initialValues;
    /** Copies of the initial values for {@link #stateDict}, taken once per run (null: to take); never modified, shared by dicts. */
    private Map<String, float[]> initialArrays;

    private final Matrix x;
    private final Matrix targets;
    private final Matrix dLogits;
    private long step;
    private long revision; // changes whenever the parameters may have
    private Matrix probe; // built on first use, never modified
    private Map<String, Object> runCache = new HashMap<>(); // observables' state for this run from step 0

    /**
     * Result of one training step on one minibatch; accuracy is NaN when the task has none
     * ({@link #hasAccuracy()}), decisionAccuracy ({@code dec_acc}) when its objective scores no
     * decision steps ({@link Objective.Result#decisionAccuracy()}).
     */
    public record StepResult(long step, double loss, double accuracy, double decisionAccuracy) {
        public StepResult(long step, double loss, double accuracy) {
            this(step, loss, accuracy, Double.NaN);
        }
    }

    /**
     * Result of an evaluation over the whole held-out set; accuracy is NaN when the task has none,
     * decisionAccuracy when its objective scores no decision steps (else the mean of the chunks'
     * decision accuracies weighted by their examples).
     */
    public record EvalResult(long step, double loss, double accuracy, double decisionAccuracy) {
        public EvalResult(long step, double loss, double accuracy) {
            this(step, loss, accuracy, Double.NaN);
        }
    }

    /**
     * Validates {@code config} against {@code catalogue} and builds the simulation at step 0,
     * with the config's initial parameter values (if any) over the model's own initialisation.
     *
     * @throws IllegalArgumentException naming the offending field and what is allowed
     */
    public Simulation(SimulationConfig config, Catalogue catalogue, EngineContext context) {
        this.config = config;
        this.catalogue = catalogue;
        this.context = context;
        if (config.model() == null) throw new IllegalArgumentException("model is required");
        if (config.learningRule() == null) throw new IllegalArgumentException("learning_rule is required");
        if (config.task() == null) throw new IllegalArgumentException("task is required");
        modelEntry = Catalogue.find("model", catalogue.models(), config.model().kind());
        ruleEntry = Catalogue.find(
                "learning_rule", catalogue.rules(), config.learningRule().kind());
        var taskEntry = Catalogue.find("task", catalogue.tasks(), config.task().kind());
        modelParams =
                Params.resolve("model", modelEntry.descriptor(), config.model().params());
        ruleParams = Params.resolve(
                "learning_rule", ruleEntry.descriptor(), config.learningRule().params());
        Params taskParams =
                Params.resolve("task", taskEntry.descriptor(), config.task().params());
        if (config.evalEverySteps() < 0)
            throw new IllegalArgumentException(
                    "eval_every_steps must be >= 0 (0: never), got " + config.evalEverySteps());
        if (config.stepBudget() < 0)
            throw new IllegalArgumentException("step_budget must be >= 0 (0: no budget), got " + config.stepBudget());
        task = taskEntry.factory().create(taskParams, config.seed(), context);
        if (config.batchSize() < 1 || config.batchSize() > task.trainSize())
            throw new IllegalArgumentException("batch_size must be in [1, " + task.trainSize()
                    + "] (the training set size of '" + config.task().kind() + "'), got " + config.batchSize());
        rule = ruleEntry.factory().create(ruleParams);
        MemoryEstimate.check(modelParams, task.shape(), config.batchSize());
        buildModel();
        if (config.batchSize() < model.minimumBatchSize())
            throw new IllegalArgumentException("batch_size must be >= " + model.minimumBatchSize() + " for model '"
                    + config.model().kind() + "' (it normalises each unit over the batch), got " + config.batchSize());
        checkRule(rule, "learning_rule");
        steering = new Steering(config.seed());
        x = Matrix.zeros(config.batchSize(), task.inputSize());
        targets = Matrix.zeros(config.batchSize(), task.targetWidth());
        dLogits = Matrix.zeros(config.batchSize(), task.shape().outputWidth());
    }

    public Catalogue catalogue() {
        return catalogue;
    }

    public EngineContext context() {
        return context;
    }

    public SimulationConfig config() {
        return config;
    }

    /** Number of training examples of the task. */
    public int trainSize() {
        return task.trainSize();
    }

    /** False when the task's objective has no accuracy (regression): accuracies are then NaN, not to be published. */
    public boolean hasAccuracy() {
        return task.objective().hasAccuracy();
    }

    /** Number of updates applied so far. */
    public long step() {
        return step;
    }

    public Model model() {
        return model;
    }

    public List<Parameter> parameters() {
        return model.parameters();
    }

    public Optional<Parameter> parameter(String name) {
        return model.parameters().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * The value of parameter {@code name} at step 0 (after build or the latest reset); owned by
     * the simulation and never to be modified. Empty for unknown names.
     */
    public Optional<Matrix> initialValue(String name) {
        return Optional.ofNullable(initialValues.get(name));
    }

    /**
     * A number that changes whenever the parameters may have changed (a step, a steering command,
     * reset, restore), so that measurements can be cached between changes.
     */
    public long revision() {
        return revision;
    }

    /** Inputs of the probe batch ({@code min(PROBE_SIZE, held-out size) x inputSize}), owned, never modified. */
    public Matrix probeInputs() {
        if (probe == null) {
            Matrix x = Matrix.zeros(Math.min(PROBE_SIZE, task.testSize()), task.inputSize());
            task.testBatch(0, x, Matrix.zeros(x.rows, task.targetWidth()));
            probe = x;
        }
        return probe;
    }

    /**
     * What observables keep for this run (such as step-0 quantities they compare to), made by
     * {@code make} on first use of {@code key} and dropped at reset and restore. Simulation's thread.
     */
    @SuppressWarnings("unchecked")
    public <T> T runCache(String key, Supplier<T> make) {
        Object v = runCache.get(key);
        if (v == null) {
            v = make.get(); // not computeIfAbsent: make may use the cache too
            runCache.put(key, v);
        }
        return (T) v;
    }

    /**
     * {@code f} evaluated with every parameter at its initial value; the current values are put back
     * bit for bit afterwards (only the model's forward buffers keep a trace, as after any evaluation).
     */
    public <T> T atInitialValues(Supplier<T> f) {
        List<Parameter> ps = model.parameters();
        List<float[]> current = ps.stream().map(p -> p.value().toArray()).toList();
        try {
            for (Parameter p : ps) p.value().copyFrom(initialValues.get(p.name()));
            return f.get();
        } finally {
            for (int i = 0; i < ps.size(); i++) ps.get(i).value().copyFrom(current.get(i));
        }
    }

    /**
     * Builds new models of this simulation's architecture (with their step-0 values, no unit clamps),
     * for analyses on copies of the parameters off the simulation's thread. Thread-safe.
     */
    public Supplier<Model> modelBuilder() {
        var shape = task.shape();
        return () -> modelEntry.factory().create(modelParams, shape, Rng.derive(config.seed(), "init"), context);
    }

    private static Map<String, Matrix> copyValues(Model model) {
        Map<String, Matrix> out = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) out.put(p.name(), p.value().copy());
        return out;
    }

    /** One learning-rule update on the next minibatch; see the class comment for the order. */
    public StepResult trainStep() {
        task.nextBatch(x, targets);
        steering.perturb(x); // input noise, when set (training inputs only)
        Matrix logits = model.forward(x);
        Objective.Result r = task.objective().compute(logits, targets, dLogits);
        model.backward(dLogits);
        rule.observeBatch(model, logits, config.seed()); // d-NGD samples targets from these logits
        rule.updateAndProject(model.parameters()); // the parameters' projection fused into the update
        model.projectBeyondParameters();
        steering.constrain(byName);
        step++;
        revision++;
        return new StepResult(step, r.loss(), r.accuracy(), r.decisionAccuracy());
    }

    /** Loss and accuracy over the whole held-out set; changes no parameter. */
    public EvalResult evaluate() {
        int n = task.testSize();
        double lossSum = 0;
        double correct = 0, decisionCorrect = 0;
        Matrix chunk = null, chunkTargets = null;
        // A model that normalises over its batch (BatchNorm) sees the whole held-out set at once, as the reference
        // evaluates it: chunks would each bring their own statistics (and held-out sets may be sorted by class).
        int chunkSize = model.minimumBatchSize() > 1 ? n : EVAL_CHUNK;
        for (int from = 0; from < n; from += chunkSize) {
            int size = Math.min(chunkSize, n - from);
            if (chunk == null || chunk.rows != size) {
                chunk = Matrix.zeros(size, task.inputSize());
                chunkTargets = Matrix.zeros(size, task.targetWidth());
            }
            task.testBatch(from, chunk, chunkTargets);
            Objective.Result r = task.objective().compute(model.forward(chunk), chunkTargets, null);
            lossSum += r.loss() * size;
            correct += r.accuracy() * size;
            decisionCorrect += r.decisionAccuracy() * size; // NaN throughout for objectives without decisions
        }
        return new EvalResult(step, lossSum / n, correct / n, decisionCorrect / n);
    }

    /** True when every parameter is finite. */
    /**
     * Beyond this magnitude a weight means the run has blown up: no model here trains to weights
     * near it, and float32 products of such weights overflow within a few layers or time steps.
     */
    public static final float DIVERGED_MAGNITUDE = 1e6f;

    /**
     * Why this simulation's parameters show it diverged, or null when they are healthy: a
     * non-finite value, or one beyond {@link #DIVERGED_MAGNITUDE} (finite but exploding: a
     * recurrent network whose spectral radius grew to 1e10 still has finite weights).
     */
    public String parameterTrouble() {
        for (var p : model.parameters()) {
            if (p.value().allWithin(DIVERGED_MAGNITUDE)) continue; // the common case, as cheap as a finiteness check
            float m = p.value().maxAbs();
            if (Float.isNaN(m) || Float.isInfinite(m)) return "non-finite parameters (" + p.name() + ")";
            if (m > DIVERGED_MAGNITUDE)
                return "exploding parameters (" + p.name() + " holds |w| = "
                        + String.format(java.util.Locale.ROOT, "%.3g", m) + ", beyond "
                        + String.format(java.util.Locale.ROOT, "%.0e", DIVERGED_MAGNITUDE)
                        + "): lower the learning rate, clip the gradients"
                        + " (clip_norm) or start from a smaller spectral radius";
        }
        return null;
    }

    /**
     * Back to step 0: initial parameters (the seed's, with the config's initial values over
     * them), the spec's learning rule with fresh state, the first data order of the seed, no
     * masks or frozen parameters.
     */
    public void reset() {
        buildModel();
        ruleEntry = Catalogue.find(
                "learning_rule", catalogue.rules(), config.learningRule().kind());
        ruleParams = Params.resolve(
                "learning_rule", ruleEntry.descriptor(), config.learningRule().params());
        rule = ruleEntry.factory().create(ruleParams);
        steering = new Steering(config.seed());
        task.reset();
        step = 0;
        newRun();
    }

    /**
     * The model at step 0, the one code path of build and reset: the factory's initialisation
     * from the seed's "init" stream, then the config's initial parameter values over it; what
     * results becomes the initial values the observables compare with.
     */
    private void buildModel() {
        model = modelEntry.factory().create(modelParams, task.shape(), Rng.derive(config.seed(), "init"), context);
        InitialParameters.apply(model.parameters(), config.initialParameters());
        initialValues = copyValues(model);
        initialArrays = null;
        byName = index(model);
    }

    private static Map<String, Parameter> index(Model model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) out.put(p.name(), p);
        return out;
    }

    /** The current learning rule's kind and validated parameters (changed by steering). */
    public String ruleKind() {
        return ruleEntry.kind();
    }

    /**
     * An upper estimate of the memory this simulation holds while it trains: weights with their
     * gradients, initial values and optimiser state, and activations for its batch ({@link MemoryEstimate}).
     */
    public long estimatedBytes() {
        return MemoryEstimate.bytes(modelParams, task.shape(), config.batchSize());
    }

    /** {@link MemoryEstimate}'s weights and units for this simulation's spec (for tests of the estimate). */
    long[] estimatedWeightsAndUnits() {
        return MemoryEstimate.weightsAndUnits(modelParams, task.shape());
    }

    public Params ruleParams() {
        return ruleParams;
    }

    /**
     * Applies a steering command that changes parameters or the learning rule; commands that
     * only steer the runner change nothing here. Validates everything before changing
     * anything, so a rejected command leaves no trace.
     *
     * @throws IllegalArgumentException naming the offending field
     */
    public void apply(Command command) {
        revision++;
        if (command instanceof Command.SetRuleParams c) SteeringCommands.setRuleParams(this, c);
        else if (command instanceof Command.SwitchRule c) SteeringCommands.switchRule(this, c);
        else if (command instanceof Command.AddWeightNoise c)
            steering.addNoise(SteeringCommands.select(this, "command.add_weight_noise.target", c.target()), c.std());
        else if (command instanceof Command.SetWeight c) SteeringCommands.setWeight(this, c);
        else if (command instanceof Command.Freeze c)
            steering.freeze(SteeringCommands.select(this, "command.freeze.target", c.target()), c.frozen());
        else if (command instanceof Command.Lesion c) steering.lesion(model, c.layer(), c.population(), c.unit());
        else if (command instanceof Command.Prune c) steering.prune(model, c);
        else if (command instanceof Command.SetInputNoise c) steering.setInputNoise(c.std());
        else if (command instanceof Command.ClampUnit c) steering.clamp(model, c);
        else return;
        steering.afterCommand(byName);
    }

    /**
     * Refuses a rule that cannot train this model on this task (d-NGD on a model other than a DANN
     * with one inhibitory unit per layer), the message prefixed by {@code field}.
     */
    void checkRule(LearningRule r, String field) {
        try {
            r.checkCompatible(model, task.objective());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /** Installs a rebuilt learning rule (package-private: for {@link SteeringCommands}). */
    void replaceRule(Catalogue.Entry<Catalogue.RuleFactory> entry, Params params, LearningRule next) {
        ruleEntry = entry;
        ruleParams = params;
        rule = next;
    }

    LearningRule rule() {
        return rule;
    }

    /** Standard deviation of the Gaussian noise added to training inputs (0: none). */
    public double inputNoise() {
        return steering.inputNoise();
    }

    /** Names of the parameters held fixed by {@link Command.Freeze}. */
    public java.util.Set<String> frozenParameters() {
        return steering.frozen();
    }

    /** Version of the entry names and encodings {@link #stateDict} writes (its {@code version} entry). */
    public static final long STATE_DICT_VERSION = 1;

    /**
     * Everything that determines the rest of the run, deep-copied into plain named arrays that a
     * store can write and read back without the engine's classes (the dict is the caller's; nothing
     * in it is shared with this simulation; the {@code initial/} arrays are shared by the dicts of one
     * run, copied once, and never modified). Entries, in order (shapes {@code [rows, cols]} are the
     * parameter's):
     * <ul>
     *   <li>{@code version}, {@code step}: int64 {@code [1]};</li>
     *   <li>per parameter, in the model's order: {@code param/<name>} float32 {@code [rows, cols]}, then
     *       {@code mask/<name>} uint8 (1: pruned), only for parameters with pruned elements;</li>
     *   <li>{@code initial/<name>} float32: the step-0 values the observables compare with;</li>
     *   <li>{@code rule/kind}, {@code rule/params} (text, {@link Params#toText}: exact), {@code rule/updates}
     *       int64 {@code [1]} and the optimiser buffers {@code rule/<buffer>/<name>} float32 ({@code momentum_buffer};
     *       {@code exp_avg}, {@code exp_avg_sq}) of {@link LearningRule#saveState};</li>
     *   <li>{@code task/rng_state} int64 {@code [1]} and, for stored datasets, {@code task/permutation} int32
     *       {@code [n]} and {@code task/cursor} int64 {@code [1]} ({@link Task.State#save});</li>
     *   <li>{@code steering/noise_rng_state} int64 {@code [1]}, {@code steering/input_noise_std} float64
     *       {@code [1]}, {@code steering/lesions} (text, a {@code <parameter> row|column <index>} line per lesion
     *       mask), {@code steering/frozen/<name>} float32 per frozen parameter (its held values) and, per layer
     *       with clamped units, {@code steering/clamp/<layer>/units} int32 and {@code .../values} float32.</li>
     * </ul>
     */
    public StateDict stateDict() {
        return stateDict(null);
    }

    /**
     * As {@link #stateDict()}, filling the float arrays of {@code recycled} (a dict this simulation
     * gave earlier, no longer read by anyone; null: none) instead of allocating new ones.
     */
    public StateDict stateDict(StateDict recycled) {
        StateDict d = (recycled == null ? new StateDict() : StateDict.reusing(recycled))
                .putLongs("version", new long[] {STATE_DICT_VERSION})
                .putLongs("step", new long[] {step});
        for (Parameter p : model.parameters()) p.saveState(d);
        if (initialArrays == null) { // the initial values change only at build, reset and restore: copied once, not per
            // checkpoint
            initialArrays = new LinkedHashMap<>();
            initialValues.forEach((name, v) -> initialArrays.put(name, v.toArray()));
        }
        initialValues.forEach((name, v) -> d.putFloats("initial/" + name, initialArrays.get(name), v.rows, v.cols));
        d.putText("rule/kind", ruleEntry.kind()).putText("rule/params", ruleParams.toText());
        rule.saveState(d, "rule/", model.parameters());
        task.snapshot().save(d, "task/");
        steering.save(d, "steering/", byName);
        return d;
    }

    /**
     * Puts this simulation into the state of {@code state}, as {@link #stateDict} wrote it for a
     * simulation built from the same config (with the learning rule it had then, which may be of
     * another kind than the config's). Everything is checked before anything changes; the dict is
     * only read, and nothing in it is kept.
     *
     * @throws IllegalArgumentException naming the entry that is missing, has the wrong type or shape,
     *                                  or does not fit this simulation (another architecture, say)
     */
    public void restoreStateDict(StateDict state) {
        CheckedState checked = CheckedState.read(state, model.parameters(), byName, catalogue, task);
        try {
            checked.steering().installClamps(model); // the last check, by the model; it changes nothing when it refuses
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint entries 'steering/clamp/...': " + e.getMessage(), e);
        }
        for (Parameter p : model.parameters()) {
            p.loadState(state);
            initialValues.get(p.name()).copyFrom(state.floats("initial/" + p.name()));
        }
        initialArrays = null;
        replaceRule(checked.ruleEntry(), checked.ruleParams(), checked.rule());
        task.restore(checked.position());
        steering = checked.steering();
        step = checked.step();
        newRun();
    }

    /**
     * Everything that determines the rest of the run ({@link #stateDict}), deep-copied: immutable
     * once taken, and restoring it never shares state with this simulation.
     */
    public static final class Snapshot {
        private final StateDict state;

        private Snapshot(StateDict state) {
            this.state = state;
        }

        public long step() {
            return state.longValue("step");
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(stateDict());
    }

    /** Returns to {@code s}, taken from this simulation or one built from the same config; see {@link #restoreStateDict}. */
    public void restore(Snapshot s) {
        restoreStateDict(s.state);
    }

    private void newRun() {
        revision++;
        runCache = new HashMap<>();
    }

    /** A new simulation with the same config in exactly this state (blocking: builds a model and reads the dataset). */
    public Simulation fork() {
        Simulation child = new Simulation(config, catalogue, context);
        child.restore(snapshot());
        return child;
    }
}

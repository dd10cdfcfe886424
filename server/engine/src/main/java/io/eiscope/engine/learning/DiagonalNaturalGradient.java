package io.eiscope.engine.learning;

import io.eiscope.engine.model.DannLayer;
import io.eiscope.engine.model.FeedForwardNet;
import io.eiscope.engine.model.Layer;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.SoftmaxCrossEntropy;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.task.Objective;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;

/**
 * Diagonal natural gradient (d-NGD), the comparison model of Cornford et al. 2021 (ICLR) for Dale's
 * ANNs with one inhibitory unit per layer: science.md §1.4.4, reference code {@code ariamis/ngd.py:
 * FisherDenseNet.update, FisherCalculator}. Before each update, with {@code ĝ} the ordinary gradient:
 * <ol>
 *   <li>sample a target per example, {@code y ~ Categorical(softmax(logits))}, from the stream
 *       {@code Rng.derive(seed, "fisher")} (its state is part of the rule's state);</li>
 *   <li>backpropagate the mean cross-entropy with these targets; each example's gradient, times the
 *       batch size {@code B} (a per-example loss gradient), squared, times {@code f_lambda} and
 *       averaged over the batch is {@code F_new}, per parameter element (the layers compute the
 *       squares from their activations and deltas: one backward pass, not {@code B});</li>
 *   <li>{@code F <- (1 - c) F + c F_new} with {@code c = f_ma_scale}, {@code F} starting at the
 *       first {@code F_new};</li>
 *   <li>{@code F⁻¹ = 1 / (F + 1e-8)}, divided, per layer, by the L2 norm of its {@code Wex} block
 *       when {@code scaleByWexNorm} (the config's {@code scale_finv_by_norm_wex_finv});</li>
 *   <li>the gradient becomes {@code F⁻¹ ⊙ ĝ}, non-finite elements set to 0; the rule's plain
 *       step and the model's projection follow.</li>
 * </ol>
 * {@code f_lambda} scales {@code F} against the fixed {@code 1e-8}: the reference calls it the
 * "Fisher learning rate"; the step on a parameter element is {@code lr ĝ / (f_lambda F̂ + 1e-8)}
 * before the norm scaling.
 *
 * <p>State: the sampling stream, {@code F} per parameter; scratch (saved gradients, squares,
 * sampled targets) is allocated once per batch size. Confined to the simulation's thread.
 */
public final class DiagonalNaturalGradient implements GradientTransform {
    /** Added to {@code F} before inverting, the layer's {@code epsilon} in the reference. */
    public static final float EPSILON = 1e-8f;
    /** The name of the sampling stream derived from the run's seed. */
    public static final String STREAM = "fisher";

    private final double fLambda;
    private final double maScale;
    private final boolean scaleByWexNorm;
    private Rng rng; // null until the first update (then derived from the seed)
    private Matrix[] fisher; // null until the first update
    private Matrix[] saved;
    private Matrix[] squares;
    private int[] labels;
    private Matrix dLogits;
    private Model model; // the observed batch, for the next apply only
    private Matrix logits;
    private long seed;

    /**
     * @param fLambda        {@code f_lambda} > 0, the scale of {@code F}
     * @param maScale        {@code f_ma_scale} in (0, 1], the weight of the new estimate
     * @param scaleByWexNorm divide each layer's {@code F⁻¹} by the norm of its {@code Wex} block
     */
    public DiagonalNaturalGradient(double fLambda, double maScale, boolean scaleByWexNorm) {
        if (!(fLambda > 0) || !Double.isFinite(fLambda))
            throw new IllegalArgumentException("f_lambda must be a finite number > 0, got " + fLambda);
        if (!(maScale > 0 && maScale <= 1))
            throw new IllegalArgumentException("f_ma_scale must be in (0, 1], got " + maScale);
        this.fLambda = fLambda;
        this.maScale = maScale;
        this.scaleByWexNorm = scaleByWexNorm;
    }

    /** Why d-NGD cannot train {@code model} on a task with {@code objective} (saying what to change), or null. */
    public static String unsupported(Model model, Objective objective) {
        if (!(objective instanceof Objective.SoftmaxCrossEntropy ce) || ce.steps() != 1)
            return "dngd samples its targets from the softmax of the outputs, so it needs a classification task scored "
                    + "once per example (softmax cross-entropy); this task's objective is " + objective;
        return unsupported(model);
    }

    private static String unsupported(Model model) {
        if (!(model instanceof FeedForwardNet net))
            return "dngd is for feed-forward Dale's ANNs: use model kind 'dann' with inhibition 'subtractive_divisive'";
        for (Layer l : net.layerList()) {
            if (!(l instanceof DannLayer d))
                return "dngd is for Dale's ANNs with shunting inhibition (model kind 'dann', inhibition "
                        + "'subtractive_divisive'); " + l.name() + " is not such a layer";
            if (d.inhibitoryUnits() != 1)
                return "dngd needs one inhibitory unit per layer: set model.hidden_inhibitory to [1] (" + l.name()
                        + " has " + d.inhibitoryUnits() + "; the per-example gradient of Wei in Cornford et al.'s "
                        + "d-NGD holds for one inhibitory unit only)";
        }
        return null;
    }

    @Override
    public void checkCompatible(Model model, Objective objective) {
        String why = unsupported(model, objective);
        if (why != null) throw new IllegalArgumentException(why);
    }

    @Override
    public void observeBatch(Model model, Matrix logits, long seed) {
        this.model = model;
        this.logits = logits;
        this.seed = seed;
    }

    @Override
    public void apply(List<Parameter> parameters) {
        if (model == null)
            throw new IllegalStateException(
                    "d-NGD needs the batch: call observeBatch(model, logits, seed) after each backward pass");
        String why = unsupported(model);
        if (why != null) throw new IllegalStateException(why);
        FeedForwardNet net = (FeedForwardNet) model;
        if (net.parameters().size() != parameters.size())
            throw new IllegalStateException("d-NGD observed a model with "
                    + net.parameters().size() + " parameters but updates " + parameters.size());
        int n = parameters.size(), batch = logits.rows;
        allocate(parameters, batch, logits.cols);
        if (rng == null) rng = Rng.derive(seed, STREAM);
        for (int i = 0; i < n; i++) saved[i].copyFrom(parameters.get(i).grad()); // ĝ
        sampleTargets(logits, rng, labels);
        SoftmaxCrossEntropy.meanLoss(logits, labels, dLogits, null); // (softmax - onehot(y)) / B
        net.backward(dLogits); // grads := the sampled-target gradient; layers keep its per-example parts
        List<Matrix> sq = List.of(squares);
        int off = 0;
        for (Layer l : net.layerList()) {
            int k = l.parameters().size();
            ((DannLayer) l).squaredPerExampleGradients(batch, sq.subList(off, off + k));
            off += k;
        }
        boolean first = fisher[0] == null;
        float c = (float) maScale, scale = (float) (fLambda / batch);
        for (int i = 0; i < n; i++) {
            if (first) fisher[i] = Matrix.zeros(squares[i].rows, squares[i].cols);
            Matrix f = fisher[i], s = squares[i];
            for (int j = 0, m = f.size(); j < m; j++) {
                float fresh = scale * s.get(j);
                f.set(j, first ? fresh : (1 - c) * f.get(j) + c * fresh);
            }
        }
        off = 0;
        for (Layer l : net.layerList()) {
            int k = l.parameters().size();
            naturalGradient(parameters, off, k);
            off += k;
        }
        model = null;
        logits = null;
    }

    /** Parameters {@code off .. off + k} (one layer; its first is {@code Wex}): grad = F⁻¹ ⊙ ĝ. */
    private void naturalGradient(List<Parameter> parameters, int off, int k) {
        double norm = 1;
        if (scaleByWexNorm) {
            double sum = 0;
            Matrix f = fisher[off]; // Wex
            for (int j = 0, m = f.size(); j < m; j++) {
                double inv = 1.0 / (f.get(j) + EPSILON);
                sum += inv * inv;
            }
            norm = Math.sqrt(sum);
        }
        float invNorm = (float) (1 / norm);
        for (int i = off; i < off + k; i++) {
            Matrix f = fisher[i], g = saved[i], out = parameters.get(i).grad();
            for (int j = 0, m = f.size(); j < m; j++) {
                float v = g.get(j) / (f.get(j) + EPSILON) * invNorm;
                out.set(j, Float.isFinite(v) ? v : 0f);
            }
        }
    }

    /** One class per row of {@code logits}, drawn from its softmax with one uniform each (in double). */
    static void sampleTargets(Matrix logits, Rng rng, int[] out) {
        int k = logits.cols;
        for (int r = 0; r < logits.rows; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < k; j++) max = Math.max(max, logits.get(r, j));
            for (int j = 0; j < k; j++) sum += Math.exp(logits.get(r, j) - max);
            double u = rng.nextDouble() * sum, cumulative = 0;
            int y = k - 1; // rounding can leave u just above the last partial sum
            for (int j = 0; j < k; j++) {
                cumulative += Math.exp(logits.get(r, j) - max);
                if (u < cumulative) {
                    y = j;
                    break;
                }
            }
            out[r] = y;
        }
    }

    private void allocate(List<Parameter> parameters, int batch, int classes) {
        int n = parameters.size();
        if (fisher == null) fisher = new Matrix[n];
        if (fisher.length != n)
            throw new IllegalStateException(
                    "d-NGD's Fisher estimate is for " + fisher.length + " parameters, got " + n);
        if (saved == null) {
            saved = new Matrix[n];
            squares = new Matrix[n];
            for (int i = 0; i < n; i++) {
                Matrix v = parameters.get(i).value();
                saved[i] = Matrix.zeros(v.rows, v.cols);
                squares[i] = Matrix.zeros(v.rows, v.cols);
            }
        }
        if (labels == null || labels.length != batch || dLogits.cols != classes) {
            labels = new int[batch];
            dLogits = Matrix.zeros(batch, classes);
        }
    }

    /** The running diagonal Fisher estimate of parameter {@code i} (a copy), or null before the first update. */
    public Matrix fisher(int i) {
        return fisher == null || fisher[i] == null ? null : fisher[i].copy();
    }

    @Override
    public DiagonalNaturalGradient copy() {
        DiagonalNaturalGradient d = new DiagonalNaturalGradient(fLambda, maScale, scaleByWexNorm);
        d.copyStateOf(this);
        return d;
    }

    @Override
    public GradientTransform continuing(GradientTransform previous) {
        DiagonalNaturalGradient d = new DiagonalNaturalGradient(fLambda, maScale, scaleByWexNorm);
        if (previous instanceof DiagonalNaturalGradient p) d.copyStateOf(p);
        return d;
    }

    private void copyStateOf(DiagonalNaturalGradient p) {
        rng = p.rng == null ? null : p.rng.copy();
        if (p.fisher != null) {
            fisher = new Matrix[p.fisher.length];
            for (int i = 0; i < fisher.length; i++) fisher[i] = p.fisher[i] == null ? null : p.fisher[i].copy();
        }
    }

    @Override
    public void reset() {
        rng = null;
        fisher = null;
    }

    /**
     * Writes {@code started} int64 {@code [1]} (0 before the first update: the stream and {@code F}
     * start afresh at the next one), {@code rng_state} int64 {@code [1]} and {@code fisher/<name>}
     * float32 per parameter (zeros before the first update).
     */
    @Override
    public void saveState(StateDict dict, String prefix, List<Parameter> parameters) {
        boolean started = rng != null && fisher != null && fisher[0] != null;
        dict.putLongs(prefix + "started", new long[] {started ? 1 : 0});
        dict.putLongs(prefix + "rng_state", new long[] {started ? rng.state() : 0});
        for (int i = 0; i < parameters.size(); i++) {
            Matrix v = parameters.get(i).value();
            String name = prefix + "fisher/" + parameters.get(i).name();
            float[] data = dict.floatBuffer(name, v.size());
            if (started) fisher[i].copyTo(data);
            else java.util.Arrays.fill(data, 0f);
            dict.putFloats(name, data, v.rows, v.cols);
        }
    }

    @Override
    public void checkState(StateDict dict, String prefix, List<Parameter> parameters) {
        long started = dict.longValue(prefix + "started");
        if (started != 0 && started != 1)
            throw new IllegalArgumentException(
                    "checkpoint entry '" + prefix + "started' must be 0 or 1, got " + started);
        dict.longValue(prefix + "rng_state");
        for (Parameter p : parameters) {
            String name = prefix + "fisher/" + p.name();
            dict.floats(name);
            dict.requireShape(name, p.value().rows, p.value().cols);
        }
    }

    @Override
    public void loadState(StateDict dict, String prefix, List<Parameter> parameters) {
        reset();
        if (dict.longValue(prefix + "started") == 0) return;
        rng = new Rng(dict.longValue(prefix + "rng_state"));
        fisher = new Matrix[parameters.size()];
        for (int i = 0; i < fisher.length; i++) {
            Matrix v = parameters.get(i).value();
            fisher[i] = Matrix.of(
                    v.rows,
                    v.cols,
                    dict.floats(prefix + "fisher/" + parameters.get(i).name()));
        }
    }

    @Override
    public String toString() {
        return "DiagonalNaturalGradient[f_lambda=" + fLambda + ", f_ma_scale=" + maScale + ", scale_finv_by_norm_wex="
                + scaleByWexNorm + "]";
    }
}

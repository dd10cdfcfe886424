package io.eiscope.engine.task;

import io.eiscope.engine.tensor.Matrix;

/**
 * The EG paper's "combined" Mod-Cog loss ({@code ModCogLossCombined} of
 * {@code mod_cog/train_mod_cog.py}; science.md §3.3a), for outputs scored at every step whose
 * first unit is the fixation output:
 *
 * <pre>
 *   L = mean over F (step, unit) of (z - e0)^2  +  mean over D steps of CE_eps(z, y)
 * </pre>
 *
 * where F are the non-decision (step, example) pairs, each against the one-hot fixation target
 * {@code e0} (PyTorch's {@code MSELoss} on {@code outputs[~dec_mask]}), D the decision ones,
 * and {@code CE_eps} PyTorch's cross-entropy with label smoothing {@code eps}: the target
 * distribution is {@code (1 - eps) onehot(y) + eps / K}. Gradient: {@code 2 (z - e0) / (|F| K)}
 * on F and {@code (softmax(z) - q) / |D|} on D. A term whose set is empty counts 0 (PyTorch
 * would give NaN).
 *
 * <p>Targets (batch x {@code 2 steps}): {@code steps} labels (class indices; 0 outside decisions)
 * then {@code steps} decision flags (1 = decision step). Accuracy ({@code acc}): argmax equals
 * the label over all steps; {@link Objective.Result#decisionAccuracy()} ({@code dec_acc}): over
 * decision steps only (NaN with none). Ties in argmax go to the lower class, as
 * {@code torch.argmax}.
 *
 * @param steps     scored steps per example, >= 1
 * @param smoothing label smoothing of the decision cross-entropy, in [0, 1)
 */
public record FixationDecisionLoss(int steps, double smoothing) implements Objective {
    /** The EG paper's label smoothing. */
    public static final double PAPER_SMOOTHING = 0.1;

    public FixationDecisionLoss {
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        if (!(smoothing >= 0 && smoothing < 1))
            throw new IllegalArgumentException("smoothing must be in [0, 1), got " + smoothing);
    }

    @Override
    public Result compute(Matrix outputs, Matrix targets, Matrix dOutputs) {
        int b = outputs.rows, k = outputs.cols / steps;
        int fixationSteps = 0, decisionSteps = 0;
        for (int row = 0; row < b; row++)
            for (int t = 0; t < steps; t++)
                if (targets.get(row * 2 * steps + steps + t) != 0) decisionSteps++;
                else fixationSteps++;
        double mse = 0, ce = 0;
        int correct = 0, decisionCorrect = 0;
        double[] p = new double[k];
        for (int row = 0; row < b; row++) {
            for (int t = 0; t < steps; t++) {
                int off = row * outputs.cols + t * k;
                int label = (int) targets.get(row * 2 * steps + t);
                boolean decision = targets.get(row * 2 * steps + steps + t) != 0;
                int arg = 0;
                for (int j = 1; j < k; j++) if (outputs.get(off + j) > outputs.get(off + arg)) arg = j;
                if (arg == label) {
                    correct++;
                    if (decision) decisionCorrect++;
                }
                if (decision) ce += crossEntropy(outputs, off, k, label, p, dOutputs, decisionSteps);
                else mse += squaredError(outputs, off, k, dOutputs, fixationSteps);
            }
        }
        double loss = (fixationSteps == 0 ? 0 : mse / ((double) fixationSteps * k))
                + (decisionSteps == 0 ? 0 : ce / decisionSteps);
        return new Result(
                loss,
                (double) correct / ((double) b * steps),
                decisionSteps == 0 ? Double.NaN : (double) decisionCorrect / decisionSteps);
    }

    /** Sum over units of (z - e0)^2 at one step; writes its share of the gradient. */
    private static double squaredError(Matrix z, int off, int k, Matrix dz, int fixationSteps) {
        double sum = 0;
        for (int j = 0; j < k; j++) {
            double e = z.get(off + j) - (j == 0 ? 1.0 : 0.0);
            sum += e * e;
            if (dz != null) dz.set(off + j, (float) (2 * e / ((double) fixationSteps * k)));
        }
        return sum;
    }

    /** Label-smoothed cross-entropy at one step (log-sum-exp shifted by the max); writes its share of the gradient. */
    private double crossEntropy(Matrix z, int off, int k, int label, double[] p, Matrix dz, int decisionSteps) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) max = Math.max(max, z.get(off + j));
        double sum = 0;
        for (int j = 0; j < k; j++) {
            p[j] = Math.exp(z.get(off + j) - max);
            sum += p[j];
        }
        double logSum = Math.log(sum) + max, loss = 0;
        for (int j = 0; j < k; j++) {
            double q = (j == label ? 1 - smoothing : 0) + smoothing / k;
            loss -= q * (z.get(off + j) - logSum);
            if (dz != null) dz.set(off + j, (float) ((p[j] / sum - q) / decisionSteps));
        }
        return loss;
    }

    @Override
    public int targetWidth(int outputs) {
        return 2 * steps;
    }

    @Override
    public boolean hasAccuracy() {
        return true;
    }
}

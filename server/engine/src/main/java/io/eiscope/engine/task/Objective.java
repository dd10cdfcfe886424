package io.eiscope.engine.task;

import io.eiscope.engine.tensor.Matrix;

/**
 * The loss a task is trained on, fused with its gradient and, where it makes sense, the
 * accuracy. Outputs are {@code batch x outputs} (the model's logits or predictions); targets
 * are {@code batch x targetWidth(outputs)}. Immutable, allocation-free, safe to share.
 */
public sealed interface Objective
        permits Objective.SoftmaxCrossEntropy,
                Objective.BinaryCrossEntropyWithLogits,
                Objective.MeanSquaredError,
                FixationDecisionLoss {

    /**
     * Mean loss of one batch and its accuracy.
     *
     * @param accuracy         fraction correct in [0, 1], or NaN when the objective has no accuracy
     * @param decisionAccuracy fraction correct over decision steps only ({@code dec_acc} of
     *                         {@link FixationDecisionLoss}), NaN for objectives without decision steps
     */
    record Result(double loss, double accuracy, double decisionAccuracy) {
        public Result(double loss, double accuracy) {
            this(loss, accuracy, Double.NaN);
        }
    }

    /**
     * The mean loss of a batch and, optionally, its gradient with respect to the outputs.
     *
     * @param outputs  batch x outputs, not modified
     * @param targets  batch x targetWidth(outputs), not modified
     * @param dOutputs if non-null (batch x outputs), receives d(mean loss)/d(outputs)
     */
    Result compute(Matrix outputs, Matrix targets, Matrix dOutputs);

    /** Columns of the target matrix for a model with {@code outputs} outputs. */
    int targetWidth(int outputs);

    /** False for regression: the accuracy of {@link #compute} is then NaN and should not be published. */
    boolean hasAccuracy();

    /**
     * Softmax cross-entropy; the target is the class index (an exact integer in float), one
     * column per scored step. With {@code steps > 1} (a loss over every time step, as in the
     * cognitive tasks of Liu et al. 2024) output row {@code b} holds {@code steps} blocks of
     * {@code classes} logits; the loss is the mean over all {@code batch x steps} (step, example)
     * pairs, as PyTorch's {@code CrossEntropyLoss} on the flattened outputs, and the accuracy is
     * taken at the last step (the decision).
     *
     * @param steps scored steps per example, >= 1
     */
    record SoftmaxCrossEntropy(int steps) implements Objective {
        public SoftmaxCrossEntropy {
            if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }

        /** Scored once per example. */
        public SoftmaxCrossEntropy() {
            this(1);
        }

        @Override
        public Result compute(Matrix outputs, Matrix targets, Matrix dOutputs) {
            if (steps == 1) {
                var r = io.eiscope.engine.model.SoftmaxCrossEntropy.compute(outputs, targets, dOutputs);
                return new Result(r.loss(), (double) r.correct() / outputs.rows);
            }
            int b = outputs.rows, k = outputs.cols / steps;
            var r = io.eiscope.engine.model.SoftmaxCrossEntropy.compute(
                    outputs.reshapeView(b * steps, k),
                    targets.reshapeView(b * steps, 1),
                    dOutputs == null ? null : dOutputs.reshapeView(b * steps, k));
            int correct = 0;
            for (int row = 0; row < b; row++) {
                int off = row * outputs.cols + (steps - 1) * k, arg = 0;
                for (int j = 1; j < k; j++) if (outputs.get(off + j) > outputs.get(off + arg)) arg = j;
                if (arg == (int) targets.get(row * steps + steps - 1)) correct++;
            }
            return new Result(r.loss(), (double) correct / b);
        }

        @Override
        public int targetWidth(int outputs) {
            return steps;
        }

        @Override
        public boolean hasAccuracy() {
            return true;
        }
    }

    /**
     * Binary cross-entropy with logits, per output element, averaged over all elements:
     * {@code max(z, 0) - z y + log(1 + exp(-|z|))} (PyTorch's {@code BCEWithLogitsLoss}); targets
     * in [0, 1]. Gradient {@code (sigmoid(z) - y) / (batch outputs)}. Accuracy: {@code z >= 0}
     * agrees with {@code y >= 0.5}.
     */
    record BinaryCrossEntropyWithLogits() implements Objective {
        @Override
        public Result compute(Matrix outputs, Matrix targets, Matrix dOutputs) {
            int n = outputs.size();
            double total = 0;
            int correct = 0;
            for (int i = 0; i < n; i++) {
                double z = outputs.get(i), y = targets.get(i);
                total += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
                if ((z >= 0) == (y >= 0.5)) correct++;
                if (dOutputs != null) dOutputs.set(i, (float) ((1 / (1 + Math.exp(-z)) - y) / n));
            }
            return new Result(total / n, (double) correct / n);
        }

        @Override
        public int targetWidth(int outputs) {
            return outputs;
        }

        @Override
        public boolean hasAccuracy() {
            return true;
        }
    }

    /**
     * Mean squared error over all elements, {@code mean((z - y)^2)} (PyTorch's {@code MSELoss});
     * gradient {@code 2 (z - y) / (batch outputs)}; no accuracy.
     */
    record MeanSquaredError() implements Objective {
        @Override
        public Result compute(Matrix outputs, Matrix targets, Matrix dOutputs) {
            int n = outputs.size();
            double total = 0;
            for (int i = 0; i < n; i++) {
                double e = (double) outputs.get(i) - targets.get(i);
                total += e * e;
                if (dOutputs != null) dOutputs.set(i, (float) (2 * e / n));
            }
            return new Result(total / n, Double.NaN);
        }

        @Override
        public int targetWidth(int outputs) {
            return outputs;
        }

        @Override
        public boolean hasAccuracy() {
            return false;
        }
    }
}

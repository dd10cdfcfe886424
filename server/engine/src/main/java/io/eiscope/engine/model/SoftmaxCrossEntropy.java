package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Matrix;

/** Mean softmax cross-entropy over a batch, fused with its gradient and the accuracy. */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    /** Loss and number of correct argmax predictions of one batch. */
    public record Result(double loss, int correct) {}

    /**
     * @param logits  batch x classes, not modified
     * @param labels  one class index per row
     * @param dLogits if non-null (batch x classes), receives {@code (softmax - onehot) / batch}
     */
    public static Result compute(Matrix logits, int[] labels, Matrix dLogits) {
        return compute(logits, labels, null, dLogits);
    }

    /**
     * @param labels  batch x 1, the class index of each row as an exact integer in float; not modified
     */
    public static Result compute(Matrix logits, Matrix labels, Matrix dLogits) {
        return compute(logits, null, labels, dLogits);
    }

    private static Result compute(Matrix logits, int[] labelArray, Matrix labelColumn, Matrix dLogits) {
        int b = logits.rows, k = logits.cols;
        double total = 0;
        int correct = 0;
        for (int r = 0; r < b; r++) {
            int off = r * k;
            float max = Float.NEGATIVE_INFINITY;
            int arg = 0;
            for (int j = 0; j < k; j++) {
                float v = logits.get(off + j);
                if (v > max) {
                    max = v;
                    arg = j;
                }
            }
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(logits.get(off + j) - max);
            double logSum = Math.log(sum) + max;
            int y = labelArray != null ? labelArray[r] : (int) labelColumn.get(r);
            total += logSum - logits.get(off + y);
            if (arg == y) correct++;
            if (dLogits != null) {
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(logits.get(off + j) - logSum);
                    dLogits.set(off + j, (float) ((p - (j == y ? 1.0 : 0.0)) / b));
                }
            }
        }
        return new Result(total / b, correct);
    }
}

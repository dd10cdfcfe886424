package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Matrix;
import java.nio.FloatBuffer;

/**
 * Mean softmax cross-entropy over a batch, fused with its gradient and the predictions.
 *
 * <p>Per row, with {@code m = max_j l_j} and {@code logSum = m + log sum_j exp(l_j - m)}:
 * loss {@code logSum - l_y}, gradient {@code (exp(l_j - logSum) - [j = y]) / batch}: PyTorch's
 * log-softmax formulation, in double precision. Each row is read in one sweep per quantity
 * (max, sum, gradient) while it sits in L1; nothing is allocated except {@link Result} by
 * {@link #compute}, which {@link #meanLoss} avoids.
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    /** Loss and number of correct argmax predictions of one batch. */
    public record Result(double loss, int correct) {}

    /**
     * Mean cross-entropy of the softmax of {@code logits} against class indices.
     *
     * @param logits  batch x classes, not modified
     * @param labels  one class index per row
     * @param dLogits if non-null (batch x classes), receives {@code (softmax - onehot) / batch}
     */
    public static Result compute(Matrix logits, int[] labels, Matrix dLogits) {
        return compute(logits, labels, null, dLogits);
    }

    /**
     * The same, with the class indices as a batch x 1 matrix.
     *
     * @param labels  batch x 1, the class index of each row as an exact integer in float; not modified
     */
    public static Result compute(Matrix logits, Matrix labels, Matrix dLogits) {
        return compute(logits, null, labels, dLogits);
    }

    private static Result compute(Matrix logits, int[] labelArray, Matrix labelColumn, Matrix dLogits) {
        int b = logits.rows, k = logits.cols;
        FloatBuffer l = logits.data();
        double total = 0;
        int correct = 0;
        for (int r = 0, off = 0; r < b; r++, off += k) {
            int y = labelArray != null ? labelArray[r] : (int) labelColumn.get(r);
            int arg = argmax(l, off, k);
            total += row(l, off, k, l.get(off + arg), y, dLogits, b);
            if (arg == y) correct++;
        }
        return new Result(total / b, correct);
    }

    /**
     * The allocation-free form of {@link #compute} for hot loops: the mean loss, with the
     * argmax class of each row written to {@code predictions} when it is non-null.
     *
     * @param predictions null, or an array of length >= batch (modified)
     */
    public static double meanLoss(Matrix logits, int[] labels, Matrix dLogits, int[] predictions) {
        int b = logits.rows, k = logits.cols;
        FloatBuffer l = logits.data();
        double total = 0;
        for (int r = 0, off = 0; r < b; r++, off += k) {
            int arg = argmax(l, off, k);
            total += row(l, off, k, l.get(off + arg), labels[r], dLogits, b);
            if (predictions != null) predictions[r] = arg;
        }
        return total / b;
    }

    /** The first index of the largest of {@code l[off .. off + k)}. */
    private static int argmax(FloatBuffer l, int off, int k) {
        float max = Float.NEGATIVE_INFINITY;
        int arg = 0;
        for (int j = 0; j < k; j++) {
            float v = l.get(off + j);
            if (v > max) {
                max = v;
                arg = j;
            }
        }
        return arg;
    }

    /** The loss of one row with label {@code y}, writing its gradient row scaled by {@code 1/batch} when {@code d} is non-null. */
    private static double row(FloatBuffer l, int off, int k, float max, int y, Matrix d, int batch) {
        double sum = 0;
        for (int j = 0; j < k; j++) sum += Math.exp(l.get(off + j) - max);
        double logSum = Math.log(sum) + max;
        if (d != null) {
            FloatBuffer D = d.data();
            for (int j = 0; j < k; j++) {
                double p = Math.exp(l.get(off + j) - logSum);
                D.put(off + j, (float) ((p - (j == y ? 1.0 : 0.0)) / batch));
            }
        }
        return logSum - l.get(off + y);
    }
}

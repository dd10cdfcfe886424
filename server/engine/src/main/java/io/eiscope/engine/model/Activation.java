package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Elementwise;
import io.eiscope.engine.tensor.Matrix;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Element-wise non-linearities with their derivative applied in place to an upstream gradient.
 *
 * <p>Besides the plain {@link #apply}/{@link #backward} pair, the dense-layer kernels
 * {@link #addBiasAndApply} and {@link #backwardWithBiasGrad} fuse the bias into one pass per
 * row. They copy each row of the off-heap matrices into caller-owned {@code float[]} scratch
 * (one memcpy), where the JIT vectorises the loop, and back: element loops over the direct
 * buffers themselves run several times slower. The arithmetic and the order of every sum are
 * those of the unfused passes, so results are bit-identical.
 */
public enum Activation {
    RELU {
        @Override
        public void apply(Matrix z, Matrix h) {
            for (int i = 0, n = z.size(); i < n; i++) h.set(i, Math.max(z.get(i), 0f));
        }

        @Override
        public void backward(Matrix z, Matrix dh) {
            for (int i = 0, n = z.size(); i < n; i++) {
                if (z.get(i) <= 0f) dh.set(i, 0f);
            }
        }

        @Override
        void applyRowWithBias(float[] row, float[] bias, int n) {
            for (int j = 0; j < n; j++) row[j] = Math.max(row[j] + bias[j], 0f);
        }

        // h = max(z, 0), so h is +0 exactly where z <= 0 (NaN stays NaN and is kept, as for z).
        @Override
        void maskRow(Matrix h, Matrix dh, int off, int n, float[] row, float[] hRow) {
            Elementwise.maskByReluOutput(h, dh, off, n, dh);
            dh.data().get(off, row, 0, n);
        }

        @Override
        void mask(Matrix h, Matrix dh, int off, int n, float[] row, float[] hRow) {
            Elementwise.maskByReluOutput(h, dh, off, n, dh);
        }
    },
    /** {@code tanh}, computed in double and rounded to float; its derivative {@code 1 - h^2} read from the output. */
    TANH {
        @Override
        public void apply(Matrix z, Matrix h) {
            for (int i = 0, n = z.size(); i < n; i++) h.set(i, (float) Math.tanh(z.get(i)));
        }

        @Override
        public void backward(Matrix z, Matrix dh) {
            for (int i = 0, n = z.size(); i < n; i++) {
                float t = (float) Math.tanh(z.get(i));
                dh.set(i, dh.get(i) * (1f - t * t));
            }
        }

        @Override
        void applyRowWithBias(float[] row, float[] bias, int n) {
            for (int j = 0; j < n; j++) row[j] = (float) Math.tanh(row[j] + bias[j]);
        }

        @Override
        void maskRow(Matrix h, Matrix dh, int off, int n, float[] row, float[] hRow) {
            dh.data().get(off, row, 0, n);
            h.data().get(off, hRow, 0, n);
            for (int j = 0; j < n; j++) row[j] = row[j] * (1f - hRow[j] * hRow[j]);
            dh.data().put(off, row, 0, n);
        }
    },
    IDENTITY {
        @Override
        public void apply(Matrix z, Matrix h) {
            if (h != z) h.copyFrom(z);
        }

        @Override
        public void backward(Matrix z, Matrix dh) {}

        @Override
        void applyRowWithBias(float[] row, float[] bias, int n) {
            for (int j = 0; j < n; j++) row[j] = row[j] + bias[j];
        }

        @Override
        void maskRow(Matrix h, Matrix dh, int off, int n, float[] row, float[] hRow) {
            dh.data().get(off, row, 0, n);
        }
    };

    /** {@code h = f(z)}; {@code h} may be {@code z}. */
    public abstract void apply(Matrix z, Matrix h);

    /** {@code dh <- dh * f'(z)} in place. */
    public abstract void backward(Matrix z, Matrix dh);

    /** {@code row[j] = f(row[j] + bias[j])} for {@code j < n}. */
    abstract void applyRowWithBias(float[] row, float[] bias, int n);

    /**
     * {@code dh[i] <- dh[i] * f'(z[i])} in place for {@code off <= i < off + n}, with f' read from
     * the output {@code h = f(z)}, leaving the result in {@code row[0, n)}; {@code hRow} is scratch.
     */
    abstract void maskRow(Matrix h, Matrix dh, int off, int n, float[] row, float[] hRow);

    /** As {@link #maskRow}, for a caller that does not read {@code row} afterwards (both arrays are scratch here). */
    void mask(Matrix h, Matrix dh, int off, int n, float[] row, float[] hRow) {
        maskRow(h, dh, off, n, row, hRow);
    }

    /**
     * The forward tail of a dense layer, fused: {@code h[r][j] = f(z[r][j] + b[j])}.
     *
     * @param z    batch x n pre-activations without bias, not modified unless it is {@code h}
     * @param b    1 x n bias, not modified
     * @param h    batch x n output, may be {@code z}
     * @param row  scratch of length >= n
     * @param bias scratch of length >= n
     */
    public void addBiasAndApply(Matrix z, Matrix b, Matrix h, float[] row, float[] bias) {
        int n = z.cols;
        FloatBuffer Z = z.data(), H = h.data();
        b.data().get(0, bias, 0, n);
        for (int r = 0, off = 0; r < z.rows; r++, off += n) {
            Z.get(off, row, 0, n);
            applyRowWithBias(row, bias, n);
            H.put(off, row, 0, n);
        }
    }

    /**
     * The backward head of a dense layer, fused: {@code dh <- dh * f'(z)} in place, with f'
     * read from the output {@code h = f(z)} of the forward pass, and
     * {@code db[j] = sum_r dh[r][j]} summed from row 0 down.
     *
     * @param h    batch x n output of the latest forward, not modified
     * @param dh   batch x n gradient with respect to h, overwritten with the one w.r.t. z
     * @param db   1 x n, overwritten with the bias gradient
     * @param row  scratch of length >= n
     * @param hRow scratch of length >= n
     * @param acc  scratch of length >= n
     */
    public void backwardWithBiasGrad(Matrix h, Matrix dh, Matrix db, float[] row, float[] hRow, float[] acc) {
        int n = dh.cols;
        Arrays.fill(acc, 0, n, 0f);
        for (int r = 0, off = 0; r < dh.rows; r++, off += n) {
            maskRow(h, dh, off, n, row, hRow);
            for (int j = 0; j < n; j++) acc[j] += row[j];
        }
        db.data().put(0, acc, 0, n);
    }
}

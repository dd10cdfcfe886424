package io.eiscope.engine.tensor;

/**
 * Shrinks a row-major matrix for display: the rows and columns are split into at most
 * {@code maxRows} × {@code maxCols} near-equal blocks (row block i covers rows
 * [⌊i·R/r⌋, ⌊(i+1)·R/r⌋)), and each block is represented by its value of largest magnitude,
 * sign kept. Unlike a block mean, a lone strong weight, a pruned (all-zero) region and the sign
 * structure of an E/I matrix stay visible in a heatmap of a few hundred pixels.
 */
public final class MagnitudePooling {
    private MagnitudePooling() {}

    /** The pooled rows (≤ maxRows, ≥ 1 when rows ≥ 1); {@code max} ≤ 0 keeps all. */
    public static int pooled(int full, int max) {
        return max <= 0 || full <= max ? full : max;
    }

    /** {@code data} (rows × cols, row-major) pooled to {@code pooled(rows, maxRows)} × {@code pooled(cols, maxCols)}. */
    public static float[] pool(float[] data, int rows, int cols, int maxRows, int maxCols) {
        if ((long) rows * cols != data.length)
            throw new IllegalArgumentException(
                    "a " + rows + " x " + cols + " matrix has " + (long) rows * cols + " values, got " + data.length);
        int r = pooled(rows, maxRows), c = pooled(cols, maxCols);
        if (r == rows && c == cols) return data.clone();
        float[] out = new float[r * c];
        for (int bi = 0; bi < r; bi++) {
            int r0 = (int) ((long) bi * rows / r), r1 = (int) ((long) (bi + 1) * rows / r);
            for (int bj = 0; bj < c; bj++) {
                int c0 = (int) ((long) bj * cols / c), c1 = (int) ((long) (bj + 1) * cols / c);
                float best = 0, bestAbs = -1;
                for (int i = r0; i < r1; i++) {
                    for (int j = c0; j < c1; j++) {
                        float v = data[i * cols + j];
                        float a = Math.abs(v);
                        if (a > bestAbs || Float.isNaN(v)) {
                            best = v;
                            bestAbs = Float.isNaN(v) ? Float.POSITIVE_INFINITY : a; // a NaN shows, and stays
                        }
                    }
                }
                out[bi * c + bj] = best;
            }
        }
        return out;
    }
}

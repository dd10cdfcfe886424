package io.eiscope.engine.tensor;

import java.nio.FloatBuffer;

/** Pure-Java fallback for {@link Blas}: correct and portable, about 20x slower than OpenBLAS. */
public final class JavaBlas implements Blas {

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        Blas.checkGemm(transA, transB, a, b, c);
        int m = c.rows, n = c.cols, k = transA ? a.rows : a.cols;
        FloatBuffer A = a.data(), B = b.data(), C = c.data();
        float[] row = new float[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0f);
            for (int p = 0; p < k; p++) {
                float aip = transA ? A.get(p * a.cols + i) : A.get(i * a.cols + p);
                if (aip == 0f) continue;
                if (transB) {
                    for (int j = 0; j < n; j++) row[j] += aip * B.get(j * b.cols + p);
                } else {
                    int off = p * b.cols;
                    for (int j = 0; j < n; j++) row[j] += aip * B.get(off + j);
                }
            }
            int off = i * n;
            for (int j = 0; j < n; j++) {
                float prev = beta == 0f ? 0f : beta * C.get(off + j);
                C.put(off + j, alpha * row[j] + prev);
            }
        }
    }

    @Override
    public void axpy(float alpha, Matrix x, Matrix y) {
        Blas.checkSameSize(x, y);
        if (alpha == 0f) return;
        FloatBuffer X = x.data(), Y = y.data();
        for (int i = 0, n = y.size(); i < n; i++) Y.put(i, Math.fma(alpha, X.get(i), Y.get(i)));
    }

    @Override
    public void scal(float alpha, Matrix x) {
        FloatBuffer X = x.data();
        for (int i = 0, n = x.size(); i < n; i++) X.put(i, alpha * X.get(i));
    }

    @Override
    public float asum(Matrix x) {
        FloatBuffer X = x.data();
        float sum = 0f;
        for (int i = 0, n = x.size(); i < n; i++) sum += Math.abs(X.get(i));
        return sum;
    }

    @Override
    public String name() {
        return "java";
    }
}

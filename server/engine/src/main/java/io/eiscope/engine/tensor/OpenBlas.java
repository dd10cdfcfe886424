package io.eiscope.engine.tensor;

import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS through JavaCPP on direct buffers: no copies. Threads follow
 * {@code OPENBLAS_NUM_THREADS}; the launcher sets 1, since parallelism across simulations
 * serves a server better than threads within one step.
 */
final class OpenBlas implements Blas {
    private final String name;

    OpenBlas() {
        // Force the native library to load now, so a failure falls back at selection time.
        Matrix a = Matrix.of(1, 1, new float[] {2f});
        Matrix c = Matrix.zeros(1, 1);
        gemm(false, false, 1f, a, a, 0f, c);
        if (c.get(0) != 4f) throw new IllegalStateException("OpenBLAS self-test failed: 2*2 = " + c.get(0));
        name = "openblas";
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        Blas.checkGemm(transA, transB, a, b, c);
        int m = c.rows, n = c.cols, k = transA ? a.rows : a.cols;
        if (m == 0 || n == 0) return;
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, alpha, a.data(), Math.max(1, a.cols), b.data(), Math.max(1, b.cols), beta, c.data(),
                Math.max(1, c.cols));
    }

    @Override
    public String name() {
        return name;
    }
}

package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.random.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BlasTest {

    private static Matrix random(int r, int c, Rng rng) {
        Matrix m = Matrix.zeros(r, c);
        for (int i = 0; i < m.size(); i++) m.set(i, (float) rng.nextGaussian());
        return m;
    }

    /** Double-precision triple loop: the oracle. */
    private static double[] reference(boolean ta, boolean tb, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        int m = c.rows, n = c.cols, k = ta ? a.rows : a.cols;
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) (ta ? a.get(p, i) : a.get(i, p)) * (tb ? b.get(j, p) : b.get(p, j));
                out[i * n + j] = alpha * s + beta * c.get(i, j);
            }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void everyImplementationMatchesTheTripleLoopForEveryTransposeCombination(boolean ta, boolean tb) {
        Rng rng = new Rng(7);
        int m = 13, n = 9, k = 21;
        Matrix a = ta ? random(k, m, rng) : random(m, k, rng);
        Matrix b = tb ? random(n, k, rng) : random(k, n, rng);
        Matrix c0 = random(m, n, rng);
        double[] expected = reference(ta, tb, 0.7f, a, b, 0.3f, c0);
        for (Blas blas : new Blas[] {Blas.best(), new JavaBlas()}) {
            Matrix c = c0.copy();
            blas.gemm(ta, tb, 0.7f, a, b, 0.3f, c);
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) c.get(i)).as(blas.name() + " element " + i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void nativeOpenBlasLoadsOnThisMachine() {
        assertThat(Blas.best().name()).isEqualTo("openblas");
    }

    @Test
    void mismatchedShapesAreRejectedWithTheShapes() {
        assertThatThrownBy(() -> new JavaBlas().gemm(false, false, 1f, Matrix.zeros(2, 3), Matrix.zeros(4, 5), 0f, Matrix.zeros(2, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2x3").hasMessageContaining("4x5");
    }
}

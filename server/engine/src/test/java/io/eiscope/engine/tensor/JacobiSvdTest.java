package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Thin singular value decompositions, LAPACK's {@code sgesdd} (job 'S') and the pure-Java
 * one-sided Jacobi fallback alike: {@code U diag(s) Vt} reconstructs {@code A}, {@code U} and
 * {@code Vt} are orthonormal, the values are descending and equal the values-only routine's.
 */
class JacobiSvdTest {
    private static final List<Function<Matrix, Spectra.Svd>> BOTH = List.of(Spectra::lapackSvd, Spectra::javaSvd);

    @Test
    void bothDecompositionsReconstructRandomMatricesWithOrthonormalFactors() {
        Random r = new Random(3);
        for (int[] shape : new int[][] {{30, 30}, {40, 17}, {17, 40}, {1, 5}, {5, 1}}) {
            Matrix a = Matrix.zeros(shape[0], shape[1]);
            for (int i = 0; i < a.size(); i++) a.set(i, (float) r.nextGaussian());
            float[] before = a.toArray();
            for (var svd : BOTH) {
                Spectra.Svd d = svd.apply(a);
                int k = Math.min(a.rows, a.cols);
                assertThat(d.u().rows).isEqualTo(a.rows);
                assertThat(d.u().cols).isEqualTo(k);
                assertThat(d.vt().rows).isEqualTo(k);
                assertThat(d.vt().cols).isEqualTo(a.cols);
                assertThat(d.s()).containsExactly(Spectra.javaSingularValues(a), within(2e-5f * d.s()[0]));
                for (int i = 1; i < k; i++) assertThat(d.s()[i]).isLessThanOrEqualTo(d.s()[i - 1]);
                assertReconstructs(a, d, 2e-5);
                assertOrthonormalColumns(d.u(), 1e-5);
                assertOrthonormalColumns(transpose(d.vt()), 1e-5);
            }
            assertThat(a.toArray()).as("input untouched").containsExactly(before);
        }
    }

    @Test
    void aRankOneMatrixStillGetsAnOrthonormalBasis() {
        float[] u = {1f, 2f, 2f}, v = {3f, 0f, 4f, 0f};
        Matrix a = Matrix.zeros(3, 4);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) a.set(i, j, u[i] * v[j]);
        for (var svd : BOTH) {
            Spectra.Svd d = svd.apply(a);
            assertThat(d.s()[0]).isCloseTo(15f, within(1e-4f));
            assertThat(d.s()[1]).isCloseTo(0f, within(1e-5f));
            assertThat(Math.abs(d.u().get(0, 0))).isCloseTo(1f / 3, within(1e-6f));
            assertThat(Math.abs(d.vt().get(0, 2))).isCloseTo(0.8f, within(1e-6f));
            assertReconstructs(a, d, 1e-5);
            assertOrthonormalColumns(d.u(), 1e-5);
            assertOrthonormalColumns(transpose(d.vt()), 1e-5);
        }
    }

    static void assertReconstructs(Matrix a, Spectra.Svd d, double relative) {
        double scale = d.s().length == 0 ? 1 : d.s()[0];
        for (int i = 0; i < a.rows; i++) {
            for (int j = 0; j < a.cols; j++) {
                double sum = 0;
                for (int k = 0; k < d.s().length; k++) sum += (double) d.u().get(i, k) * d.s()[k] * d.vt().get(k, j);
                assertThat(sum).as("(U S Vt)[%d][%d]", i, j).isCloseTo(a.get(i, j), within(relative * scale));
            }
        }
    }

    static void assertOrthonormalColumns(Matrix q, double tolerance) {
        for (int a = 0; a < q.cols; a++) {
            for (int b = 0; b < q.cols; b++) {
                double dot = 0;
                for (int i = 0; i < q.rows; i++) dot += (double) q.get(i, a) * q.get(i, b);
                assertThat(dot).as("column %d . column %d", a, b).isCloseTo(a == b ? 1 : 0, within(tolerance));
            }
        }
    }

    static Matrix transpose(Matrix m) {
        Matrix t = Matrix.zeros(m.cols, m.rows);
        for (int i = 0; i < m.rows; i++) for (int j = 0; j < m.cols; j++) t.set(j, i, m.get(i, j));
        return t;
    }
}

package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link KChunkedProduct} against a double-precision {@code alpha A^T B + beta C}, cut into the pieces OpenBLAS asks for. */
class KChunkedProductTest {

    @ParameterizedTest(name = "{0} x {1} x {2}: {3} pieces")
    @CsvSource({
        "100, 100, 864, 9", // RNN 100's recurrent weight gradient at batch 32 on row-sequential MNIST
        "100, 28, 896, 3", // its input weight gradient
        "37, 41, 1000, 2",
        "20, 10, 100, 1", // small: whole
        "300, 300, 896, 1" // pieces of 11 would be slower: whole
    })
    void sumsTheProductOverAllOfKInThePiecesOpenBlasAsksFor(int m, int n, int k, int pieces) {
        Random g = new Random(m * 31L + n * 7L + k);
        Matrix a = gaussian(k, m, g), b = gaussian(k, n, g), c = gaussian(m, n, g);
        double[] expected = new double[m * n];
        double tolerance = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0, magnitude = 0;
                for (int r = 0; r < k; r++) {
                    double t = (double) a.get(r * m + i) * b.get(r * n + j);
                    s += t;
                    magnitude += Math.abs(t);
                }
                expected[i * n + j] = 0.75 * s + 0.5 * c.get(i * n + j);
                // a float sum of k terms is within k eps of the sum of their magnitudes
                tolerance = Math.max(tolerance, 0.75 * magnitude * k * 6e-8 + 1e-6);
            }
        KChunkedProduct p = new KChunkedProduct(Blas.best(), a, b);
        assertThat(p.pieces()).isEqualTo(Blas.best() instanceof OpenBlas ? pieces : 1);
        p.run(0.75f, 0.5f, c);
        for (int i = 0; i < expected.length; i++)
            assertThat((double) c.get(i)).as("C[%d]", i).isCloseTo(expected[i], Offset.offset(tolerance));
        assertThat(p.of(a, b)).isTrue();
        assertThat(p.of(a.copy(), b)).as("another matrix with the same values").isFalse();
    }

    @ParameterizedTest(name = "{0} and {1} rows")
    @CsvSource({"10, 11", "896, 864"})
    void refusesOperandsOfDifferentLengths(int ka, int kb) {
        assertThatThrownBy(() -> new KChunkedProduct(Blas.best(), Matrix.zeros(ka, 4), Matrix.zeros(kb, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A^T B sums over the rows of both: " + ka + " and " + kb);
    }

    private static Matrix gaussian(int r, int c, Random g) {
        Matrix m = Matrix.zeros(r, c);
        for (int i = 0; i < m.size(); i++) m.set(i, (float) g.nextGaussian());
        return m;
    }
}

package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.random.Rng;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
                for (int p = 0; p < k; p++)
                    s += (double) (ta ? a.get(p, i) : a.get(i, p)) * (tb ? b.get(j, p) : b.get(p, j));
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
                assertThat((double) c.get(i))
                        .as(blas.name() + " element " + i)
                        .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    /** The shapes a batch of one produces (one row, one column, an outer product), every transpose, beta 0 over NaNs. */
    @ParameterizedTest
    @CsvSource({"1,9,21", "13,1,21", "13,9,1", "1,1,21", "1,9,1", "13,1,1", "1,1,1"})
    void everyImplementationMatchesTheTripleLoopForDegenerateShapes(int m, int n, int k) {
        Rng rng = new Rng(m * 100 + n * 10 + k);
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true})
                for (float[] ab : new float[][] {{1f, 0f}, {0.7f, 0f}, {1f, 0.3f}}) {
                    Matrix a = ta ? random(k, m, rng) : random(m, k, rng);
                    Matrix b = tb ? random(n, k, rng) : random(k, n, rng);
                    Matrix c0 = random(m, n, rng);
                    double[] expected = reference(ta, tb, ab[0], a, b, ab[1], c0);
                    if (ab[1] == 0f) c0.fill(Float.NaN); // beta = 0 must not read C
                    for (Blas blas : new Blas[] {Blas.best(), new JavaBlas()}) {
                        Matrix c = c0.copy();
                        blas.gemm(ta, tb, ab[0], a, b, ab[1], c);
                        for (int i = 0; i < expected.length; i++) {
                            assertThat((double) c.get(i))
                                    .as(blas.name() + " " + ta + "," + tb + " alpha,beta " + ab[0] + "," + ab[1]
                                            + " element " + i)
                                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
                        }
                    }
                }
    }

    @ParameterizedTest
    @CsvSource({"1", "7", "33", "100", "1000", "4099", "8256", "20037", "392000"})
    void everyImplementationGivesTheSameBitsForAxpyAndScalAsOneFusedRoundingPerElement(int n) {
        Rng rng = new Rng(n);
        Matrix x = random(1, n, rng), y0 = random(1, n, rng);
        float alpha = (float) rng.nextGaussian(), beta = 0.9f;
        for (Blas blas : new Blas[] {Blas.best(), new JavaBlas()}) {
            Matrix y = y0.copy();
            blas.axpy(alpha, x, y);
            Matrix s = y0.copy();
            blas.scal(beta, s);
            for (int i = 0; i < n; i++) {
                assertThat(y.get(i)).as(blas.name() + " axpy " + i).isEqualTo(Math.fma(alpha, x.get(i), y0.get(i)));
                assertThat(s.get(i)).as(blas.name() + " scal " + i).isEqualTo(beta * y0.get(i));
            }
        }
    }

    @Test
    void axpyRejectsMatricesOfDifferentSizes() {
        for (Blas blas : new Blas[] {Blas.best(), new JavaBlas()}) {
            assertThatThrownBy(() -> blas.axpy(1f, Matrix.zeros(2, 3), Matrix.zeros(3, 3)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("2x3")
                    .hasMessageContaining("3x3");
        }
    }

    @Test
    void openBlasCutsLongProductsIntoPiecesAlongKThatItsSmallKernelsRun() {
        assertThat(OpenBlas.kPiece(false, 100, 100, 864))
                .as("RNN 100's dW: 9 pieces of 96")
                .isEqualTo(96);
        assertThat(OpenBlas.kPiece(false, 100, 28, 896))
                .as("RNN 100's dU: 3 pieces of 299")
                .isEqualTo(299);
        assertThat(OpenBlas.kPiece(false, 500, 28, 896))
                .as("RNN 500's dU: 13 pieces of 69")
                .isEqualTo(69);
        assertThat(OpenBlas.kPiece(false, 32, 500, 500))
                .as("a 500-unit recurrence: 9 of 56")
                .isEqualTo(56);
        assertThat(OpenBlas.kPiece(false, 100, 100, 100))
                .as("10^6 multiply-adds: already small")
                .isEqualTo(100);
        assertThat(OpenBlas.kPiece(false, 300, 300, 896))
                .as("pieces of 11 would be slower")
                .isEqualTo(896);
        assertThat(OpenBlas.kPiece(false, 500, 500, 864)).as("RNN 500's dW").isEqualTo(864);
        assertThat(OpenBlas.kPiece(true, 32, 500, 500)).as("B transposed").isEqualTo(500);
        assertThat(OpenBlas.rowPiece(true, false, 500, 784, 32))
                .as("MLP 784-500's dW at batch 32")
                .isEqualTo(39);
        assertThat(OpenBlas.rowPiece(true, false, 500, 500, 64))
                .as("at batch 64: 17 pieces")
                .isEqualTo(30);
        assertThat(OpenBlas.rowPiece(true, false, 500, 784, 128))
                .as("batch 128: whole")
                .isEqualTo(500);
        assertThat(OpenBlas.rowPiece(true, false, 500, 4000, 32))
                .as("B of 128K elements")
                .isEqualTo(500);
        assertThat(OpenBlas.rowPiece(false, false, 500, 784, 32))
                .as("A as it lies")
                .isEqualTo(500);
        assertThat(OpenBlas.kSlice(true, false, 500, 500, 864))
                .as("RNN 500's dW: 14 slices")
                .isEqualTo(62);
        assertThat(OpenBlas.kSlice(true, false, 500, 500, 64))
                .as("short enough for pieces of rows")
                .isEqualTo(64);
        assertThat(OpenBlas.kSlice(true, false, 512, 512, 896))
                .as("512 columns: slower")
                .isEqualTo(896);
        assertThat(OpenBlas.kSlice(true, false, 1000, 1000, 896))
                .as("1000 columns")
                .isEqualTo(896);
        assertThat(OpenBlas.kSlice(true, false, 100, 100, 864))
                .as("in pieces of k instead")
                .isEqualTo(864);
        assertThat(OpenBlas.kSlice(false, false, 500, 500, 864))
                .as("A as it lies")
                .isEqualTo(864);
    }

    /** Products that OpenBLAS computes in pieces along k, in every form, against a double-precision reference. */
    @ParameterizedTest(name = "{0}{1} {2} x {3} x {4}")
    @CsvSource({
        "true, false, 100, 100, 864", // pieces: a weight gradient over a sequence
        "true, false, 100, 28, 896",
        "false, false, 32, 500, 500", // pieces: a batch times a weight matrix
        "false, false, 8, 300, 1000",
        "true, false, 500, 784, 32", // pieces of rows: a weight gradient over a batch
        "true, false, 333, 250, 64",
        "true, false, 500, 500, 864", // slices of k, each in pieces of rows: RNN 500's dW
        "true, false, 400, 400, 130",
        "false, true, 32, 500, 500", // whole
        "true, true, 40, 300, 200",
        "false, false, 128, 500, 500"
    })
    void productsInPiecesAlongKSumAllOfK(boolean transA, boolean transB, int m, int n, int k) {
        Random g = new Random(m * 7919L + n * 31L + k);
        Matrix a = gaussian(transA ? k : m, transA ? m : k, g), b = gaussian(transB ? n : k, transB ? k : n, g);
        Matrix c = gaussian(m, n, g);
        double[] expected = new double[m * n];
        double tolerance = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0, magnitude = 0;
                for (int r = 0; r < k; r++) {
                    double t = (double) (transA ? a.get(r * m + i) : a.get(i * k + r))
                            * (transB ? b.get(j * k + r) : b.get(r * n + j));
                    s += t;
                    magnitude += Math.abs(t);
                }
                expected[i * n + j] = 0.75 * s + 0.5 * c.get(i * n + j);
                tolerance = Math.max(tolerance, magnitude * k * 6e-8 + 1e-6); // k roundings of float sums
            }
        Blas.best().gemm(transA, transB, 0.75f, a, b, 0.5f, c);
        for (int i = 0; i < expected.length; i++)
            assertThat((double) c.get(i)).as("C[%d]", i).isCloseTo(expected[i], Offset.offset(tolerance));
    }

    /** {@code W W}: one matrix as both operands, whose pointer cannot stand at two pieces of k at once. */
    @Test
    void aSquareTimesItselfIsRightWhereItsShapeWouldBeCut() {
        assertThat(OpenBlas.kPiece(false, 200, 200, 200))
                .as("a shape cut in pieces")
                .isLessThan(200);
        Random g = new Random(5);
        Matrix w = gaussian(200, 200, g), c = Matrix.zeros(200, 200);
        Blas.best().gemm(false, false, 1f, w, w, 0f, c);
        for (int i = 0; i < 200; i++)
            for (int j = 0; j < 200; j++) {
                double s = 0;
                for (int r = 0; r < 200; r++) s += (double) w.get(i * 200 + r) * w.get(r * 200 + j);
                assertThat((double) c.get(i * 200 + j)).isCloseTo(s, Offset.offset(1e-3));
            }
    }

    /** {@code A^T A} over a batch and over a long sequence: shapes cut into pieces of rows and slices of k. */
    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"32, 500", "864, 500"})
    void aGramMatrixIsRightWhereItsShapeWouldBeCut(int k, int n) {
        assertThat(OpenBlas.rowPiece(true, false, n, n, k) < n || OpenBlas.kSlice(true, false, n, n, k) < k)
                .as("a shape cut into pieces")
                .isTrue();
        Random g = new Random(k);
        Matrix a = gaussian(k, n, g), c = Matrix.zeros(n, n);
        Blas.best().gemm(true, false, 1f, a, a, 0f, c);
        for (int i = 0; i < n; i += 7)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int r = 0; r < k; r++) s += (double) a.get(r * n + i) * a.get(r * n + j);
                assertThat((double) c.get(i * n + j)).as("C[%d, %d]", i, j).isCloseTo(s, Offset.offset(2e-3 * k));
            }
    }

    private static Matrix gaussian(int r, int c, Random g) {
        Matrix m = Matrix.zeros(r, c);
        for (int i = 0; i < m.size(); i++) m.set(i, (float) g.nextGaussian());
        return m;
    }

    @Test
    void openBlasAsksForTheUntransposedFormOnlyWhereItsSmallKernelsRunIt() {
        Blas blas = Blas.best();
        assertThat(blas.untransposedFaster(32, 100, 100))
                .as("an RNN 100's recurrence at batch 32")
                .isTrue();
        assertThat(blas.untransposedFaster(4, 500, 500))
                .as("4 x 500 x 500: 10^6 multiply-adds")
                .isTrue();
        assertThat(blas.untransposedFaster(3, 100, 100)).as("3 rows").isFalse();
        assertThat(blas.untransposedFaster(32, 200, 200))
                .as("above 10^6 multiply-adds, in pieces along k")
                .isTrue();
        assertThat(blas.untransposedFaster(32, 500, 500))
                .as("a 500-unit recurrence, in pieces along k")
                .isTrue();
        assertThat(blas.untransposedFaster(128, 500, 500))
                .as("pieces of 15 of k: both forms whole")
                .isFalse();
        assertThat(new JavaBlas().untransposedFaster(32, 100, 100)).isFalse();
    }

    @Test
    void nativeOpenBlasLoadsOnThisMachine() {
        assertThat(Blas.best().name()).startsWith("openblas");
    }

    @Test
    void mismatchedShapesAreRejectedWithTheShapes() {
        assertThatThrownBy(() -> new JavaBlas()
                        .gemm(false, false, 1f, Matrix.zeros(2, 3), Matrix.zeros(4, 5), 0f, Matrix.zeros(2, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2x3")
                .hasMessageContaining("4x5");
    }
}

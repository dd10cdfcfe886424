package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pure-Java eigenvalues against closed forms and LAPACK's {@code sgeev}. */
class HessenbergQrTest {

    @Test
    void aTriangularMatrixHasItsDiagonal() {
        Matrix a = Matrix.of(3, 3, new float[] {2f, 5f, -1f, 0f, -3f, 4f, 0f, 0f, 0.5f});
        assertThat(sortedReal(Spectra.javaEigenvalues(a))).containsExactly(new double[] {-3, 0.5, 2}, within(1e-9));
    }

    @Test
    void aCompanionMatrixHasThePolynomialsRoots() {
        // (z - 1)(z - 2)(z^2 - 2z + 5) = z^4 - 5z^3 + 13z^2 - 19z + 10: roots 1, 2, 1 +- 2i
        Matrix c = Matrix.of(4, 4, new float[] {5f, -13f, 19f, -10f, 1f, 0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 1f, 0f});
        float[] e = Spectra.javaEigenvalues(c);
        double[][] expected = {{1, 0}, {2, 0}, {1, 2}, {1, -2}};
        for (double[] root : expected)
            assertThat(distanceToNearest(root[0], root[1], e))
                    .as("root %s", java.util.Arrays.toString(root))
                    .isLessThan(1e-5);
        assertThat(Spectra.spectralRadius(e)).isCloseTo(Math.sqrt(5), within(1e-5));
    }

    @Test
    void aRotationHasAConjugatePairOnTheUnitCircle() {
        double t = 0.3;
        float[] e = Spectra.javaEigenvalues(Matrix.of(
                2, 2, new float[] {(float) Math.cos(t), (float) -Math.sin(t), (float) Math.sin(t), (float) Math.cos(t)
                }));
        assertThat(e[0]).isCloseTo((float) Math.cos(t), within(1e-6f));
        assertThat(e[1] + e[3]).isCloseTo(0f, within(1e-7f));
        assertThat(Math.abs(e[1])).isCloseTo((float) Math.sin(t), within(1e-6f));
    }

    @Test
    void randomNonSymmetricMatricesAgreeWithLapack() {
        Random r = new Random(11);
        for (int n : new int[] {1, 2, 7, 60, 150}) {
            Matrix a = Matrix.zeros(n, n);
            for (int i = 0; i < a.size(); i++) a.set(i, (float) (r.nextGaussian() / Math.sqrt(n)));
            float[] mine = Spectra.javaEigenvalues(a), lapack = Spectra.lapackEigenvalues(a);
            assertThat(mine).hasSize(2 * n);
            double trace = 0, sum = 0;
            for (int i = 0; i < n; i++) {
                trace += a.get(i, i);
                sum += mine[2 * i];
                assertThat(distanceToNearest(lapack[2 * i], lapack[2 * i + 1], mine))
                        .as("n=%d eigenvalue %d", n, i)
                        .isLessThan(2e-5);
                assertThat(distanceToNearest(mine[2 * i], mine[2 * i + 1], lapack))
                        .as("n=%d eigenvalue %d", n, i)
                        .isLessThan(2e-5);
            }
            assertThat(sum).as("sum of eigenvalues = trace").isCloseTo(trace, within(1e-5 * n));
            assertThat(Spectra.spectralRadius(mine)).isCloseTo(Spectra.spectralRadius(lapack), within(1e-5));
        }
    }

    static double distanceToNearest(double re, double im, float[] eigenvalues) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i + 1 < eigenvalues.length; i += 2)
            best = Math.min(best, Math.hypot(eigenvalues[i] - re, eigenvalues[i + 1] - im));
        return best;
    }

    private static double[] sortedReal(float[] e) {
        double[] re = new double[e.length / 2];
        for (int i = 0; i < re.length; i++) {
            assertThat(e[2 * i + 1]).isEqualTo(0f);
            re[i] = e[2 * i];
        }
        java.util.Arrays.sort(re);
        return re;
    }
}

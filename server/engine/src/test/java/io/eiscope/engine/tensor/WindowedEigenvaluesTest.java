package io.eiscope.engine.tensor;

import static io.eiscope.engine.tensor.HessenbergQrTest.distanceToNearest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Spectra#eigenvalues} with its narrow deflation window (JDK 22 and later, from order 128) against closed
 * forms and the pure-Java reference in double; on JDK 17 the same assertions hold for {@code sgeev}.
 */
class WindowedEigenvaluesTest {

    @Test
    void fromJdk22TheWindowIsNarrowedAndBeforeItSgeevAnswers() {
        boolean built = Spectra.class.getResource("WindowedQr.class") != null;
        assertThat(Spectra.narrowsDeflationWindow())
                .isEqualTo(Spectra.nativeLapack() && built && Runtime.version().feature() >= 22);
        Matrix a = gaussian(300, new Random(3));
        if (Spectra.narrowsDeflationWindow())
            assertThat(Spectra.windowedEigenvalues(a)).hasSize(600);
        else assertThat(Spectra.eigenvalues(a)).isEqualTo(Spectra.eigenvaluesOnEveryJvm(a));
    }

    @Test
    void gaussianAndDalesLawMatricesAgreeWithTheDoubleReference() {
        Random r = new Random(17);
        for (int n : new int[] {128, 257}) {
            Matrix g = gaussian(n, r);
            agreeWithTheReference("gaussian " + n, g, Spectra.eigenvalues(g), 2e-5);
            Matrix d = dale(g);
            agreeWithTheReference("dale " + n, d, Spectra.eigenvalues(d), 2e-5);
        }
    }

    @Test
    void theCyclicPermutationHasTheRootsOfUnity() {
        int n = 1000; // a window of 31
        Matrix c = Matrix.zeros(n, n);
        for (int i = 0; i < n; i++) c.set((i + 1) % n, i, 1f);
        float[] e = Spectra.eigenvalues(c);
        float[] roots = new float[2 * n];
        for (int k = 0; k < n; k++) {
            roots[2 * k] = (float) Math.cos(2 * Math.PI * k / n);
            roots[2 * k + 1] = (float) Math.sin(2 * Math.PI * k / n);
        }
        // a normal matrix: each eigenvalue moves no more than the backward error, n eps ||A||_2 = 1000 * 2^-24
        assertMatch("roots of unity", e, roots, n * Math.ulp(1f) / 2);
    }

    /**
     * {@code A = P D P} with {@code P} a Householder reflection (its own inverse) and {@code D} upper quasi-triangular:
     * the eigenvalues are those of D's diagonal blocks, real numbers and pairs {@code a +- i sqrt(b c)}. Formed in
     * double, rounded once; the narrow window's answer is as close to them as {@code sgeev}'s, within a factor 2.
     */
    @Test
    void aReflectedQuasiTriangularMatrixHasItsBlocksEigenvalues() {
        int n = 700; // a window of 21
        Random r = new Random(29);
        double[][] d = new double[n][n];
        float[] expected = new float[2 * n];
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) d[i][j] = 0.3 * r.nextGaussian() / Math.sqrt(n);
        for (int i = 0; i < n; ) {
            double re = 2 * r.nextDouble() - 1;
            if (i + 1 < n && r.nextBoolean()) {
                double b = 0.05 + r.nextDouble(), c = 0.05 + r.nextDouble();
                d[i][i] = re;
                d[i + 1][i + 1] = re;
                d[i][i + 1] = b;
                d[i + 1][i] = -c;
                expected[2 * i] = (float) re;
                expected[2 * i + 1] = (float) Math.sqrt(b * c);
                expected[2 * i + 2] = (float) re;
                expected[2 * i + 3] = (float) -Math.sqrt(b * c);
                i += 2;
            } else {
                d[i][i] = re;
                expected[2 * i] = (float) re;
                i++;
            }
        }
        double[] v = new double[n];
        double vv = 0;
        for (int i = 0; i < n; i++) vv += (v[i] = r.nextGaussian()) * v[i];
        // P D P = D - 2 v (v^T D) / vv - 2 (D v) v^T / vv + 4 v (v^T D v) v^T / vv^2
        double[] vd = new double[n], dv = new double[n];
        double vdv = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                vd[j] += v[i] * d[i][j];
                dv[i] += d[i][j] * v[j];
            }
        for (int i = 0; i < n; i++) vdv += v[i] * dv[i];
        Matrix a = Matrix.zeros(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                a.set(i, j, (float)
                        (d[i][j] - 2 * v[i] * vd[j] / vv - 2 * dv[i] * v[j] / vv + 4 * v[i] * vdv * v[j] / (vv * vv)));
        float[] mine = Spectra.eigenvalues(a), sgeev = Spectra.eigenvaluesOnEveryJvm(a);
        double sgeevError = worstDistance(sgeev, expected);
        assertThat(sgeevError).as("sgeev's own error").isLessThan(1e-3);
        assertMatch("the blocks' eigenvalues", mine, expected, 2 * sgeevError + 1e-6);
    }

    @Test
    void eigenvaluesThatBalancingIsolatesComeFromTheDiagonal() {
        int n = 300;
        Random r = new Random(5);
        Matrix a = gaussian(n, r);
        for (int k = 0; k < 10; k++) { // rows 0-9 and columns 290-299 hold only their diagonal element
            for (int j = 0; j < n; j++) if (j != k) a.set(k, j, 0f);
            for (int i = 0; i < n; i++) if (i != n - 1 - k) a.set(i, n - 1 - k, 0f);
        }
        float[] e = Spectra.eigenvalues(a);
        for (int k = 0; k < 10; k++) {
            assertThat(distanceToNearest(a.get(k, k), 0, e))
                    .as("row %d's diagonal", k)
                    .isEqualTo(0.0);
            assertThat(distanceToNearest(a.get(n - 1 - k, n - 1 - k), 0, e))
                    .as("column %d's", n - 1 - k)
                    .isEqualTo(0.0);
        }
        agreeWithTheReference("isolated", a, e, 2e-5);
    }

    @Test
    void theSameMatrixGivesTheSameBitsAndStaysUnchanged() {
        Matrix a = gaussian(400, new Random(8));
        float[] before = a.toArray(), first = Spectra.eigenvalues(a), second = Spectra.eigenvalues(a);
        assertThat(second).isEqualTo(first);
        assertThat(a.toArray()).isEqualTo(before);
    }

    /** Each thread keeps its own native buffers: two threads on two matrices of one order at once get each one's bits. */
    @Test
    void twoThreadsAtOnceGetTheBitsEachGetsAlone() throws Exception {
        Matrix a = gaussian(300, new Random(12)), b = gaussian(300, new Random(13));
        float[] aloneA = Spectra.eigenvalues(a), aloneB = Spectra.eigenvalues(b);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Callable<Boolean> onA = () -> {
                for (int i = 0; i < 20; i++) if (!java.util.Arrays.equals(Spectra.eigenvalues(a), aloneA)) return false;
                return true;
            };
            java.util.concurrent.Callable<Boolean> onB = () -> {
                for (int i = 0; i < 20; i++) if (!java.util.Arrays.equals(Spectra.eigenvalues(b), aloneB)) return false;
                return true;
            };
            var first = pool.submit(onA);
            var second = pool.submit(onB);
            assertThat(first.get()).as("one matrix beside the other").isTrue();
            assertThat(second.get()).as("the other beside the one").isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void belowOrder128AndAtScalesThatSgeevRescalesSgeevAnswers() {
        Random r = new Random(41);
        Matrix small = gaussian(127, r);
        assertThat(Spectra.eigenvalues(small)).isEqualTo(Spectra.eigenvaluesOnEveryJvm(small));
        for (float scale : new float[] {0x1p43f, 0x1p-43f}) {
            Matrix a = gaussian(200, r);
            for (int i = 0; i < a.size(); i++) a.set(i, a.get(i) * scale);
            assertThat(Spectra.windowedEigenvalues(a)).as("scale %s", scale).isNull();
            float[] e = Spectra.eigenvalues(a);
            assertThat(e).isEqualTo(Spectra.eigenvaluesOnEveryJvm(a));
            assertThat(Spectra.spectralRadius(e) / scale).isBetween(0.5, 2.0); // a circular law of radius about 1
        }
    }

    @Test
    void aWindowSetOnTheCommandLineIsAnIntegerOfAtLeastTwo() {
        assertThat(Spectra.windowSet(null)).isZero();
        assertThat(Spectra.windowSet(" 24 ")).isEqualTo(24);
        assertThat(Spectra.windowSet("1")).isZero();
        assertThat(Spectra.windowSet("wide")).isZero();
        assertThat(Spectra.deflationWindow(200)).isEqualTo(16);
        assertThat(Spectra.deflationWindow(1000)).isEqualTo(31);
        assertThat(Spectra.deflationWindow(4000)).isEqualTo(48);
    }

    private static void agreeWithTheReference(String what, Matrix a, float[] e, double tolerance) {
        int n = a.rows;
        assertThat(e).as(what).hasSize(2 * n);
        assertMatch(what, e, Spectra.javaEigenvalues(a), tolerance);
        double trace = 0, sum = 0, imaginary = 0;
        for (int i = 0; i < n; i++) {
            trace += a.get(i, i);
            sum += e[2 * i];
            imaginary += e[2 * i + 1];
        }
        assertThat(sum).as("%s: the eigenvalues sum to the trace", what).isCloseTo(trace, within(1e-5 * n));
        assertThat(imaginary).as("%s: in conjugate pairs", what).isCloseTo(0, within(1e-5 * n));
    }

    /** Each of {@code e} lies within {@code tolerance} of one of {@code expected}, and each of those of one of {@code e}. */
    private static void assertMatch(String what, float[] e, float[] expected, double tolerance) {
        assertThat(e).hasSameSizeAs(expected);
        assertThat(worstDistance(e, expected))
                .as("%s: farthest computed from an expected", what)
                .isLessThan(tolerance);
        assertThat(worstDistance(expected, e))
                .as("%s: farthest expected from a computed", what)
                .isLessThan(tolerance);
    }

    private static double worstDistance(float[] from, float[] to) {
        double worst = 0;
        for (int i = 0; i + 1 < from.length; i += 2)
            worst = Math.max(worst, distanceToNearest(from[i], from[i + 1], to));
        return worst;
    }

    private static Matrix gaussian(int n, Random r) {
        Matrix a = Matrix.zeros(n, n);
        for (int i = 0; i < a.size(); i++) a.set(i, (float) (r.nextGaussian() / Math.sqrt(n)));
        return a;
    }

    /** The first 80 % of columns excitatory ({@code |g|}), the rest inhibitory ({@code -4 |g|}). */
    private static Matrix dale(Matrix g) {
        int n = g.rows;
        Matrix d = Matrix.zeros(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) d.set(i, j, j < n * 4 / 5 ? Math.abs(g.get(i, j)) : -4 * Math.abs(g.get(i, j)));
        return d;
    }
}

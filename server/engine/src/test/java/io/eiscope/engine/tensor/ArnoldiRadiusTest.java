package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.random.Rng;
import org.junit.jupiter.api.Test;

/**
 * The spectral radius by Arnoldi iteration, against closed forms (triangular and block-diagonal
 * matrices, whose eigenvalues are read off) and against the whole spectrum of LAPACK's {@code sgeev}.
 */
class ArnoldiRadiusTest {
    private static final Blas BLAS = Blas.best();

    private static ArnoldiRadius.Result radius(Matrix a) {
        return ArnoldiRadius.compute(a, BLAS, Spectra.nativeLapack());
    }

    private static double wholeSpectrum(Matrix a) {
        return Spectra.spectralRadius(Spectra.eigenvalues(a));
    }

    private static Matrix gaussian(int n, double scale, Rng rng) {
        Matrix a = Matrix.zeros(n, n);
        for (int i = 0; i < a.size(); i++) a.set(i, (float) (scale * rng.nextGaussian() / Math.sqrt(n)));
        return a;
    }

    @Test
    void aNonNormalTriangularMatrixGivesItsLargestDiagonalEntry() {
        int n = 400;
        Rng rng = new Rng(5);
        Matrix a = Matrix.zeros(n, n);
        for (int i = 0; i < n; i++) {
            a.set(i, i, (float) (2 * rng.nextDouble() - 1)); // eigenvalues in (-1, 1) ...
            for (int j = i + 1; j < n; j++) a.set(i, j, (float) (0.3 * rng.nextGaussian() / Math.sqrt(n)));
        }
        a.set(123, 123, -1.3f); // ... and one of modulus 1.3
        ArnoldiRadius.Result r = radius(a);
        assertThat(r.converged()).isTrue();
        assertThat(r.steps()).isLessThan(n / 3);
        assertThat(r.radius()).isCloseTo(1.3f, within(1.3 * 1e-5));
        // the small Hessenberg eigenproblems by the pure-Java QR, as without natives: the same answer
        ArnoldiRadius.Result java = ArnoldiRadius.compute(a, BLAS, false);
        assertThat(java.converged()).isTrue();
        assertThat(java.radius()).isCloseTo(1.3f, within(1.3 * 1e-5));
    }

    @Test
    void aComplexPairOfLargestModulusIsFound() {
        int n = 300; // 150 rotation-scalings [[a, -b], [b, a]] of moduli in (0, 1), one of modulus 1.2
        Rng rng = new Rng(6);
        Matrix a = Matrix.zeros(n, n);
        for (int k = 0; k < n; k += 2) {
            double modulus = k == 100 ? 1.2 : 0.95 * rng.nextDouble(), angle = Math.PI * rng.nextDouble();
            float re = (float) (modulus * Math.cos(angle)), im = (float) (modulus * Math.sin(angle));
            a.set(k, k, re);
            a.set(k, k + 1, -im);
            a.set(k + 1, k, im);
            a.set(k + 1, k + 1, re);
        }
        ArnoldiRadius.Result r = radius(a);
        assertThat(r.converged()).isTrue();
        assertThat(r.radius()).isCloseTo(1.2, within(1.2 * 1e-5));
    }

    @Test
    void gaussianAndDaleMatricesAgreeWithTheWholeSpectrum() {
        Rng rng = new Rng(7);
        Matrix gauss = gaussian(600, 1, rng);
        int n = 400, excitatory = 320; // Dale's law: columns of one sign, inhibition balancing excitation
        Matrix dale = gaussian(n, 1, rng);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                float w = Math.abs(dale.get(i, j));
                dale.set(i, j, j < excitatory ? w : -w * excitatory / (n - excitatory));
            }
        for (Matrix a : new Matrix[] {gauss, dale}) {
            ArnoldiRadius.Result r = radius(a);
            double expected = wholeSpectrum(a);
            assertThat(r.converged()).isTrue();
            assertThat(r.steps()).isLessThan(a.rows / 3);
            assertThat(r.radius()).isCloseTo(expected, within(expected * 1e-5));
        }
    }

    @Test
    void withoutConvergenceOrBelowTheThresholdTheWholeSpectrumAnswers() {
        int n = 600; // a cyclic permutation: all n eigenvalues on the unit circle, no Ritz value separates
        Matrix cycle = Matrix.zeros(n, n);
        for (int i = 0; i < n; i++) cycle.set(i, (i + 1) % n, 1f);
        ArnoldiRadius.Result r = radius(cycle);
        assertThat(r.converged()).isFalse();
        assertThat(r.steps())
                .isEqualTo(ArnoldiRadius.HOPELESS_AFTER); // not all n/3: hopeless at the first check past it
        assertThat(r.radius()).isEqualTo(wholeSpectrum(cycle)).isCloseTo(1, within(1e-4));

        Matrix small = gaussian(ArnoldiRadius.DIRECT_BELOW - 1, 1, new Rng(8));
        ArnoldiRadius.Result s = radius(small);
        assertThat(s.steps()).isZero();
        assertThat(s.radius()).isEqualTo(wholeSpectrum(small));
    }

    /**
     * Every entry 3e38: the second Krylov vector is nearly the normalised all-ones vector, whose product
     * is 3e38 sqrt(n) a component, beyond float's range. The iteration stops there and {@code sgeev}
     * answers (its eigenvalue 7.5e40 is beyond float's range too: infinite, not an exception).
     */
    @Test
    void aMatrixWhoseFloatProductsOverflowGetsTheWholeSpectrumsAnswer() {
        Matrix huge = Matrix.zeros(250, 250);
        huge.fill(3e38f);
        ArnoldiRadius.Result r = radius(huge);
        assertThat(r.converged()).isFalse();
        assertThat(r.radius()).isEqualTo(wholeSpectrum(huge));
    }

    @Test
    void zeroAndIdentityMatrices() {
        int n = 250;
        assertThat(radius(Matrix.zeros(n, n)).radius()).isZero();
        Matrix identity = Matrix.zeros(n, n);
        for (int i = 0; i < n; i++) identity.set(i, i, 1f);
        ArnoldiRadius.Result r = radius(identity);
        assertThat(r.converged()).isTrue();
        assertThat(r.radius()).isCloseTo(1, within(1e-6));
    }

    @Test
    void theSameMatrixGivesTheSameBits() {
        Matrix a = gaussian(500, 1, new Rng(9));
        assertThat(Double.doubleToRawLongBits(Spectra.spectralRadius(a)))
                .isEqualTo(Double.doubleToRawLongBits(Spectra.spectralRadius(a)));
    }

    @Test
    void aMatrixThatIsNotSquareOrNotFiniteIsRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> Spectra.spectralRadius(Matrix.zeros(3, 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("square matrix, got 3x4");
        Matrix nan = Matrix.zeros(300, 300);
        nan.set(7, Float.NaN);
        assertThatThrownBy(() -> Spectra.spectralRadius(nan)).isInstanceOf(ArithmeticException.class);
    }
}

package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Singular values and eigenvalues against closed forms and an independent double-precision reference. */
class SpectraTest {

    @Test
    void nativeLapackLoadsOnThisMachine() {
        assertThat(Spectra.nativeLapack()).isTrue();
    }

    @Test
    void singularValuesOfADiagonalMatrixAreItsAbsoluteEntriesDescending() {
        Matrix d = Matrix.zeros(3, 4);
        d.set(0, 0, 2f);
        d.set(1, 1, -5f);
        d.set(2, 2, 1f);
        for (float[] s : new float[][] {Spectra.singularValues(d), Spectra.javaSingularValues(d)}) {
            assertThat(s).containsExactly(new float[] {5f, 2f, 1f}, within(1e-6f));
        }
    }

    @Test
    void singularValuesOfRandomMatricesMatchSquareRootsOfTheEigenvaluesOfTheGramMatrix() {
        Random r = new Random(7);
        for (int[] shape : new int[][] {{40, 25}, {25, 40}, {30, 30}}) {
            Matrix a = Matrix.zeros(shape[0], shape[1]);
            for (int i = 0; i < a.size(); i++) a.set(i, (float) r.nextGaussian());
            float[] before = a.toArray();
            double[] expected = referenceSingularValues(a);
            for (float[] s : new float[][] {Spectra.lapackSingularValues(a), Spectra.javaSingularValues(a)}) {
                assertThat(s).hasSize(expected.length);
                for (int i = 0; i < s.length; i++) {
                    assertThat((double) s[i])
                            .as("sigma %d of %dx%d", i, a.rows, a.cols)
                            .isCloseTo(expected[i], within(1e-4 * expected[0]));
                    if (i > 0) assertThat(s[i]).isLessThanOrEqualTo(s[i - 1]);
                }
            }
            assertThat(a.toArray()).as("input untouched").containsExactly(before);
        }
    }

    @Test
    void aRankOneMatrixHasOneSingularValueTheProductOfTheNorms() {
        float[] u = {1f, 2f, 2f}, v = {3f, 0f, 4f, 0f};
        Matrix a = Matrix.zeros(3, 4);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) a.set(i, j, u[i] * v[j]);
        for (float[] s : new float[][] {Spectra.lapackSingularValues(a), Spectra.javaSingularValues(a)}) {
            assertThat(s[0]).isCloseTo(15f, within(1e-4f)); // |u| = 3, |v| = 5
            assertThat(s[1]).isCloseTo(0f, within(1e-5f));
            assertThat(s[2]).isCloseTo(0f, within(1e-5f));
        }
    }

    @Test
    void aRotationHasAComplexConjugatePairOnTheUnitCircle() {
        double t = 0.3;
        Matrix rot = Matrix.of(
                2, 2, new float[] {(float) Math.cos(t), (float) -Math.sin(t), (float) Math.sin(t), (float) Math.cos(t)
                });
        float[] e = Spectra.eigenvalues(rot);
        assertThat(e).hasSize(4);
        assertThat(e[0]).isCloseTo((float) Math.cos(t), within(1e-6f));
        assertThat(e[2]).isCloseTo((float) Math.cos(t), within(1e-6f));
        assertThat(new float[] {Math.abs(e[1]), Math.abs(e[3])})
                .containsExactly(new float[] {(float) Math.sin(t), (float) Math.sin(t)}, within(1e-6f));
        assertThat(e[1] + e[3]).isCloseTo(0f, within(1e-7f));
        assertThat(Spectra.spectralRadius(e)).isCloseTo(1, within(1e-6));

        float[] quarter = Spectra.eigenvalues(Matrix.of(2, 2, new float[] {0f, -1f, 1f, 0f}));
        assertThat(quarter).containsExactly(new float[] {0f, 1f, 0f, -1f}, within(1e-6f)); // +-i
    }

    @Test
    void eigenvaluesRefuseANonSquareMatrix() {
        assertThatThrownBy(() -> Spectra.eigenvalues(Matrix.zeros(2, 3))).isInstanceOf(IllegalArgumentException.class);
    }

    /** sqrt of the eigenvalues of A^T A (or A A^T, the smaller) by cyclic Jacobi in double, descending. */
    static double[] referenceSingularValues(Matrix a) {
        int m = a.rows, n = a.cols, k = Math.min(m, n);
        double[][] g = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double s = 0;
                if (n <= m) for (int r = 0; r < m; r++) s += (double) a.get(r, i) * a.get(r, j);
                else for (int c = 0; c < n; c++) s += (double) a.get(i, c) * a.get(j, c);
                g[i][j] = s;
            }
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < k; p++) for (int q = p + 1; q < k; q++) off += g[p][q] * g[p][q];
            if (off < 1e-24) break;
            for (int p = 0; p < k; p++) {
                for (int q = p + 1; q < k; q++) {
                    if (g[p][q] == 0) continue;
                    double theta = (g[q][q] - g[p][p]) / (2 * g[p][q]);
                    double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int i = 0; i < k; i++) { // G <- G J
                        double gp = g[i][p], gq = g[i][q];
                        g[i][p] = c * gp - s * gq;
                        g[i][q] = s * gp + c * gq;
                    }
                    for (int i = 0; i < k; i++) { // G <- J^T G
                        double gp = g[p][i], gq = g[q][i];
                        g[p][i] = c * gp - s * gq;
                        g[q][i] = s * gp + c * gq;
                    }
                }
            }
        }
        double[] out = new double[k];
        for (int i = 0; i < k; i++) out[i] = Math.sqrt(Math.max(0, g[i][i]));
        Arrays.sort(out);
        for (int i = 0; i < k / 2; i++) {
            double tmp = out[i];
            out[i] = out[k - 1 - i];
            out[k - 1 - i] = tmp;
        }
        return out;
    }
}

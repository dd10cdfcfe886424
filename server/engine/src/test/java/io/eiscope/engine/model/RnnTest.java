package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.observe.SpectralObservables;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.Spectra;
import org.junit.jupiter.api.Test;

/**
 * The standard RNN's initialisations (Li et al. 2023 §2.2, §2.4) and sign freezing (§2.3):
 * the spectral-radius sweep, spectrum transplants (values of B, singular subspaces of A, checked
 * with the pure-Java SVD), and signs held through SGD steps that flip them without the freeze.
 */
class RnnTest {
    private static final TaskShape SEQUENCE = new TaskShape(28, 4, 10, false);

    static Rnn.Options with(Rnn.Init init, boolean freezeRecurrent, boolean freezeReadout) {
        var d = Rnn.Options.defaults();
        return new Rnn.Options(
                d.bias(),
                init,
                d.radiusNumerator(),
                d.transplantRatio(),
                d.transplantRadius(),
                d.transplantAllLayers(),
                freezeRecurrent,
                freezeReadout);
    }

    static RecurrentNet build(int n, Rnn.Options o, long seed) {
        return Rnn.create(SEQUENCE, new int[] {n}, o, Blas.best(), new Rng(seed));
    }

    static Parameter param(Model m, String name) {
        return m.parameters().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aTransplantHasTheValuesOfBAndTheSingularSubspacesOfA() {
        Rng rng = new Rng(5);
        for (int[] shape : new int[][] {{30, 30}, {30, 12}}) {
            Matrix a = RecurrentInit.signedColumnEi(shape[0], shape[1] - 3, 3, rng),
                    b = Matrix.zeros(shape[0], shape[1]);
            RecurrentInit.uniform(b, 0.2, rng);
            Matrix w = RecurrentInit.transplant(a, b);
            Spectra.Svd result = Spectra.javaSvd(w), sa = Spectra.javaSvd(a);
            float[] sb = Spectra.javaSvd(b).s();
            assertThat(result.s()).containsExactly(sb, within(1e-5f * sb[0]));
            int k = sb.length;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    double left = 0, right = 0;
                    for (int r = 0; r < shape[0]; r++)
                        left += (double) sa.u().get(r, i) * result.u().get(r, j);
                    for (int c = 0; c < shape[1]; c++)
                        right += (double) sa.vt().get(i, c) * result.vt().get(j, c);
                    assertThat(Math.abs(left)).as("|U_A^T U|[%d][%d]", i, j).isCloseTo(i == j ? 1 : 0, within(1e-3));
                    assertThat(Math.abs(right)).as("|V_A^T V|[%d][%d]", i, j).isCloseTo(i == j ? 1 : 0, within(1e-3));
                    if (i == j)
                        assertThat(left * right)
                                .as("pair %d keeps its relative sign", i)
                                .isPositive();
                }
            }
        }
    }

    @Test
    void transplantedRecurrentMatricesCarryTheSpectrumOfTheirValueSource() {
        double coleiValues = 0, rnnValues = 0, pytorch = 0, top = 0;
        int seeds = 20;
        for (long seed = 1; seed <= seeds; seed++) {
            Matrix w1 = build(100, with(Rnn.Init.RNN_VECTORS_COLEI_VALUES, false, false), seed)
                    .effectiveWeight("rnn0")
                    .orElseThrow();
            Matrix w2 = build(100, with(Rnn.Init.COLEI_VECTORS_RNN_VALUES, false, false), seed)
                    .effectiveWeight("rnn0")
                    .orElseThrow();
            Matrix w3 = build(100, with(Rnn.Init.PYTORCH, false, false), seed)
                    .effectiveWeight("rnn0")
                    .orElseThrow();
            coleiValues += SpectralObservables.normalisedSvdEntropy(Spectra.singularValues(w1));
            float[] s2 = Spectra.singularValues(w2);
            rnnValues += SpectralObservables.normalisedSvdEntropy(s2);
            pytorch += SpectralObservables.normalisedSvdEntropy(Spectra.singularValues(w3));
            top += s2[0];
        }
        // column-E/I values (ratio 9, no zero diagonal): the dispersed spectrum, NSE about 0.797 (science.md §6.4)
        assertThat(coleiValues / seeds).isCloseTo(0.797, within(0.01));
        // PyTorch values: the clustered spectrum of U(+-1/sqrt(n)), largest singular value about 2 sqrt(n) / sqrt(3 n)
        assertThat(rnnValues / seeds).isCloseTo(pytorch / seeds, within(0.005));
        assertThat(top / seeds).isCloseTo(2 / Math.sqrt(3), within(0.05));
    }

    @Test
    void theRadiusSweepScalesTheUniformBound() {
        Matrix w = build(200, new Rnn.Options(true, Rnn.Init.UNIFORM_RADIUS, 2.0, 9, 1.5, true, false, false), 2)
                .effectiveWeight("rnn0")
                .orElseThrow();
        double bound = Math.sqrt(3 * 2.0 / 200), largest = 0, sq = 0;
        for (int i = 0; i < w.size(); i++) {
            largest = Math.max(largest, Math.abs(w.get(i)));
            sq += (double) w.get(i) * w.get(i);
        }
        assertThat(largest).isLessThanOrEqualTo(bound).isGreaterThan(0.99 * bound);
        assertThat(sq / w.size()).as("variance num / n").isCloseTo(2.0 / 200, within(0.05 * 2.0 / 200));
        assertThat(Spectra.spectralRadius(Spectra.javaEigenvalues(w)))
                .as("radius about sqrt(2)")
                .isCloseTo(Math.sqrt(2), within(0.1 * Math.sqrt(2)));
        assertThat(Rnn.Options.defaults().radiusNumerator())
                .as("1/3: PyTorch's bound")
                .isEqualTo(1.0 / 3);
    }

    @Test
    void frozenSignsSurviveSgdStepsThatFlipThemOtherwise() {
        for (Rnn.Init init : new Rnn.Init[] {Rnn.Init.PYTORCH, Rnn.Init.COLEI_VECTORS_RNN_VALUES}) {
            for (boolean freeze : new boolean[] {true, false}) {
                RecurrentNet net = build(20, with(init, freeze, freeze), 3);
                Parameter w = param(net, "rnn0.W"), readout = param(net, "readout.W"), u = param(net, "rnn0.U");
                float[] w0 = w.value().toArray(),
                        r0 = readout.value().toArray(),
                        u0 = u.value().toArray();
                ColumnEiRnnTest.sgdStepsThenCountNegative(net, w, 2.0, 10);
                int flippedW = flips(w0, w.value()),
                        flippedReadout = flips(r0, readout.value()),
                        flippedU = flips(u0, u.value());
                if (freeze) {
                    assertThat(flippedW).as("%s: flipped recurrent signs", init).isZero();
                    assertThat(flippedReadout)
                            .as("%s: flipped readout signs", init)
                            .isZero();
                    assertThat(flippedU)
                            .as("%s: the input matrix is not frozen", init)
                            .isPositive();
                } else {
                    assertThat(flippedW)
                            .as("%s: flips without the freeze", init)
                            .isPositive();
                    assertThat(flippedReadout)
                            .as("%s: readout flips without the freeze", init)
                            .isPositive();
                }
            }
        }
    }

    /**
     * The frozen-sign projection, over more than one chunk of the engine's element-wise passes (a 40 x 40
     * matrix: 1,600 values), gives the bits of {@code s0 max(s0 w, floor)} per element, with the initial
     * signs s0: kept signs unchanged, flipped ones and zeros (either sign) at the floor on their side.
     */
    @Test
    void theFrozenSignProjectionIsThePerElementFormulaBitForBit() {
        RecurrentNet net = build(40, with(Rnn.Init.PYTORCH, true, false), 4);
        Parameter w = param(net, "rnn0.W");
        float[] s0 = new float[w.value().size()], values = new float[s0.length];
        Rng rng = new Rng(12);
        for (int i = 0; i < s0.length; i++) {
            s0[i] = w.value().get(i) < 0f ? -1f : 1f;
            values[i] = switch (i % 5) {
                case 0 -> 0f;
                case 1 -> -0f;
                default -> (float) rng.nextGaussian(); // about half of them flipped
            };
        }
        w.value().copyFrom(values);
        net.projectBeyondParameters();
        for (int i = 0; i < s0.length; i++) {
            float expected = s0[i] * Math.max(s0[i] * values[i], RecurrentNet.SIGN_FLOOR);
            assertThat(Float.floatToRawIntBits(w.value().get(i)))
                    .as("element %d: %s with initial sign %s", i, values[i], s0[i])
                    .isEqualTo(Float.floatToRawIntBits(expected));
        }
    }

    private static int flips(float[] before, Matrix after) {
        int n = 0;
        for (int i = 0; i < before.length; i++) if ((before[i] < 0) != (after.get(i) < 0)) n++;
        return n;
    }

    /**
     * The EG paper's Mod-Cog cells (science.md §3.2): U ({@code n_h x n_in}) and W ({@code n_h x n_h}) with std
     * {@code gain / sqrt(n_h)} (fan_out); log-normal magnitudes with mean/std ratio r and signs +-1 at 1/2, so that
     * {@code log|w|} has the closed-form mean and std {@code mu = log(m^2 / sqrt(m^2 + v))}, {@code sigma = sqrt(log(1 +
     * 1/r^2))}; normal cells zero-mean with that std. Sample moments of 40,000 draws, within a few standard errors.
     */
    @Test
    void normalAndLogNormalCellsHaveTheStdAndLogMomentsOfTheirClosedForms() {
        int n = 200;
        double gain = 1.0, r = 1.5, std = gain / Math.sqrt(n);
        var d = Rnn.Options.defaults();
        for (Rnn.Init init : new Rnn.Init[] {Rnn.Init.NORMAL, Rnn.Init.LOGNORMAL}) {
            WeightInit cell = init == Rnn.Init.NORMAL
                    ? new WeightInit.Normal(gain, WeightInit.Fan.OUT)
                    : new WeightInit.LogNormal(gain, WeightInit.Fan.OUT, r);
            var o = new Rnn.Options(
                    d.bias(),
                    init,
                    d.radiusNumerator(),
                    d.transplantRatio(),
                    d.transplantRadius(),
                    d.transplantAllLayers(),
                    false,
                    false,
                    d.nonlinearity(),
                    cell);
            RecurrentNet net = build(n, o, 9);
            for (String name : new String[] {"rnn0.U", "rnn0.W"}) {
                Matrix w = param(net, name).value();
                assertThat(w.rows).isEqualTo(n);
                int count = w.size();
                double sum = 0, sq = 0, logSum = 0, logSq = 0, positive = 0;
                for (int i = 0; i < count; i++) {
                    double x = w.get(i);
                    sum += x;
                    sq += x * x;
                    double l = Math.log(Math.abs(x));
                    logSum += l;
                    logSq += l * l;
                    if (x > 0) positive++;
                }
                double mean = sum / count, rms = Math.sqrt(sq / count);
                assertThat(mean).as(init + " " + name + " mean").isCloseTo(0, within(4 * std / Math.sqrt(count)));
                assertThat(rms).as(init + " " + name + " std").isCloseTo(std, within(0.03 * std));
                assertThat(positive / count)
                        .as(init + " " + name + " positive")
                        .isCloseTo(0.5, within(4 * 0.5 / Math.sqrt(count)));
                if (init == Rnn.Init.LOGNORMAL) {
                    var ln = (WeightInit.LogNormal) cell;
                    double mu = ln.muLog(std), sigma = ln.sigmaLog();
                    assertThat(sigma).isCloseTo(Math.sqrt(Math.log(1 + 1 / (r * r))), within(1e-12));
                    double logMean = logSum / count, logStd = Math.sqrt(logSq / count - logMean * logMean);
                    assertThat(logMean)
                            .as(name + " mean of log|w|")
                            .isCloseTo(mu, within(4 * sigma / Math.sqrt(count)));
                    assertThat(logStd).as(name + " std of log|w|").isCloseTo(sigma, within(0.02 * sigma));
                }
            }
        }
    }

    @Test
    void aNormalOrLogNormalCellWithoutItsInitialisationIsRefusedSayingWhatItNeeds() {
        var d = Rnn.Options.defaults();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Rnn.Options(
                        d.bias(),
                        Rnn.Init.LOGNORMAL,
                        d.radiusNumerator(),
                        d.transplantRatio(),
                        d.transplantRadius(),
                        d.transplantAllLayers(),
                        false,
                        false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recurrent_init lognormal needs")
                .hasMessageContaining("init_gain");
    }
}

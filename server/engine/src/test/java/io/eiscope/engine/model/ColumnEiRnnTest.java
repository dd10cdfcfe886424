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
 * The column-E/I RNN of Li et al. 2023 (science.md §2.1b, §2.2, §6.4): exact spectral radius,
 * zero diagonal and column signs at init, the NSE anchor, the input and readout splits, and the
 * sign constraint (or its removal) under learning. Spectral radii are measured with the
 * pure-Java double-precision eigenvalues, independently of the LAPACK {@code sgeev} the
 * initialisation uses.
 */
class ColumnEiRnnTest {
    private static final TaskShape SEQUENCE = new TaskShape(28, 4, 10, false);

    static RecurrentNet build(int[] hidden, ColumnEiRnn.Options o, long seed) {
        return ColumnEiRnn.create(SEQUENCE, hidden, o, Blas.best(), new Rng(seed));
    }

    /** Largest eigenvalue modulus by Hessenberg QR in double. */
    static double radius(Matrix w) {
        return Spectra.spectralRadius(Spectra.javaEigenvalues(w));
    }

    @Test
    void theInitialRecurrentMatrixHasSpectralRadiusExactlyRhoZeroDiagonalAndSignedColumns() {
        for (long seed = 1; seed <= 5; seed++) {
            RecurrentNet net = build(new int[] {100}, ColumnEiRnn.Options.defaults(), seed);
            Matrix w = net.effectiveWeight("rnn0").orElseThrow();
            double rho = radius(w);
            assertThat(Math.abs(rho - 1.5))
                    .as("|max|lambda| - 1.5|, seed %d", seed)
                    .isLessThan(1e-5 * 1.5);
            for (int i = 0; i < 100; i++) {
                assertThat(w.get(i, i)).as("W[%d][%d]", i, i).isEqualTo(0f);
                for (int j = 0; j < 100; j++) {
                    if (j < 90)
                        assertThat(w.get(i, j)).as("excitatory column %d", j).isGreaterThanOrEqualTo(0f);
                    else assertThat(w.get(i, j)).as("inhibitory column %d", j).isLessThanOrEqualTo(0f);
                }
            }
        }
    }

    @Test
    void otherRadiiAblationAndADiagonalAreHonoured() {
        RecurrentNet net = build(new int[] {40}, new ColumnEiRnn.Options(4, 0.8, false, true, true), 9);
        Matrix w = net.effectiveWeight("rnn0").orElseThrow();
        assertThat(Math.abs(radius(w) - 0.8)).isLessThan(1e-5 * 0.8);
        int ni = ColumnEiMlp.split(40, 4).inhibitory(); // 8
        assertThat(ni).isEqualTo(8);
        int nonZeroDiagonal = 0;
        for (int i = 0; i < 40; i++) {
            if (i < 32 && w.get(i, i) != 0f) nonZeroDiagonal++;
            for (int j = 32; j < 40; j++)
                if (i >= 32) assertThat(w.get(i, j)).as("I->I W[%d][%d]", i, j).isEqualTo(0f);
        }
        assertThat(nonZeroDiagonal).isEqualTo(32);
    }

    @Test
    void normalisedSvdEntropyAtRatioNineAndHundredUnitsIsTheAnchor() {
        double sum = 0;
        int seeds = 40;
        for (long seed = 1; seed <= seeds; seed++) {
            Matrix w = build(new int[] {100}, ColumnEiRnn.Options.defaults(), 100 + seed)
                    .effectiveWeight("rnn0")
                    .orElseThrow();
            sum += SpectralObservables.normalisedSvdEntropy(Spectra.singularValues(w));
        }
        assertThat(sum / seeds)
                .as("mean NSE over %d seeds (science.md §6.4: 0.797 +- 0.005)", seeds)
                .isCloseTo(0.797, within(0.005));
    }

    @Test
    void theFirstCellReadsExcitatoryInputsAndDeeperCellsAndTheReadoutUseThePreviousSplit() {
        RecurrentNet net = build(new int[] {50, 30}, ColumnEiRnn.Options.defaults(), 4);
        Matrix u0 = net.effectiveWeight("rnn0.input").orElseThrow();
        double mean = 0;
        for (int i = 0; i < u0.size(); i++) {
            assertThat(u0.get(i)).isGreaterThanOrEqualTo(0f);
            mean += u0.get(i);
        }
        assertThat(mean / u0.size())
                .as("mean of Exp(sqrt(1/28))")
                .isCloseTo(Math.sqrt(1.0 / 28), within(0.1 * Math.sqrt(1.0 / 28)));
        Matrix u1 = net.effectiveWeight("rnn1.input").orElseThrow();
        int ni = ColumnEiMlp.split(50, 9).inhibitory(); // 5: the last 5 of rnn0's units
        for (int r = 0; r < u1.rows; r++) {
            for (int c = 0; c < u1.cols; c++) {
                if (c < 50 - ni) assertThat(u1.get(r, c)).isGreaterThanOrEqualTo(0f);
                else assertThat(u1.get(r, c)).isLessThanOrEqualTo(0f);
            }
        }
        ColumnEiDense readout = (ColumnEiDense) net.readout();
        assertThat(readout.inhibitoryInputs())
                .isEqualTo(ColumnEiMlp.split(30, 9).inhibitory());
        for (RecurrentCell c : net.cells())
            assertThat(c.bias().value().toArray()).containsOnly(0f);
        assertThat(readout.parameters().get(1).value().toArray()).containsOnly(0f);
    }

    @Test
    void projectionKeepsMagnitudesNonNegativeUnlessTheClampIsRemoved() {
        for (boolean constrained : new boolean[] {true, false}) {
            RecurrentNet net = build(new int[] {20}, new ColumnEiRnn.Options(9, 1.5, true, false, constrained), 2);
            Parameter wPos = net.parameters().stream()
                    .filter(p -> p.name().equals("rnn0.W_pos"))
                    .findFirst()
                    .orElseThrow();
            Parameter readout = net.parameters().stream()
                    .filter(p -> p.name().equals("readout.W_pos"))
                    .findFirst()
                    .orElseThrow();
            assertThat(wPos.sign()).isEqualTo(constrained ? Parameter.Sign.NON_NEGATIVE : Parameter.Sign.FREE);
            assertThat(readout.sign()).isEqualTo(constrained ? Parameter.Sign.NON_NEGATIVE : Parameter.Sign.FREE);
            int negative = sgdStepsThenCountNegative(net, wPos, 1.0, 10);
            if (constrained)
                assertThat(negative).as("negative W_pos entries with the clamp").isZero();
            else
                assertThat(negative)
                        .as("negative W_pos entries without the clamp")
                        .isPositive();
        }
    }

    /** {@code steps} plain SGD steps on random sequences and labels, then the number of negative entries of {@code p}. */
    static int sgdStepsThenCountNegative(RecurrentNet net, Parameter p, double learningRate, int steps) {
        Rng rng = new Rng(77);
        int batch = 16, classes = SEQUENCE.outputs();
        Matrix x = Matrix.zeros(batch, SEQUENCE.inputSize()), dLogits = Matrix.zeros(batch, classes);
        int[] labels = new int[batch], predictions = new int[batch];
        for (int step = 0; step < steps; step++) {
            for (int i = 0; i < x.size(); i++) x.set(i, (float) rng.nextDouble());
            for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(classes);
            SoftmaxCrossEntropy.meanLoss(net.forward(x), labels, dLogits, predictions);
            net.backward(dLogits);
            for (Parameter q : net.parameters()) Blas.best().axpy((float) -learningRate, q.grad(), q.value());
            net.project();
        }
        int negative = 0;
        for (int i = 0; i < p.value().size(); i++) if (p.value().get(i) < 0f) negative++;
        return negative;
    }
}

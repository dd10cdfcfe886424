package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.Spectra;
import org.junit.jupiter.api.Test;

/**
 * The CTRNN of Liu et al. 2024 (science.md §5.1–5.2): no biases, the leak, and the rank knob —
 * exactly r non-zero singular values at the Frobenius norm of the full-rank draw, one base draw
 * {@code W0} shared by every rank of a seed, checked against an independent truncation of an
 * independently drawn {@code W0} (pure-Java SVD in double).
 */
class CtrnnTest {
    private static final TaskShape SHAPE = new TaskShape(3, 8, 3, true);
    private static final int N = 60;
    private static final double GAIN = 1.25;

    static RecurrentNet build(int rank, long seed) {
        return Ctrnn.create(SHAPE, new Ctrnn.Options(N, 1.0, GAIN, rank), Blas.best(), new Rng(seed));
    }

    /** W0 = g Z / sqrt(N), drawn here from a fresh stream: the first draws of the model's init stream. */
    static Matrix baseDraw(long seed) {
        Rng rng = new Rng(seed);
        Matrix w0 = Matrix.zeros(N, N);
        double std = GAIN / Math.sqrt(N);
        for (int i = 0; i < w0.size(); i++) w0.set(i, (float) (rng.nextGaussian() * std));
        return w0;
    }

    static Matrix recurrent(RecurrentNet net) {
        return net.parameters().stream()
                .filter(p -> p.name().equals("rnn0.W"))
                .findFirst()
                .orElseThrow()
                .value();
    }

    @Test
    void theNetworkHasNoBiasesAndItsLeak() {
        RecurrentNet net = Ctrnn.create(SHAPE, new Ctrnn.Options(N, 0.2, GAIN, 0), Blas.best(), new Rng(1));
        assertThat(net.parameters()).extracting(Parameter::name).containsExactly("rnn0.U", "rnn0.W", "readout.w");
        assertThat(net.cells().get(0).bias()).isNull();
        assertThat(net.cells().get(0).alpha()).isCloseTo(0.2, within(1e-7));
        Matrix u = net.parameters().get(0).value(),
                out = net.parameters().get(2).value();
        for (int i = 0; i < u.size(); i++)
            assertThat(Math.abs(u.get(i))).isLessThanOrEqualTo((float) (1 / Math.sqrt(3)));
        for (int i = 0; i < out.size(); i++)
            assertThat(Math.abs(out.get(i))).isLessThanOrEqualTo((float) (1 / Math.sqrt(N)));
    }

    @Test
    void fullRankIsTheBaseDrawBitForBit() {
        assertThat(recurrent(build(0, 7)).toArray()).containsExactly(baseDraw(7).toArray());
        assertThat(recurrent(build(N, 7)).toArray()).containsExactly(baseDraw(7).toArray());
    }

    @Test
    void rankRHasExactlyRNonZeroSingularValuesAndTheFrobeniusNormOfTheFullRankDraw() {
        double full = RecurrentInit.frobenius(recurrent(build(0, 3)));
        for (int rank : new int[] {1, 5, 30}) {
            Matrix w = recurrent(build(rank, 3));
            float[] s = Spectra.javaSvd(w).s();
            for (int i = 0; i < rank; i++)
                assertThat(s[i]).as("sigma %d at rank %d", i, rank).isGreaterThan(1e-3f * s[0]);
            for (int i = rank; i < N; i++)
                assertThat(s[i]).as("sigma %d at rank %d", i, rank).isLessThan(1e-5f * s[0]);
            assertThat(RecurrentInit.frobenius(w))
                    .as("||W||_F at rank %d", rank)
                    .isCloseTo(full, within(1e-4 * full));
        }
    }

    @Test
    void everyRankOfASeedTruncatesTheSameBaseDrawAndSharesTheInputAndOutputWeights() {
        long seed = 11;
        Matrix w0 = baseDraw(seed);
        Spectra.Svd d = Spectra.javaSvd(w0);
        RecurrentNet fullRank = build(0, seed);
        for (int rank : new int[] {1, 5, 30}) {
            RecurrentNet net = build(rank, seed);
            double[] expected = new double[N * N];
            double sq = 0;
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    double v = 0;
                    for (int k = 0; k < rank; k++) v += (double) d.u().get(i, k) * d.s()[k] * d.vt().get(k, j);
                    expected[i * N + j] = v;
                    sq += v * v;
                }
            }
            double scale = RecurrentInit.frobenius(w0) / Math.sqrt(sq), largest = 0;
            for (int i = 0; i < expected.length; i++) largest = Math.max(largest, Math.abs(expected[i] *= scale));
            Matrix w = recurrent(net);
            for (int i = 0; i < expected.length; i++)
                assertThat((double) w.get(i))
                        .as("rank %d W[%d]", rank, i)
                        .isCloseTo(expected[i], within(1e-4 * largest));
            assertThat(net.parameters().get(0).value().toArray())
                    .as("W_in")
                    .containsExactly(fullRank.parameters().get(0).value().toArray());
            assertThat(net.parameters().get(2).value().toArray())
                    .as("W_out")
                    .containsExactly(fullRank.parameters().get(2).value().toArray());
        }
    }
}

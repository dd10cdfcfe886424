package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A cell's weight gradients over sequences long enough that OpenBLAS sums them in pieces along the steps (its
 * {@code kPiece}; BlasTest checks that these shapes are cut),
 * against their definition recomputed in double from the cell's own pre-activation gradients and hidden states:
 * {@code dW = alpha sum_{t>=1} dz_t^T h_{t-1}}, {@code dU = alpha sum_t dz_t^T x_t}, {@code db = alpha sum_t dz_t}.
 * (The gradients' own correctness at small sizes is {@link RecurrentNetGradientTest}'s, by finite differences.)
 */
class RecurrentCellWeightGradientTest {

    @ParameterizedTest(name = "{0} units, {1} inputs, {2} steps of {3}, alpha {4}")
    @CsvSource({"40, 30, 30, 30, 1.0", "100, 28, 28, 32, 1.0", "50, 24, 24, 40, 0.5"})
    void everyStepIsSummedOnce(int n, int in, int steps, int batch, double alpha) {
        RecurrentCell cell = new RecurrentCell(
                "rnn0",
                Connectivity.Plain.create("rnn0.U", n, in, in),
                Connectivity.Plain.create("rnn0.W", n, n, n),
                Parameter.of("rnn0.b", 1, n, Parameter.Sign.FREE, Parameter.Role.BIAS, n, n),
                alpha,
                Blas.best());
        Rng rng = new Rng(n * 131L + steps);
        for (Parameter p : cell.parameters()) fill(p.value(), rng, 1 / Math.sqrt(n));
        int k = steps * batch;
        Matrix x = Matrix.zeros(k, in), dh = Matrix.zeros(k, n);
        fill(x, rng, 1);
        fill(dh, rng, 1);
        Matrix h = cell.forward(x, steps).copy();
        cell.backward(dh, false);
        Matrix dz = cell.preActivationGrad();

        double[] dW = new double[n * n], dU = new double[n * in], db = new double[n];
        double wScale = 0, uScale = 0;
        for (int r = 0; r < k; r++)
            for (int i = 0; i < n; i++) {
                double d = alpha * dz.get(r * n + i);
                db[i] += d;
                for (int j = 0; j < in; j++) {
                    dU[i * in + j] += d * x.get(r * in + j);
                    uScale += Math.abs(d * x.get(r * in + j));
                }
                if (r >= batch)
                    for (int j = 0; j < n; j++) {
                        dW[i * n + j] += d * h.get((r - batch) * n + j);
                        wScale += Math.abs(d * h.get((r - batch) * n + j));
                    }
            }
        assertClose(cell.recurrent().effectiveGrad(), dW, 1e-5 * wScale / (n * n), "dW");
        assertClose(cell.input().effectiveGrad(), dU, 1e-5 * uScale / (n * in), "dU");
        assertClose(cell.bias().grad(), db, 1e-4, "db");
    }

    private static void assertClose(Matrix actual, double[] expected, double tolerance, String what) {
        assertThat(actual.size()).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++)
            assertThat((double) actual.get(i)).as("%s[%d]", what, i).isCloseTo(expected[i], Offset.offset(tolerance));
    }

    private static void fill(Matrix m, Rng rng, double scale) {
        for (int i = 0; i < m.size(); i++) m.set(i, (float) (scale * (2 * rng.nextDouble() - 1)));
    }
}

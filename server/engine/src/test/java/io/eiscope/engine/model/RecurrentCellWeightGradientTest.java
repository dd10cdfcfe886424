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
    @CsvSource({
        "40, 30, 30, 30, 1.0",
        "100, 28, 28, 32, 1.0",
        "50, 24, 24, 40, 0.5",
        "300, 28, 12, 32, 1.0", // the recurrence's products in pieces too, by W's transposed copy
        "200, 20, 10, 8, 0.7"
    })
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
        checkEachStepFromTheOneBefore(cell, x, h, dh, dz, steps, batch, alpha);

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

    /**
     * Each step of the forward pass, {@code h_t = relu((1 - alpha) h_{t-1} + alpha (U x_t + W h_{t-1} + b))}, and of
     * the backward pass, {@code dz_t = relu'(h_t) (dh_t + alpha dz_{t+1} W + (1 - alpha) dz_{t+1})}, recomputed in
     * double from the cell's own values of the step next to it.
     */
    private static void checkEachStepFromTheOneBefore(
            RecurrentCell cell, Matrix x, Matrix h, Matrix dh, Matrix dz, int steps, int batch, double alpha) {
        int n = cell.units(), in = cell.inputSize();
        Matrix u = cell.effectiveInput(),
                w = cell.effectiveRecurrent(),
                b = cell.bias().value();
        double worstH = 0, worstDz = 0;
        for (int t = 0; t < steps; t++)
            for (int e = 0; e < batch; e++)
                for (int i = 0; i < n; i++) {
                    int row = t * batch + e;
                    double z = b.get(i), prev = t > 0 ? h.get((row - batch) * n + i) : 0;
                    for (int j = 0; j < in; j++) z += (double) u.get(i * in + j) * x.get(row * in + j);
                    if (t > 0)
                        for (int j = 0; j < n; j++) z += (double) w.get(i * n + j) * h.get((row - batch) * n + j);
                    double expected = Math.max(0, (1 - alpha) * prev + alpha * z);
                    worstH = Math.max(worstH, Math.abs(h.get(row * n + i) - expected));
                    double g = dh.get(row * n + i);
                    if (t < steps - 1) {
                        double back = 0;
                        for (int j = 0; j < n; j++) back += (double) dz.get((row + batch) * n + j) * w.get(j * n + i);
                        g += alpha * back + (1 - alpha) * dz.get((row + batch) * n + i);
                    }
                    double expectedDz = h.get(row * n + i) > 0 ? g : 0;
                    worstDz = Math.max(worstDz, Math.abs(dz.get(row * n + i) - expectedDz));
                }
        assertThat(worstH).as("largest error of a hidden state").isLessThan(1e-4);
        assertThat(worstDz).as("largest error of a pre-activation gradient").isLessThan(1e-4);
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

package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link RecurrentCell#backwardFromLast} against {@link RecurrentCell#backward} given the same gradient with zeros
 * at every other step: the same parameter and input gradients, value for value, whatever an earlier backward call
 * left in the cell's buffers (the zeros it skips are never read).
 */
class RecurrentCellLastStepTest {

    @ParameterizedTest(name = "{0} units, batch {1}, alpha {2}, {3}")
    @CsvSource({
        "6, 3, 1.0, RELU", // W transposed in the products
        "6, 8, 1.0, RELU", // the transposed copy
        "7, 5, 0.3, RELU",
        "5, 4, 1.0, TANH",
        "5, 4, 0.5, TANH"
    })
    void givesTheGradientsOfAFullBackwardWithZerosBeforeTheLastStep(int n, int batch, double alpha, Activation f) {
        int steps = 6, in = 3;
        RecurrentCell cell = cell(n, in, alpha, f);
        Rng rng = new Rng(31L * n + batch);
        for (Parameter p : cell.parameters()) fill(p.value(), rng, 0.6);
        Matrix x = Matrix.zeros(steps * batch, in);
        fill(x, rng, 1.0);
        Matrix dLast = Matrix.zeros(batch, n);
        fill(dLast, rng, 1.0);
        Matrix padded = Matrix.zeros(steps * batch, n);
        for (int i = 0; i < dLast.size(); i++) padded.set((steps - 1) * batch * n + i, dLast.get(i));

        cell.forward(x, steps);
        Matrix dxFull = cell.backward(padded, true).copy();
        List<Matrix> full = grads(cell);

        Matrix noise = Matrix.zeros(steps * batch, n); // leaves non-zero gradients in every step's buffer
        fill(noise, rng, 5.0);
        cell.backward(noise, true);
        Matrix dxLast = cell.backwardFromLast(dLast, true);
        List<Matrix> last = grads(cell);

        assertThat(full).hasSameSizeAs(last);
        for (int g = 0; g < full.size(); g++)
            assertSameValues(last.get(g), full.get(g), cell.parameters().get(g).name());
        assertSameValues(dxLast, dxFull, "dx");
        float sum = 0;
        for (int i = 0; i < dxFull.size(); i++) sum += Math.abs(dxFull.get(i));
        assertThat(sum).as("the gradient reaches the input").isPositive();
    }

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"4, 5", "3, 6", "12, 5"})
    void refusesALastStepGradientOfAnotherShape(int rows, int cols) {
        RecurrentCell cell = cell(5, 3, 1.0, Activation.RELU);
        cell.forward(Matrix.zeros(4 * 3, 3), 4);
        assertThatThrownBy(() -> cell.backwardFromLast(Matrix.zeros(rows, cols), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rnn0: last-step gradient shape mismatch");
    }

    private static RecurrentCell cell(int n, int in, double alpha, Activation f) {
        return new RecurrentCell(
                "rnn0",
                Connectivity.Plain.create("rnn0.U", n, in, in),
                Connectivity.Plain.create("rnn0.W", n, n, n),
                Parameter.of("rnn0.b", 1, n, Parameter.Sign.FREE, Parameter.Role.BIAS, n, n),
                alpha,
                f,
                Blas.best());
    }

    private static List<Matrix> grads(RecurrentCell cell) {
        List<Matrix> out = new ArrayList<>();
        for (Parameter p : cell.parameters()) out.add(p.grad().copy());
        return out;
    }

    private static void fill(Matrix m, Rng rng, double scale) {
        for (int i = 0; i < m.size(); i++) m.set(i, (float) (scale * (2 * rng.nextDouble() - 1)));
    }

    /** Equal values ({@code ==}: a zero's sign aside). */
    private static void assertSameValues(Matrix actual, Matrix expected, String what) {
        assertThat(actual.size()).as(what).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++)
            assertThat(actual.get(i) == expected.get(i))
                    .as("%s[%d]: %s, a full backward gives %s", what, i, actual.get(i), expected.get(i))
                    .isTrue();
    }
}

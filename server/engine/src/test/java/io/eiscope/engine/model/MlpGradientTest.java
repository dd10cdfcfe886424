package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/**
 * Analytic gradients of the MLP (dense layers, ReLU, softmax cross-entropy) against central
 * finite differences of the loss. The layers compute in float32, so the check uses a step of
 * 1e-2 and compares with a relative tolerance; inputs keep pre-activations away from the
 * ReLU kink.
 */
class MlpGradientTest {

    @Test
    void analyticGradientsMatchCentralFiniteDifferences() {
        Rng rng = new Rng(1);
        FeedForwardNet mlp = Mlp.create(5, new int[] {4, 3}, 3, Blas.best(), rng);
        for (Parameter p : mlp.parameters()) {
            if (p.name().endsWith(".b"))
                for (int i = 0; i < p.value().size(); i++) p.value().set(i, (float) (0.1 * rng.nextGaussian()));
        }
        Matrix x = Matrix.zeros(6, 5);
        for (int i = 0; i < x.size(); i++) x.set(i, (float) rng.nextDouble());
        int[] y = {0, 1, 2, 1, 0, 2};
        Matrix d = Matrix.zeros(6, 3);
        SoftmaxCrossEntropy.compute(mlp.forward(x), y, d);
        mlp.backward(d);
        double eps = 1e-2;
        int checked = 0;
        for (Parameter p : mlp.parameters()) {
            float[] analytic = p.grad().toArray();
            for (int i = 0; i < p.value().size(); i++) {
                float w = p.value().get(i);
                p.value().set(i, (float) (w + eps));
                double up = SoftmaxCrossEntropy.compute(mlp.forward(x), y, null).loss();
                p.value().set(i, (float) (w - eps));
                double down =
                        SoftmaxCrossEntropy.compute(mlp.forward(x), y, null).loss();
                p.value().set(i, w);
                double numeric = (up - down) / (2 * eps);
                assertThat(analytic[i])
                        .as(p.name() + "[" + i + "]")
                        .isCloseTo((float) numeric, org.assertj.core.data.Offset.offset((float)
                                (2e-3 + 0.02 * Math.abs(numeric))));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(5 * 4 + 4 + 4 * 3 + 3 + 3 * 3 + 3);
    }

    @Test
    void softmaxCrossEntropyMatchesTheClosedForm() {
        Matrix logits = Matrix.of(2, 3, new float[] {1f, 2f, 3f, 0f, 0f, 0f});
        Matrix d = Matrix.zeros(2, 3);
        SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.compute(logits, new int[] {2, 0}, d);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double expected = ((Math.log(z) - 3) + Math.log(3)) / 2;
        assertThat(r.loss()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.correct()).isEqualTo(2); // row 2 ties: argmax takes the first class, the label
        assertThat((double) d.get(0, 2))
                .isCloseTo((Math.exp(3) / z - 1) / 2, org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) d.get(1, 1)).isCloseTo((1.0 / 3) / 2, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void heInitialisationHasTheRequestedVariancePerLayer() {
        FeedForwardNet mlp = Mlp.create(784, new int[] {500}, 10, Blas.best(), new Rng(3));
        Matrix w0 = mlp.parameters().get(0).value(),
                w1 = mlp.parameters().get(2).value();
        assertThat(variance(w0) * 784).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.02));
        assertThat(variance(w1) * 500).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.1));
    }

    private static double variance(Matrix m) {
        double s = 0, s2 = 0;
        for (int i = 0; i < m.size(); i++) {
            s += m.get(i);
            s2 += (double) m.get(i) * m.get(i);
        }
        double mean = s / m.size();
        return s2 / m.size() - mean * mean;
    }
}

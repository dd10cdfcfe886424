package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.tensor.Matrix;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The non-linearities against closed forms and central differences in double precision. */
class ActivationTest {
    private static final float[] Z = {-6f, -2.5f, -1f, -0.3f, -1e-4f, 0f, 1e-4f, 0.3f, 1f, 2.5f, 6f};

    @Test
    void tanhAndItsDerivativeMatchTheClosedFormAndCentralDifferences() {
        Matrix z = Matrix.zeros(1, Z.length), h = Matrix.zeros(1, Z.length), dh = Matrix.zeros(1, Z.length);
        for (int i = 0; i < Z.length; i++) {
            z.set(i, Z[i]);
            dh.set(i, 1f);
        }
        Activation.TANH.apply(z, h);
        Activation.TANH.backward(z, dh);
        double step = 1e-6;
        for (int i = 0; i < Z.length; i++) {
            double x = Z[i];
            double closedForm = (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1);
            double central = (Math.tanh(x + step) - Math.tanh(x - step)) / (2 * step);
            assertThat((double) h.get(i)).as("tanh(%s)", x).isCloseTo(closedForm, Offset.offset(1e-7));
            assertThat((double) dh.get(i))
                    .as("tanh'(%s)", x)
                    .isCloseTo(central, Offset.offset(1e-6 * Math.max(1, Math.abs(central))));
        }
        assertThat(dh.get(5)).as("tanh'(0) = 1").isEqualTo(1f);
    }

    @Test
    void tanhsMaskFromItsOutputEqualsItsBackwardFromTheInput() {
        int n = Z.length;
        Matrix z = Matrix.zeros(1, n), dz = Matrix.zeros(1, n), h = Matrix.zeros(1, n), dh = Matrix.zeros(1, n);
        for (int i = 0; i < n; i++) {
            z.set(i, Z[i]);
            dh.set(i, 0.5f + i);
            dz.set(i, 0.5f + i);
            h.set(i, (float) Math.tanh(Z[i]));
        }
        float[] row = new float[n];
        Activation.TANH.maskRow(h, dh, 0, n, row, new float[n]);
        Activation.TANH.backward(z, dz);
        assertThat(dh.toArray()).isEqualTo(dz.toArray());
        assertThat(row).as("the masked row, left in the scratch").isEqualTo(dz.toArray());
    }
}

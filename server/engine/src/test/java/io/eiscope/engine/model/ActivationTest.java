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

    /**
     * The server runs on JDK 17 or on a JDK 22+ ({@code tools/jdk22.sh}), and must train to the same weights on
     * either. JDK 17's {@code Math.tanh} is {@code StrictMath}'s (fdlibm, specified bit for bit); JDK 24 and later
     * compile it to an intrinsic that differs in double for about 14 % of inputs. Rounded to float, as {@link
     * Activation#TANH} rounds it, the two agree on every float: checked here on each JDK the tests run on, for
     * every positive float below 20 (above it both are 1) and a million negative ones (6 s on JDK 25, 2 cores).
     */
    @Test
    void tanhRoundedToFloatHasStrictMathsBitsForEveryFloat() {
        int below = Float.floatToRawIntBits(20f);
        // Every positive float where Math.tanh is an intrinsic (JDK 24+); where it is StrictMath's, a sample.
        int step = Runtime.version().feature() >= 24 ? 1 : 997;
        long differ = java.util.stream.IntStream.range(0, below / step)
                .map(i -> i * step)
                .parallel()
                .filter(b -> {
                    float z = Float.intBitsToFloat(b);
                    return (float) Math.tanh(z) != (float) StrictMath.tanh(z);
                })
                .count();
        assertThat(differ)
                .as("positive floats whose Math.tanh rounds otherwise than StrictMath.tanh")
                .isZero();
        java.util.Random rng = new java.util.Random(24);
        for (int i = 0; i < 1_000_000; i++) {
            float z = -Float.intBitsToFloat(rng.nextInt(below));
            assertThat((float) Math.tanh(z)).as("tanh(%s)", z).isEqualTo((float) StrictMath.tanh(z));
        }
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

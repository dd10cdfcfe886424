package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ElementwiseReluTest {
    /** Pre-activations with every kind of float a layer can produce: signed zeros, NaNs of both signs, extremes. */
    private static float[] preActivations() {
        float[] special = SpecialFloats.KINDS;
        Random rng = new Random(7);
        float[] z = new float[special.length + 5000];
        System.arraycopy(special, 0, z, 0, special.length);
        for (int i = special.length; i < z.length; i++) z[i] = (float) rng.nextGaussian();
        return z;
    }

    @Test
    void theMaskGivesTheBitsOfTheBranchOnEveryReluOutput() {
        float[] z = preActivations(); // longer than a chunk, so the mask crosses chunk boundaries
        int n = z.length;
        float[] h = z.clone();
        Elementwise.clampNonNegative(h, n);
        Random rng = new Random(8);
        float[] before = new float[n];
        for (int i = 0; i < n; i++) before[i] = i % 7 == 0 ? Float.NaN : (float) rng.nextGaussian();
        before[1] = -0f;

        float[] expected = before.clone(); // the branch this replaces, element by element
        for (int i = 0; i < n; i++) {
            if (h[i] <= 0f) expected[i] = 0f;
        }
        Matrix dz = Matrix.of(1, n, before);
        Elementwise.maskByReluOutput(Matrix.of(1, n, h), dz, 0, n, dz);
        for (int i = 0; i < n; i++) {
            assertThat(Float.floatToRawIntBits(dz.get(i)))
                    .as("element %d: z=%s h=%s", i, z[i], h[i])
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
        // and it did act: every non-positive z cleared its gradient to +0, every NaN h kept it
        assertThat(Float.floatToRawIntBits(dz.get(1))).isZero(); // z = -0: cleared, and +0, not -0
        assertThat(h[3]).isNaN();
        assertThat(dz.get(3)).isEqualTo(before[3]).isNotZero(); // z a NaN with its sign bit: kept
        assertThat(Float.floatToRawIntBits(dz.get(6))).isZero(); // z = -inf
    }

    @Test
    void aRangeIsMaskedIntoTheOutputAndNothingElseIsWritten() {
        int rows = 3, cols = Elementwise.CHUNK + 300, off = cols + 5, n = Elementwise.CHUNK + 7;
        Random rng = new Random(9);
        float[] h = new float[rows * cols], g = new float[rows * cols];
        for (int i = 0; i < h.length; i++) {
            h[i] = Math.max((float) rng.nextGaussian(), 0f);
            g[i] = (float) rng.nextGaussian();
        }
        Matrix dz = Matrix.of(rows, cols, g), out = Matrix.zeros(rows, cols);
        out.fill(42f);
        Elementwise.maskByReluOutput(Matrix.of(rows, cols, h), dz, off, n, out);
        for (int i = 0; i < h.length; i++) {
            float want = i < off || i >= off + n ? 42f : h[i] > 0 ? g[i] : 0f;
            assertThat(out.get(i)).as("element %d", i).isEqualTo(want);
        }
        assertThat(dz.toArray()).as("the gradient read, not written").isEqualTo(g);
    }

    @Test
    void bitsAreTheSameMemoryAsTheFloatsInViewsToo() {
        Matrix m = Matrix.of(4, 3, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        Matrix rows = m.rowsView(1, 2);
        assertThat(rows.bits().get(0)).isEqualTo(Float.floatToRawIntBits(3f));
        rows.bits().put(5, Float.floatToRawIntBits(-1.5f));
        assertThat(m.get(2, 2)).isEqualTo(-1.5f);
        assertThat(m.reshapeView(2, 6).bits().get(8)).isEqualTo(Float.floatToRawIntBits(-1.5f));
    }
}

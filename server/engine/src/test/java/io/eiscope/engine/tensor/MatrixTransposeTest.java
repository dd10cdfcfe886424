package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.random.Rng;
import org.junit.jupiter.api.Test;

/** {@link Matrix#transposeInto}: element (c, r) of the transpose is element (r, c), for views too; wrong sizes are refused. */
class MatrixTransposeTest {

    @Test
    void theTransposeHoldsEveryElementAtItsMirroredPlace() {
        Rng rng = new Rng(3);
        for (int[] shape : new int[][] {{7, 13}, {13, 7}, {1, 9}, {9, 1}, {5, 16}, {3, 17}, {100, 100}, {33, 500}}) {
            int rows = shape[0], cols = shape[1];
            Matrix a = Matrix.zeros(rows, cols), t = Matrix.zeros(cols, rows);
            for (int i = 0; i < a.size(); i++) a.set(i, (float) rng.nextGaussian());
            t.fill(Float.NaN);
            a.transposeInto(t, new float[a.size() + rows]);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    assertThat(Float.floatToRawIntBits(t.get(c, r)))
                            .as("%dx%d at (%d, %d)", rows, cols, r, c)
                            .isEqualTo(Float.floatToRawIntBits(a.get(r, c)));
        }
    }

    @Test
    void everyBlasTransposesToTheSameBitsAsTheMatrixDoes() {
        Rng rng = new Rng(4);
        for (Blas blas : new Blas[] {new JavaBlas(), Blas.best()})
            for (int[] shape : new int[][] {{7, 13}, {1, 9}, {9, 1}, {100, 100}, {33, 500}}) {
                int rows = shape[0], cols = shape[1];
                Matrix whole = Matrix.zeros(rows + 2, cols), expected = Matrix.zeros(cols, rows);
                for (int i = 0; i < whole.size(); i++) whole.set(i, (float) rng.nextGaussian());
                Matrix a = whole.rowsView(1, rows), t = Matrix.zeros(cols, rows);
                t.fill(Float.NaN);
                a.transposeInto(expected, new float[a.size() + rows]);
                blas.transpose(a, t, new float[a.size() + rows]);
                assertThat(t.toArray()).as("%s, %dx%d", blas.name(), rows, cols).containsExactly(expected.toArray());
                for (int r = 0; r < rows; r++) assertThat(t.get(0, r)).isEqualTo(whole.get(r + 1, 0));
            }
        assertThatThrownBy(() -> Blas.best().transpose(Matrix.zeros(3, 5), Matrix.zeros(3, 5), new float[18]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is 5x3, got 3x5");
    }

    @Test
    void aViewOfRowsIsTransposedFromItsOwnRows() {
        Matrix whole = Matrix.zeros(6, 4), t = Matrix.zeros(4, 2);
        for (int i = 0; i < whole.size(); i++) whole.set(i, i);
        whole.rowsView(3, 2).transposeInto(t, new float[10]);
        assertThat(t.toArray()).containsExactly(12, 16, 13, 17, 14, 18, 15, 19);
    }

    @Test
    void aTargetOfTheWrongShapeOrTooLittleScratchIsRefusedWithTheSizes() {
        Matrix a = Matrix.zeros(3, 5);
        assertThatThrownBy(() -> a.transposeInto(Matrix.zeros(3, 5), new float[100]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is 5x3, got 3x5");
        assertThatThrownBy(() -> a.transposeInto(Matrix.zeros(5, 3), new float[17]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 18 floats of scratch, got 17");
    }
}

package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** The adding problem of science.md §2.5: layout, markers, targets, statistics and determinism. */
class AddingProblemTest {
    private static final AddingProblem.Hyper SMALL = new AddingProblem.Hyper(20, 4_000, 500);

    /** Checks every row of a batch from the matrix alone: two markers, target = the sum of the marked values. */
    private static void assertRowsAreAddingExamples(Matrix x, Matrix y, int len) {
        for (int r = 0; r < x.rows; r++) {
            int markers = 0;
            double sum = 0;
            for (int t = 0; t < len; t++) {
                float value = x.get(r, 2 * t), marker = x.get(r, 2 * t + 1);
                assertThat(value).isBetween(0f, 1f);
                assertThat(marker).isIn(0f, 1f);
                if (marker == 1f) {
                    markers++;
                    sum += value;
                }
            }
            assertThat(markers).as("markers of row %d", r).isEqualTo(2);
            assertThat((double) y.get(r)).as("target of row %d", r).isCloseTo(sum, within(1e-6));
        }
    }

    @Test
    void everySequenceHasExactlyTwoMarkersAndItsTargetIsTheSumOfTheMarkedValues() {
        AddingProblem task = new AddingProblem(SMALL, 1);
        Matrix x = Matrix.zeros(64, task.inputSize()), y = Matrix.zeros(64, task.targetWidth());
        for (int b = 0; b < 70; b++) { // more than one epoch of 4,000
            task.nextBatch(x, y);
            assertRowsAreAddingExamples(x, y, 20);
        }
        Matrix tx = Matrix.zeros(500, task.inputSize()), ty = Matrix.zeros(500, 1);
        task.testBatch(0, tx, ty);
        assertRowsAreAddingExamples(tx, ty, 20);
    }

    @Test
    void stepTHoldsTheValueAndMarkerOfStepTAndTheTestSetFollowsTheTrainingSet() {
        AddingProblem task = new AddingProblem(new AddingProblem.Hyper(7, 30, 10), 2);
        assertThat(task.shape()).isEqualTo(new TaskShape(2, 7, 1, false));
        assertThat(task.inputSize()).isEqualTo(14);
        assertThat(task.targetWidth()).isEqualTo(1);
        assertThat(task.objective().hasAccuracy()).isFalse();
        Matrix x = Matrix.zeros(10, 14), y = Matrix.zeros(10, 1);
        task.testBatch(0, x, y);
        for (int r = 0; r < 10; r++) {
            for (int t = 0; t < 7; t++) assertThat(x.get(r, 2 * t)).isEqualTo(task.value(30 + r, t));
            assertThat(y.get(r)).isEqualTo(task.target(30 + r));
        }
    }

    @Test
    void valuesAreUniformAndMarkedPositionsAreUniformAndDistinct() {
        AddingProblem task = new AddingProblem(new AddingProblem.Hyper(10, 20_000, 1), 3);
        Matrix x = Matrix.zeros(20_000, 20), y = Matrix.zeros(20_000, 1);
        task.nextBatch(x, y); // one whole epoch
        double sum = 0;
        int[] markedAt = new int[10];
        for (int r = 0; r < 20_000; r++)
            for (int t = 0; t < 10; t++) {
                sum += x.get(r, 2 * t);
                if (x.get(r, 2 * t + 1) == 1f) markedAt[t]++;
            }
        // 200,000 values of U[0, 1): the standard error of the mean is 0.00065
        assertThat(sum / 200_000).isCloseTo(0.5, within(0.003));
        // each position is marked with probability 2/10; 20,000 draws: standard error 0.0028
        for (int t = 0; t < 10; t++)
            assertThat(markedAt[t] / 20_000.0).as("position %d", t).isCloseTo(0.2, within(0.012));
    }

    @Test
    void theSameSeedGivesTheSameBatchesAndRestoreResumesTheOrder() {
        AddingProblem a = new AddingProblem(SMALL, 5), b = new AddingProblem(SMALL, 5);
        Matrix xa = Matrix.zeros(32, 40), ya = Matrix.zeros(32, 1), xb = Matrix.zeros(32, 40), yb = Matrix.zeros(32, 1);
        a.nextBatch(xa, ya);
        Task.State mark = a.snapshot();
        a.nextBatch(xa, ya);
        float[] after = xa.toArray();
        b.nextBatch(xb, yb);
        b.nextBatch(xb, yb);
        assertThat(xb.toArray()).containsExactly(after);
        a.restore(mark);
        a.nextBatch(xa, ya);
        assertThat(xa.toArray()).containsExactly(after);
        assertThat(new AddingProblem(SMALL, 6).value(0, 0)).isNotEqualTo(a.value(0, 0));
    }

    @Test
    void badSizesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new AddingProblem.Hyper(1, 10, 10))
                .hasMessageContaining("task.sequence_length must be >= 2");
        assertThatThrownBy(() -> new AddingProblem.Hyper(1000, 100_000, 1_000))
                .hasMessageContaining("task.train_size + task.test_size times task.sequence_length must be <= 20000000")
                .hasMessageContaining("101000000");
    }
}

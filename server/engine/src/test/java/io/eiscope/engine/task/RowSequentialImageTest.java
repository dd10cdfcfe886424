package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.TestData;
import io.eiscope.engine.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** Row-sequential MNIST and Fashion-MNIST: step t is image row t; same data and order as the flat tasks. */
class RowSequentialImageTest {

    @Test
    void stepTOfEachRowIsImageRowTOfTheDataset() {
        ImageDataset data = ImageDataset.load(TestData.dataDir(), "mnist");
        ImageClassification task = ImageClassification.rowSequential(data, 1);
        TaskShape shape = task.shape();
        assertThat(shape).isEqualTo(new TaskShape(28, 28, 10, false));
        assertThat(task.inputSize()).isEqualTo(shape.inputSize()).isEqualTo(784);
        assertThat(task.targetWidth()).isEqualTo(1);
        assertThat(task.objective()).isEqualTo(new Objective.SoftmaxCrossEntropy(1));
        Matrix x = Matrix.zeros(5, 784), y = Matrix.zeros(5, 1);
        int from = 17;
        task.testBatch(from, x, y);
        for (int r = 0; r < 5; r++) {
            int image = data.trainSize + from + r;
            for (int t = 0; t < 28; t++)
                for (int j = 0; j < 28; j++)
                    assertThat(x.get(r, t * shape.stepInputs() + j))
                            .isEqualTo(data.pixel(image, t * data.cols + j) / 255f);
            assertThat((int) y.get(r)).isEqualTo(data.label(image));
        }
    }

    @Test
    void trainingBatchesMatchTheFlatTaskOfTheSameSeed() {
        ImageDataset data = ImageDataset.load(TestData.dataDir(), "fashion-mnist");
        ImageClassification sequential = ImageClassification.rowSequential(data, 4),
                flat = new ImageClassification(data, 4);
        assertThat(flat.shape()).isEqualTo(TaskShape.flat(784, 10));
        assertThat(sequential.trainSize()).isEqualTo(60_000);
        assertThat(sequential.testSize()).isEqualTo(10_000);
        Matrix xs = Matrix.zeros(16, 784),
                ys = Matrix.zeros(16, 1),
                xf = Matrix.zeros(16, 784),
                yf = Matrix.zeros(16, 1);
        for (int b = 0; b < 3; b++) {
            sequential.nextBatch(xs, ys);
            flat.nextBatch(xf, yf);
            assertThat(xs.toArray()).containsExactly(xf.toArray());
            assertThat(ys.toArray()).containsExactly(yf.toArray());
        }
    }

    /** Reads every training example of one epoch, returns the dataset image each equals (by pixels and label). */
    private static java.util.Set<Integer> imagesOfOneEpoch(ImageDataset data, ImageClassification task) {
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        Matrix x = Matrix.zeros(1, 784), y = Matrix.zeros(1, 1);
        for (int k = 0; k < task.trainSize(); k++) {
            task.nextBatch(x, y);
            int found = -1;
            for (int i = data.trainSize; i < data.trainSize + data.testSize && found < 0; i++) {
                boolean same = data.label(i) == (int) y.get(0);
                for (int p = 0; same && p < 784; p++) same = x.get(0, p) == data.pixel(i, p) / 255f;
                if (same) found = i;
            }
            assertThat(found).as("training example %d is a test image", k).isNotNegative();
            seen.add(found);
        }
        return seen;
    }

    @Test
    void aTestSubsetIsLearnedAndHeldOutAndDependsOnlyOnTheSeed() {
        ImageDataset data = ImageDataset.load(TestData.dataDir(), "mnist");
        ImageClassification task = ImageClassification.rowSequentialTestSubset(data, 3, 40);
        assertThat(task.trainSize()).isEqualTo(40);
        assertThat(task.testSize()).isEqualTo(40);
        java.util.Set<Integer> learned = imagesOfOneEpoch(data, task);
        assertThat(learned).hasSize(40); // one epoch visits 40 distinct test images
        // the held-out set is the same 40 images
        Matrix x = Matrix.zeros(40, 784), y = Matrix.zeros(40, 1);
        task.testBatch(0, x, y);
        java.util.Set<Integer> heldOut = new java.util.TreeSet<>();
        for (int r = 0; r < 40; r++)
            for (int i = data.trainSize; i < data.trainSize + data.testSize; i++) {
                boolean same = data.label(i) == (int) y.get(r);
                for (int p = 0; same && p < 784; p++) same = x.get(r, p) == data.pixel(i, p) / 255f;
                if (same) {
                    heldOut.add(i);
                    break;
                }
            }
        assertThat(heldOut).isEqualTo(learned);
        assertThat(imagesOfOneEpoch(data, ImageClassification.rowSequentialTestSubset(data, 3, 40)))
                .isEqualTo(learned);
        assertThat(imagesOfOneEpoch(data, ImageClassification.rowSequentialTestSubset(data, 4, 40)))
                .isNotEqualTo(learned);
    }

    @Test
    void aSubsetLargerThanTheTestSplitIsRefusedWithTheLimit() {
        ImageDataset data = ImageDataset.load(TestData.dataDir(), "mnist");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ImageClassification.rowSequentialTestSubset(data, 1, data.testSize + 1))
                .hasMessageContaining("test_subset must be between 1 and the 1431 test images, got 1432");
    }
}

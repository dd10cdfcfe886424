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
}

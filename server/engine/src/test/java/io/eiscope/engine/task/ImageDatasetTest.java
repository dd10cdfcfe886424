package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDatasetTest {

    @Test
    void theFashionMnistCacheHasTheDocumentedSplitAndPixelRange() {
        ImageDataset d = ImageDataset.load(TestData.dataDir(), "fashion-mnist");
        assertThat(d.trainSize).isEqualTo(60_000);
        assertThat(d.testSize).isEqualTo(10_000);
        assertThat(d.pixelsPerImage()).isEqualTo(784);
        int[] perClass = new int[10];
        for (int i = 0; i < d.trainSize; i++) perClass[d.label(i)]++;
        assertThat(perClass).containsOnly(6_000);
    }

    private static void write(Path file, int nTrain, int nTest, int pixelBytes) throws IOException {
        Files.createDirectories(file.getParent());
        ByteBuffer b = ByteBuffer.allocate(28 + nTrain + nTest + pixelBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'E')
                .put((byte) 'I')
                .put((byte) 'D')
                .put((byte) 'S')
                .putInt(1)
                .putInt(2)
                .putInt(2)
                .putInt(3)
                .putInt(nTrain)
                .putInt(nTest);
        Files.write(file, b.array());
    }

    @Test
    void aTruncatedFileIsRefusedWithBothSizes(@TempDir Path dir) throws IOException {
        write(dir.resolve("datasets/tiny.eids"), 2, 1, 5); // 3 images of 4 pixels need 12 bytes
        assertThatThrownBy(() -> ImageDataset.load(dir, "tiny"))
                .hasMessageContaining("truncated")
                .hasMessageContaining("expected 43");
    }

    @Test
    void aWellFormedFileIsRead(@TempDir Path dir) throws IOException {
        write(dir.resolve("datasets/tiny2.eids"), 2, 1, 12);
        ImageDataset d = ImageDataset.load(dir, "tiny2");
        assertThat(d.trainSize).isEqualTo(2);
        assertThat(d.testSize).isEqualTo(1);
        assertThat(d.pixelsPerImage()).isEqualTo(4);
    }

    @Test
    void aMissingDatasetSaysHowToFetchIt(@TempDir Path dir) {
        assertThatThrownBy(() -> ImageDataset.load(dir, "nothing")).hasMessageContaining("./eiscope build");
    }
}

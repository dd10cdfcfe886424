package io.eiscope.engine.task;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable labelled image set read from the dataset cache ({@code .eids} files written by
 * {@code tools/datasets/convert.mjs}; the format and the train/test split are documented
 * there). Loaded once per JVM and shared, read-only, by every simulation.
 */
public final class ImageDataset {
    private static final Map<Path, ImageDataset> CACHE = new ConcurrentHashMap<>();

    public final String name;
    public final int rows;
    public final int cols;
    public final int classes;
    public final int trainSize;
    public final int testSize;
    private final byte[] labels;
    private final byte[] pixels;

    private ImageDataset(
            String name, int rows, int cols, int classes, int trainSize, int testSize, byte[] labels, byte[] pixels) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.classes = classes;
        this.trainSize = trainSize;
        this.testSize = testSize;
        this.labels = labels;
        this.pixels = pixels;
    }

    /** Loads (once) {@code <dataDir>/datasets/<name>.eids}. */
    public static ImageDataset load(Path dataDir, String name) {
        Path file = dataDir.resolve("datasets")
                .resolve(name + ".eids")
                .toAbsolutePath()
                .normalize();
        return CACHE.computeIfAbsent(file, f -> read(name, f));
    }

    /**
     * Reads the file straight into the label and pixel arrays (RandomAccessFile: no whole-file
     * copy, and no per-thread direct buffer of the file's size left cached by the JDK).
     */
    private static ImageDataset read(String name, Path file) {
        if (!Files.exists(file))
            throw new IllegalStateException("dataset '" + name + "' is not in the data directory (" + file
                    + "); run './eiscope build' to fetch and convert it");
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            byte[] header = new byte[28];
            if (in.length() < header.length)
                throw new IllegalStateException(file + " is not an eiscope dataset file (too short)");
            in.readFully(header);
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            if (h.get(0) != 'E' || h.get(1) != 'I' || h.get(2) != 'D' || h.get(3) != 'S')
                throw new IllegalStateException(file + " is not an eiscope dataset file (bad magic)");
            int version = h.getInt(4), rows = h.getInt(8), cols = h.getInt(12), classes = h.getInt(16);
            int nTrain = h.getInt(20), nTest = h.getInt(24);
            if (version != 1) throw new IllegalStateException(file + ": unsupported dataset format version " + version);
            int n = nTrain + nTest;
            long expected = 28L + n + (long) n * rows * cols;
            if (in.length() != expected)
                throw new IllegalStateException(
                        file + " is truncated: " + in.length() + " bytes, expected " + expected);
            byte[] labels = new byte[n];
            byte[] pixels = new byte[Math.toIntExact((long) n * rows * cols)];
            in.readFully(labels);
            in.readFully(pixels);
            return new ImageDataset(name, rows, cols, classes, nTrain, nTest, labels, pixels);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read dataset " + file + ": " + e.getMessage(), e);
        }
    }

    public int pixelsPerImage() {
        return rows * cols;
    }

    /** Label of image {@code i} (training images first, then test images). */
    public int label(int i) {
        return labels[i];
    }

    /** Pixel {@code p} of image {@code i}, 0..255. */
    public int pixel(int i, int p) {
        return pixels[i * rows * cols + p] & 0xff;
    }
}

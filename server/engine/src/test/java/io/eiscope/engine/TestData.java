package io.eiscope.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where tests find the dataset cache that {@code ./eiscope build} writes. */
public final class TestData {
    private TestData() {}

    public static Path dataDir() {
        Path dir = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        if (!Files.exists(dir.resolve("datasets/fashion-mnist.eids"))) {
            throw new IllegalStateException("no dataset cache in " + dir.toAbsolutePath()
                    + "; run './eiscope build' (or node tools/datasets/convert.mjs .data) first");
        }
        return dir;
    }
}

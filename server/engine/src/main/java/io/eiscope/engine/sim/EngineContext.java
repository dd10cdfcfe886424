package io.eiscope.engine.sim;

import io.eiscope.engine.tensor.Blas;
import java.nio.file.Path;

/**
 * What simulations share in one server: the data directory (dataset cache) and the BLAS.
 */
public record EngineContext(Path dataDir, Blas blas) {
    public static EngineContext of(Path dataDir) {
        return new EngineContext(dataDir, Blas.best());
    }
}

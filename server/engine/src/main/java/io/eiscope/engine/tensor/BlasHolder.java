package io.eiscope.engine.tensor;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Picks the BLAS once per JVM: OpenBLAS when its natives load, otherwise pure Java. */
final class BlasHolder {
    static final Blas BEST = choose();

    private BlasHolder() {}

    private static Blas choose() {
        if (Boolean.getBoolean("eiscope.blas.java")) return new JavaBlas();
        try {
            return new OpenBlas();
        } catch (Throwable t) {
            Logger.getLogger(BlasHolder.class.getName()).log(Level.WARNING,
                    "native OpenBLAS unavailable, using the pure-Java fallback: " + t);
            return new JavaBlas();
        }
    }
}

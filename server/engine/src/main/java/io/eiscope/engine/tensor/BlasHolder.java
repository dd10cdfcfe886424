package io.eiscope.engine.tensor;

/** Picks the BLAS once per JVM: OpenBLAS when its natives load, otherwise pure Java. */
final class BlasHolder {
    static final Blas BEST = choose();

    private BlasHolder() {}

    private static Blas choose() {
        if (Boolean.getBoolean("eiscope.blas.java")) return new JavaBlas();
        try {
            return new OpenBlas();
        } catch (Throwable t) {
            org.slf4j.LoggerFactory.getLogger(BlasHolder.class)
                    .warn("native OpenBLAS unavailable, using the pure-Java fallback: {}", t.toString());
            return new JavaBlas();
        }
    }
}

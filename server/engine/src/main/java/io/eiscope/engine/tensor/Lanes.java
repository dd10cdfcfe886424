package io.eiscope.engine.tensor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Finds the kernels that run in vector lanes (src/lanes/java: the JDK's Vector API, {@code
 * jdk.incubator.vector}, an incubator module in JDK 17 that a JVM loads only when started with {@code
 * --add-modules jdk.incubator.vector}, as {@code ./eiscope} and the benchmarks are). Each kernel has a scalar
 * loop beside it with the same bits; without the module that loop runs.
 *
 * <p>A kernel is called through a handle its caller keeps in a volatile field, so that C2 never folds it to a
 * constant and inlines the lanes into their caller: the Vector API's calls nest deep, and below a training
 * step's frames they pass C2's inlining depth (15), where each operation stops being an instruction and becomes
 * a call that boxes its vectors (3 to 4 times slower, measured: docs/benchmarks.md, "Exponentiated gradient's
 * exp in lanes"). Called through a handle it does not fold, a kernel compiles on its own, from depth 0.
 */
final class Lanes {
    private Lanes() {}

    /** True when this JVM has the Vector API. */
    static boolean available() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The static method {@code name} of the lanes class {@code simpleName} (this package), or null without the module. */
    static MethodHandle find(String simpleName, String name, MethodType type) {
        if (!available()) return null;
        try {
            return MethodHandles.lookup()
                    .findStatic(Class.forName("io.eiscope.engine.tensor." + simpleName), name, type);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the engine's build lacks " + simpleName + " (server/engine/pom.xml)", e);
        }
    }

    /**
     * The static method {@code name} of a lanes class that needs JDK {@code feature} or later (src/lanes22/java:
     * compiled only when the build found such a JDK, server/engine/pom.xml), or null on an older JVM, without
     * the module, or in a build without it.
     */
    static MethodHandle findFrom(int feature, String simpleName, String name, MethodType type) {
        if (Runtime.version().feature() < feature || Lanes.class.getResource(simpleName + ".class") == null)
            return null;
        return find(simpleName, name, type);
    }

    /** A kernel throws only what its scalar loop would (an index out of bounds): rethrown unchanged. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}

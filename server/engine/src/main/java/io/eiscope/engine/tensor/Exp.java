package io.eiscope.engine.tensor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Exponentiated gradient's map over a chunk, {@code w[i] = w[i] exp(-lr s d[i])}: an exponential
 * per weight per step. C2 (JDK 17) runs {@code Math.exp} one element at a time; when the JVM has
 * the Vector API ({@code --add-modules jdk.incubator.vector}, which {@code ./eiscope} and the
 * benchmarks pass), {@code ExpLanes} computes the same bits several lanes at a time
 * (docs/benchmarks.md, "Exponentiated gradient's exp in lanes"). Without the module the scalar loop
 * runs: the weights are the same either way, only the speed differs.
 */
public final class Exp {
    /**
     * {@code ExpLanes.scaleByExp}, or null without the module. Looked up, not called by name: the
     * lanes are compiled after this file (server/engine/pom.xml) and only load with the module.
     *
     * <p>Volatile, so that C2 never folds it to a constant and inlines the lanes into their caller: the
     * Vector API's calls nest deep, and below a training step's frames they pass C2's inlining depth
     * (15), where each operation stops being an instruction and becomes a call that boxes its vectors
     * (3 to 4 times slower, measured). Called through a handle it does not fold, the lanes compile on
     * their own, from depth 0; the call costs nanoseconds a chunk of 1,024 elements.
     */
    @SuppressWarnings("NonFinalStaticField") // read-only after class initialisation; see above
    private static volatile MethodHandle lanes = lanes();

    /**
     * Shorter chunks run the scalar loop: lanes gain little there, and the Vector API allocates
     * until C2 has compiled it, which a run of small tensors may take thousands of steps to reach.
     */
    static final int LANES_FROM = 64;

    private Exp() {}

    /** True when {@link #scaleByExp(float[], float[], int, float, boolean)} runs in lanes. */
    public static boolean inLanes() {
        return lanes != null;
    }

    /**
     * {@code w[i] = scaleByExp(w[i], d[i], lr, signed)} for {@code i < len}, bit for bit (NaN aside:
     * which NaN's payload survives is not fixed), in lanes when the JVM has
     * {@code jdk.incubator.vector} and {@code len} is at least {@value #LANES_FROM}.
     */
    public static void scaleByExp(float[] w, float[] d, int len, float lr, boolean signed) {
        MethodHandle kernel = lanes;
        if (kernel != null && len >= LANES_FROM) {
            try {
                kernel.invokeExact(w, d, len, lr, signed);
            } catch (Throwable t) {
                throw sneaky(t);
            }
        } else {
            for (int i = 0; i < len; i++) w[i] = scaleByExp(w[i], d[i], lr, signed);
        }
    }

    private static MethodHandle lanes() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return null;
        try {
            return MethodHandles.lookup()
                    .findStatic(
                            Class.forName("io.eiscope.engine.tensor.ExpLanes"),
                            "scaleByExp",
                            MethodType.methodType(
                                    void.class, float[].class, float[].class, int.class, float.class, boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the engine's build lacks ExpLanes (server/engine/pom.xml)", e);
        }
    }

    /** The lanes throw only what the scalar loop would (an index out of bounds): rethrown unchanged. */
    private static RuntimeException sneaky(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /**
     * {@code w (float) Math.exp(-lr sign(w) d)} ({@link Math#signum}) when {@code signed}, else
     * {@code w (float) Math.exp(-lr d)}: the reference, one element.
     */
    public static float scaleByExp(float w, float d, float lr, boolean signed) {
        float exponent = signed ? -lr * Math.signum(w) * d : -lr * d;
        return w * (float) Math.exp(exponent);
    }
}

package io.eiscope.engine.tensor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;

/**
 * Gradient descent of a non-negative tensor with its sign clamp, over a chunk: {@code w[i] = max(w[i] - lr (s
 * g[i] + wd w[i]), 0)} ({@link Math#max}: negatives and {@code -0} become {@code +0}, NaN stays). {@code s} is
 * a deferred gradient's row factor, or exactly 1 ({@link Matrix#outerColumns}). Dale's-law layers take this
 * loop for every weight at every step. In lanes when the JVM has the Vector API ({@link Lanes}): the clamp is
 * then a compare and a blend, where C2 (JDK 17) compiles {@code Math.max} to six instructions
 * (docs/benchmarks.md, "The sign clamp in lanes"). The bits are the same either way.
 */
public final class ClampedDescent {
    /** {@code ClampedDescentLanes.descend}, or null without the module; volatile: see {@link Lanes}. */
    @SuppressWarnings("NonFinalStaticField") // read-only after class initialisation; see Lanes
    private static volatile MethodHandle lanes = Lanes.find(
            "ClampedDescentLanes",
            "descend",
            MethodType.methodType(
                    void.class, float[].class, float[].class, float.class, int.class, float.class, float.class));

    /** Shorter chunks run the scalar loop: lanes gain little there, and allocate until C2 has compiled them. */
    static final int LANES_FROM = 64;

    private ClampedDescent() {}

    /** True when {@link #descend} runs in lanes. */
    static boolean inLanes() {
        return lanes != null;
    }

    /** The step above for {@code i < len}, in lanes when the JVM has {@code jdk.incubator.vector}. */
    public static void descend(float[] w, float[] g, float s, int len, float lr, float wd) {
        MethodHandle kernel = lanes;
        if (kernel != null && len >= LANES_FROM) {
            try {
                kernel.invokeExact(w, g, s, len, lr, wd);
            } catch (Throwable t) {
                throw Lanes.rethrow(t);
            }
        } else {
            descendScalar(w, g, s, len, lr, wd);
        }
    }

    /** The step above one element at a time: the reference, and the loop without the module. */
    private static void descendScalar(float[] w, float[] g, float s, int len, float lr, float wd) {
        for (int i = 0; i < len; i++) w[i] = Math.max(w[i] - lr * (s * g[i] + wd * w[i]), 0f);
    }
}

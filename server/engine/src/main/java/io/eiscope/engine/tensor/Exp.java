package io.eiscope.engine.tensor;

import java.lang.invoke.MethodHandle;
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
    /** {@code ExpLanes.scaleByExp}, or null without the module; volatile: see {@link Lanes}. */
    @SuppressWarnings("NonFinalStaticField") // read-only after class initialisation; see Lanes
    private static volatile MethodHandle lanes = Lanes.find(
            "ExpLanes",
            "scaleByExp",
            MethodType.methodType(void.class, float[].class, float[].class, int.class, float.class, boolean.class));

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
                throw Lanes.rethrow(t);
            }
        } else {
            for (int i = 0; i < len; i++) w[i] = scaleByExp(w[i], d[i], lr, signed);
        }
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

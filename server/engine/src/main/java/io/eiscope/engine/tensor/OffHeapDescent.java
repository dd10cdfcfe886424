package io.eiscope.engine.tensor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

/**
 * Gradient descent straight over a parameter's off-heap values, with no copies through heap chunks: plain
 * ({@code w = w - lr (g + wd w)}, then {@code max(w, 0)} when clamped), heavy ball and Adam, each the per-element
 * formula of its rule ({@code Momentum}, {@code Adam}) in its order. The vector lanes of {@code
 * OffHeapDescentLanes}, which need JDK 22 or later (the Vector API over a {@code MemorySegment}), a build that
 * found such a JDK, and {@code jdk.incubator.vector}. On JDK 17 C2 vectorises no loop over off-heap memory, so
 * updates there copy each chunk to the heap and back ({@link Elementwise}), which costs a batch-1 step about
 * twice its update's memory traffic (docs/benchmarks.md, "Batch 1 in place, on JDK 22+"). Where this is not
 * {@link #available()} the callers run those chunked loops instead; the bits are the same either way.
 */
public final class OffHeapDescent {
    private static final MethodType ROWS = MethodType.methodType(
            void.class, Object.class, int.class, int.class, float[].class, float[].class, float.class, float.class);
    private static final MethodType WRITTEN =
            MethodType.methodType(void.class, Object.class, Object.class, int.class, float.class, float.class);
    private static final String LANES = "OffHeapDescentLanes";
    private static final String UNAVAILABLE =
            "in-place descent needs JDK 22+, jdk.incubator.vector and a build with src/lanes22 (available())";

    // Volatile, so C2 never inlines the lanes below a training step's frames: see Lanes.
    @SuppressWarnings("NonFinalStaticField")
    private static volatile MethodHandle rows = Lanes.findFrom(22, LANES, "descendRows", ROWS);

    @SuppressWarnings("NonFinalStaticField")
    private static volatile MethodHandle rowsClamped = Lanes.findFrom(22, LANES, "descendRowsClamped", ROWS);

    @SuppressWarnings("NonFinalStaticField")
    private static volatile MethodHandle written = Lanes.findFrom(22, LANES, "descend", WRITTEN);

    @SuppressWarnings("NonFinalStaticField")
    private static volatile MethodHandle writtenClamped = Lanes.findFrom(22, LANES, "descendClamped", WRITTEN);

    private static final MethodType MOMENTUM_ROWS = MethodType.methodType(
            void.class,
            Object.class,
            Object.class,
            int.class,
            int.class,
            float[].class,
            float[].class,
            float.class,
            float.class,
            float.class,
            float.class,
            boolean.class,
            boolean.class,
            boolean.class);
    private static final MethodType MOMENTUM_WRITTEN = MethodType.methodType(
            void.class,
            Object.class,
            Object.class,
            Object.class,
            int.class,
            float.class,
            float.class,
            float.class,
            float.class,
            boolean.class,
            boolean.class,
            boolean.class);

    @SuppressWarnings("NonFinalStaticField")
    private static volatile MethodHandle momentumRows = Lanes.findFrom(22, LANES, "momentumRows", MOMENTUM_ROWS);

    @SuppressWarnings("NonFinalStaticField")
    private static volatile MethodHandle momentumWritten = Lanes.findFrom(22, LANES, "momentum", MOMENTUM_WRITTEN);

    private static final MethodType ADAM = MethodType.methodType(
            void.class,
            Object.class,
            Object.class,
            Object.class,
            Object.class,
            int.class,
            int.class,
            float[].class,
            float[].class,
            float.class,
            float.class,
            float.class,
            float.class,
            float.class,
            float.class,
            float.class,
            float.class,
            float.class);

    @SuppressWarnings("NonFinalStaticField")
    private static volatile MethodHandle adam = Lanes.findFrom(22, LANES, "adam", ADAM);

    @SuppressWarnings("NonFinalStaticField")
    private static volatile MethodHandle segment =
            Lanes.findFrom(22, LANES, "segmentOf", MethodType.methodType(Object.class, ByteBuffer.class));

    private OffHeapDescent() {}

    /** {@code MemorySegment.ofBuffer(bytes)}, for {@link Matrix#segment()}. Only when {@link #available()}. */
    static Object segmentOf(ByteBuffer bytes) {
        if (segment == null) throw new IllegalStateException(UNAVAILABLE);
        try {
            return (Object) segment.invokeExact(bytes);
        } catch (Throwable t) {
            throw Lanes.rethrow(t);
        }
    }

    /**
     * Parameters with fewer values take the chunked loops: with a vector loop run at most a few times per call, C2
     * compiles the lanes from a profile that rarely saw it, and they box their vectors (as {@link
     * ClampedDescent#LANES_FROM}).
     */
    static final int IN_PLACE_FROM = 64;

    /** True when this JVM runs the lanes (JDK 22+, the module, and a build with them). */
    public static boolean available() {
        return rows != null;
    }

    /** True when {@code value} is updated in place: {@link #available()}, and {@value #IN_PLACE_FROM} values or more. */
    public static boolean inPlace(Matrix value) {
        return rows != null && value.size() >= IN_PLACE_FROM;
    }

    /**
     * {@code w[r, j] = w[r, j] - lr (x[r] y[j] + wd w[r, j])} over the value
     * ({@code max(…, 0)} when {@code clamp}): a deferred outer product's gradient ({@link
     * Matrix#outerRows()}, {@link Matrix#outerColumns()}). Only when {@link #available()}.
     */
    public static void descendRows(Matrix w, float[] x, float[] y, float lr, float wd, boolean clamp) {
        checkGradient(w, null, x, y);
        try {
            (clamp ? rowsClamped : OffHeapDescent.rows).invokeExact(w.segment(), w.rows, w.cols, x, y, lr, wd);
        } catch (Throwable t) {
            throw Lanes.rethrow(t);
        }
    }

    /**
     * {@code w[i] = w[i] - lr (g[i] + wd w[i])} for every element ({@code max(…, 0)} when {@code clamp}): a
     * gradient written out. Only when {@link #available()}.
     */
    public static void descend(Matrix w, Matrix g, float lr, float wd, boolean clamp) {
        checkGradient(w, g, null, null);
        try {
            (clamp ? writtenClamped : written).invokeExact(w.segment(), g.segment(), w.size(), lr, wd);
        } catch (Throwable t) {
            throw Lanes.rethrow(t);
        }
    }

    /**
     * Heavy ball, over a deferred outer product's rows ({@code g} null: {@code d = x[r] y[j] + wd w}) or a gradient
     * written out ({@code x}, {@code y} null: {@code d = g + wd w}), per element: {@code b = flush(first ? d : mu b
     * + keep d)} with subnormals flushed to {@code +0} ({@code Adam.flushSubnormalBranchFree}), then {@code w = w -
     * lr (nesterov ? d + mu b : b)} ({@code max(…, 0)} when {@code clamp}). The per-element formulas of {@code
     * Momentum}, so its bits. Only when {@link #available()}.
     */
    public static void momentum(
            Matrix w,
            Matrix buf,
            Matrix g,
            float[] x,
            float[] y,
            float lr,
            float wd,
            float mu,
            float keep,
            boolean first,
            boolean nesterov,
            boolean clamp) {
        checkGradient(w, g, x, y);
        if (buf.size() != w.size())
            throw new IllegalArgumentException("a momentum buffer of " + buf.size() + " values for " + w.size());
        // Two kernels, not one with a test in its loop: that ran the written gradient's pass 0.18 -> 0.23 ns an
        // element.
        try {
            if (g == null) {
                momentumRows.invokeExact(
                        w.segment(), buf.segment(), w.rows, w.cols, x, y, lr, wd, mu, keep, first, nesterov, clamp);
            } else {
                momentumWritten.invokeExact(
                        w.segment(), buf.segment(), g.segment(), w.size(), lr, wd, mu, keep, first, nesterov, clamp);
            }
        } catch (Throwable t) {
            throw Lanes.rethrow(t);
        }
    }

    /**
     * Adam with gradient descent (and AdamW: {@code shrink = 1 - lr wd}, {@code l2 = 0}), per element: {@code w =
     * w shrink}; {@code g = g + l2 w}; {@code m = flush(b1 m + c1 g)}; {@code v = flush(b2 v + c2 g g)}; {@code w =
     * w - stepSize (m / (sqrt(v) / sqrtBias2 + eps))}. The gradient {@code g} written out, or ({@code g} null) a
     * deferred outer product's factors {@code x}, {@code y}. The per-element formula of {@code Adam}, so its bits.
     * Only when {@link #available()}.
     */
    public static void adam(
            Matrix w,
            Matrix g,
            float[] x,
            float[] y,
            Matrix m,
            Matrix v,
            float b1,
            float b2,
            float c1,
            float c2,
            float l2,
            float shrink,
            float eps,
            float stepSize,
            float sqrtBias2) {
        checkGradient(w, g, x, y);
        if (m.size() != w.size() || v.size() != w.size())
            throw new IllegalArgumentException(
                    "moments of " + m.size() + " and " + v.size() + " values for " + w.size());
        // A written gradient is one row of all the values; a deferred one, the value's rows.
        int rows = g == null ? w.rows : 1, cols = g == null ? w.cols : w.size();
        try {
            adam.invokeExact(
                    w.segment(),
                    g == null ? null : g.segment(),
                    m.segment(),
                    v.segment(),
                    rows,
                    cols,
                    x,
                    y,
                    b1,
                    b2,
                    c1,
                    c2,
                    l2,
                    shrink,
                    eps,
                    stepSize,
                    sqrtBias2);
        } catch (Throwable t) {
            throw Lanes.rethrow(t);
        }
    }

    /**
     * Refuses a gradient that does not fit the value {@code w}: one written out ({@code g}) of another size, or
     * ({@code g} null) an outer product's factors shorter than its rows ({@code x}) or columns ({@code y}).
     */
    private static void checkGradient(Matrix w, Matrix g, float[] x, float[] y) {
        if (g != null && g.size() != w.size())
            throw new IllegalArgumentException("a gradient of " + g.size() + " values for " + w.size());
        if (g == null && (x.length < w.rows || y.length < w.cols))
            throw new IllegalArgumentException(
                    "factors of " + x.length + " and " + y.length + " for a " + w.rows + "x" + w.cols + " value");
    }
}

package io.eiscope.engine.tensor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

/**
 * Plain gradient descent straight over a parameter's off-heap values, {@code w = w - lr (g + wd w)} (then
 * {@code max(w, 0)} when clamped), with no copies through heap chunks: the vector lanes of {@code
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

    /** True when this JVM runs the lanes (JDK 22+, the module, and a build with them). */
    public static boolean available() {
        return rows != null;
    }

    /**
     * {@code w[r, j] = w[r, j] - lr (x[r] y[j] + wd w[r, j])} over the value
     * ({@code max(…, 0)} when {@code clamp}): a deferred outer product's gradient ({@link
     * Matrix#outerRows()}, {@link Matrix#outerColumns()}). Only when {@link #available()}.
     */
    public static void descendRows(Matrix w, float[] x, float[] y, float lr, float wd, boolean clamp) {
        if (x.length < w.rows || y.length < w.cols)
            throw new IllegalArgumentException(
                    "factors of " + x.length + " and " + y.length + " for a " + w.rows + "x" + w.cols + " value");
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
        if (g.size() != w.size())
            throw new IllegalArgumentException("a gradient of " + g.size() + " values for " + w.size());
        try {
            (clamp ? writtenClamped : written).invokeExact(w.segment(), g.segment(), w.size(), lr, wd);
        } catch (Throwable t) {
            throw Lanes.rethrow(t);
        }
    }
}

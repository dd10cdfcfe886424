package io.eiscope.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link OffHeapDescent}'s loops in vector lanes, straight over the off-heap values (JDK 22 and later: the
 * Vector API reads and writes a {@link MemorySegment}, which JDK 17's cannot do fast). Each lane computes
 * {@code w - lr (s g + wd w)} with the operations of the scalar formula, operands in its order (no FMA), and the clamp is a
 * compare and a blend ({@code v <= 0} becomes {@code +0}, NaN stays: {@code Math.max(v, 0)}), so the bits
 * are those of the chunked loops. The tail past the last full vector runs the scalar formula.
 */
final class OffHeapDescentLanes {
    /** ExpLanes' float species: every kernel uses one shape (see ClampedDescentLanes). */
    private static final VectorSpecies<Float> F = ExpLanes.F;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);

    private OffHeapDescentLanes() {}

    /** The segment a {@link Matrix} keeps for these loops ({@link Matrix#segment()}). */
    static Object segmentOf(ByteBuffer bytes) {
        return MemorySegment.ofBuffer(bytes);
    }

    /** {@code w[r, j] -= lr (x[r] y[j] + wd w[r, j])}: a deferred outer product's gradient, row by row. */
    static void descendRows(Object w, int rows, int cols, float[] x, float[] y, float lr, float wd) {
        MemorySegment m = (MemorySegment) w;
        FloatVector lrv = FloatVector.broadcast(F, lr), wdv = FloatVector.broadcast(F, wd);
        int bound = F.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            float s = x[r];
            FloatVector sv = FloatVector.broadcast(F, s);
            long row = (long) r * cols * Float.BYTES;
            int j = 0;
            for (; j < bound; j += F.length()) {
                long at = row + (long) j * Float.BYTES;
                FloatVector wv = FloatVector.fromMemorySegment(F, m, at, ORDER);
                FloatVector gv = sv.mul(FloatVector.fromArray(F, y, j));
                wv.sub(lrv.mul(gv.add(wdv.mul(wv)))).intoMemorySegment(m, at, ORDER);
            }
            for (; j < cols; j++) {
                long at = row + (long) j * Float.BYTES;
                float wi = m.get(FLOAT, at);
                m.set(FLOAT, at, wi - lr * (s * y[j] + wd * wi));
            }
        }
    }

    /** {@link #descendRows}, then {@code max(w, 0)} on each element. */
    static void descendRowsClamped(Object w, int rows, int cols, float[] x, float[] y, float lr, float wd) {
        MemorySegment m = (MemorySegment) w;
        FloatVector lrv = FloatVector.broadcast(F, lr), wdv = FloatVector.broadcast(F, wd);
        FloatVector zero = FloatVector.zero(F);
        int bound = F.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            float s = x[r];
            FloatVector sv = FloatVector.broadcast(F, s);
            long row = (long) r * cols * Float.BYTES;
            int j = 0;
            for (; j < bound; j += F.length()) {
                long at = row + (long) j * Float.BYTES;
                FloatVector wv = FloatVector.fromMemorySegment(F, m, at, ORDER);
                FloatVector gv = sv.mul(FloatVector.fromArray(F, y, j));
                FloatVector v = wv.sub(lrv.mul(gv.add(wdv.mul(wv))));
                v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoMemorySegment(m, at, ORDER);
            }
            for (; j < cols; j++) {
                long at = row + (long) j * Float.BYTES;
                float wi = m.get(FLOAT, at);
                m.set(FLOAT, at, Math.max(wi - lr * (s * y[j] + wd * wi), 0f));
            }
        }
    }

    /** {@code w[i] -= lr (g[i] + wd w[i])} for {@code i < n}: a gradient written out. */
    static void descend(Object w, Object g, int n, float lr, float wd) {
        MemorySegment m = (MemorySegment) w, d = (MemorySegment) g;
        FloatVector lrv = FloatVector.broadcast(F, lr), wdv = FloatVector.broadcast(F, wd);
        int bound = F.loopBound(n), i = 0;
        for (; i < bound; i += F.length()) {
            long at = (long) i * Float.BYTES;
            FloatVector wv = FloatVector.fromMemorySegment(F, m, at, ORDER);
            FloatVector gv = FloatVector.fromMemorySegment(F, d, at, ORDER);
            wv.sub(lrv.mul(gv.add(wdv.mul(wv)))).intoMemorySegment(m, at, ORDER);
        }
        for (; i < n; i++) {
            long at = (long) i * Float.BYTES;
            float wi = m.get(FLOAT, at);
            m.set(FLOAT, at, wi - lr * (d.get(FLOAT, at) + wd * wi));
        }
    }

    /** {@link #descend}, then {@code max(w, 0)} on each element. */
    static void descendClamped(Object w, Object g, int n, float lr, float wd) {
        MemorySegment m = (MemorySegment) w, d = (MemorySegment) g;
        FloatVector lrv = FloatVector.broadcast(F, lr), wdv = FloatVector.broadcast(F, wd);
        FloatVector zero = FloatVector.zero(F);
        int bound = F.loopBound(n), i = 0;
        for (; i < bound; i += F.length()) {
            long at = (long) i * Float.BYTES;
            FloatVector wv = FloatVector.fromMemorySegment(F, m, at, ORDER);
            FloatVector gv = FloatVector.fromMemorySegment(F, d, at, ORDER);
            FloatVector v = wv.sub(lrv.mul(gv.add(wdv.mul(wv))));
            v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoMemorySegment(m, at, ORDER);
        }
        for (; i < n; i++) {
            long at = (long) i * Float.BYTES;
            float wi = m.get(FLOAT, at);
            m.set(FLOAT, at, Math.max(wi - lr * (d.get(FLOAT, at) + wd * wi), 0f));
        }
    }
}

package io.eiscope.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link OffHeapDescent}'s loops in vector lanes, straight over the off-heap values (JDK 22 and later: the
 * Vector API reads and writes a {@link MemorySegment}, which JDK 17's cannot do fast). Each lane computes its
 * rule's scalar formula, {@code w - lr (s g + wd w)} for plain descent, one rounded operation at a time with the
 * operands in its order (no FMA). The clamp is a compare and a blend ({@code v <= 0} becomes {@code +0}, NaN
 * stays: {@code Math.max(v, 0)}). So the bits are those of the chunked loops. The tail past the last full vector
 * runs the scalar formula. Compiled by a JDK 22+'s javac (server/engine/pom.xml, profile lanes22).
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

    /**
     * Heavy ball over a deferred outer product's rows: per element {@code d = x[r] y[j] + wd w}, {@code b =
     * flush(first ? d : mu b + keep d)}, {@code w = w - lr (nesterov ? d + mu b : b)}, then {@code max(w, 0)}
     * when {@code clamp}. {@code flush} is {@code Adam.flushSubnormalBranchFree}'s result, {@code +0} where {@code |b|
     * < 2^-126}, here a compare and a blend (three operations against its eight): the same bits for every {@code b}
     * but NaN, whose payload Java leaves unspecified.
     */
    static void momentumRows(
            Object w,
            Object buf,
            int rows,
            int cols,
            float[] x,
            float[] y,
            float lr,
            float wd,
            float mu,
            float keep,
            boolean first,
            boolean nesterov,
            boolean clamp) {
        MemorySegment m = (MemorySegment) w, b = (MemorySegment) buf;
        FloatVector lrv = FloatVector.broadcast(F, lr), wdv = FloatVector.broadcast(F, wd);
        FloatVector muv = FloatVector.broadcast(F, mu), keepv = FloatVector.broadcast(F, keep);
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
                FloatVector dv = sv.mul(FloatVector.fromArray(F, y, j)).add(wdv.mul(wv));
                FloatVector bv = first
                        ? dv
                        : muv.mul(FloatVector.fromMemorySegment(F, b, at, ORDER))
                                .add(keepv.mul(dv));
                bv = bv.blend(zero, bv.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
                bv.intoMemorySegment(b, at, ORDER);
                FloatVector v = wv.sub(lrv.mul(nesterov ? dv.add(muv.mul(bv)) : bv));
                if (clamp) v = v.blend(zero, v.compare(VectorOperators.LE, 0f));
                v.intoMemorySegment(m, at, ORDER);
            }
            for (; j < cols; j++) {
                long at = row + (long) j * Float.BYTES;
                float wi = m.get(FLOAT, at), di = s * y[j] + wd * wi;
                float bi = flush(first ? di : mu * b.get(FLOAT, at) + keep * di);
                b.set(FLOAT, at, bi);
                float v = wi - lr * (nesterov ? di + mu * bi : bi);
                m.set(FLOAT, at, clamp ? Math.max(v, 0f) : v);
            }
        }
    }

    /** {@link #momentumRows} with a gradient written out: {@code d = g[i] + wd w[i]}. */
    static void momentum(
            Object w,
            Object buf,
            Object g,
            int n,
            float lr,
            float wd,
            float mu,
            float keep,
            boolean first,
            boolean nesterov,
            boolean clamp) {
        MemorySegment m = (MemorySegment) w, b = (MemorySegment) buf, d = (MemorySegment) g;
        FloatVector lrv = FloatVector.broadcast(F, lr), wdv = FloatVector.broadcast(F, wd);
        FloatVector muv = FloatVector.broadcast(F, mu), keepv = FloatVector.broadcast(F, keep);
        FloatVector zero = FloatVector.zero(F);
        int bound = F.loopBound(n), i = 0;
        for (; i < bound; i += F.length()) {
            long at = (long) i * Float.BYTES;
            FloatVector wv = FloatVector.fromMemorySegment(F, m, at, ORDER);
            FloatVector dv = FloatVector.fromMemorySegment(F, d, at, ORDER).add(wdv.mul(wv));
            FloatVector bv = first
                    ? dv
                    : muv.mul(FloatVector.fromMemorySegment(F, b, at, ORDER)).add(keepv.mul(dv));
            bv = bv.blend(zero, bv.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
            bv.intoMemorySegment(b, at, ORDER);
            FloatVector v = wv.sub(lrv.mul(nesterov ? dv.add(muv.mul(bv)) : bv));
            if (clamp) v = v.blend(zero, v.compare(VectorOperators.LE, 0f));
            v.intoMemorySegment(m, at, ORDER);
        }
        for (; i < n; i++) {
            long at = (long) i * Float.BYTES;
            float wi = m.get(FLOAT, at), di = d.get(FLOAT, at) + wd * wi;
            float bi = flush(first ? di : mu * b.get(FLOAT, at) + keep * di);
            b.set(FLOAT, at, bi);
            float v = wi - lr * (nesterov ? di + mu * bi : bi);
            m.set(FLOAT, at, clamp ? Math.max(v, 0f) : v);
        }
    }

    /**
     * Adam with gradient descent, per element in this order: {@code w = w shrink}; {@code g = g + l2 w}; {@code m =
     * flush(b1 m + c1 g)}; {@code v = flush(b2 v + c2 g g)}; {@code w = w - stepSize (m / (sqrt(v) / sqrtBias2 +
     * eps))}. The gradient is written out ({@code g}), or a deferred outer product's factors ({@code g} null:
     * {@code x[r] y[j]}). A lane's square root is the correctly rounded float one, which {@code (float)
     * Math.sqrt} of a float also is.
     */
    static void adam(
            Object w,
            Object g,
            Object m1,
            Object m2,
            int rows,
            int cols,
            float[] x,
            float[] y,
            float b1,
            float b2,
            float c1,
            float c2,
            float l2,
            float shrink,
            float eps,
            float stepSize,
            float sqrtBias2) {
        MemorySegment m = (MemorySegment) w, d = (MemorySegment) g, mm = (MemorySegment) m1, vv = (MemorySegment) m2;
        boolean written = d != null;
        FloatVector b1v = FloatVector.broadcast(F, b1), b2v = FloatVector.broadcast(F, b2);
        FloatVector c1v = FloatVector.broadcast(F, c1), c2v = FloatVector.broadcast(F, c2);
        FloatVector l2v = FloatVector.broadcast(F, l2), shrinkv = FloatVector.broadcast(F, shrink);
        FloatVector epsv = FloatVector.broadcast(F, eps), stepv = FloatVector.broadcast(F, stepSize);
        FloatVector biasv = FloatVector.broadcast(F, sqrtBias2);
        FloatVector zero = FloatVector.zero(F);
        int bound = F.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            float s = written ? 1f : x[r];
            FloatVector sv = FloatVector.broadcast(F, s);
            long row = (long) r * cols * Float.BYTES;
            int j = 0;
            for (; j < bound; j += F.length()) {
                long at = row + (long) j * Float.BYTES;
                FloatVector wv = FloatVector.fromMemorySegment(F, m, at, ORDER).mul(shrinkv);
                FloatVector gv = written
                        ? FloatVector.fromMemorySegment(F, d, at, ORDER)
                        : sv.mul(FloatVector.fromArray(F, y, j));
                gv = gv.add(l2v.mul(wv));
                FloatVector mv =
                        b1v.mul(FloatVector.fromMemorySegment(F, mm, at, ORDER)).add(c1v.mul(gv));
                mv = mv.blend(zero, mv.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
                FloatVector vv2 = b2v.mul(FloatVector.fromMemorySegment(F, vv, at, ORDER))
                        .add(c2v.mul(gv).mul(gv));
                vv2 = vv2.blend(zero, vv2.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
                mv.intoMemorySegment(mm, at, ORDER);
                vv2.intoMemorySegment(vv, at, ORDER);
                FloatVector den = vv2.lanewise(VectorOperators.SQRT).div(biasv).add(epsv);
                wv.sub(stepv.mul(mv.div(den))).intoMemorySegment(m, at, ORDER);
            }
            for (; j < cols; j++) {
                long at = row + (long) j * Float.BYTES;
                float wi = m.get(FLOAT, at) * shrink;
                float gi = (written ? d.get(FLOAT, at) : s * y[j]) + l2 * wi;
                float mi = flush(b1 * mm.get(FLOAT, at) + c1 * gi);
                float vi = flush(b2 * vv.get(FLOAT, at) + c2 * gi * gi);
                mm.set(FLOAT, at, mi);
                vv.set(FLOAT, at, vi);
                float den = (float) Math.sqrt(vi) / sqrtBias2 + eps;
                m.set(FLOAT, at, wi - stepSize * (mi / den));
            }
        }
    }

    /** The lanes' flush for the tail: {@code +0} where {@code |x| < 2^-126}, else {@code x}. */
    private static float flush(float x) {
        return Math.abs(x) < Float.MIN_NORMAL ? 0f : x;
    }
}

package io.eiscope.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ClampedDescent#descend}'s lanes: {@code w[i] = max(w[i] - lr (s g[i] + wd w[i]), 0)}, bit for bit,
 * a vector at a time through the JDK's Vector API ({@code jdk.incubator.vector}, JDK 17; compiled on its own,
 * with that module: server/engine/pom.xml). The arithmetic is the scalar expression's, one rounded operation
 * at a time in the same order (no FMA). The clamp is a compare and a blend: {@code v <= 0} is true for
 * negatives and both zeros, which become {@code +0}, and false for NaN, which stays; that is {@link
 * Math#max}{@code (v, 0)} for every {@code v}. C2 (JDK 17) compiles {@code Math.max} over floats to a
 * six-instruction sequence and does not vectorise a conditional select; this is two instructions.
 */
final class ClampedDescentLanes {
    /**
     * ExpLanes' float species: every kernel uses one shape. With two (a 512-bit one here), the Vector API's
     * shared methods saw both vector classes, and ExpLanes boxed a vector per iteration (ExpTest's allocation
     * check failed in the same JVM as this class's tests).
     */
    private static final VectorSpecies<Float> F = ExpLanes.F;

    private ClampedDescentLanes() {}

    static void descend(float[] w, float[] g, float s, int len, float lr, float wd) {
        FloatVector sv = FloatVector.broadcast(F, s), lrv = FloatVector.broadcast(F, lr);
        FloatVector wdv = FloatVector.broadcast(F, wd), zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            FloatVector wv = FloatVector.fromArray(F, w, i);
            FloatVector v =
                    wv.sub(lrv.mul(sv.mul(FloatVector.fromArray(F, g, i)).add(wdv.mul(wv))));
            v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(w, i);
        }
        for (; i < len; i++) w[i] = Math.max(w[i] - lr * (s * g[i] + wd * w[i]), 0f);
    }
}

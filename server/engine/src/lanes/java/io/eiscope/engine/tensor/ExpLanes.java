package io.eiscope.engine.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Exp#scaleByExp}'s lanes: {@code w[i] = w[i] * (float) Math.exp(-lr s d[i])}, bit for bit,
 * several lanes at a time through the JDK's Vector API ({@code jdk.incubator.vector}, JDK 17). Only
 * {@link Exp} calls it, and only when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}; this file is compiled on its own, with that module
 * (server/engine/pom.xml).
 *
 * <p>The exponent {@code x} is formed in float exactly as the scalar expression forms it. Then, in
 * double: {@code k = round(x log2 e)} (by adding and subtracting 1.5 2^52), {@code r = x - k ln 2}
 * (ln 2 in two parts, through FMAs), {@code exp(r)} by its Taylor polynomial of degree 12
 * ({@code |r| <= ln 2 / 2}: truncation below 2^-52 of the value), times {@code 2^k} built from
 * {@code k}'s bits. Its relative error is below 2^-48, and that of {@code Math.exp} below 2^-52
 * (one ulp of a double). So where {@code y (1 - 2^-44)} and {@code y (1 + 2^-44)} round to the same
 * float, every number between them does, the true {@code exp(x)} and {@code Math.exp(x)} among them,
 * and that float is the answer. Where they round differently (near the midpoint of two floats, about
 * one exponent in 2^19), and outside {@code [-87, 87]} (results that overflow, underflow or are
 * subnormal) or for NaN, that vector's lanes all take the scalar expression itself ({@code w} is
 * written only after the check). {@code ExpTest} compares every float of that interval and more.
 *
 * <p>The sign and the domain are masks, not {@code min}/{@code max} (which keep Java's NaN and
 * signed-zero rules with several instructions each: 2.25 against 1.61 ns an element, measured).
 */
final class ExpLanes {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Half the preferred double shape: a float vector's lanes convert to one double vector. */
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    private static final double LOG2E = 0x1.71547652b82fep0;
    private static final double LN2_HI = 0x1.62e42fefa39efp-1;
    private static final double LN2_LO = 0x1.abc9e3b39803fp-56;
    private static final double ROUND = 0x1.8p52;
    private static final long ONE_BITS = Double.doubleToRawLongBits(1.0);
    private static final double MARGIN = 0x1p-44;
    private static final float LIMIT = 87f;
    /** 1/j! for j = 0..12 by repeated division: each within a few ulps, which the error bound above allows. */
    private static final double[] TAYLOR = taylor(12);

    private ExpLanes() {}

    static void scaleByExp(float[] w, float[] d, int len, float lr, boolean signed) {
        // One loop body for both forms (a branch in it would double the code C2 must inline): the sign
        // where signed, else exactly 1.
        VectorMask<Float> useSign = F.maskAll(signed);
        FloatVector minusLr = FloatVector.broadcast(F, -lr);
        FloatVector one = FloatVector.broadcast(F, 1f), minusOne = FloatVector.broadcast(F, -1f);
        DoubleVector ln2Hi = DoubleVector.broadcast(D, LN2_HI), ln2Lo = DoubleVector.broadcast(D, LN2_LO);
        // The polynomial's coefficients, each a local (an array of vectors would be allocated).
        DoubleVector c0 = DoubleVector.broadcast(D, TAYLOR[0]), c1 = DoubleVector.broadcast(D, TAYLOR[1]);
        DoubleVector c2 = DoubleVector.broadcast(D, TAYLOR[2]), c3 = DoubleVector.broadcast(D, TAYLOR[3]);
        DoubleVector c4 = DoubleVector.broadcast(D, TAYLOR[4]), c5 = DoubleVector.broadcast(D, TAYLOR[5]);
        DoubleVector c6 = DoubleVector.broadcast(D, TAYLOR[6]), c7 = DoubleVector.broadcast(D, TAYLOR[7]);
        DoubleVector c8 = DoubleVector.broadcast(D, TAYLOR[8]), c9 = DoubleVector.broadcast(D, TAYLOR[9]);
        DoubleVector c10 = DoubleVector.broadcast(D, TAYLOR[10]), c11 = DoubleVector.broadcast(D, TAYLOR[11]);
        DoubleVector c12 = DoubleVector.broadcast(D, TAYLOR[12]);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            FloatVector wv = FloatVector.fromArray(F, w, i);
            // Math.signum where signed (1 above zero, -1 below, else the value itself), else exactly 1.
            FloatVector sign = wv.blend(one, wv.compare(VectorOperators.GT, 0f))
                    .blend(minusOne, wv.compare(VectorOperators.LT, 0f));
            FloatVector x = minusLr.mul(one.blend(sign, useSign)).mul(FloatVector.fromArray(F, d, i));
            // exp(x) in double, within 2^-48 of the value for |x| <= 87 (the class comment), written out in
            // this loop: as a method of its own, C2 may compile it first, and then call it instead of inlining
            // it (a compiled method too big to inline), boxing its vectors at every call (100 times slower).
            DoubleVector xd = (DoubleVector) x.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector t = xd.fma(LOG2E, ROUND);
            DoubleVector k = t.sub(ROUND);
            DoubleVector r = k.neg().fma(ln2Hi, xd);
            r = k.neg().fma(ln2Lo, r);
            DoubleVector p = r.fma(c12, c11).fma(r, c10).fma(r, c9).fma(r, c8).fma(r, c7);
            p = p.fma(r, c6)
                    .fma(r, c5)
                    .fma(r, c4)
                    .fma(r, c3)
                    .fma(r, c2)
                    .fma(r, c1)
                    .fma(r, c0);
            DoubleVector scale = t.reinterpretAsLongs()
                    .lanewise(VectorOperators.LSHL, 52)
                    .add(ONE_BITS)
                    .reinterpretAsDoubles();
            DoubleVector y = p.mul(scale);
            FloatVector below = (FloatVector) y.mul(1 - MARGIN).convertShape(VectorOperators.D2F, F, 0);
            FloatVector above = (FloatVector) y.mul(1 + MARGIN).convertShape(VectorOperators.D2F, F, 0);
            // False for NaN, and outside [-87, 87] (results that overflow, underflow or are subnormal).
            VectorMask<Float> exact =
                    below.compare(VectorOperators.EQ, above).and(x.abs().compare(VectorOperators.LE, LIMIT));
            if (exact.allTrue()) {
                wv.mul(below).intoArray(w, i);
            } else {
                scalar(w, d, i, i + F.length(), lr, signed); // w[i..] is still as it came
            }
        }
        scalar(w, d, i, len, lr, signed);
    }

    private static void scalar(float[] w, float[] d, int from, int to, float lr, boolean signed) {
        for (int j = from; j < to; j++) w[j] = Exp.scaleByExp(w[j], d[j], lr, signed);
    }

    private static double[] taylor(int degree) {
        double[] c = new double[degree + 1];
        c[0] = 1;
        for (int j = 1; j <= degree; j++) c[j] = c[j - 1] / j;
        return c;
    }
}

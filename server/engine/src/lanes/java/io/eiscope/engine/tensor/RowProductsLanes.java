package io.eiscope.engine.tensor;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowProducts}' lanes: {@code ct[j * mp + i] = sum_k w(j, k) bt[k * mp + i]}, each sum a chain of
 * fused multiply-adds in the order of {@code k} from zero, one output element per lane, so the bits are those of
 * the scalar loop whatever the vector width. {@code w(j, k) = w.get(j * rowStride + k * colStride)} is a weight
 * matrix where it lies (off the heap; broadcast an element at a time, never packed), {@code bt} the batch
 * transposed into the lanes ({@code mp} a multiple of {@link #TILE}). A block of four rows of {@code w} by four
 * vectors of the batch keeps 16 accumulators in registers.
 */
final class RowProductsLanes {
    /** The one float shape of all the engine's lanes: see {@link ClampedDescentLanes}. */
    private static final VectorSpecies<Float> F = ExpLanes.F;

    private static final int L = F.length();

    /** The batch columns one block covers: four vectors. */
    static final int TILE = 4 * L;

    private RowProductsLanes() {}

    /** {@link #TILE}, for {@link RowProducts}. */
    static int tile() {
        return TILE;
    }

    // The block spells out its 16 accumulators as locals: C2 keeps vectors in registers only as locals; an array
    // of them, or a helper taking them, boxes every vector (RowProductsBench's probe, 5-6 GFLOP/s).
    // No mul here: with the sums scaled by alpha in these lanes, JDK 17's C2 then compiled ExpLanes' store boxing
    // its vectors in 3 of 6 JVMs that ran these products first; without it, still in 1 of 14 (docs/benchmarks.md,
    // "32-row products without packing the weights"). RowProducts scales the sums as it copies them out.

    static void products(FloatBuffer w, int rowStride, int colStride, int rows, int k, float[] bt, int mp, float[] ct) {
        int j = 0;
        for (; j + 4 <= rows; j += 4) {
            int r0 = j * rowStride, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride;
            for (int t = 0; t < mp; t += TILE) {
                FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
                FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
                FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
                FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
                for (int kk = 0, o = t, a = 0; kk < k; kk++, o += mp, a += colStride) {
                    FloatVector b0 = FloatVector.fromArray(F, bt, o), b1 = FloatVector.fromArray(F, bt, o + L);
                    FloatVector b2 = FloatVector.fromArray(F, bt, o + 2 * L);
                    FloatVector b3 = FloatVector.fromArray(F, bt, o + 3 * L);
                    FloatVector v = FloatVector.broadcast(F, w.get(r0 + a));
                    c00 = v.fma(b0, c00);
                    c01 = v.fma(b1, c01);
                    c02 = v.fma(b2, c02);
                    c03 = v.fma(b3, c03);
                    v = FloatVector.broadcast(F, w.get(r1 + a));
                    c10 = v.fma(b0, c10);
                    c11 = v.fma(b1, c11);
                    c12 = v.fma(b2, c12);
                    c13 = v.fma(b3, c13);
                    v = FloatVector.broadcast(F, w.get(r2 + a));
                    c20 = v.fma(b0, c20);
                    c21 = v.fma(b1, c21);
                    c22 = v.fma(b2, c22);
                    c23 = v.fma(b3, c23);
                    v = FloatVector.broadcast(F, w.get(r3 + a));
                    c30 = v.fma(b0, c30);
                    c31 = v.fma(b1, c31);
                    c32 = v.fma(b2, c32);
                    c33 = v.fma(b3, c33);
                }
                int o = j * mp + t;
                c00.intoArray(ct, o);
                c01.intoArray(ct, o + L);
                c02.intoArray(ct, o + 2 * L);
                c03.intoArray(ct, o + 3 * L);
                c10.intoArray(ct, o + mp);
                c11.intoArray(ct, o + mp + L);
                c12.intoArray(ct, o + mp + 2 * L);
                c13.intoArray(ct, o + mp + 3 * L);
                c20.intoArray(ct, o + 2 * mp);
                c21.intoArray(ct, o + 2 * mp + L);
                c22.intoArray(ct, o + 2 * mp + 2 * L);
                c23.intoArray(ct, o + 2 * mp + 3 * L);
                c30.intoArray(ct, o + 3 * mp);
                c31.intoArray(ct, o + 3 * mp + L);
                c32.intoArray(ct, o + 3 * mp + 2 * L);
                c33.intoArray(ct, o + 3 * mp + 3 * L);
            }
        }
        for (; j < rows; j++) {
            int r0 = j * rowStride;
            for (int t = 0; t < mp; t += TILE) {
                FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
                for (int kk = 0, o = t, a = 0; kk < k; kk++, o += mp, a += colStride) {
                    FloatVector v = FloatVector.broadcast(F, w.get(r0 + a));
                    c0 = v.fma(FloatVector.fromArray(F, bt, o), c0);
                    c1 = v.fma(FloatVector.fromArray(F, bt, o + L), c1);
                    c2 = v.fma(FloatVector.fromArray(F, bt, o + 2 * L), c2);
                    c3 = v.fma(FloatVector.fromArray(F, bt, o + 3 * L), c3);
                }
                c0.intoArray(ct, j * mp + t);
                c1.intoArray(ct, j * mp + t + L);
                c2.intoArray(ct, j * mp + t + 2 * L);
                c3.intoArray(ct, j * mp + t + 3 * L);
            }
        }
    }
}

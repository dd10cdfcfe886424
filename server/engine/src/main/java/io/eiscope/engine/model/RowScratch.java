package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Elementwise;

/**
 * Heap scratch for a layer's element-wise passes, a batch row at a time: a row of each operand is
 * copied in, the loops run over {@code float[]} (which C2 vectorises; per-element {@code FloatBuffer}
 * access it does not) and the results are copied out ({@link Elementwise}); the per-unit parameters and
 * their gradient sums stay here across rows. A layer that uses it keeps the per-element formulas' float
 * operations and their order, so its bits are theirs. Confined to the layer's (the simulation's) thread.
 */
final class RowScratch {
    /** Row buffers of {@code width} floats. */
    final float[] a, b, c, d, e, f;

    /** Per-unit values of {@code units} floats: a gain and a bias, and the sums of their gradients. */
    final float[] gain, bias, dGain, dBias;

    RowScratch(int width, int units) {
        a = new float[width];
        b = new float[width];
        c = new float[width];
        d = new float[width];
        e = new float[width];
        f = new float[width];
        gain = new float[units];
        bias = new float[units];
        dGain = new float[units];
        dBias = new float[units];
    }
}

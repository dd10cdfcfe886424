package io.eiscope.engine.tensor;

import java.util.Random;

/** Floats of every kind a pass must handle bit for bit, and random values that mix them in. */
final class SpecialFloats {
    private SpecialFloats() {}

    /** Signed zeros, NaNs of both signs and a signalling one, infinities, subnormal and extreme magnitudes, ±1. */
    static final float[] KINDS = {
        0f,
        -0f,
        Float.NaN,
        Float.intBitsToFloat(0xffc00000), // NaN with its sign bit set
        Float.intBitsToFloat(0x7f800001), // signalling NaN
        Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE,
        -Float.MIN_VALUE,
        Float.MIN_NORMAL,
        Float.MAX_VALUE,
        -Float.MAX_VALUE,
        1f,
        -1f
    };

    /** A float's bits, with every NaN as the canonical one (Java does not fix which NaN a product keeps). */
    static int bitsOrNaN(float x) {
        return Float.floatToIntBits(x);
    }

    /** A random float of one of four kinds by {@code i}: any bits, large, small, or one of {@code specials}. */
    static float value(Random rng, int i, float[] specials) {
        return switch (i % 4) {
            case 0 -> Float.intBitsToFloat(rng.nextInt());
            case 1 -> (float) (rng.nextGaussian() * 30);
            case 2 -> (float) (rng.nextGaussian() * 1e-3);
            default -> specials[rng.nextInt(specials.length)];
        };
    }
}

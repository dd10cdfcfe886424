package io.eiscope.engine.model;

import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;

/**
 * The parameters every DANN layer variant shares (Cornford et al. 2021 §1.1): {@code Wex}
 * ({@code ne x d}), {@code Wix} ({@code ni x d}) and {@code Wei} ({@code ne x ni}), all kept
 * >= 0, and the bias {@code b} ({@code 1 x ne}, free). Each parameter carries {@code fanIn = d}
 * and {@code excitatoryUnits = ne}.
 */
record EiWeights(Parameter wex, Parameter wix, Parameter wei, Parameter b) {

    /** Zero parameters {@code <layer>.Wex}, {@code <layer>.Wix}, {@code <layer>.Wei}, {@code <layer>.b}. */
    static EiWeights create(String layer, int d, int ne, int ni) {
        if (d < 1 || ne < 1 || ni < 1)
            throw new IllegalArgumentException(
                    layer + ": a DANN layer needs d, ne, ni >= 1, got d=" + d + ", ne=" + ne + ", ni=" + ni);
        return new EiWeights(
                Parameter.of(layer + ".Wex", ne, d, Sign.NON_NEGATIVE, Role.EXCITATORY, d, ne),
                Parameter.of(layer + ".Wix", ni, d, Sign.NON_NEGATIVE, Role.INHIBITORY_INPUT, d, ne),
                Parameter.of(layer + ".Wei", ne, ni, Sign.NON_NEGATIVE, Role.INHIBITORY_OUTPUT, d, ne),
                Parameter.of(layer + ".b", 1, ne, Sign.FREE, Role.BIAS, d, ne));
    }

    /** Fan-in {@code d}. */
    int d() {
        return wex.value().cols;
    }

    /** Excitatory (output) units. */
    int ne() {
        return wex.value().rows;
    }

    /** Inhibitory units. */
    int ni() {
        return wix.value().rows;
    }

    /** A new {@code ne x d} matrix {@code W = Wex - Wei Wix}, the signed weight of the subtractive part. */
    Matrix effective(Blas blas) {
        Matrix w = wex.value().copy();
        blas.gemm(false, false, -1f, wei.value(), wix.value(), 1f, w);
        return w;
    }
}

package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * Feed-forward Dale's ANNs and their initialisation: Cornford et al. 2021, "Learning to live
 * with Dale's principle" (ICLR), §1.1 and §1.3 of the science specification, reference code
 * {@code ariamis/ei_models.py: EiDense(WithShunt)_MultipleInt_LayerNorm_WeightInitPolicy} and
 * {@code run_exp.py: build_model}.
 *
 * <p>A network is {@code inputSize -> (ne_0, ni_0) -> ... -> (classes, 1)}: ReLU hidden layers
 * whose excitatory units feed the next layer, and a linear output layer with one inhibitory
 * unit, whatever the hidden layers have.
 */
public final class Dann {
    private Dann() {}

    /** Which inhibition the layers apply. */
    public enum Inhibition {
        /** Subtractive and divisive (shunting): {@link DannLayer}, the paper's DANN. */
        SUBTRACTIVE_DIVISIVE,
        /** Subtractive only: {@link EiDense}. */
        SUBTRACTIVE
    }

    /** Inhibitory units of the output layer, fixed as in the reference code. */
    public static final int OUTPUT_INHIBITORY_UNITS = 1;

    /**
     * A DANN with hidden layers of {@code excitatory[i]} E and {@code inhibitory[i]} I units,
     * initialised by {@link #init} with draws from {@code rng}.
     */
    public static FeedForwardNet create(
            int inputSize, int[] excitatory, int[] inhibitory, int classes, Inhibition inhibition, Blas blas, Rng rng) {
        if (excitatory.length != inhibitory.length)
            throw new IllegalArgumentException("one inhibitory count per hidden layer: " + excitatory.length
                    + " excitatory counts, " + inhibitory.length + " inhibitory");
        List<Layer> layers = new ArrayList<>();
        int d = inputSize;
        for (int i = 0; i <= excitatory.length; i++) {
            boolean output = i == excitatory.length;
            int ne = output ? classes : excitatory[i], ni = output ? OUTPUT_INHIBITORY_UNITS : inhibitory[i];
            Activation f = output ? Activation.IDENTITY : Activation.RELU;
            String name = "layer" + i;
            Layer layer = inhibition == Inhibition.SUBTRACTIVE_DIVISIVE
                    ? new DannLayer(name, d, ne, ni, f, blas)
                    : new EiDense(name, d, ne, ni, f, blas);
            init(layer, i == 0, rng);
            layers.add(layer);
            d = ne;
        }
        return new FeedForwardNet(layers);
    }

    /**
     * Overwrites the parameters of {@code layer} (a {@link DannLayer} or an {@link EiDense}) with
     * the paper's initialisation, which centres and standardises the excitatory activity:
     * {@code Wex ~ Exp(s)}; with one inhibitory unit {@code Wix} = the mean row of {@code Wex} and
     * {@code Wei = 1}, else {@code Wix ~ Exp(s)} and {@code Wei = 1/ni}; {@code b = 0}; and for
     * the shunting layer {@code alpha = log sqrt((2 pi - 1)/d)}, {@code g = 1}.
     *
     * @param firstLayer true for the layer reading pixels, which sets the scale {@link #scale}
     */
    public static void init(Layer layer, boolean firstLayer, Rng rng) {
        EiWeights w;
        if (layer instanceof DannLayer l) {
            w = l.eiWeights();
            l.alpha().value().fill((float) logShunt(w.d()));
            l.gain().value().fill(1f);
        } else if (layer instanceof EiDense l) {
            w = l.eiWeights();
        } else {
            throw new IllegalArgumentException(layer.name() + " is not a DANN layer");
        }
        double s = scale(w.d(), firstLayer);
        Matrix wex = w.wex().value(), wix = w.wix().value();
        for (int i = 0, n = wex.size(); i < n; i++) wex.set(i, (float) rng.nextExponential(s));
        if (w.ni() == 1) {
            for (int c = 0; c < w.d(); c++) {
                double sum = 0;
                for (int r = 0; r < w.ne(); r++) sum += wex.get(r, c);
                wix.set(0, c, (float) (sum / w.ne()));
            }
        } else {
            for (int i = 0, n = wix.size(); i < n; i++) wix.set(i, (float) rng.nextExponential(s));
        }
        w.wei().value().fill(1f / w.ni());
        w.b().value().fill(0f);
    }

    /**
     * The scale (mean = std) {@code s} of the exponential weights: {@code sqrt(1/(2d))} on pixel
     * inputs, {@code sqrt(2 pi / (d (2 pi - 1)))} after a ReLU layer, so that
     * {@code Var(Wex x) = 1} for rectified-normal inputs.
     */
    public static double scale(int d, boolean firstLayer) {
        return firstLayer ? Math.sqrt(1.0 / (2.0 * d)) : Math.sqrt(2 * Math.PI / (d * (2 * Math.PI - 1)));
    }

    /** The initial log shunt gain {@code alpha = log sqrt((2 pi - 1)/d)}, so that {@code gamma ≈ 1}. */
    public static double logShunt(int d) {
        return Math.log(Math.sqrt((2 * Math.PI - 1) / d));
    }
}

package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The column-E/I MLP baseline of Cornford et al. 2021 (ICLR) §1.5, reference code
 * {@code ariamis/column_ei_models.py} and {@code run_exp.py: build_model}: a stack of
 * {@link ColumnEiDense} layers, ReLU hidden layers and a linear output.
 *
 * <p>Every hidden layer has {@code hidden[i]} units; the next layer splits them into
 * {@link #split excitatory and inhibitory} columns with the E:I ratio {@code r} (550 units at
 * ratio 10: 500 E, 50 I). The first layer reads pixels through all-excitatory columns.
 */
public final class ColumnEiMlp {
    private ColumnEiMlp() {}

    /** Numbers of excitatory and inhibitory units of a population. */
    public record Split(int excitatory, int inhibitory) {}

    /**
     * {@code calculate_ColumnEi_layer_params(total, ratio)}: {@code ni = ceil(total / (r + 1))},
     * {@code ne = floor(total r / (r + 1)) = total - ni}, in integer arithmetic.
     *
     * @throws IllegalArgumentException unless {@code total >= 2} and {@code ratio >= 1}, so both parts are non-empty
     */
    public static Split split(int total, int ratio) {
        if (total < 2 || ratio < 1)
            throw new IllegalArgumentException(
                    "an E/I split needs total >= 2 and ratio >= 1, got total=" + total + ", ratio=" + ratio);
        int ni = (int) ((total + (long) ratio) / (ratio + 1L));
        return new Split(total - ni, ni);
    }

    /**
     * A ColEI MLP {@code inputSize -> hidden... -> classes}, initialised with draws from {@code rng}.
     *
     * @param pixelMean mean input pixel of the data set, used by the first layer's centring bias
     */
    public static FeedForwardNet create(
            int inputSize, int[] hidden, int ratio, int classes, double pixelMean, Blas blas, Rng rng) {
        List<Layer> layers = new ArrayList<>();
        int in = inputSize;
        for (int i = 0; i <= hidden.length; i++) {
            boolean output = i == hidden.length;
            int out = output ? classes : hidden[i];
            Activation f = output ? Activation.IDENTITY : Activation.RELU;
            ColumnEiDense layer;
            if (i == 0) {
                layer = new ColumnEiDense("layer0", in, 0, out, f, blas);
                initFirst(layer, pixelMean, rng);
            } else {
                layer = new ColumnEiDense("layer" + i, in, split(in, ratio).inhibitory(), out, f, blas);
                initHidden(layer, rng);
            }
            layers.add(layer);
            in = out;
        }
        return new FeedForwardNet(layers);
    }

    /**
     * {@code PostiveWeightInitPolicy}: {@code W_pos ~ Exp(sqrt(1/d))} and the bias that centres
     * the first activation, {@code b = -d sqrt(1/d) pixelMean}.
     */
    public static void initFirst(ColumnEiDense layer, double pixelMean, Rng rng) {
        int d = layer.inputSize();
        double sigma = Math.sqrt(1.0 / d);
        Matrix w = layer.weight().value();
        for (int i = 0, n = w.size(); i < n; i++) w.set(i, (float) rng.nextExponential(sigma));
        layer.bias().value().fill((float) firstLayerBias(d, pixelMean));
    }

    /** {@code -d sqrt(1/d) pixelMean}; -3.6596 for MNIST (d = 784, mean 0.1307). */
    public static double firstLayerBias(int d, double pixelMean) {
        return -d * Math.sqrt(1.0 / d) * pixelMean;
    }

    /**
     * {@code ColumnEiWeightInitPolicy}: the excitatory columns of {@code W_pos} ~ {@code Exp(sigma_e)},
     * the inhibitory ones ~ {@code Exp(sigma_i)} (see {@link #excitatoryScale}), {@code b = 0}. For
     * rectified-normal inputs this gives zero mean input ({@code ne sigma_e = ni sigma_i}) and unit variance.
     */
    public static void initHidden(ColumnEiDense layer, Rng rng) {
        int ne = layer.excitatoryInputs(), ni = layer.inhibitoryInputs();
        if (ni < 1) throw new IllegalArgumentException(layer.name() + " has no inhibitory inputs; use initFirst");
        double sigmaE = excitatoryScale(ne, ni), sigmaI = inhibitoryScale(ne, ni);
        Matrix w = layer.weight().value();
        for (int r = 0, i = 0; r < w.rows; r++) {
            for (int c = 0; c < w.cols; c++, i++) w.set(i, (float) rng.nextExponential(c < ne ? sigmaE : sigmaI));
        }
        layer.bias().value().fill(0f);
    }

    /** {@code sigma_e = sqrt(1 / denom)}, {@code denom = ((2 pi - 1) / (2 pi)) (ne + ne^2 / ni)}. */
    public static double excitatoryScale(int ne, int ni) {
        double denom = ((2 * Math.PI - 1) / (2 * Math.PI)) * (ne + (double) ne * ne / ni);
        return Math.sqrt(1 / denom);
    }

    /** {@code sigma_i = (ne / ni) sigma_e}. */
    public static double inhibitoryScale(int ne, int ni) {
        return ((double) ne / ni) * excitatoryScale(ne, ni);
    }
}

package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The standard ReLU RNN of Li et al. 2023 (§2.1a, {@code lib/base_rnn.py: RNNCell}): stacked
 * cells {@code h_t = ReLU(U x_t + W h_{t-1} + b)} with unconstrained {@code U}, {@code W}, {@code b}
 * (the bias optional) and a dense readout.
 *
 * <p>Initialisation ({@link Init}; §2.2 and §2.4, {@code lib/init_policies.py}), cell by cell
 * ({@code U}, then {@code W}), then the readout:
 * <ul>
 *   <li>{@link Init#PYTORCH} ({@code U_TorchInit}, {@code W_TorchInit}, {@code DenseNormalInit(2)}):
 *       {@code U, W ~ U(-1/sqrt(n_h), 1/sqrt(n_h))} (the bound uses {@code n_h} for the input weights
 *       too, as PyTorch's RNN does); readout {@code W ~ N(0, 2/n_in)};</li>
 *   <li>{@link Init#UNIFORM_RADIUS} ({@code W_UniformInit(num)}): {@code W ~ U(+-sqrt(3 num/n_h))},
 *       {@code Var = num/n_h}, spectral radius about {@code sqrt(num)}; {@code U} and readout as PyTorch;</li>
 *   <li>the spectrum transplants {@code W = U_A diag(S_B) V_A^T}: {@link Init#COLEI_VECTORS_RNN_VALUES}
 *       ({@code W_ColEIInit_RNN_Spectrum_Init}: vectors of a column-E/I matrix, values of a PyTorch
 *       uniform one) and {@link Init#RNN_VECTORS_COLEI_VALUES} ({@code W_RNNInit_ColEI_Spectrum_Init}:
 *       the reverse). The column-E/I source has {@code ni = n // (ratio + 1)} inhibitory columns (at
 *       least 1), no zero diagonal and spectral radius {@link Options#transplantRadius}. With
 *       {@link Options#transplantAllLayers} the input and readout matrices are transplanted too, as in
 *       the paper's scripts ({@code exps/svd_transplant/*}): {@code U} between {@code U(+-1/sqrt(n_h))}
 *       and the first-cell column-E/I {@code Exp(sqrt(1/n_in))}, the readout between {@code N(0, 2/n_in)}
 *       and a column-E/I dense matrix.</li>
 * </ul>
 * Biases start at 0. Sign freezing ({@link Options#freezeRecurrentSigns}, Li et al.'s
 * {@code WClampMixin}) holds the signs of every cell's {@code W} (and optionally the readout's) at
 * their initial values: with a transplant this is the "sign-frozen" condition of §2.6.
 */
public final class Rnn {
    private Rnn() {}

    /** How the recurrent matrices are initialised. */
    public enum Init {
        PYTORCH,
        UNIFORM_RADIUS,
        COLEI_VECTORS_RNN_VALUES,
        RNN_VECTORS_COLEI_VALUES,
        /** U and W from {@link Options#cellInit()}: a normal draw (the EG paper's {@code re_init_network}). */
        NORMAL,
        /** U and W from {@link Options#cellInit()}: log-normal magnitudes with random signs (the EG paper's Mod-Cog RNNs). */
        LOGNORMAL;

        boolean transplant() {
            return this == COLEI_VECTORS_RNN_VALUES || this == RNN_VECTORS_COLEI_VALUES;
        }
    }

    /** The variance numerator of the readout's {@code N(0, 2/n_in)} (He), also the transplant's dense values. */
    static final double READOUT_NUMERATOR = 2;

    /**
     * The recurrent network's cells, initialisation and transplant settings.
     *
     * @param bias                 cells with a bias {@code b} (0 at init)
     * @param init                 the recurrent initialisation
     * @param radiusNumerator      {@link Init#UNIFORM_RADIUS}: {@code num}, the variance numerator
     * @param transplantRatio      transplants: E:I ratio of the column-E/I source
     * @param transplantRadius     transplants: spectral radius of the column-E/I recurrent source
     * @param transplantAllLayers  transplants: also the input and readout matrices (the paper's scripts), else {@code W} only
     * @param freezeRecurrentSigns freeze the signs of every cell's {@code W} at init
     * @param freezeReadoutSigns   freeze the signs of the readout's {@code W} at init
     * @param nonlinearity         the cells' f: Activation.RELU (the papers') or Activation.TANH
     */
    public record Options(
            boolean bias,
            Init init,
            double radiusNumerator,
            int transplantRatio,
            double transplantRadius,
            boolean transplantAllLayers,
            boolean freezeRecurrentSigns,
            boolean freezeReadoutSigns,
            Activation nonlinearity,
            WeightInit cellInit) {
        /** Without a cell initialisation of its own (every kind but NORMAL and LOGNORMAL). */
        public Options(
                boolean bias,
                Init init,
                double radiusNumerator,
                int transplantRatio,
                double transplantRadius,
                boolean transplantAllLayers,
                boolean freezeRecurrentSigns,
                boolean freezeReadoutSigns,
                Activation nonlinearity) {
            this(
                    bias,
                    init,
                    radiusNumerator,
                    transplantRatio,
                    transplantRadius,
                    transplantAllLayers,
                    freezeRecurrentSigns,
                    freezeReadoutSigns,
                    nonlinearity,
                    null);
        }

        /** With ReLU cells, the papers' default. */
        public Options(
                boolean bias,
                Init init,
                double radiusNumerator,
                int transplantRatio,
                double transplantRadius,
                boolean transplantAllLayers,
                boolean freezeRecurrentSigns,
                boolean freezeReadoutSigns) {
            this(
                    bias,
                    init,
                    radiusNumerator,
                    transplantRatio,
                    transplantRadius,
                    transplantAllLayers,
                    freezeRecurrentSigns,
                    freezeReadoutSigns,
                    Activation.RELU);
        }

        public Options {
            if (nonlinearity != Activation.RELU && nonlinearity != Activation.TANH)
                throw new IllegalArgumentException("model.nonlinearity must be relu or tanh, got " + nonlinearity);
            if (init == null) throw new IllegalArgumentException("recurrent_init is required");
            if ((init == Init.NORMAL || init == Init.LOGNORMAL) && cellInit == null)
                throw new IllegalArgumentException(
                        "recurrent_init " + init.name().toLowerCase(java.util.Locale.ROOT)
                                + " needs the initialisation of U and W (init_gain, init_mean_std_ratio)");
            if (!(radiusNumerator > 0))
                throw new IllegalArgumentException("radius_numerator must be > 0, got " + radiusNumerator);
            if (transplantRatio < 1)
                throw new IllegalArgumentException("transplant_ei_ratio must be >= 1, got " + transplantRatio);
            if (!(transplantRadius > 0))
                throw new IllegalArgumentException("transplant_radius must be > 0, got " + transplantRadius);
        }

        /** PyTorch initialisation with biases, nothing frozen. */
        public static Options defaults() {
            return new Options(true, Init.PYTORCH, 1.0 / 3, 9, 1.5, true, false, false);
        }
    }

    /** A standard RNN with the default options (PyTorch initialisation, biases, nothing frozen). */
    public static RecurrentNet create(TaskShape shape, int[] hidden, Blas blas, Rng rng) {
        return create(shape, hidden, Options.defaults(), blas, rng);
    }

    /** A standard RNN with {@code hidden[i]} units in cell {@code i}, initialised as above from {@code rng}. */
    public static RecurrentNet create(TaskShape shape, int[] hidden, Options o, Blas blas, Rng rng) {
        List<RecurrentCell> cells = new ArrayList<>();
        int in = shape.stepInputs();
        for (int i = 0; i < hidden.length; i++) {
            int n = hidden[i];
            String name = "rnn" + i;
            var u = Connectivity.Plain.create(name + ".U", n, in, in);
            var w = Connectivity.Plain.create(name + ".W", n, n, n);
            Parameter b =
                    o.bias() ? Parameter.of(name + ".b", 1, n, Parameter.Sign.FREE, Parameter.Role.BIAS, in, n) : null;
            initInput(u.w().value(), o, rng);
            initRecurrent(w.w().value(), o, rng);
            cells.add(new RecurrentCell(name, u, w, b, 1.0, o.nonlinearity(), blas));
            in = n;
        }
        Dense readout = new Dense("readout", in, shape.outputs(), Activation.IDENTITY, blas);
        initReadout(readout.weight().value(), o, rng);
        RecurrentNet net = new RecurrentNet(shape, cells, readout);
        if (o.freezeRecurrentSigns())
            for (RecurrentCell c : cells)
                net.freezeSigns(c.recurrent().parameters().get(0));
        if (o.freezeReadoutSigns()) net.freezeSigns(readout.weight());
        return net;
    }

    /**
     * {@code u} ({@code n_h x n_in}): PyTorch's {@code U(+-1/sqrt(n_h))}, the cell initialisation (NORMAL, LOGNORMAL),
     * or a transplant ({@code U_*_Spectrum_Init}, values drawn first).
     */
    private static void initInput(Matrix u, Options o, Rng rng) {
        if (o.init() == Init.NORMAL || o.init() == Init.LOGNORMAL) {
            o.cellInit().fill(u, 0, rng);
            return;
        }
        double bound = 1 / Math.sqrt(u.rows);
        if (!o.init().transplant() || !o.transplantAllLayers()) {
            RecurrentInit.uniform(u, bound, rng);
            return;
        }
        Matrix uniform = Matrix.zeros(u.rows, u.cols), exponential = Matrix.zeros(u.rows, u.cols);
        if (o.init() == Init.COLEI_VECTORS_RNN_VALUES) {
            RecurrentInit.uniform(uniform, bound, rng);
            RecurrentInit.exponential(exponential, Math.sqrt(1.0 / u.cols), rng);
            u.copyFrom(RecurrentInit.transplant(exponential, uniform));
        } else {
            RecurrentInit.exponential(exponential, Math.sqrt(1.0 / u.cols), rng);
            RecurrentInit.uniform(uniform, bound, rng);
            u.copyFrom(RecurrentInit.transplant(uniform, exponential));
        }
    }

    /** {@code w} ({@code n x n}) per {@link Options#init()}; transplants draw the vector source first. */
    private static void initRecurrent(Matrix w, Options o, Rng rng) {
        int n = w.rows;
        switch (o.init()) {
            case PYTORCH -> RecurrentInit.uniform(w, 1 / Math.sqrt(n), rng);
            case NORMAL, LOGNORMAL -> o.cellInit().fill(w, 1, rng);
            case UNIFORM_RADIUS ->
                RecurrentInit.uniform(w, RecurrentInit.uniformRadiusBound(n, o.radiusNumerator()), rng);
            case COLEI_VECTORS_RNN_VALUES -> {
                Matrix colei = columnEiSource(n, o, rng), uniform = Matrix.zeros(n, n);
                RecurrentInit.uniform(uniform, 1 / Math.sqrt(n), rng);
                w.copyFrom(RecurrentInit.transplant(colei, uniform));
            }
            case RNN_VECTORS_COLEI_VALUES -> {
                Matrix uniform = Matrix.zeros(n, n);
                RecurrentInit.uniform(uniform, 1 / Math.sqrt(n), rng);
                w.copyFrom(RecurrentInit.transplant(uniform, columnEiSource(n, o, rng)));
            }
        }
    }

    /** The column-E/I source of the recurrent transplants: {@code ni = max(1, n // (ratio + 1))}, no zero diagonal, radius rescaled. */
    static Matrix columnEiSource(int n, Options o, Rng rng) {
        int ni = transplantInhibitory(n, o.transplantRatio());
        Matrix w = RecurrentInit.signedColumnEi(n, n - ni, ni, rng);
        RecurrentInit.rescaleToSpectralRadius(w, o.transplantRadius());
        return w;
    }

    /**
     * Inhibitory columns of a transplant source: {@code n // (ratio + 1)} as the transplant
     * policies compute it (floor, unlike the ceiling of {@link ColumnEiMlp#split}), at least 1.
     */
    static int transplantInhibitory(int n, int ratio) {
        if (n < 2)
            throw new IllegalArgumentException("a column-E/I transplant source needs at least 2 units, got " + n);
        return Math.max(1, n / (ratio + 1));
    }

    /** The readout ({@code n_out x n_in}): {@code N(0, 2/n_in)}, or a transplant with a column-E/I dense matrix ({@code Dense_*_Spectrum_Init}). */
    private static void initReadout(Matrix w, Options o, Rng rng) {
        double std = Math.sqrt(READOUT_NUMERATOR / w.cols);
        if (!o.init().transplant() || !o.transplantAllLayers()) {
            RecurrentInit.normal(w, std, rng);
            return;
        }
        int ni = transplantInhibitory(w.cols, o.transplantRatio());
        Matrix colei = RecurrentInit.signedColumnEi(w.rows, w.cols - ni, ni, rng),
                normal = Matrix.zeros(w.rows, w.cols);
        RecurrentInit.normal(normal, std, rng);
        w.copyFrom(
                o.init() == Init.COLEI_VECTORS_RNN_VALUES
                        ? RecurrentInit.transplant(colei, normal)
                        : RecurrentInit.transplant(normal, colei));
    }
}

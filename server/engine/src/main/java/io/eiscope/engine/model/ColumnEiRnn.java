package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The column-E/I ("ColEI") RNN of Li et al. 2023 (§2.1b, {@code lib/song_rnn.py: ColumnEiCell},
 * after Song et al. 2016): stacked cells {@code h_t = ReLU(U_pos D_U x_t + W_pos D_W h_{t-1} + b)}
 * with {@code U_pos, W_pos >= 0} by projection and a {@link ColumnEiDense} readout.
 *
 * <p>Each cell of {@code n} units is split by {@link ColumnEiMlp#split} with the E:I ratio
 * {@code r}: {@code ni = ceil(n/(r+1))}, {@code ne = n - ni}; the <b>last {@code ni} units are
 * inhibitory</b> (negative columns of {@code W}, and of the next cell's or the readout's input
 * matrix). Initialisation (§2.2, {@code lib/init_policies.py}), cell by cell ({@code U}, {@code W},
 * {@code b}), then the readout:
 * <ul>
 *   <li>{@code W}: {@link RecurrentInit#columnEiRecurrent} ({@code ColumnEiCell_W_InitPolicy}):
 *       {@code [Exp(sigma_e) | -Exp(sigma_i)]}, zero diagonal, optional I→I ablation, rescaled to
 *       spectral radius exactly {@link Options#radius} (1.5 in all the paper's main runs);
 *       {@code W_pos = |W|};</li>
 *   <li>first cell's {@code U}: {@code U_pos ~ Exp(sqrt(1/n_in))}, all columns excitatory
 *       ({@code D_U = I}; {@code ColumnEi_FirstCell_U_InitPolicy});</li>
 *   <li>deeper cells' {@code U}: the balanced rule on the previous cell's split, E columns
 *       {@code Exp(sigma_e)}, I columns {@code Exp(sigma_i)} ({@code ColumnEiCell_U_InitPolicy});</li>
 *   <li>{@code b = 0}. The first-cell policy sets a centring bias {@code -n_in sqrt(1/n_in) pixel_mean},
 *       but {@code BaseRNNCell.init_weights} then runs the recurrent and bias policies, which zero it:
 *       the shipped code trains from {@code b = 0}, and so do we (science.md §2.2 flags it);</li>
 *   <li>readout: {@link ColumnEiMlp#initHidden} on the top cell's split ({@code ColumnEi_Dense_InitPolicy}).</li>
 * </ul>
 * With {@link Options#signConstrained} false every {@code W_pos} (cells and readout) is free: the
 * "clamp removed" control ({@code clamp=False}, {@code seq_mnist_test_song_sign.py}).
 */
public final class ColumnEiRnn {
    private ColumnEiRnn() {}

    /**
     * The column-E/I RNN's architecture and initialisation.
     *
     * @param ratio                        E:I ratio r of every population (cells, inputs of deeper cells, readout)
     * @param radius                       spectral radius of each initial recurrent matrix
     * @param zeroDiagonal                 no self-connections at init
     * @param ablateInhibitoryToInhibitory no I→I connections at init
     * @param signConstrained              project {@code W_pos} onto {@code >= 0} after every update
     * @param nonlinearity                 the cells' f: Activation.RELU (the papers') or Activation.TANH
     */
    public record Options(
            int ratio,
            double radius,
            boolean zeroDiagonal,
            boolean ablateInhibitoryToInhibitory,
            boolean signConstrained,
            Activation nonlinearity) {
        /** With ReLU cells, the papers' default. */
        public Options(
                int ratio,
                double radius,
                boolean zeroDiagonal,
                boolean ablateInhibitoryToInhibitory,
                boolean signConstrained) {
            this(ratio, radius, zeroDiagonal, ablateInhibitoryToInhibitory, signConstrained, Activation.RELU);
        }

        public Options {
            if (nonlinearity != Activation.RELU && nonlinearity != Activation.TANH)
                throw new IllegalArgumentException("model.nonlinearity must be relu or tanh, got " + nonlinearity);
            if (ratio < 1) throw new IllegalArgumentException("ei_ratio must be >= 1, got " + ratio);
            if (!(radius > 0) || !Double.isFinite(radius))
                throw new IllegalArgumentException("radius must be > 0, got " + radius);
        }

        /** Li et al.'s defaults: ratio 9 (10 % inhibitory), radius 1.5, zero diagonal, no ablation, sign-constrained. */
        public static Options defaults() {
            return new Options(9, 1.5, true, false, true);
        }
    }

    /** A ColEI RNN with {@code hidden[i] >= 2} units in cell {@code i}, initialised as above from {@code rng}. */
    public static RecurrentNet create(TaskShape shape, int[] hidden, Options o, Blas blas, Rng rng) {
        List<RecurrentCell> cells = new ArrayList<>();
        int in = shape.stepInputs();
        for (int i = 0; i < hidden.length; i++) {
            int n = hidden[i];
            String name = "rnn" + i;
            int inputInhibitory = i == 0 ? 0 : ColumnEiMlp.split(in, o.ratio()).inhibitory();
            int ni = ColumnEiMlp.split(n, o.ratio()).inhibitory();
            var u = new Connectivity.ColumnSigned(name + ".U_pos", n, in, inputInhibitory, o.signConstrained(), in, n);
            var w = new Connectivity.ColumnSigned(name + ".W_pos", n, n, ni, o.signConstrained(), n, n);
            Parameter b = Parameter.of(name + ".b", 1, n, Parameter.Sign.FREE, Parameter.Role.BIAS, in, n);
            initInput(u.magnitudes().value(), inputInhibitory, rng);
            Matrix signed = RecurrentInit.columnEiRecurrent(
                    n, ni, o.radius(), o.zeroDiagonal(), o.ablateInhibitoryToInhibitory(), rng);
            Matrix wPos = w.magnitudes().value();
            for (int k = 0, m = wPos.size(); k < m; k++) wPos.set(k, Math.abs(signed.get(k)));
            cells.add(new RecurrentCell(name, u, w, b, 1.0, o.nonlinearity(), blas));
            in = n;
        }
        ColumnEiDense readout = new ColumnEiDense(
                "readout",
                in,
                ColumnEiMlp.split(in, o.ratio()).inhibitory(),
                shape.outputs(),
                Activation.IDENTITY,
                o.signConstrained(),
                blas);
        ColumnEiMlp.initHidden(readout, rng);
        return new RecurrentNet(shape, cells, readout);
    }

    /** {@code U_pos} ({@code n x n_in}): {@code Exp(sqrt(1/n_in))} when all inputs are excitatory, else the balanced column rule. */
    private static void initInput(Matrix uPos, int inhibitory, Rng rng) {
        if (inhibitory == 0) {
            RecurrentInit.exponential(uPos, Math.sqrt(1.0 / uPos.cols), rng);
            return;
        }
        int ne = uPos.cols - inhibitory;
        double sigmaE = ColumnEiMlp.excitatoryScale(ne, inhibitory),
                sigmaI = ColumnEiMlp.inhibitoryScale(ne, inhibitory);
        for (int r = 0, k = 0; r < uPos.rows; r++) {
            for (int c = 0; c < uPos.cols; c++, k++) uPos.set(k, (float) rng.nextExponential(c < ne ? sigmaE : sigmaI));
        }
    }
}

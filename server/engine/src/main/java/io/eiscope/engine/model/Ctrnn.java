package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import java.util.List;

/**
 * The continuous-time RNN of Liu et al. 2024 (§5.1–5.2, {@code main.py: CTRNN, Net}), one layer
 * of {@code N} ReLU units discretised with {@code alpha = dt / tau}:
 * {@code h_t = ReLU((1 - alpha) h_{t-1} + alpha (W_in x_t + W_rec h_{t-1}))}, {@code h_{-1} = 0},
 * and a linear readout {@code y_t = W_out h_t}. No biases anywhere. With {@code tau = 100} ms the
 * paper's neurogym tasks ({@code dt = 100} ms) and sequential MNIST ({@code dt = None}) both have
 * {@code alpha = 1}.
 *
 * <p>Initialisation, in this order from the stream: the base recurrent matrix
 * {@code W0 = g Z / sqrt(N)}, {@code Z ~ N(0, 1)} ({@link RecurrentInit#gaussianRecurrent}, drawn
 * first and independent of the rank, so runs that differ only in the rank share {@code W0}, as
 * the paper's rank sweep reuses one draw); {@code W_in ~ U(+-1/sqrt(n_in))} and
 * {@code W_out ~ U(+-1/sqrt(N))} (PyTorch's {@code Linear} default, Kaiming-uniform with
 * {@code a = sqrt(5)}); then {@code W_rec} = the rank-{@code r} truncation of {@code W0}
 * renormalised to {@code ||W0||_F} ({@link RecurrentInit#truncateToRank}; {@code W0} itself at
 * full rank).
 *
 * <p>Parameters: {@code rnn0.U} ({@code W_in}), {@code rnn0.W} ({@code W_rec}) and
 * {@code readout.w} ({@code W_out}, a {@link LinearNeuron} with threshold 0: a linear layer
 * without bias).
 */
public final class Ctrnn {
    private Ctrnn() {}

    /**
     * The CTRNN's size, time constant and low-rank initialisation.
     *
     * @param hidden units N
     * @param alpha  {@code dt / tau} in (0, 1]
     * @param gain   g of {@code W0}
     * @param rank   the rank r of the initial {@code W_rec}, in {@code [1, N]}; {@code N} (or 0) for full rank
     * @param nonlinearity the cells' f: Activation.RELU (the papers') or Activation.TANH
     */
    public record Options(int hidden, double alpha, double gain, int rank, Activation nonlinearity) {
        /** With ReLU cells, the papers' default. */
        public Options(int hidden, double alpha, double gain, int rank) {
            this(hidden, alpha, gain, rank, Activation.RELU);
        }

        public Options {
            if (nonlinearity != Activation.RELU && nonlinearity != Activation.TANH)
                throw new IllegalArgumentException("model.nonlinearity must be relu or tanh, got " + nonlinearity);
            if (hidden < 1) throw new IllegalArgumentException("hidden must be >= 1, got " + hidden);
            if (!(alpha > 0 && alpha <= 1))
                throw new IllegalArgumentException("alpha = dt/tau must be in (0, 1], got " + alpha);
            if (!(gain > 0) || !Double.isFinite(gain))
                throw new IllegalArgumentException("init_gain must be > 0, got " + gain);
            if (rank < 0 || rank > hidden)
                throw new IllegalArgumentException(
                        "init_rank must be in [0, hidden = " + hidden + "] (0: full rank), got " + rank);
        }

        /** Liu et al.'s defaults: N = 300, alpha = 1, g = 1.25, full rank. */
        public static Options defaults() {
            return new Options(300, 1.0, 1.25, 0);
        }

        /** The rank used: {@code rank}, or {@code hidden} for 0. */
        public int effectiveRank() {
            return rank == 0 ? hidden : rank;
        }
    }

    /** A CTRNN for {@code shape}, initialised as above from {@code rng}. */
    public static RecurrentNet create(TaskShape shape, Options o, Blas blas, Rng rng) {
        int n = o.hidden(), in = shape.stepInputs();
        var w0 = RecurrentInit.gaussianRecurrent(n, o.gain(), rng);
        var u = Connectivity.Plain.create("rnn0.U", n, in, in);
        var w = Connectivity.Plain.create("rnn0.W", n, n, n);
        LinearNeuron readout = new LinearNeuron("readout", n, shape.outputs(), 0.0, blas);
        RecurrentInit.uniform(u.w().value(), 1 / Math.sqrt(in), rng);
        RecurrentInit.uniform(readout.weight().value(), 1 / Math.sqrt(n), rng);
        w.w().value().copyFrom(RecurrentInit.truncateToRank(w0, o.effectiveRank()));
        RecurrentCell cell = new RecurrentCell("rnn0", u, w, null, o.alpha(), o.nonlinearity(), blas);
        return new RecurrentNet(shape, List.of(cell), readout);
    }
}

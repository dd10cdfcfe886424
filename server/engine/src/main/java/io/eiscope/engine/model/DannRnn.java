package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The recurrent DANN of Li et al. 2023 (§2.1c, {@code lib/dann_rnn.py: EiRNNCell}), subtractive
 * inhibition only: stacked cells
 * {@code h_t = ReLU((Uex - Uei Uix) x_t + (Wex - Wei Wix) h_{t-1} + b)} whose {@code ne} hidden
 * units are all excitatory, with linear, instantaneous inhibitory interneurons between
 * {@code x_t} and {@code h_t} ({@code ni_i2h}) and between {@code h_{t-1}} and {@code h_t}
 * ({@code ni_h2h}); all six matrices {@code >= 0} by projection. Readout: an {@link EiDense}
 * {@code y = (Wex - Wei Wix) h + b} with {@code max(n_out // 10, 1)} inhibitory units.
 *
 * <p>Initialisation (§2.2), cell by cell ({@code U}, then {@code W}), then the readout:
 * {@link RecurrentInit#dannBlock} for both blocks of a cell with the variance numerator (1/3,
 * PyTorch's {@code 1/(3n)}; the spectral-radius sweeps' knob), {@code b = 0}; readout
 * {@code EiDenseWeightInit_WexMean(numerator=2)}: {@code Wex ~ Exp(sqrt(2 ne/(d (ne - 1))))}
 * ({@code sqrt(2/d)} for one output), {@code Wei} of the same scale with rows normalised to sum
 * 1, every {@code Wix} row the mean row of {@code Wex}, {@code b = 0}.
 *
 * <p>Parameters: {@code rnn<i>.Uex, .Uix, .Uei, .Wex, .Wix, .Wei, .b}; each block's carry
 * {@code fanIn} = its columns and {@code excitatoryUnits = ne}, so {@code correct_inhibitory}
 * divides {@code dUix} and {@code dWix} by {@code sqrt(ne)}, {@code dUei} by {@code n_in} and
 * {@code dWei} by {@code ne}: Li et al.'s {@code EiRNNcSGD_Mixin}.
 */
public final class DannRnn {
    private DannRnn() {}

    /** The readout's variance numerator ({@code EiDenseWeightInit_WexMean(numerator=2)}). */
    static final double READOUT_NUMERATOR = 2;

    /**
     * The inhibitory populations and initialisation of every DANN cell.
     *
     * @param inputInhibitory     {@code ni_i2h} of every cell; 0 for the default {@code max(ne // 10, 1)}
     * @param recurrentInhibitory {@code ni_h2h} of every cell; 0 for the default {@code max(ne // 10, 1)}
     * @param numerator           the variance numerator of the cells' initialisation
     * @param nonlinearity        the cells' f: Activation.RELU (the papers') or Activation.TANH
     */
    public record Options(int inputInhibitory, int recurrentInhibitory, double numerator, Activation nonlinearity) {
        /** With ReLU cells, the papers' default. */
        public Options(int inputInhibitory, int recurrentInhibitory, double numerator) {
            this(inputInhibitory, recurrentInhibitory, numerator, Activation.RELU);
        }

        public Options {
            if (nonlinearity != Activation.RELU && nonlinearity != Activation.TANH)
                throw new IllegalArgumentException("model.nonlinearity must be relu or tanh, got " + nonlinearity);
            if (inputInhibitory < 0) throw new IllegalArgumentException("ni_i2h must be >= 0, got " + inputInhibitory);
            if (recurrentInhibitory < 0)
                throw new IllegalArgumentException("ni_h2h must be >= 0, got " + recurrentInhibitory);
            if (!(numerator > 0) || !Double.isFinite(numerator))
                throw new IllegalArgumentException("init_numerator must be > 0, got " + numerator);
        }

        /** Li et al.'s defaults: 10 % interneurons in both blocks, numerator 1/3. */
        public static Options defaults() {
            return new Options(0, 0, 1.0 / 3);
        }
    }

    /** {@code count}, or the default {@code max(ne // 10, 1)} when 0. */
    public static int inhibitory(int count, int ne) {
        return count > 0 ? count : Math.max(ne / 10, 1);
    }

    /** A DANN RNN with {@code hidden[i] >= 2} excitatory units in cell {@code i}, initialised as above from {@code rng}. */
    public static RecurrentNet create(TaskShape shape, int[] hidden, Options o, Blas blas, Rng rng) {
        List<RecurrentCell> cells = new ArrayList<>();
        int in = shape.stepInputs();
        for (int i = 0; i < hidden.length; i++) {
            int ne = hidden[i];
            String name = "rnn" + i;
            var u = new Connectivity.Dann(name + ".U", ne, in, inhibitory(o.inputInhibitory(), ne));
            var w = new Connectivity.Dann(name + ".W", ne, ne, inhibitory(o.recurrentInhibitory(), ne));
            Parameter b = Parameter.of(name + ".b", 1, ne, Parameter.Sign.FREE, Parameter.Role.BIAS, in, ne);
            RecurrentInit.dannBlock(u, o.numerator(), rng);
            RecurrentInit.dannBlock(w, o.numerator(), rng);
            cells.add(new RecurrentCell(name, u, w, b, 1.0, o.nonlinearity(), blas));
            in = ne;
        }
        int outputs = shape.outputs();
        EiDense readout = new EiDense("readout", in, outputs, Math.max(outputs / 10, 1), Activation.IDENTITY, blas);
        initReadout(readout, rng);
        return new RecurrentNet(shape, cells, readout);
    }

    /** {@code EiDenseWeightInit_WexMean(numerator=2)}: see the class documentation. Draws {@code Wex}, then {@code Wei}. */
    static void initReadout(EiDense readout, Rng rng) {
        EiWeights w = readout.eiWeights();
        int ne = w.ne(), d = w.d();
        double s = ne > 1 ? Math.sqrt(READOUT_NUMERATOR * ne / (d * (ne - 1.0))) : Math.sqrt(READOUT_NUMERATOR / d);
        Matrix wex = w.wex().value();
        RecurrentInit.exponential(wex, s, rng);
        RecurrentInit.rowNormalisedExponential(w.wei().value(), s, rng);
        RecurrentInit.meanRowInto(wex, w.wix().value());
        w.b().value().fill(0f);
    }
}

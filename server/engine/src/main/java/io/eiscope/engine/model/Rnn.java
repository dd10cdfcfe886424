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
 * and a dense readout.
 *
 * <p>Initialisation (§2.2, {@code U_TorchInit}, {@code W_TorchInit}, {@code DenseNormalInit(2)}):
 * {@code U, W ~ U(-1/sqrt(n_h), 1/sqrt(n_h))} (the bound uses {@code n_h} for the input weights
 * too, as PyTorch's RNN does), {@code b = 0}; readout {@code W ~ N(0, 2/n_in)}, {@code b = 0}.
 */
public final class Rnn {
    private Rnn() {}

    /** A standard RNN with {@code hidden[i]} units in cell {@code i}, initialised as above from {@code rng}. */
    public static RecurrentNet create(TaskShape shape, int[] hidden, Blas blas, Rng rng) {
        List<RecurrentCell> cells = new ArrayList<>();
        int in = shape.stepInputs();
        for (int i = 0; i < hidden.length; i++) {
            int n = hidden[i];
            String name = "rnn" + i;
            var u = Connectivity.Plain.create(name + ".U", n, in, in);
            var w = Connectivity.Plain.create(name + ".W", n, n, n);
            Parameter b = Parameter.of(name + ".b", 1, n, Parameter.Sign.FREE, Parameter.Role.BIAS, in, n);
            double bound = 1 / Math.sqrt(n);
            uniform(u.w().value(), bound, rng);
            uniform(w.w().value(), bound, rng);
            cells.add(new RecurrentCell(name, u, w, b, 1.0, blas));
            in = n;
        }
        Dense readout = new Dense("readout", in, shape.outputs(), Activation.IDENTITY, blas);
        new WeightInit.Normal(Math.sqrt(2), WeightInit.Fan.IN).fill(readout.weight().value(), 1, rng);
        return new RecurrentNet(shape, cells, readout);
    }

    /** Every element {@code ~ U(-bound, bound)}. */
    static void uniform(Matrix m, double bound, Rng rng) {
        for (int i = 0, n = m.size(); i < n; i++) m.set(i, (float) ((2 * rng.nextDouble() - 1) * bound));
    }
}

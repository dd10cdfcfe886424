package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bias-free threshold unit of the r-of-k task, and split-bias Dense, against double references. */
class LinearNeuronTest {

    @Test
    void gradientsOfTheThresholdUnitMatchFiniteDifferences() {
        Rng rng = new Rng(1);
        LinearNeuron layer = new LinearNeuron("neuron", 7, 2, 1.5, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of());
        Matrix x = LayerGradientCheck.uniform(5, 7, 0, 1, rng);
        int checked = LayerGradientCheck.check(
                layer,
                x,
                (p, xd) -> {
                    double[][] w = p.get("w"), z = new double[xd.length][w.length];
                    for (int r = 0; r < xd.length; r++)
                        for (int k = 0; k < w.length; k++) {
                            z[r][k] = -1.5;
                            for (int i = 0; i < w[k].length; i++) z[r][k] += w[k][i] * xd[r][i];
                        }
                    return z;
                },
                rng);
        assertThat(checked).isEqualTo(14 + 35);
    }

    @Test
    void gradientsOfASplitBiasDenseLayerMatchFiniteDifferences() {
        Rng rng = new Rng(2);
        Dense layer = new Dense("l", 4, 3, Activation.IDENTITY, true, Blas.best());
        LayerGradientCheck.randomise(layer, rng, List.of());
        Matrix x = LayerGradientCheck.uniform(5, 4, -1, 1, rng);
        int checked = LayerGradientCheck.check(
                layer,
                x,
                (p, xd) -> {
                    double[][] w = p.get("W"),
                            bp = p.get("b_pos"),
                            bn = p.get("b_neg"),
                            z = new double[xd.length][w.length];
                    for (int r = 0; r < xd.length; r++)
                        for (int k = 0; k < w.length; k++) {
                            z[r][k] = bp[0][k] + bn[0][k];
                            for (int i = 0; i < w[k].length; i++) z[r][k] += w[k][i] * xd[r][i];
                        }
                    return z;
                },
                rng);
        assertThat(checked).isEqualTo(12 + 3 + 3 + 20);
    }
}

package io.eiscope.engine.observe;

import static io.eiscope.engine.observe.ActivationObservablesTest.CATALOGUE;
import static io.eiscope.engine.observe.ActivationObservablesTest.measure;
import static io.eiscope.engine.observe.ActivationObservablesTest.mlp;
import static io.eiscope.engine.observe.ActivationObservablesTest.rnn;
import static io.eiscope.engine.observe.ActivationObservablesTest.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.model.RecurrentNet;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Weight change, representation and kernel alignment against the start of the run: closed forms
 * for the change, brute-force references for the alignments (the initial network rebuilt from the
 * same config; kernels from one backward pass per output and trial).
 */
class LazinessObservablesTest {

    @Test
    void weightChangeIsTheFrobeniusDistanceToTheInitialMatrix() {
        Simulation s = rnn(6, 1);
        assertThat(scalar(s, "weight_change", "rnn0.W")).isZero();
        assertThat(scalar(s, "relative_weight_change", "rnn0")).isZero();
        Matrix w = s.parameter("rnn0.W").orElseThrow().value();
        double norm = 0;
        for (int i = 0; i < w.size(); i++) norm += (double) w.get(i) * w.get(i);
        float w01 = w.get(0, 1);
        s.apply(new io.eiscope.engine.sim.Command.SetWeight("rnn0.W", 0, 1, w01 + 0.25f));
        double delta = (double) (w01 + 0.25f) - w01;
        assertThat(scalar(s, "weight_change", "rnn0.W")).isCloseTo(delta, within(1e-9));
        // The standard cell's effective recurrent matrix is W itself.
        assertThat(scalar(s, "weight_change", "rnn0")).isCloseTo(delta, within(1e-9));
        assertThat(scalar(s, "relative_weight_change", "rnn0.W")).isCloseTo(delta / Math.sqrt(norm), within(1e-9));
        assertThat(scalar(s, "weight_change", "rnn0.U")).isZero();
        assertThat(CATALOGUE.measured("weight_change").orElseThrow().targets(s))
                .contains("rnn0.W", "rnn0.U", "readout.W", "rnn0", "rnn0.input")
                .doesNotContain("rnn0.b");
        s.reset();
        assertThat(scalar(s, "weight_change", "rnn0")).isZero();
    }

    @Test
    void effectiveWeightChangeComparesWithTheEffectiveMatrixOfTheInitialParameters() {
        Simulation s = new Simulation(
                new SimulationConfig(
                        "d",
                        new ComponentConfig(
                                "dann", Map.of("hidden_excitatory", List.of(10L), "hidden_inhibitory", List.of(2L))),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.05)),
                        new ComponentConfig(
                                "r_of_k",
                                Map.of(
                                        "inputs",
                                        20L,
                                        "relevant",
                                        5L,
                                        "threshold",
                                        3L,
                                        "train_size",
                                        100L,
                                        "held_out_size",
                                        40L)),
                        4,
                        8,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(null));
        for (int i = 0; i < 20; i++) s.trainStep();
        Matrix now = s.model().effectiveWeight("layer0").orElseThrow();
        double[][] ex = rows(s.initialValue("layer0.Wex").orElseThrow()),
                ix = rows(s.initialValue("layer0.Wix").orElseThrow()),
                ei = rows(s.initialValue("layer0.Wei").orElseThrow());
        double diff = 0, norm = 0;
        for (int r = 0; r < now.rows; r++) {
            for (int c = 0; c < now.cols; c++) {
                double w0 = ex[r][c];
                for (int k = 0; k < ix.length; k++) w0 -= ei[r][k] * ix[k][c];
                diff += (now.get(r, c) - w0) * (now.get(r, c) - w0);
                norm += w0 * w0;
            }
        }
        assertThat(diff).isPositive();
        assertThat(scalar(s, "weight_change", "layer0")).isCloseTo(Math.sqrt(diff), within(1e-5 * Math.sqrt(norm)));
        assertThat(scalar(s, "relative_weight_change", "layer0")).isCloseTo(Math.sqrt(diff / norm), within(1e-5));
    }

    private static double[][] rows(Matrix m) {
        double[][] out = new double[m.rows][m.cols];
        for (int r = 0; r < m.rows; r++) for (int c = 0; c < m.cols; c++) out[r][c] = m.get(r, c);
        return out;
    }

    @Test
    void alignmentsAreOneAtTheStartAndAfterAReset() {
        Simulation s = rnn(8, 2);
        assertThat(scalar(s, "kernel_alignment", "rnn0")).isCloseTo(1, within(1e-12));
        assertThat(scalar(s, "representation_alignment", "rnn0")).isCloseTo(1, within(1e-12));
        for (int i = 0; i < 30; i++) s.trainStep();
        assertThat(scalar(s, "kernel_alignment", "rnn0")).isBetween(0.0, 1.0).isLessThan(1 - 1e-6);
        assertThat(scalar(s, "representation_alignment", "rnn0"))
                .isBetween(0.0, 1.0)
                .isLessThan(1 - 1e-6);
        s.reset();
        assertThat(scalar(s, "kernel_alignment", "rnn0")).isCloseTo(1, within(1e-12));
        assertThat(scalar(s, "representation_alignment", "rnn0")).isCloseTo(1, within(1e-12));
    }

    @Test
    void alignmentsMatchBruteForceKernelsOfTheInitialAndTrainedNetworks() {
        Simulation initial = rnn(7, 3), trained = rnn(7, 3);
        for (int i = 0; i < 40; i++) trained.trainStep();
        Matrix probe = trained.probeInputs();
        RecurrentNet at0 = (RecurrentNet) initial.model(), atT = (RecurrentNet) trained.model();

        double[][] k0 = KernelAlignmentTest.gram(KernelAlignmentTest.perOutputGradients(at0, 0, probe));
        double[][] kt = KernelAlignmentTest.gram(KernelAlignmentTest.perOutputGradients(atT, 0, probe));
        assertThat(scalar(trained, "kernel_alignment", "rnn0")).isCloseTo(alignment(kt, k0), within(1e-5));

        int b = probe.rows;
        at0.forward(probe);
        Matrix h0 = at0.cells().get(0).hidden();
        atT.forward(probe);
        Matrix ht = atT.cells().get(0).hidden();
        double[][] kr0 = new double[b][b], krt = new double[b][b];
        int last = (ActivationObservablesTest.STEPS - 1) * b;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                for (int u = 0; u < h0.cols; u++) {
                    kr0[i][j] += (double) h0.get(last + i, u) * h0.get(last + j, u);
                    krt[i][j] += (double) ht.get(last + i, u) * ht.get(last + j, u);
                }
            }
        }
        assertThat(scalar(trained, "representation_alignment", "rnn0")).isCloseTo(alignment(krt, kr0), within(1e-5));
    }

    private static double alignment(double[][] a, double[][] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                dot += a[i][j] * b[i][j];
                na += a[i][j] * a[i][j];
                nb += b[i][j] * b[i][j];
            }
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void kernelAlignmentAppliesToRecurrentCellsOnlyAndRepresentationAlignmentToHiddenLayers() {
        Simulation m = mlp(5);
        assertThat(CATALOGUE.measured("kernel_alignment").orElseThrow().targets(m))
                .isEmpty();
        assertThat(measure(m, "kernel_alignment", "layer0")).isNull();
        assertThat(CATALOGUE.measured("representation_alignment").orElseThrow().targets(m))
                .containsExactly("layer0");
        assertThat(scalar(m, "representation_alignment", "layer0")).isCloseTo(1, within(1e-12));
        Simulation r = rnn(5, 6);
        assertThat(CATALOGUE.measured("kernel_alignment").orElseThrow().targets(r))
                .containsExactly("rnn0");
        assertThat(CATALOGUE.measured("representation_alignment").orElseThrow().targets(r))
                .containsExactly("rnn0");
        assertThat(measure(r, "representation_alignment", "readout")).isNull();
    }

    @Test
    void measuringEveryObservableBetweenStepsLeavesTrainingBitIdentical() {
        Simulation measured = rnn(9, 7), plain = rnn(9, 7);
        List<String> names = new ArrayList<>();
        ActivationObservables.all().forEach(o -> names.add(o.name()));
        LazinessObservables.all().forEach(o -> names.add(o.name()));
        for (int i = 0; i < 25; i++) {
            measured.trainStep();
            plain.trainStep();
            if (i % 4 == 0) measured.evaluate(); // other forward passes in between too
            for (String name : names) {
                Observable o = CATALOGUE.measured(name).orElseThrow();
                for (String target : o.targets(measured)) o.measure(measured, target);
            }
        }
        for (int i = 0; i < plain.parameters().size(); i++)
            assertThat(measured.parameters().get(i).value().toArray())
                    .as(plain.parameters().get(i).name())
                    .containsExactly(plain.parameters().get(i).value().toArray());
        assertThat(measured.evaluate()).isEqualTo(plain.evaluate());
    }
}

package io.eiscope.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.Spectra;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The recurrent DANN of Li et al. 2023 (science.md §2.1c, §2.2): the initial effective matrices
 * are column-centred {@code Wex} (inhibition removes the mean over the E units exactly), the
 * recurrent spectral radius is about {@code sqrt(numerator)}, and the interneuron counts and
 * parameter metadata give the corrected-SGD divisors of §2.3.
 */
class DannRnnTest {

    static RecurrentNet build(TaskShape shape, int[] hidden, DannRnn.Options o, long seed) {
        return DannRnn.create(shape, hidden, o, Blas.best(), new Rng(seed));
    }

    static Map<String, Parameter> byName(Model m) {
        return m.parameters().stream().collect(Collectors.toMap(Parameter::name, p -> p));
    }

    @Test
    void everyInitialEffectiveMatrixHasZeroMeanOverTheExcitatoryUnitsOfEachColumn() {
        RecurrentNet net = build(new TaskShape(7, 3, 10, false), new int[] {40, 30}, DannRnn.Options.defaults(), 5);
        for (String target : new String[] {"rnn0", "rnn0.input", "rnn1", "rnn1.input", "readout"}) {
            Matrix w = net.effectiveWeight(target).orElseThrow();
            double largest = 0;
            for (int i = 0; i < w.size(); i++) largest = Math.max(largest, Math.abs(w.get(i)));
            for (int c = 0; c < w.cols; c++) {
                double sum = 0;
                for (int r = 0; r < w.rows; r++) sum += w.get(r, c);
                assertThat(sum / w.rows)
                        .as("%s column %d mean over rows", target, c)
                        .isCloseTo(0, within(1e-6 * largest));
            }
        }
        Map<String, Parameter> p = byName(net);
        Matrix wex = p.get("rnn0.Wex").value(),
                wix = p.get("rnn0.Wix").value(),
                wei = p.get("rnn0.Wei").value();
        assertThat(wix.rows).isEqualTo(4); // max(40 // 10, 1)
        for (int c = 0; c < 40; c++) {
            double mean = 0;
            for (int r = 0; r < 40; r++) mean += wex.get(r, c);
            for (int r = 0; r < 4; r++) assertThat((double) wix.get(r, c)).isCloseTo(mean / 40, within(1e-6));
        }
        for (int r = 0; r < wei.rows; r++) {
            double sum = 0;
            for (int c = 0; c < wei.cols; c++) sum += wei.get(r, c);
            assertThat(sum).as("Wei row %d sums to 1", r).isCloseTo(1, within(1e-6));
        }
        assertThat(p.get("readout.Wix").value().rows).isEqualTo(1); // max(10 // 10, 1)
        assertThat(p.get("readout.Wei").value().toArray()).containsOnly(1f);
        assertThat(p.get("rnn0.b").value().toArray()).containsOnly(0f);
    }

    @Test
    void theRecurrentSpectralRadiusIsAboutTheSquareRootOfTheNumeratorForLargeNetworks() {
        for (double numerator : new double[] {1.0 / 3, 1.0}) {
            Matrix w = build(new TaskShape(10, 2, 2, false), new int[] {400}, new DannRnn.Options(0, 0, numerator), 3)
                    .effectiveWeight("rnn0")
                    .orElseThrow();
            double rho = Spectra.spectralRadius(Spectra.javaEigenvalues(w));
            assertThat(rho)
                    .as("radius at numerator %s", numerator)
                    .isCloseTo(Math.sqrt(numerator), within(0.1 * Math.sqrt(numerator)));
            double variance = 0;
            for (int i = 0; i < w.size(); i++) variance += (double) w.get(i) * w.get(i);
            assertThat(variance / w.size())
                    .as("entry variance ~ numerator / ne")
                    .isCloseTo(numerator / 400, within(0.1 * numerator / 400));
        }
    }

    @Test
    void interneuronCountsDefaultToATenthAndTheParametersCarryTheRecurrentCorrectionDivisors() {
        int nIn = 7, ne = 30;
        RecurrentNet net =
                build(new TaskShape(nIn, 3, 4, false), new int[] {ne}, new DannRnn.Options(2, 0, 1.0 / 3), 1);
        Map<String, Parameter> p = byName(net);
        assertThat(p.get("rnn0.Uix").value().rows).isEqualTo(2);
        assertThat(p.get("rnn0.Wix").value().rows).isEqualTo(3);
        // Li et al. EiRNNcSGD_Mixin: dUix / sqrt(ne), dUei / n_in, dWix / sqrt(ne), dWei / ne; DalesANN_cSGD on the
        // readout
        assertThat(io.eiscope.engine.learning.InhibitoryCorrection.divisor(p.get("rnn0.Uix")))
                .isEqualTo(Math.sqrt(ne));
        assertThat(io.eiscope.engine.learning.InhibitoryCorrection.divisor(p.get("rnn0.Uei")))
                .isEqualTo(nIn);
        assertThat(io.eiscope.engine.learning.InhibitoryCorrection.divisor(p.get("rnn0.Wix")))
                .isEqualTo(Math.sqrt(ne));
        assertThat(io.eiscope.engine.learning.InhibitoryCorrection.divisor(p.get("rnn0.Wei")))
                .isEqualTo(ne);
        assertThat(io.eiscope.engine.learning.InhibitoryCorrection.divisor(p.get("readout.Wix")))
                .isEqualTo(Math.sqrt(4));
        assertThat(io.eiscope.engine.learning.InhibitoryCorrection.divisor(p.get("readout.Wei")))
                .isEqualTo(ne);
        for (String unchanged : new String[] {"rnn0.Uex", "rnn0.Wex", "rnn0.b", "readout.Wex", "readout.b"})
            assertThat(io.eiscope.engine.learning.InhibitoryCorrection.divisor(p.get(unchanged)))
                    .as(unchanged)
                    .isEqualTo(1);
    }
}

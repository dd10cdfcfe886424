package io.eiscope.engine.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.TestData;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.Spectra;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NSE, effective rank and the spectral observables on matrices and on live simulations. */
class SpectralObservablesTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();

    static Matrix identity(int n) {
        Matrix m = Matrix.zeros(n, n);
        for (int i = 0; i < n; i++) m.set(i, i, 1f);
        return m;
    }

    static Simulation sim(ComponentConfig model) {
        return new Simulation(
                new SimulationConfig(
                        "s",
                        model,
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.05)),
                        ComponentConfig.of("fashion_mnist"),
                        3,
                        16,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(TestData.dataDir()));
    }

    static Observation.Payload measure(Simulation s, String observable, String target) {
        return CATALOGUE.measured(observable).orElseThrow().measure(s, target);
    }

    @Test
    void nseOfTheIdentityIsOneAndOfARankOneMatrixIsZero() {
        assertThat(SpectralObservables.normalisedSvdEntropy(Spectra.singularValues(identity(50))))
                .isCloseTo(1, within(1e-6));
        Matrix rankOne = Matrix.zeros(50, 50);
        for (int i = 0; i < 50; i++) for (int j = 0; j < 50; j++) rankOne.set(i, j, (i + 1) * (float) Math.cos(j));
        assertThat(SpectralObservables.normalisedSvdEntropy(Spectra.singularValues(rankOne)))
                .isCloseTo(0, within(1e-3));
        assertThat(SpectralObservables.normalisedSvdEntropy(new float[] {3f, 0f, 0f, 0f}))
                .isZero();
    }

    @Test
    void bothEffectiveRanksOfTheIdentityAreItsSizeAndOfARankOneSpectrumAreOne() {
        float[] s = Spectra.singularValues(identity(20));
        assertThat(SpectralObservables.participationRatio(s)).isCloseTo(20, within(1e-9));
        assertThat(SpectralObservables.entropyEffectiveRank(s)).isCloseTo(20, within(1e-6));
        assertThat(SpectralObservables.participationRatio(new float[] {2f, 0f, 0f}))
                .isEqualTo(1);
        assertThat(SpectralObservables.entropyEffectiveRank(new float[] {2f, 0f, 0f}))
                .isEqualTo(1);
        // participation ratio of (1, 1, 2): 6^2 / 18 = 2
        assertThat(SpectralObservables.participationRatio(new float[] {2f, 1f, 1f}))
                .isCloseTo(2, within(1e-12));
    }

    @Test
    void everySpectralObservableIsInTheCatalogueWithItsCostInTheDoc() {
        for (Observable o : SpectralObservables.all()) {
            assertThat(CATALOGUE.measured(o.name())).as(o.name()).isPresent();
            assertThat(o.descriptor().doc()).as(o.name()).contains("O(n^3)");
        }
        assertThat(CATALOGUE
                        .measured("singular_values")
                        .orElseThrow()
                        .descriptor()
                        .doc())
                .contains("descending");
    }

    @Test
    void anMlpsWeightMatricesAreMeasuredAndOnlySquareOnesHaveEigenvalues() {
        Simulation s = sim(new ComponentConfig("mlp", Map.of("hidden", List.of(32L, 32L))));
        var svdTargets = CATALOGUE.measured("singular_values").orElseThrow().targets(s);
        assertThat(svdTargets).contains("layer0.W", "layer1.W", "layer2.W").noneMatch(t -> t.endsWith(".b"));
        assertThat(CATALOGUE.measured("eigenvalues").orElseThrow().targets(s)).containsExactly("layer1.W");

        var sv = (Observation.Tensor) measure(s, "singular_values", "layer0.W");
        assertThat(sv.shape()).containsExactly(32);
        for (int i = 1; i < sv.data().length; i++) assertThat(sv.data()[i]).isLessThanOrEqualTo(sv.data()[i - 1]);
        double nse = ((Observation.Scalar) measure(s, "nse", "layer0.W")).value();
        assertThat(nse).isBetween(0.5, 1.0);

        var eig = (Observation.Tensor) measure(s, "eigenvalues", "layer1.W");
        assertThat(eig.shape()).containsExactly(32, 2);
        double radius = ((Observation.Scalar) measure(s, "spectral_radius", "layer1.W")).value();
        assertThat(radius)
                .isCloseTo(Spectra.spectralRadius(eig.data()), within(1e-9))
                .isPositive();
        float sigmaMax = ((Observation.Tensor) measure(s, "singular_values", "layer1.W")).data()[0];
        assertThat(radius).isLessThanOrEqualTo(sigmaMax * (1 + 1e-5)); // |lambda| <= sigma_max
        assertThat(measure(s, "eigenvalues", "layer0.W")).isNull();
    }

    @Test
    void aDannLayerIsMeasuredOnItsEffectiveSignedMatrix() {
        Simulation s = sim(new ComponentConfig(
                "dann", Map.of("hidden_excitatory", List.of(40L), "hidden_inhibitory", List.of(4L))));
        var targets = CATALOGUE.measured("nse").orElseThrow().targets(s);
        assertThat(targets).contains("layer0", "layer1");
        Matrix w = s.model().effectiveWeight("layer0").orElseThrow();
        var sv = (Observation.Tensor) measure(s, "singular_values", "layer0");
        assertThat(sv.data()).containsExactly(Spectra.singularValues(w), within(0f));
        assertThat(((Observation.Scalar) measure(s, "effective_rank_participation", "layer0")).value())
                .isBetween(1.0, 40.0);
        assertThat(((Observation.Scalar) measure(s, "effective_rank_entropy", "layer0")).value())
                .isBetween(1.0, 40.0);
    }

    @Test
    void aDeferredMeasurementSeesTheWeightsOfTheStepItWasPreparedAtAndSharesOneDecomposition() {
        // on this one-step task the input matrix learns (the recurrent one gets no gradient)
        Simulation s = sim(new ComponentConfig("rnn", Map.of("hidden", List.of(24L))));
        var sv = (DeferredObservable) CATALOGUE.measured("singular_values").orElseThrow();
        var nse = (DeferredObservable) CATALOGUE.measured("nse").orElseThrow();
        float[] expected =
                Spectra.singularValues(s.model().effectiveWeight("rnn0.input").orElseThrow());
        var svLater = sv.prepare(s, "rnn0.input");
        var nseLater = nse.prepare(s, "rnn0.input");
        for (int i = 0; i < 5; i++) s.trainStep(); // the copies taken above must not move with training
        float[] now =
                Spectra.singularValues(s.model().effectiveWeight("rnn0.input").orElseThrow());
        assertThat(now).isNotEqualTo(expected);
        float[] got = ((Observation.Tensor) svLater.get()).data();
        assertThat(got).containsExactly(expected, within(0f));
        assertThat(((Observation.Scalar) nseLater.get()).value())
                .isEqualTo(SpectralObservables.normalisedSvdEntropy(got));
        assertThat(((Observation.Tensor) sv.prepare(s, "rnn0.input").get()).data())
                .containsExactly(now, within(0f));
    }

    /**
     * A recurrent matrix on which the Arnoldi iteration converges (600 units, about 150 steps; at 250 it
     * would fall back to sgeev, and at 400 converge on its last allowed step): the observable's spectral
     * radius agrees with the largest modulus of the eigenvalues observable, and is the same bits in a twin
     * simulation (same spec and seed) where the eigenvalues were measured first: it never borrows them.
     */
    @Test
    void theSpectralRadiusOfALargeMatrixAgreesWithItsEigenvaluesWhateverElseIsWatched() {
        ComponentConfig rnn = new ComponentConfig("rnn", Map.of("hidden", List.of(600L)));
        double alone = ((Observation.Scalar) measure(sim(rnn), "spectral_radius", "rnn0.W")).value();
        Simulation twin = sim(rnn);
        var eig = (Observation.Tensor) measure(twin, "eigenvalues", "rnn0.W");
        double afterEigenvalues = ((Observation.Scalar) measure(twin, "spectral_radius", "rnn0.W")).value();
        double fromEigenvalues = Spectra.spectralRadius(eig.data());
        assertThat(eig.shape()).containsExactly(600, 2);
        assertThat(alone)
                .isCloseTo(fromEigenvalues, within(fromEigenvalues * 1e-5))
                .isPositive();
        assertThat(Double.doubleToRawLongBits(afterEigenvalues)).isEqualTo(Double.doubleToRawLongBits(alone));
    }

    @Test
    void theEffectiveMatrixOfAPlainCellIsItsParameterAndIsDecomposedOnce() {
        var sv = (DeferredObservable) CATALOGUE.measured("singular_values").orElseThrow();
        Simulation plain = sim(new ComponentConfig("rnn", Map.of("hidden", List.of(12L))));
        float[] a = ((Observation.Tensor) sv.prepare(plain, "rnn0").get()).data();
        float[] b = ((Observation.Tensor) sv.prepare(plain, "rnn0.W").get()).data();
        assertThat(a).isSameAs(b); // one decomposition served both targets
        Simulation dann = sim(new ComponentConfig("dann_rnn", Map.of("hidden", List.of(12L))));
        float[] effective = ((Observation.Tensor) sv.prepare(dann, "rnn0").get()).data();
        float[] excitatory = ((Observation.Tensor) sv.prepare(dann, "rnn0.Wex").get()).data();
        assertThat(effective).isNotSameAs(excitatory).isNotEqualTo(excitatory); // Wex - Wei Wix is not Wex
    }
}

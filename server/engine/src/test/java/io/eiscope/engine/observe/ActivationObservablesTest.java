package io.eiscope.engine.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.ToyDecisionTask;
import io.eiscope.engine.model.RecurrentNet;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Activation statistics and hidden states on the probe batch, against closed forms and a direct forward pass. */
class ActivationObservablesTest {
    static final int STEPS = 6;
    static final Catalogue CATALOGUE = ToyDecisionTask.catalogue(STEPS);

    static Simulation rnn(int hidden, long seed) {
        return new Simulation(
                new SimulationConfig(
                        "a",
                        new ComponentConfig("rnn", Map.of("hidden", List.of((long) hidden))),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.05, "momentum", 0.9)),
                        ComponentConfig.of(ToyDecisionTask.KIND),
                        seed,
                        16,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(null));
    }

    static Simulation mlp(long seed) {
        return new Simulation(
                new SimulationConfig(
                        "m",
                        new ComponentConfig("mlp", Map.of("hidden", List.of(12L))),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.05)),
                        new ComponentConfig(
                                "r_of_k",
                                Map.of(
                                        "inputs",
                                        30L,
                                        "relevant",
                                        10L,
                                        "threshold",
                                        5L,
                                        "train_size",
                                        200L,
                                        "held_out_size",
                                        40L)),
                        seed,
                        8,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(null));
    }

    static Observation.Payload measure(Simulation s, String observable, String target) {
        return CATALOGUE.measured(observable).orElseThrow().measure(s, target);
    }

    static double scalar(Simulation s, String observable, String target) {
        return ((Observation.Scalar) measure(s, observable, target)).value();
    }

    @Test
    void everyActivationAndLazinessObservableIsInTheCataloguePerLayerWithItsCostInTheDoc() {
        List<Observable> all = new java.util.ArrayList<>(ActivationObservables.all());
        all.addAll(LazinessObservables.all());
        assertThat(all)
                .extracting(Observable::name)
                .containsExactly(
                        "activation_mean",
                        "activation_std",
                        "activation_fraction_active",
                        "hidden_states",
                        "weight_change",
                        "relative_weight_change",
                        "representation_alignment",
                        "kernel_alignment");
        for (Observable o : all) {
            assertThat(CATALOGUE.measured(o.name())).as(o.name()).isPresent();
            assertThat(Catalogue.standard().measured(o.name())).as(o.name()).isPresent();
            assertThat(o.descriptor().perLayer()).as(o.name()).isTrue();
            assertThat(o.descriptor().doc()).as(o.name()).containsPattern("Cost|O\\(n\\)");
        }
        assertThat(CATALOGUE.measured("kernel_alignment").orElseThrow()).isInstanceOf(DeferredObservable.class);
        assertThat(CATALOGUE
                        .measured("kernel_alignment")
                        .orElseThrow()
                        .descriptor()
                        .cost())
                .isEqualTo(ObservableDescriptor.Cost.EXPENSIVE);
        assertThat(CATALOGUE
                        .measured("hidden_states")
                        .orElseThrow()
                        .descriptor()
                        .kind())
                .isEqualTo(ObservableKind.TENSOR);
    }

    @Test
    void statisticsAreTheMeanAndStdAcrossUnitsAveragedOverRowsAndTheFractionAboveZero() {
        double[] s = ActivationObservables.statistics(Matrix.of(2, 3, new float[] {1, -1, 3, 0, 2, 4}));
        assertThat(s[0]).isCloseTo(1.5, within(1e-12)); // row means 1 and 2
        assertThat(s[1]).isCloseTo(Math.sqrt(8.0 / 3), within(1e-12)); // each row: deviations (0, -2, 2) and (-2, 0, 2)
        assertThat(s[2]).isCloseTo(4.0 / 6, within(1e-12));
    }

    @Test
    void hiddenStatesAreTheCellsStatesOnTheFirstHeldOutExamplesAsTimeTrialUnit() {
        Simulation s = rnn(10, 1);
        for (int i = 0; i < 5; i++) s.trainStep();
        assertThat(CATALOGUE.measured("hidden_states").orElseThrow().targets(s)).containsExactly("rnn0");
        var t = (Observation.Tensor) measure(s, "hidden_states", "rnn0");
        int probe = Math.min(Simulation.PROBE_SIZE, ToyDecisionTask.TEST);
        assertThat(t.shape()).containsExactly(STEPS, probe, 10);

        // The same examples through the model directly: rows t*B + b of the time-major states.
        Matrix x = Matrix.zeros(probe, 2 * STEPS);
        new ToyDecisionTask(STEPS, 1).testBatch(0, x, Matrix.zeros(probe, STEPS));
        RecurrentNet net = (RecurrentNet) s.model();
        net.forward(x);
        assertThat(t.data()).containsExactly(net.cells().get(0).hidden().toArray());
        double[] stats = ActivationObservables.statistics(Matrix.of(STEPS * probe, 10, t.data()));
        assertThat(scalar(s, "activation_mean", "rnn0")).isEqualTo(stats[0]);
        assertThat(scalar(s, "activation_std", "rnn0")).isEqualTo(stats[1]);
        assertThat(scalar(s, "activation_fraction_active", "rnn0"))
                .isEqualTo(stats[2])
                .isBetween(0.0, 1.0);
        assertThat(measure(s, "hidden_states", "readout")).isNull();
    }

    @Test
    void aLargeHiddenStateTensorKeepsTheFirstTrialsOfEveryStep() {
        float[] v = new float[3 * 4 * 2]; // 3 steps x 4 trials x 2 units, time-major
        for (int i = 0; i < v.length; i++) v[i] = i;
        var t = ActivationObservables.timeTrialUnit(Matrix.of(12, 2, v), 4, 3 * 2 * 2);
        assertThat(t.shape()).containsExactly(3, 2, 2);
        assertThat(t.data()).containsExactly(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19);
        assertThat(ActivationObservables.timeTrialUnit(Matrix.of(12, 2, v), 4, 1)
                        .shape())
                .containsExactly(3, 1, 2);
        assertThat(ActivationObservables.timeTrialUnit(Matrix.of(12, 2, v), 4, 1000)
                        .data())
                .containsExactly(v);
    }

    @Test
    void feedForwardLayersReportTheirOutputsOnTheProbe() {
        Simulation s = mlp(2);
        for (int i = 0; i < 3; i++) s.trainStep();
        assertThat(CATALOGUE.measured("activation_mean").orElseThrow().targets(s))
                .containsExactly("layer0", "layer1");
        assertThat(CATALOGUE.measured("hidden_states").orElseThrow().targets(s)).isEmpty();
        s.model().forward(s.probeInputs());
        Matrix h = s.model().activations("layer0").orElseThrow();
        assertThat(h.rows).isEqualTo(Simulation.PROBE_SIZE);
        double[] stats = ActivationObservables.statistics(h);
        assertThat(scalar(s, "activation_mean", "layer0")).isEqualTo(stats[0]).isPositive();
        assertThat(scalar(s, "activation_fraction_active", "layer0")).isEqualTo(stats[2]);
        // A ReLU layer has nothing below zero; the linear output layer has.
        for (int i = 0; i < h.size(); i++) assertThat(h.get(i)).isGreaterThanOrEqualTo(0f);
        assertThat(measure(s, "activation_mean", "layer1")).isNotNull();
    }

    @Test
    void aStepOrACommandRefreshesTheCachedProbePass() {
        Simulation s = rnn(8, 3);
        double before = scalar(s, "activation_mean", "rnn0");
        s.parameter("rnn0.b").orElseThrow().value().fill(0.5f); // not seen until the parameters' revision changes
        assertThat(scalar(s, "activation_mean", "rnn0")).isEqualTo(before);
        s.apply(new io.eiscope.engine.sim.Command.SetWeight("rnn0.b", 0, 0, 0.5f));
        assertThat(scalar(s, "activation_mean", "rnn0")).isGreaterThan(before);
    }
}

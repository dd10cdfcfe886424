package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.spec.TensorValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Initial parameter values given in the config: applied exactly, kept by reset and fork, validated. */
class InitialParametersTest {
    static final int HIDDEN = 32, INPUTS = 784;

    /** A "connectome": seeded, non-negative and sparse, unlike anything He initialisation draws. */
    static float[] connectome(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = r.nextDouble() < 0.1 ? (float) r.nextDouble(0, 0.05) : 0f;
        return w;
    }

    static SimulationConfig mlpWith(Map<String, TensorValue> values) {
        return SimulationTest.mlp(3, 0.05, 8).withInitialParameters(values);
    }

    static SimulationConfig dannWith(Map<String, TensorValue> values) {
        return new SimulationConfig(
                "dann",
                new ComponentConfig(
                        "dann", Map.of("hidden_excitatory", List.of(16L), "hidden_inhibitory", List.of(4L))),
                ComponentConfig.of("sgd"),
                ComponentConfig.of("fashion_mnist"),
                1,
                8,
                0,
                0,
                values);
    }

    static TensorValue matrix(int rows, int cols, float[] values) {
        return new TensorValue(new int[] {rows, cols}, values);
    }

    static float[] value(Simulation s, String name) {
        return s.parameter(name).orElseThrow().value().toArray();
    }

    @Test
    void suppliedValuesReplaceTheModelsInitialisationExactly() {
        float[] w = connectome(HIDDEN, INPUTS, 11);
        Simulation plain = SimulationTest.build(SimulationTest.mlp(3, 0.05, 8));
        Simulation given = SimulationTest.build(mlpWith(Map.of("layer0.W", matrix(HIDDEN, INPUTS, w))));
        assertThat(value(given, "layer0.W")).isEqualTo(w);
        assertThat(given.initialValue("layer0.W").orElseThrow().toArray()).isEqualTo(w);
        for (String other : List.of("layer0.b", "layer1.W", "layer1.b")) {
            assertThat(value(given, other)).as(other).isEqualTo(value(plain, other));
        }
    }

    @Test
    void theConfigHoldsItsOwnCopyOfTheValues() {
        float[] w = connectome(HIDDEN, INPUTS, 12);
        float[] expected = w.clone();
        Map<String, TensorValue> values = new HashMap<>(Map.of("layer0.W", matrix(HIDDEN, INPUTS, w)));
        SimulationConfig config = mlpWith(values);
        w[0] = 42f;
        values.clear();
        assertThat(config.initialParameters()).containsOnlyKeys("layer0.W");
        assertThatThrownBy(() -> config.initialParameters().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(value(SimulationTest.build(config), "layer0.W")).isEqualTo(expected);
    }

    @Test
    void resetReturnsToTheSuppliedValuesAndReplaysTheSameTrajectory() {
        float[] w = connectome(HIDDEN, INPUTS, 13);
        Simulation s = SimulationTest.build(mlpWith(Map.of("layer0.W", matrix(HIDDEN, INPUTS, w))));
        for (int i = 0; i < 10; i++) s.trainStep();
        assertThat(value(s, "layer0.W")).isNotEqualTo(w);
        List<float[]> first = SimulationTest.weights(s);
        s.reset();
        assertThat(value(s, "layer0.W")).isEqualTo(w);
        assertThat(s.initialValue("layer0.W").orElseThrow().toArray()).isEqualTo(w);
        for (int i = 0; i < 10; i++) s.trainStep();
        List<float[]> second = SimulationTest.weights(s);
        for (int i = 0; i < first.size(); i++) assertThat(second.get(i)).isEqualTo(first.get(i));
    }

    @Test
    void aForkKeepsTheTrainedValuesAndResetsToTheSuppliedOnes() {
        float[] w = connectome(HIDDEN, INPUTS, 14);
        Simulation parent = SimulationTest.build(mlpWith(Map.of("layer0.W", matrix(HIDDEN, INPUTS, w))));
        for (int i = 0; i < 5; i++) parent.trainStep();
        Simulation child = parent.fork();
        assertThat(value(child, "layer0.W")).isEqualTo(value(parent, "layer0.W"));
        assertThat(child.initialValue("layer0.W").orElseThrow().toArray()).isEqualTo(w);
        for (int i = 0; i < 5; i++) {
            parent.trainStep();
            child.trainStep();
        }
        List<float[]> a = SimulationTest.weights(parent), b = SimulationTest.weights(child);
        for (int i = 0; i < a.size(); i++) assertThat(b.get(i)).isEqualTo(a.get(i));
        child.reset();
        assertThat(value(child, "layer0.W")).isEqualTo(w);
    }

    @Test
    void sameConfigAndValuesGiveBitIdenticalTraining() {
        Map<String, TensorValue> values = Map.of("layer0.W", matrix(HIDDEN, INPUTS, connectome(HIDDEN, INPUTS, 15)));
        Simulation a = SimulationTest.build(mlpWith(values)), b = SimulationTest.build(mlpWith(values));
        for (int i = 0; i < 20; i++) {
            a.trainStep();
            b.trainStep();
        }
        List<float[]> wa = SimulationTest.weights(a), wb = SimulationTest.weights(b);
        for (int i = 0; i < wa.size(); i++) assertThat(wb.get(i)).isEqualTo(wa.get(i));
    }

    @Test
    void nonNegativeValuesInitialiseASignConstrainedParameter() {
        float[] wex = connectome(16, INPUTS, 16);
        Simulation s = SimulationTest.build(dannWith(Map.of("layer0.Wex", matrix(16, INPUTS, wex))));
        assertThat(value(s, "layer0.Wex")).isEqualTo(wex);
    }

    @Test
    void anUnknownParameterIsRejectedListingTheKnownOnes() {
        assertThatThrownBy(() -> SimulationTest.build(mlpWith(Map.of("layer0.X", matrix(1, 1, new float[1])))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "initial_parameters[\"layer0.X\"]: no parameter 'layer0.X'; one of [layer0.W, layer0.b, layer1.W, layer1.b]");
    }

    @Test
    void aShapeOtherThanTheParametersIsRejected() {
        assertThatThrownBy(() ->
                        SimulationTest.build(mlpWith(Map.of("layer0.W", matrix(HIDDEN, 700, new float[HIDDEN * 700])))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initial_parameters[\"layer0.W\"]: shape 32x700 does not match the parameter's 32x784");
        TensorValue flat = new TensorValue(new int[] {HIDDEN * INPUTS}, new float[HIDDEN * INPUTS]);
        assertThatThrownBy(() -> SimulationTest.build(mlpWith(Map.of("layer0.W", flat))))
                .hasMessage("initial_parameters[\"layer0.W\"]: shape 25088 does not match the parameter's 32x784");
        TensorValue transposed = matrix(INPUTS, HIDDEN, new float[HIDDEN * INPUTS]);
        assertThatThrownBy(() -> SimulationTest.build(mlpWith(Map.of("layer0.W", transposed))))
                .hasMessage("initial_parameters[\"layer0.W\"]: shape 784x32 does not match the parameter's 32x784");
    }

    @Test
    void aNonFiniteValueIsRejectedWithItsPosition() {
        float[] w = connectome(HIDDEN, INPUTS, 17);
        w[3 * INPUTS + 7] = Float.NaN;
        assertThatThrownBy(() -> SimulationTest.build(mlpWith(Map.of("layer0.W", matrix(HIDDEN, INPUTS, w)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initial_parameters[\"layer0.W\"]: holds NaN at (3, 7); every value must be finite");
        w[3 * INPUTS + 7] = 0;
        w[31 * INPUTS + 783] = Float.NEGATIVE_INFINITY;
        assertThatThrownBy(() -> SimulationTest.build(mlpWith(Map.of("layer0.W", matrix(HIDDEN, INPUTS, w)))))
                .hasMessage(
                        "initial_parameters[\"layer0.W\"]: holds -Infinity at (31, 783); every value must be finite");
    }

    @Test
    void aValueBeyondWhatAHealthyRunHoldsIsRejectedBeforeTheRunStarts() {
        float[] w = connectome(HIDDEN, INPUTS, 19);
        w[2 * INPUTS + 5] = -3.4e8f;
        assertThatThrownBy(() -> SimulationTest.build(mlpWith(Map.of("layer0.W", matrix(HIDDEN, INPUTS, w)))))
                .hasMessage(
                        "initial_parameters[\"layer0.W\"]: holds -3.4E8 at (2, 5); every value must be at most 1000000.0 in magnitude"
                                + " (a run whose weights go beyond it stops as diverged)");
        w[2 * INPUTS + 5] = -1e6f;
        assertThat(SimulationTest.build(mlpWith(Map.of("layer0.W", matrix(HIDDEN, INPUTS, w))))
                        .parameterTrouble())
                .isNull();
    }

    @Test
    void aNegativeValueForASignConstrainedParameterIsRejected() {
        float[] wex = connectome(16, INPUTS, 18);
        wex[2 * INPUTS + 5] = -0.25f;
        assertThatThrownBy(() -> SimulationTest.build(dannWith(Map.of("layer0.Wex", matrix(16, INPUTS, wex)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "initial_parameters[\"layer0.Wex\"]: holds -0.25 at (2, 5), but layer0.Wex is sign-constrained "
                                + "(every value >= 0); give the non-negative magnitudes: the signs come from the excitatory and inhibitory "
                                + "populations, and the signed effective weight matrix cannot be set directly");
    }

    @Test
    void aTensorValueNeedsOneValuePerElement() {
        assertThatThrownBy(() -> new TensorValue(new int[] {3, 4}, new float[11]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape 3x4 needs 12 values, got 11");
        assertThatThrownBy(() -> new TensorValue(new int[] {3, -4}, new float[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape 3x-4 has a negative dimension");
        assertThat(new TensorValue(new int[] {2, 3}, new float[6])).hasToString("TensorValue[2x3]");
    }
}

package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The memory estimate against what is really built: for every model kind of the catalogue (the
 * state-dict contract's cases), the estimated weights are at least the parameters the model
 * allocates and at most three times as many (plus a little for the tiniest); a spec far beyond the heap is refused before any
 * allocation, in words.
 */
class MemoryEstimateTest {
    static java.util.stream.Stream<SimulationStateDictContractTest.Case> cases() {
        return SimulationStateDictContractTest.cases();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theEstimateBoundsTheParametersTheModelAllocates(SimulationStateDictContractTest.Case c) {
        Simulation sim = SimulationStateDictContractTest.build(c.config());
        long actual = 0;
        for (Parameter p : sim.parameters()) actual += (long) p.value().rows * p.value().cols;
        long estimated = sim.estimatedWeightsAndUnits()[0];
        assertThat(estimated)
                .as("estimate of %d parameters (a few hundred of slack for the tiniest)", actual)
                .isBetween(actual, 3 * actual + 256);
    }

    @Test
    void aSpecFarBeyondTheHeapIsRefusedBeforeAnythingIsAllocated() {
        SimulationConfig huge = new SimulationConfig(
                "huge",
                new ComponentConfig("mlp", Map.of("hidden", Collections.nCopies(16, 8192L))),
                new ComponentConfig("adam", Map.of()),
                SimulationStateDictContractTest.R_OF_K,
                32,
                8,
                0,
                0);
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertThatThrownBy(() -> SimulationStateDictContractTest.build(huge))
                .isInstanceOf(MemoryEstimate.TooLarge.class)
                .hasMessageContaining("needs about")
                .hasMessageContaining("MiB of heap still free")
                .hasMessageContaining("-Xmx");
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertThat(after - before).as("no 4 GB of weights were allocated").isLessThan(512L << 20);
    }
}

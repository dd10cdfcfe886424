package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A checkpoint taken into a recycled dict holds exactly what a fresh one holds, in the old dict's arrays. */
class StateDictRecyclingTest {

    @Test
    void aRecycledDictGetsTheSameValuesInTheOldArrays() {
        Simulation s = SimulationStateDictTest.steered();
        StateDict first = s.stateDict();
        float[] w = first.floats("param/layer0.W");
        float[] m = first.floats("rule/exp_avg/layer0.W");
        SimulationStateDictContractTest.train(s, 3);
        StateDict fresh = s.stateDict();
        StateDict recycled = s.stateDict(first);
        assertThat(recycled.floats("param/layer0.W")).isSameAs(w);
        assertThat(recycled.floats("rule/exp_avg/layer0.W")).isSameAs(m);
        assertThat(recycled.arrays())
                .extracting(StateDict.Array::name)
                .containsExactlyElementsOf(
                        fresh.arrays().stream().map(StateDict.Array::name).toList());
        for (StateDict.Array a : fresh.arrays()) {
            Object x = a.data(),
                    y =
                            recycled.arrays().stream()
                                    .filter(b -> b.name().equals(a.name()))
                                    .findFirst()
                                    .orElseThrow()
                                    .data();
            if (x instanceof float[] f) {
                float[] g = (float[]) y;
                for (int i = 0; i < f.length; i++)
                    assertThat(Float.floatToRawIntBits(g[i])).as(a.name()).isEqualTo(Float.floatToRawIntBits(f[i]));
            } else {
                assertThat(y).as(a.name()).isEqualTo(x);
            }
        }
        Simulation other = new Simulation(s.config(), s.catalogue(), s.context());
        other.restoreStateDict(recycled);
        assertThat(other.stateDict().floats("param/layer0.W")).containsExactly(fresh.floats("param/layer0.W"));
    }
}

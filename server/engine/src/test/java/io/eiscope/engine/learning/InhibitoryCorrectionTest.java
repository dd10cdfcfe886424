package io.eiscope.engine.learning;

import static io.eiscope.engine.learning.Tensors.param;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cSGD corrections of Cornford et al. (2021), science.md §1.4.2, with ne = 4 and d = 9. */
class InhibitoryCorrectionTest {

    static Parameter withUnitGrads(String name, Role role) {
        Sign sign = role == Role.SHUNT || role == Role.BIAS ? Sign.FREE : Sign.NON_NEGATIVE;
        return param("layer0." + name, sign, role, 9, 4, new float[] {1f, 1f}, new float[] {1f, -2f});
    }

    @Test
    void inhibitoryGradientsAreDividedBySqrtNeByDAndBySqrtNeTimesD() {
        Parameter wix = withUnitGrads("Wix", Role.INHIBITORY_INPUT),
                wei = withUnitGrads("Wei", Role.INHIBITORY_OUTPUT),
                alpha = withUnitGrads("alpha", Role.SHUNT);
        new InhibitoryCorrection().apply(List.of(wix, wei, alpha));
        assertThat(wix.grad().toArray()).containsExactly(new float[] {0.5f, -1f}, within(1e-7f));
        assertThat(wei.grad().toArray()).containsExactly(new float[] {1f / 9, -2f / 9}, within(1e-7f));
        assertThat(alpha.grad().toArray()).containsExactly(new float[] {1f / 18, -2f / 18}, within(1e-7f));
        assertThat(wix.value().toArray()).containsExactly(1f, 1f);
    }

    @Test
    void excitatoryGainBiasAndPlainWeightGradientsAreUnchanged() {
        List<Parameter> ps = List.of(
                withUnitGrads("Wex", Role.EXCITATORY),
                withUnitGrads("g", Role.GAIN),
                withUnitGrads("b", Role.BIAS),
                withUnitGrads("W", Role.WEIGHT));
        new InhibitoryCorrection().apply(ps);
        for (Parameter p : ps) assertThat(p.grad().toArray()).as(p.name()).containsExactly(1f, -2f);
    }

    @Test
    void withSgdAndProjectionItIsCorrectedSgd() {
        Parameter wix = withUnitGrads("Wix", Role.INHIBITORY_INPUT);
        new ComposedRule(
                        new LearningRateSchedule.Constant(0.1),
                        List.of(new InhibitoryCorrection()),
                        new Momentum(Momentum.Hyper.plain()),
                        new GradientDescent())
                .update(List.of(wix));
        wix.project();
        assertThat(wix.value().toArray()).containsExactly(new float[] {1f - 0.1f / 2, 1f + 0.1f}, within(1e-7f));
    }

    @Test
    void aLayerWithoutUnitsCannotBeCorrected() {
        Parameter broken =
                param("layer0.Wix", Sign.NON_NEGATIVE, Role.INHIBITORY_INPUT, 9, 0, new float[] {1f}, new float[] {1f});
        assertThatThrownBy(() -> new InhibitoryCorrection().apply(List.of(broken)))
                .hasMessageContaining("layer0.Wix");
    }
}

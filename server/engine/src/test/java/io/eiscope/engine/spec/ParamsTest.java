package io.eiscope.engine.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Params#toText} and {@link Params#fromText}: the exact text form of validated parameters in state dicts. */
class ParamsTest {
    private static final Catalogue CATALOGUE = Catalogue.standard();

    private static ComponentDescriptor rule(String kind) {
        return Catalogue.find("learning_rule", CATALOGUE.rules(), kind).descriptor();
    }

    private static void assertSameBits(Params a, Params b) {
        assertThat(b.asMap().keySet()).isEqualTo(a.asMap().keySet());
        a.asMap().forEach((name, v) -> {
            Object w = b.asMap().get(name);
            if (v instanceof Double d)
                assertThat(Double.doubleToRawLongBits((Double) w)).as(name).isEqualTo(Double.doubleToRawLongBits(d));
            else assertThat(w).as(name).isEqualTo(v);
        });
    }

    @Test
    void everyRuleKindsDefaultsComeBackExactly() {
        for (var entry : CATALOGUE.rules()) {
            Params p = Params.resolve("learning_rule", entry.descriptor(), Map.of());
            assertSameBits(p, Params.fromText("learning_rule", entry.descriptor(), p.toText()));
        }
    }

    @Test
    void numbersWithoutAShortDecimalFormComeBackBitForBit() {
        double third = 1.0 / 3, tiny = Math.nextUp(1e-9), odd = 0.1 + 0.2;
        Params p = Params.resolve(
                "learning_rule",
                rule("sgd"),
                Map.of(
                        "learning_rate",
                        third,
                        "momentum",
                        odd,
                        "weight_decay",
                        Double.MIN_NORMAL,
                        "min_learning_rate",
                        tiny,
                        "schedule",
                        "cosine",
                        "schedule_steps",
                        123_456_789L,
                        "nesterov",
                        true,
                        "dampening",
                        0.0));
        String text = p.toText();
        assertThat(text)
                .contains(
                        "learning_rate=" + Double.toHexString(third) + "\n",
                        "nesterov=true\n",
                        "schedule=cosine\n",
                        "schedule_steps=123456789\n");
        assertSameBits(p, Params.fromText("learning_rule", rule("sgd"), text));
    }

    @Test
    void integerListsComeBack() {
        var mlp = Catalogue.find("model", CATALOGUE.models(), "mlp").descriptor();
        Params p = Params.resolve("model", mlp, Map.of("hidden", List.of(500L, 3L, 1L), "init", "lognormal"));
        assertThat(p.toText()).contains("hidden=500,3,1\n");
        assertSameBits(p, Params.fromText("model", mlp, p.toText()));
    }

    @Test
    void linesAreInNameOrderAndMissingOnesTakeTheirDefaults() {
        Params p = Params.fromText("learning_rule", rule("adam"), "learning_rate=0x1.0p-7\n");
        assertThat(p.number("learning_rate")).isEqualTo(1.0 / 128);
        assertThat(p.number("beta2")).isEqualTo(0.999);
        List<String> names =
                p.toText().lines().map(l -> l.substring(0, l.indexOf('='))).toList();
        assertThat(names).isSorted().hasSize(p.asMap().size());
    }

    @Test
    void malformedTextIsRejectedNamingTheField() {
        assertThatThrownBy(() -> Params.fromText("learning_rule", rule("sgd"), "learning_rate"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name=value");
        assertThatThrownBy(() -> Params.fromText("learning_rule", rule("sgd"), "learning_rate=fast"))
                .hasMessageContaining("learning_rule.learning_rate");
        assertThatThrownBy(() -> Params.fromText("learning_rule", rule("sgd"), "nesterov=yes"))
                .hasMessageContaining("learning_rule.nesterov");
        assertThatThrownBy(() -> Params.fromText("learning_rule", rule("sgd"), "beta1=0x1.0p-1"))
                .hasMessageContaining("learning_rule.beta1 is not a parameter");
        assertThatThrownBy(() -> Params.fromText("learning_rule", rule("sgd"), "learning_rate=-0x1.0p0"))
                .hasMessageContaining("learning_rule.learning_rate");
    }
}

package io.eiscope.engine.learning;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.random.Rng;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Sgd} against a scalar oracle of {@code torch.optim.SGD}'s arithmetic: every
 * {@code a.add_(b, alpha=s)} is one fused multiply-add, {@code buf.mul_(mu)} rounds first.
 */
class SgdRoundingTest {

    @ParameterizedTest
    @CsvSource({"0.0,false,0.0", "0.0,false,0.01", "0.9,false,0.0", "0.9,true,0.001"})
    void updatesGiveTheBitsOfPyTorchsScalarRecipe(double momentum, boolean nesterov, double weightDecay) {
        Rng rng = new Rng(11);
        int n = 37; // not a multiple of any vector width
        Parameter p = Parameter.of("w", 1, n, Parameter.Sign.FREE, Parameter.Role.WEIGHT, n, 1);
        for (int i = 0; i < n; i++) p.value().set(i, (float) rng.nextGaussian());
        float[] w = p.value().toArray(), v = new float[n];
        float lr = 0.05f, mu = (float) momentum, wd = (float) weightDecay;
        Sgd sgd = new Sgd(new Sgd.Hyper(0.05, momentum, nesterov, weightDecay));
        for (int step = 0; step < 3; step++) {
            for (int i = 0; i < n; i++) p.grad().set(i, (float) rng.nextGaussian());
            for (int i = 0; i < n; i++) {
                float g = p.grad().get(i);
                if (wd != 0f) g = Math.fma(wd, w[i], g);
                float d = g;
                if (mu != 0f) {
                    v[i] = Math.fma(1f, g, mu * v[i]);
                    d = nesterov ? Math.fma(mu, v[i], g) : v[i];
                }
                w[i] = Math.fma(-lr, d, w[i]);
            }
            sgd.update(List.of(p));
            assertThat(p.value().toArray()).as("step " + step).isEqualTo(w);
        }
    }
}

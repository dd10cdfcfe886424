package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.prune.Pruning;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every kind of command reads as a sentence, with its numbers as a person writes them. */
class CommandDescriptionTest {
    @Test
    void eachCommandInWords() {
        assertThat(CommandDescription.of(
                        new Command.Prune(Command.PruneMethod.MAGNITUDE, 0.9, Pruning.Scope.PER_LAYER)))
                .isEqualTo("prune 90 % of the weights by magnitude, per layer");
        assertThat(CommandDescription.of(new Command.Prune(Command.PruneMethod.RANDOM, 0.25, Pruning.Scope.GLOBAL)))
                .isEqualTo("prune 25 % of the weights at random, over all layers");
        assertThat(CommandDescription.of(new Command.SetRuleParams(Map.of("learning_rate", 0.001, "momentum", 0.9))))
                .isEqualTo("set learning_rate = 0.001, momentum = 0.9");
        assertThat(CommandDescription.of(new Command.SwitchRule("adam", Map.of("learning_rate", 1.5e-5))))
                .isEqualTo("switch the learning rule to adam (learning_rate 1.5e-05)");
        assertThat(CommandDescription.of(new Command.SwitchRule("sgd", Map.of())))
                .isEqualTo("switch the learning rule to sgd");
        assertThat(CommandDescription.of(new Command.RunUntil(500))).isEqualTo("run until step 500");
        assertThat(CommandDescription.of(new Command.AddWeightNoise("", 0.01)))
                .isEqualTo("add Gaussian noise of σ 0.01 to every parameter");
        assertThat(CommandDescription.of(new Command.AddWeightNoise("layer0.W", 0.5)))
                .isEqualTo("add Gaussian noise of σ 0.5 to layer0.W");
        assertThat(CommandDescription.of(new Command.SetWeight("layer0.W", 3, 7, -0.25f)))
                .isEqualTo("set layer0.W[3, 7] to -0.25");
        assertThat(CommandDescription.of(new Command.Freeze("layer1", true))).isEqualTo("freeze layer1");
        assertThat(CommandDescription.of(new Command.Freeze("layer1", false))).isEqualTo("unfreeze layer1");
        assertThat(CommandDescription.of(new Command.SetInputNoise(0))).isEqualTo("turn input noise off");
        assertThat(CommandDescription.of(new Command.SetInputNoise(0.2)))
                .isEqualTo("add Gaussian noise of σ 0.2 to every training input");
        assertThat(CommandDescription.of(new Command.ClampUnit("layer0", 4, true, 1f)))
                .isEqualTo("clamp unit 4 of layer0 at 1");
        assertThat(CommandDescription.of(new Command.ClampUnit("layer0", 4, false, 0f)))
                .isEqualTo("release unit 4 of layer0");
        assertThat(CommandDescription.of(new Command.Lesion("layer0", Command.Population.INHIBITORY, 1)))
                .isEqualTo("lesion inhibitory unit 1 of layer0");
        assertThat(CommandDescription.of(
                        new Command.AddWatchpoint("good", "accuracy", Watchpoint.Condition.ABOVE, 0.8)))
                .isEqualTo("watchpoint 'good': pause when accuracy ≥ 0.8");
        assertThat(CommandDescription.of(new Command.AddWatchpoint(
                        "blowup", "spectral_radius", "rnn0", 10, Watchpoint.Condition.NON_FINITE, 0)))
                .isEqualTo(
                        "watchpoint 'blowup': pause when spectral_radius of rnn0 is not finite, checked every 10 steps");
        assertThat(CommandDescription.of(new Command.RemoveWatchpoint("good"))).isEqualTo("remove watchpoint 'good'");
    }

    @Test
    void numbersKeepSixSignificantDigitsWithoutTrailingZeros() {
        assertThat(CommandDescription.number(90)).isEqualTo("90");
        assertThat(CommandDescription.number(0.1 + 0.2)).isEqualTo("0.3");
        assertThat(CommandDescription.number(1234567.5)).isEqualTo("1.23457e+06");
        assertThat(CommandDescription.number(-0.000012)).isEqualTo("-1.2e-05");
    }
}

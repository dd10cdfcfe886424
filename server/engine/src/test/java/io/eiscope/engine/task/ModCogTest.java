package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Mod-Cog windows: the layout, the one-hot rule input over the selected tasks, task mixing
 * as neurogym's RandomSchedule does it, the decision flags where the fixation input is 0, and
 * the training-only input noise.
 */
class ModCogTest {
    static final int IN = ModCogTrial.INPUTS;

    static ModCog task(List<String> names, int seqLen, double inputNoise, long seed) {
        List<ModCogRule> rules = names.stream().map(ModCogRule::byName).toList();
        return new ModCog(new ModCog.Hyper(rules, seqLen, 1.0, inputNoise, 8), seed);
    }

    @Test
    void theLayoutIs33InputsPlusTheRuleAnd17OutputsAtEveryStep() {
        ModCog all = new ModCog(new ModCog.Hyper(ModCogRule.ALL, 350, 1.0, 0.1, 2), 1);
        assertThat(all.shape()).isEqualTo(new TaskShape(33 + 82, 350, 17, true));
        assertThat(all.inputSize()).isEqualTo(350 * 115);
        assertThat(all.targetWidth()).isEqualTo(700);
        assertThat(all.objective()).isEqualTo(new FixationDecisionLoss(350, 0.1));
        assertThat(task(List.of("go", "dm1"), 50, 0, 1).shape()).isEqualTo(new TaskShape(35, 50, 17, true));
    }

    @Test
    void everyStepNamesItsTaskOneHotTasksMixUniformlyAndNeverRepeatAndDecisionsAreWhereFixationIsOff() {
        ModCog t = new ModCog(new ModCog.Hyper(ModCogRule.ALL, 350, 1.0, 0.1, 64), 2);
        int w = t.shape().stepInputs(), steps = 350;
        Matrix x = Matrix.zeros(64, t.inputSize()), y = Matrix.zeros(64, t.targetWidth());
        t.testBatch(0, x, y); // held-out windows: no training noise, so the fixation input is exactly 0 or 1
        int[] trials = new int[82];
        int total = 0;
        for (int r = 0; r < 64; r++) {
            int previous = -1;
            for (int s = 0; s < steps; s++) {
                int rule = -1;
                for (int k = 0; k < 82; k++) {
                    float v = x.get(r, s * w + IN + k);
                    assertThat(v).isIn(0f, 1f);
                    if (v == 1f) {
                        assertThat(rule).as("one rule at a time").isEqualTo(-1);
                        rule = k;
                    }
                }
                assertThat(rule).isNotNegative();
                boolean decision = y.get(r, steps + s) == 1f;
                assertThat(decision).as("decision flag = (fixation input == 0)").isEqualTo(x.get(r, s * w) == 0f);
                if (!decision) assertThat(y.get(r, s)).isZero();
                // every trial ends with its decision period: a trial starts where a decision period ends
                if (s == 0 || (decision(y, r, s - 1, steps) && !decision)) {
                    if (s > 0)
                        assertThat(rule).as("a task never follows itself").isNotEqualTo(previous);
                    trials[rule]++;
                    total++;
                } else {
                    assertThat(rule).as("the rule holds through the trial").isEqualTo(previous);
                }
                previous = rule;
            }
        }
        // ~1,400 trials over 82 tasks: every task drawn, none far from 1/82
        for (int k = 0; k < 82; k++)
            assertThat(trials[k]).as(ModCogRule.ALL.get(k).name()).isBetween(3, 45);
        assertThat(total).isGreaterThan(64 * 350 / 35);
    }

    private static boolean decision(Matrix y, int r, int s, int steps) {
        return y.get(r, steps + s) == 1f;
    }

    @Test
    void aSubsetTakesTheSuitesOrderForTheRuleInputWhateverOrderItIsNamedIn() {
        ModCog t = new ModCog(new ModCog.Hyper(ModCogRule.select("dms,go"), 120, 1.0, 0, 4), 3);
        Matrix x = Matrix.zeros(4, t.inputSize()), y = Matrix.zeros(4, t.targetWidth());
        t.nextBatch(x, y);
        int w = t.shape().stepInputs();
        assertThat(w).isEqualTo(35);
        // go's trials are 15 steps and show the stimulus at steps 5..9; dms fixates 3 steps then shows the sample
        for (int r = 0; r < 4; r++) {
            int start = 0;
            while (start < 120) {
                int rule = x.get(r, start * w + IN) == 1f ? 0 : 1;
                int length = rule == 0 ? 15 : 0;
                if (rule == 1) while (start + length < 120 && x.get(r, (start + length) * w + IN + 1) == 1f) length++;
                if (rule == 0) {
                    if (start + 6 <= 120) {
                        for (int s = 0; s < 5; s++)
                            assertThat(ringSum(x, r, (start + s) * w)).isZero();
                        assertThat(ringSum(x, r, (start + 5) * w)).isPositive();
                    }
                } else if (start + 4 <= 120) {
                    for (int s = 0; s < 3; s++)
                        assertThat(ringSum(x, r, (start + s) * w)).isZero();
                    assertThat(ringSum(x, r, (start + 3) * w)).isPositive();
                }
                start += length;
            }
        }
    }

    @Test
    void trainingInputsGetTheInputNoiseAndHeldOutOnesDoNot() {
        ModCog noisy = task(List.of("go", "dm2", "dnmc"), 100, 0.1, 7),
                clean = task(List.of("go", "dm2", "dnmc"), 100, 0, 7);
        Matrix a = Matrix.zeros(16, noisy.inputSize()), b = Matrix.zeros(16, clean.inputSize());
        Matrix ya = Matrix.zeros(16, noisy.targetWidth()), yb = Matrix.zeros(16, clean.targetWidth());
        noisy.nextBatch(a, ya); // the first windows are the same draws; the noise comes after them
        clean.nextBatch(b, yb);
        assertThat(ya.toArray()).containsExactly(yb.toArray());
        double sum = 0, sq = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = a.get(i) - b.get(i);
            sum += d;
            sq += d * d;
        }
        assertThat(sum / a.size()).isCloseTo(0, within(0.005));
        assertThat(Math.sqrt(sq / a.size())).isCloseTo(0.1, within(0.005));
        Matrix ha = Matrix.zeros(8, noisy.inputSize()), hb = Matrix.zeros(8, clean.inputSize());
        noisy.testBatch(0, ha, Matrix.zeros(8, noisy.targetWidth()));
        clean.testBatch(0, hb, Matrix.zeros(8, clean.targetWidth()));
        assertThat(ha.toArray()).containsExactly(hb.toArray());
    }

    private static double ringSum(Matrix x, int r, int offset) {
        double s = 0;
        for (int c = 1; c < IN; c++) s += Math.abs(x.get(r, offset + c));
        return s;
    }
}

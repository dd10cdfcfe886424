package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;

/**
 * Context-dependent decision making ("CXT" of Liu et al. 2024), neurogym's
 * {@code ContextDecisionMaking-v0} ({@code neurogym/envs/contextdecisionmaking.py}, the
 * {@code TrialEnv} version with an explicit context input and 7 inputs), after Mante et al.
 * (2013): two modalities each carry evidence for a choice; a context input says which one to
 * report.
 *
 * <p>Periods at dt = 100 ms (Liu et al.'s timing): fixation 0, stimulus 200 (steps 0..1), delay
 * 500 (steps 2..6), decision 100 ms (step 7). Per trial, uniformly: the correct choice {@code g}
 * and another choice {@code o} in {1, 2}, the context in {0, 1}, and a coherence in {5, 15, 50}
 * for each modality. The relevant modality (1 in context 0, 2 in context 1) points to {@code g},
 * the other one to {@code o}. Inputs per step: [fixation, stim1_mod1, stim2_mod1, stim1_mod2,
 * stim2_mod2, context1, context2]. A modality pointing to choice {@code d} with coherence
 * {@code coh} has signed coherence {@code s = +coh} for d = 1, {@code -coh} for d = 2, and shows
 * {@code (1 + s/100)/2} on its stim1 and {@code (1 - s/100)/2} on its stim2 during the stimulus
 * (0 outside it). Fixation is 1 before the decision step and 0 at it. The context input of the
 * trial (context1 for context 0, context2 for context 1) is 1 at every step, the decision step
 * included; the other is 0. As in neurogym (whose {@code add_randn} there has no {@code where}),
 * {@code N(0, (sigma/sqrt(dt))^2)} noise is added to <em>all seven</em> inputs during the
 * stimulus, fixation and context included. Labels: 0 (fixate) at steps 0..6, {@code g} at the
 * decision step. Three outputs.
 */
public final class ContextDecisionMaking implements CognitiveTask.Trials {
    /** Coherences in percent, as in neurogym. */
    static final double[] COHERENCES = {5, 15, 50};

    static final int STIMULUS_MS = 200;
    static final int DELAY_MS = 500;
    static final int DECISION_MS = 100;
    private static final int INPUTS = 7;
    private static final int STIMULUS_END = CognitiveTask.steps(STIMULUS_MS);
    private static final int DECISION_START = STIMULUS_END + CognitiveTask.steps(DELAY_MS);
    private static final int STEPS = DECISION_START + CognitiveTask.steps(DECISION_MS);
    private static final TaskShape SHAPE = new TaskShape(INPUTS, STEPS, 3, true);

    @Override
    public TaskShape shape() {
        return SHAPE;
    }

    @Override
    public void draw(Rng rng, double noiseStd, Matrix x, Matrix labels, int row) {
        int correct = 1 + rng.nextInt(2), other = 1 + rng.nextInt(2), context = rng.nextInt(2);
        double coh1 = COHERENCES[rng.nextInt(COHERENCES.length)], coh2 = COHERENCES[rng.nextInt(COHERENCES.length)];
        int choice1 = context == 0 ? correct : other, choice2 = context == 0 ? other : correct;
        double signed1 = choice1 == 1 ? coh1 : -coh1, signed2 = choice2 == 1 ? coh2 : -coh2;
        int base = row * x.cols;
        for (int t = 0; t < STEPS; t++) {
            int o = base + t * INPUTS;
            boolean stimulus = t < STIMULUS_END;
            for (int k = 0; k < INPUTS; k++) {
                double v = switch (k) {
                    case 0 -> t < DECISION_START ? 1 : 0;
                    case 1 -> stimulus ? (1 + signed1 / 100) / 2 : 0;
                    case 2 -> stimulus ? (1 - signed1 / 100) / 2 : 0;
                    case 3 -> stimulus ? (1 + signed2 / 100) / 2 : 0;
                    case 4 -> stimulus ? (1 - signed2 / 100) / 2 : 0;
                    default -> k - 5 == context ? 1 : 0; // context1 (k = 5), context2 (k = 6)
                };
                if (stimulus) v += noiseStd * rng.nextGaussian();
                x.set(o + k, (float) v);
            }
            labels.set(row * STEPS + t, t >= DECISION_START ? correct : 0);
        }
    }
}

package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;

/**
 * Two-alternative forced choice ("2AF" of Liu et al. 2024), neurogym's
 * {@code PerceptualDecisionMaking-v0} ({@code neurogym/envs/perceptualdecisionmaking.py}, the
 * {@code TrialEnv} version with {@code dim_ring = 2}), after Britten et al. (1992): integrate
 * two noisy stimuli and report which is higher on average.
 *
 * <p>Periods at dt = 100 ms (Liu et al.'s timing): fixation 0, stimulus 700 (steps 0..6),
 * delay 0, decision 100 ms (step 7). Per trial, the choice {@code c} in {0, 1} and the
 * coherence in {0, 6.4, 12.8, 25.6, 51.2} are drawn uniformly. Inputs per step: [fixation,
 * stimulus 1, stimulus 2]; fixation is 1 before the decision step and 0 at it; during the
 * stimulus, stimulus {@code c+1} is {@code 0.5 + coh/200} and the other {@code 0.5 - coh/200}
 * (neurogym's {@code cos(theta - theta_c) coh/200 + 0.5} with {@code theta = 0, pi}), each plus
 * independent {@code N(0, (sigma/sqrt(dt))^2)} noise; both stimuli are 0 outside the stimulus.
 * Labels: 0 (fixate) at steps 0..6, {@code 1 + c} at the decision step. At coherence 0 the
 * label is a coin flip the stimulus does not inform. Three outputs.
 */
public final class PerceptualDecisionMaking implements CognitiveTask.Trials {
    /** Coherences in percent, as in neurogym. */
    static final double[] COHERENCES = {0, 6.4, 12.8, 25.6, 51.2};

    static final int STIMULUS_MS = 700;
    static final int DECISION_MS = 100;
    private static final int INPUTS = 3;
    private static final int STIMULUS_END = CognitiveTask.steps(STIMULUS_MS);
    private static final int STEPS = STIMULUS_END + CognitiveTask.steps(DECISION_MS);
    private static final TaskShape SHAPE = new TaskShape(INPUTS, STEPS, 3, true);

    @Override
    public TaskShape shape() {
        return SHAPE;
    }

    @Override
    public void draw(Rng rng, double noiseStd, Matrix x, Matrix labels, int row) {
        int choice = rng.nextInt(2);
        double coh = COHERENCES[rng.nextInt(COHERENCES.length)];
        int base = row * x.cols;
        for (int t = 0; t < STEPS; t++) {
            int o = base + t * INPUTS;
            boolean stimulus = t < STIMULUS_END;
            x.set(o, t < STIMULUS_END ? 1f : 0f); // fixation: on through stimulus and (empty) delay
            for (int k = 0; k < 2; k++) {
                double v = stimulus ? 0.5 + (k == choice ? coh : -coh) / 200 + noiseStd * rng.nextGaussian() : 0;
                x.set(o + 1 + k, (float) v);
            }
            labels.set(row * STEPS + t, t >= STIMULUS_END ? 1 + choice : 0);
        }
    }
}

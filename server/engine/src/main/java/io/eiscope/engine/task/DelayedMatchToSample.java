package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;

/**
 * Delayed match-to-sample ("DMS" of Liu et al. 2024), neurogym's {@code DelayMatchSample-v0}
 * ({@code neurogym/envs/delaymatchsample.py}, the {@code TrialEnv} version with
 * {@code dim_ring = 2}), after Miller et al. (1996): a sample stimulus, a delay, a test
 * stimulus; report whether the test matches the sample.
 *
 * <p>Periods at dt = 100 ms (Liu et al.'s timing): fixation 0, sample 100 (step 0), delay 500
 * (steps 1..5), test 100 (step 6), decision 100 ms (step 7). Per trial, match or non-match
 * and the sample direction in {0, pi} are drawn uniformly; the test direction is the sample's
 * (match) or the opposite one (non-match). Inputs per step: [fixation, stimulus 1, stimulus 2];
 * fixation is 1 before the decision step and 0 at it; a stimulus at direction {@code theta}
 * is {@code cos(theta_k - theta) / 2 + 1/2} on channel k ({@code theta_k = 0, pi}), i.e. one-hot
 * (1 on channel 1 for direction 0, on channel 2 for pi), plus independent
 * {@code N(0, (sigma/sqrt(dt))^2)} noise on both stimulus channels during the sample and the
 * test; the stimulus channels are 0 in the delay and at the decision. Labels: 0 (fixate) at
 * steps 0..6; at the decision step 1 = match, 2 = non-match. Three outputs.
 */
public final class DelayedMatchToSample implements CognitiveTask.Trials {
    static final int SAMPLE_MS = 100;
    static final int DELAY_MS = 500;
    static final int TEST_MS = 100;
    static final int DECISION_MS = 100;
    private static final int INPUTS = 3;
    private static final int SAMPLE_END = CognitiveTask.steps(SAMPLE_MS);
    private static final int TEST_START = SAMPLE_END + CognitiveTask.steps(DELAY_MS);
    private static final int DECISION_START = TEST_START + CognitiveTask.steps(TEST_MS);
    private static final int STEPS = DECISION_START + CognitiveTask.steps(DECISION_MS);
    private static final TaskShape SHAPE = new TaskShape(INPUTS, STEPS, 3, true);

    @Override
    public TaskShape shape() {
        return SHAPE;
    }

    @Override
    public void draw(Rng rng, double noiseStd, Matrix x, Matrix labels, int row) {
        boolean match = rng.nextInt(2) == 0;
        int sample = rng.nextInt(2); // the lit channel: direction 0 or pi
        int test = match ? sample : 1 - sample;
        int base = row * x.cols;
        for (int t = 0; t < STEPS; t++) {
            int o = base + t * INPUTS;
            x.set(o, t < DECISION_START ? 1f : 0f);
            int lit = t < SAMPLE_END ? sample : t >= TEST_START && t < DECISION_START ? test : -1;
            for (int k = 0; k < 2; k++) {
                double v = lit < 0 ? 0 : (k == lit ? 1 : 0) + noiseStd * rng.nextGaussian();
                x.set(o + 1 + k, (float) v);
            }
            labels.set(row * STEPS + t, t >= DECISION_START ? (match ? 1 : 2) : 0);
        }
    }
}

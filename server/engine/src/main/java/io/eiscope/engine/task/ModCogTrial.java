package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import java.util.Arrays;

/**
 * Draws one trial of a {@link ModCogRule} at dt = {@value #DT_MILLIS} ms into reusable buffers,
 * after the EG paper's {@code src/mod_cog_tasks.py} (Mod-Cog's classes {@code _Reach},
 * {@code _DMFamily}, {@code _DelayMatch1DResponse}; neurogym's period arithmetic: each period's
 * duration floored to whole steps).
 *
 * <p>Inputs per step ({@value #INPUTS}): [fixation, modality 1 ring (16), modality 2 ring (16)];
 * unit {@code j} of a ring prefers the direction {@code 2 pi j / 16}, and a stimulus at
 * direction {@code phi} with strength {@code s} is the bump {@code 0.8 s exp(-d^2 / 2)}, {@code d}
 * the circular distance to {@code phi} in units of {@code pi / 8}. Labels: 0 = fixate; on a
 * decision step the answer's ring unit {@code a} is class {@code 1 + a}; a no-go decision (the
 * non-answered trials of dms/dnms/dmc/dnmc) keeps class 0. The decision steps are exactly the
 * steps where the fixation input is 0, the reference's {@code dec_mask}.
 *
 * <p>Stateless; every draw comes from the {@link Rng} given, so a trial is a function of its
 * stream's state.
 */
public final class ModCogTrial {
    public static final int DT_MILLIS = 100;
    public static final int RING = 16;
    /** Fixation plus two modality rings. */
    public static final int INPUTS = 1 + 2 * RING;
    /** Fixation plus the 16 ring directions. */
    public static final int OUTPUTS = 1 + RING;
    /** The longest trial: match, 300 + 500 + 1,100 + 500 + 1,000 ms. */
    public static final int MAX_STEPS = 34;

    private static final double[] DM_COHERENCES = {0.08, 0.16, 0.32, 0.64};
    private static final double[] DLYDM_COHERENCES = {0.3, 0.6, 1.0};

    /** The drawn trial: {@code length} steps of {@code x} (step-major, {@value #INPUTS} per step), {@code label}, {@code decision}. */
    public static final class Buffer {
        public final float[] x = new float[MAX_STEPS * INPUTS];
        public final int[] label = new int[MAX_STEPS];
        public final boolean[] decision = new boolean[MAX_STEPS];
        public int length;

        void clear(int steps) {
            if (steps > MAX_STEPS) throw new IllegalStateException("trial of " + steps + " steps > " + MAX_STEPS);
            length = steps;
            Arrays.fill(x, 0, steps * INPUTS, 0f);
            Arrays.fill(label, 0, steps, 0);
            Arrays.fill(decision, 0, steps, false);
        }
    }

    private ModCogTrial() {}

    /**
     * Draws a trial of {@code rule} into {@code out}.
     *
     * @param noiseStd the per-step std of the task's own input noise (neurogym's {@code sigma / sqrt(dt)});
     *                 the reach tasks have none, as in the reference
     */
    public static void draw(ModCogRule rule, Rng rng, double noiseStd, Buffer out) {
        switch (rule.family()) {
            case REACH -> reach(rule, rng, out);
            case DECISION -> decision(rule, rng, noiseStd, out);
            case MATCH -> match(rule, rng, noiseStd, out);
        }
    }

    /** Steps of a period of {@code millis} ms. */
    static int steps(int millis) {
        return millis / DT_MILLIS;
    }

    /** The preferred direction of ring unit {@code j}, radians. */
    public static double direction(int j) {
        return 2 * Math.PI * j / RING;
    }

    /** Ring unit {@code j}'s response to a stimulus at {@code phi} radians of strength {@code strength}. */
    public static double bump(double phi, int j, double strength) {
        double d = Math.abs(phi - direction(j));
        d = Math.min(d, 2 * Math.PI - d) / (Math.PI / 8);
        return 0.8 * Math.exp(-d * d / 2) * strength;
    }

    /** Go/anti: fixation 500, stimulus 500, delay (0, 500, or 0..1,100 ms with int), decision. */
    private static void reach(ModCogRule rule, Rng rng, Buffer out) {
        int answer = rng.nextInt(RING);
        int modality = rng.nextInt(2);
        int delayMillis = rule.integrate() != 0 ? 100 * rng.nextInt(12) : rule.delayed() ? 500 : 0;
        double phi = direction(answer) + rule.integrate() * 0.01 * delayMillis + (rule.anti() ? Math.PI : 0);
        phi = ((phi % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
        int fixation = steps(500), decision = steps(rule.decisionMillis());
        int stimulus = rule.reaction() ? 0 : steps(500), delay = rule.reaction() ? 0 : steps(delayMillis);
        int decisionStart = fixation + stimulus + delay;
        out.clear(decisionStart + decision);
        for (int t = 0; t < decisionStart; t++) out.x[t * INPUTS] = 1f;
        // the stimulus period, or with reaction the decision, shows the stimulus
        int shownFrom = rule.reaction() ? decisionStart : fixation;
        int shownTo = rule.reaction() ? out.length : fixation + stimulus;
        for (int t = shownFrom; t < shownTo; t++) addBump(out, t, modality, phi, 1);
        answer(out, decisionStart, answer, rule.sequence());
    }

    /** The dm family: fixation 200–400 ms, one 500 ms stimulus (or stim1, delay, stim2 of 500 ms each), decision. */
    private static void decision(ModCogRule rule, Rng rng, double noiseStd, Buffer out) {
        int i1 = rng.nextInt(RING), i2;
        do i2 = rng.nextInt(RING);
        while (i2 == i1);
        int fixation = 2 + rng.nextInt(3); // U(200, 500) ms floored to whole steps
        int stim = steps(500);
        // theta1 is shown from start1, theta2 from start2: the same period, or stim1 and stim2 around a delay
        int start1 = fixation, start2 = rule.delayed() ? fixation + 2 * stim : fixation;
        int decisionStart = start2 + stim;
        out.clear(decisionStart + steps(rule.decisionMillis()));
        for (int t = 0; t < decisionStart; t++) out.x[t * INPUTS] = 1f;
        // noise on every input (the fixation channel too) during the stimulus periods, as add_randn without where
        for (int t = start1; t < decisionStart; t++)
            if (t < start1 + stim || t >= start2)
                for (int c = 0; c < INPUTS; c++) out.x[t * INPUTS + c] += (float) (noiseStd * rng.nextGaussian());
        long evidence = 0; // sum over modalities of weight * (strength of theta1 - strength of theta2), in 1/100
        for (int m = 0; m < 2; m++) {
            if (!(m == 0 ? rule.modality1() : rule.modality2())) continue;
            double s1, s2;
            if (rule.delayed()) {
                int a = rng.nextInt(3), b;
                do b = rng.nextInt(3);
                while (b == a);
                s1 = DLYDM_COHERENCES[a];
                s2 = DLYDM_COHERENCES[b];
            } else {
                double coh = DM_COHERENCES[rng.nextInt(4)] * (rng.nextInt(2) == 0 ? -1 : 1);
                s1 = 0.5 + coh / 2;
                s2 = 0.5 - coh / 2;
            }
            for (int t = 0; t < stim; t++) {
                addBump(out, start1 + t, m, direction(i1), s1);
                addBump(out, start2 + t, m, direction(i2), s2);
            }
            evidence += (m == 0 ? rule.weight1() : rule.weight2()) * Math.round(100 * (s1 - s2));
        }
        // a tie (multi-modality only) is a coin flip, as the reference's +-1e-6 jitter makes it
        boolean first = evidence > 0 || (evidence == 0 && rng.nextInt(2) == 0);
        int target = Math.floorMod((first ? i1 : i2) + 5 * rule.integrate(), RING); // int: omega * 500 ms = 5 units
        answer(out, decisionStart, target, rule.sequence());
    }

    /** dms/dnms/dmc/dnmc: fixation 300, sample 500, delay 200–1,100 (0–1,100 with int), test 500, decision. */
    private static void match(ModCogRule rule, Rng rng, double noiseStd, Buffer out) {
        boolean isMatch = rng.nextInt(2) == 0;
        int modality = rng.nextInt(2);
        int delayMillis = rule.integrate() != 0 ? 100 * rng.nextInt(12) : 100 * (2 + rng.nextInt(10));
        int sample = rng.nextInt(RING), test;
        if (rule.toCategory()) {
            int sampleCategory = sample > RING / 2 ? 1 : 0; // the reference's '>' puts unit 8 in category 0 as a sample
            int testCategory = isMatch ? sampleCategory : 1 - sampleCategory;
            test = rng.nextInt(RING / 2) + testCategory * (RING / 2);
        } else {
            test = isMatch ? sample : (sample + RING / 2) % RING;
        }
        int sampleStart = steps(300), period = steps(500);
        int testStart = sampleStart + period + steps(delayMillis);
        int decisionStart = testStart + period;
        out.clear(decisionStart + steps(rule.decisionMillis()));
        for (int t = 0; t < decisionStart; t++) out.x[t * INPUTS] = 1f;
        for (int t = 0; t < period; t++) {
            addBump(out, sampleStart + t, modality, direction(sample), 1);
            addBump(out, testStart + t, modality, direction(test), 1);
        }
        for (int t = sampleStart; t < decisionStart; t++)
            if (t < sampleStart + period || t >= testStart)
                for (int j = 0; j < RING; j++)
                    out.x[t * INPUTS + 1 + modality * RING + j] += (float) (noiseStd * rng.nextGaussian());
        if (isMatch == rule.goOnMatch()) {
            answer(
                    out,
                    decisionStart,
                    Math.floorMod(test + rule.integrate() * delayMillis / 100, RING),
                    rule.sequence());
        } else {
            for (int t = decisionStart; t < out.length; t++) out.decision[t] = true; // no-go: keep fixating (class 0)
        }
    }

    private static void addBump(Buffer out, int t, int modality, double phi, double strength) {
        int base = t * INPUTS + 1 + modality * RING;
        for (int j = 0; j < RING; j++) out.x[base + j] += (float) bump(phi, j, strength);
    }

    /** Decision steps from {@code start} to the end: ring unit {@code unit}, moving {@code sequence} units a step. */
    private static void answer(Buffer out, int start, int unit, int sequence) {
        for (int t = start; t < out.length; t++) {
            out.decision[t] = true;
            out.label[t] = 1 + Math.floorMod(unit + sequence * (t - start), RING);
        }
    }
}

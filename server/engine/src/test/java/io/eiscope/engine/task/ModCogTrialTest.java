package io.eiscope.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eiscope.engine.random.Rng;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Mod-Cog task's trials, checked against the task's definition as its name states it
 * (parsed here, not read from {@link ModCogRule}'s flags) and the EG paper's
 * {@code src/mod_cog_tasks.py}: the periods and their lengths, the fixation input, which ring
 * shows what (stimuli decoded back from the inputs by {@link RingDecoder}), and the label at
 * every step computed here from the decoded stimuli: go = the stimulus, anti = the stimulus +
 * pi, dm = the stronger (weighted) stimulus, dms/dnms/dmc/dnmc = match or not, int = shifted by
 * the delay, seq = moving one unit a step.
 */
class ModCogTrialTest {
    /** {@code get_mod_cog_dataset_labels()} of the EG paper's {@code src/mod_cog_tasks.py}, in order. */
    static final List<String> REFERENCE = List.of(
            "go",
            "rtgo",
            "dlygo",
            "anti",
            "rtanti",
            "dlyanti",
            "dlygointl",
            "dlygointr",
            "dlyantiintl",
            "dlyantiintr",
            "goseql",
            "goseqr",
            "dlygoseql",
            "dlygoseqr",
            "rtgoseqr",
            "rtgoseql",
            "antiseqr",
            "antiseql",
            "dlyantiseqr",
            "dlyantiseql",
            "rtantiseqr",
            "rtantiseql",
            "dm1",
            "dm2",
            "ctxdm1",
            "ctxdm2",
            "multidm",
            "dlydm1",
            "dlydm2",
            "ctxdlydm1",
            "ctxdlydm2",
            "multidlydm",
            "dlydm1intl",
            "dlydm2intl",
            "ctxdlydm1intl",
            "ctxdlydm2intl",
            "multidlydmintl",
            "dlydm1intr",
            "dlydm2intr",
            "ctxdlydm1intr",
            "ctxdlydm2intr",
            "multidlydmintr",
            "dm1seqr",
            "dm2seqr",
            "ctxdm1seqr",
            "ctxdm2seqr",
            "multidmseqr",
            "dm1seql",
            "dm2seql",
            "ctxdm1seql",
            "ctxdm2seql",
            "multidmseql",
            "dlydm1seqr",
            "dlydm2seqr",
            "ctxdlydm1seqr",
            "ctxdlydm2seqr",
            "multidlydmseqr",
            "dlydm1seql",
            "dlydm2seql",
            "ctxdlydm1seql",
            "ctxdlydm2seql",
            "multidlydmseql",
            "dms",
            "dnms",
            "dmc",
            "dnmc",
            "dmsintr",
            "dnmsintr",
            "dnmcintr",
            "dmcintr",
            "dmsintl",
            "dnmsintl",
            "dnmcintl",
            "dmcintl",
            "dmsseqr",
            "dnmsseqr",
            "dnmcseqr",
            "dmcseqr",
            "dmsseql",
            "dnmsseql",
            "dnmcseql",
            "dmcseql");

    static final int IN = ModCogTrial.INPUTS;
    static final int TRIALS = 300;

    /** What a task's name says. */
    record Spec(String name) {
        boolean match() {
            return name.startsWith("dms")
                    || name.startsWith("dnms")
                    || name.startsWith("dmc")
                    || name.startsWith("dnmc");
        }

        boolean decision() {
            return !match() && name.contains("dm");
        }

        int seq() {
            return name.endsWith("seqr") ? 1 : name.endsWith("seql") ? -1 : 0;
        }

        int integ() {
            return name.contains("intr") ? 1 : name.contains("intl") ? -1 : 0;
        }

        boolean rt() {
            return name.startsWith("rt");
        }

        /** dm: the weight of modality m (0 or 1) and whether it is shown at all. */
        int weight(int m) {
            if (name.startsWith("multi")) return 1;
            char digit = name.charAt(name.indexOf("dm") + 2);
            return digit == (char) ('1' + m) ? 1 : 0;
        }

        boolean shown(int m) {
            return name.startsWith("multi") || name.startsWith("ctx") || weight(m) == 1;
        }

        int decisionSteps() {
            return seq() != 0 && !rt() ? 10 : 5;
        }
    }

    static Stream<String> tasks() {
        return REFERENCE.stream();
    }

    @Test
    void theSuiteHoldsTheEightyTwoTasksOfTheEgPaperInItsOrder() {
        assertThat(ModCogRule.names()).containsExactlyElementsOf(REFERENCE);
        assertThat(ModCogRule.YANG19)
                .hasSize(20)
                .allSatisfy(n -> assertThat(REFERENCE).contains(n));
    }

    @ParameterizedTest
    @MethodSource("tasks")
    void everyTrialHasItsTasksPeriodsStimuliAndTargets(String name) {
        Spec spec = new Spec(name);
        ModCogRule rule = ModCogRule.byName(name);
        Rng rng = new Rng(name.hashCode());
        ModCogTrial.Buffer b = new ModCogTrial.Buffer();
        Set<Integer> answers = new HashSet<>(), modalities = new HashSet<>(), delays = new HashSet<>();
        int go = 0;
        for (int i = 0; i < TRIALS; i++) {
            ModCogTrial.draw(rule, rng, 0.0, b);
            int ds = b.length - spec.decisionSteps();
            for (int t = 0; t < b.length; t++) {
                assertThat(b.decision[t]).as("decision flag at %d", t).isEqualTo(t >= ds);
                assertThat(b.x[t * IN]).as("fixation input at %d", t).isEqualTo(t < ds ? 1f : 0f);
                if (t < ds)
                    assertThat(b.label[t]).as("label before the decision").isZero();
            }
            int answer = spec.match()
                    ? checkMatch(spec, b, ds, modalities, delays)
                    : spec.decision() ? checkDecision(spec, b, ds) : checkReach(spec, b, ds, modalities, delays);
            if (answer >= 0) {
                go++;
                answers.add(answer);
                for (int k = 0; ds + k < b.length; k++)
                    assertThat(b.label[ds + k])
                            .as("label at decision step %d", k)
                            .isEqualTo(1 + Math.floorMod(answer + spec.seq() * k, 16));
            } else {
                for (int t = ds; t < b.length; t++)
                    assertThat(b.label[t]).as("a no-go decision keeps fixating").isZero();
            }
        }
        assertThat(answers.size()).as("answers spread over the ring").isGreaterThanOrEqualTo(12);
        if (spec.match()) assertThat(go / (double) TRIALS).as("go trials").isCloseTo(0.5, within(0.1));
        if (!spec.decision())
            assertThat(modalities).as("both modalities are used").containsExactlyInAnyOrder(0, 1);
        // int on go/anti and match draws the delay per trial; on dm the delay stays 500 ms (a 5-unit shift)
        if (spec.integ() != 0 && !spec.decision())
            assertThat(delays.size()).as("int delays vary").isGreaterThanOrEqualTo(10);
    }

    /** Go/anti: returns the answer after checking the periods and the stimulus it is read from. */
    private static int checkReach(Spec spec, ModCogTrial.Buffer b, int ds, Set<Integer> mods, Set<Integer> delays) {
        int from = 5, to = spec.rt() ? b.length : 10;
        int delay = spec.rt() ? 0 : ds - 10;
        if (spec.rt())
            assertThat(ds).as("reaction time: fixation, then the decision").isEqualTo(5);
        else if (spec.integ() == 0)
            assertThat(delay).as("delay steps").isEqualTo(spec.name().contains("dly") ? 5 : 0);
        assertThat(delay).isBetween(0, 11);
        delays.add(delay);
        int modality = shownModality(b, from);
        mods.add(modality);
        for (int t = 0; t < b.length; t++) assertRings(b, t, t >= from && t < to ? modality : -1, from);
        boolean anti = spec.name().contains("anti");
        int answer = b.label[ds] - 1;
        // the stimulus is the answer's direction, + pi for anti, + 0.01 rad per ms of delay for int
        double phi = 2 * Math.PI * answer / 16 + spec.integ() * 0.01 * 100 * delay + (anti ? Math.PI : 0);
        for (int j = 0; j < 16; j++)
            assertThat((double) b.x[from * IN + 1 + 16 * modality + j])
                    .isCloseTo(RingDecoder.bump(phi, j, 1), within(1e-6));
        if (spec.integ() == 0) {
            int seen = argmax(RingDecoder.strengths(b.x, from * IN + 1 + 16 * modality));
            assertThat(answer).isEqualTo(anti ? (seen + 8) % 16 : seen);
        }
        return answer;
    }

    /** dm family: the answer is the direction of the larger weighted strength, shifted by 5 units with int. */
    private static int checkDecision(Spec spec, ModCogTrial.Buffer b, int ds) {
        int f = 0;
        while (ringsZero(b, f)) f++;
        assertThat(f).as("fixation steps").isBetween(2, 4);
        boolean dly = spec.name().contains("dly");
        assertThat(ds).isEqualTo(f + (dly ? 15 : 5));
        int s2 = dly ? f + 10 : f;
        for (int t = 0; t < b.length; t++) {
            boolean stim = (t >= f && t < f + 5) || (t >= s2 && t < s2 + 5);
            if (!stim) assertThat(ringsZero(b, t)).as("rings at %d", t).isTrue();
        }
        double[] evidence = new double[16];
        Set<Integer> directions = new HashSet<>();
        for (int m = 0; m < 2; m++) {
            double[] first = RingDecoder.strengths(b.x, f * IN + 1 + 16 * m);
            double[] second = dly ? RingDecoder.strengths(b.x, s2 * IN + 1 + 16 * m) : new double[16];
            double[] s = new double[16];
            for (int j = 0; j < 16; j++) s[j] = first[j] + second[j];
            List<Integer> lit = new java.util.ArrayList<>();
            for (int j = 0; j < 16; j++) if (Math.abs(s[j]) > 1e-4) lit.add(j);
            if (!spec.shown(m)) {
                assertThat(lit).as("modality %d is not shown", m).isEmpty();
                continue;
            }
            assertThat(lit).hasSize(2);
            directions.addAll(lit);
            double a = s[lit.get(0)], c = s[lit.get(1)];
            if (dly) {
                assertThat(round(a)).isIn(0.3, 0.6, 1.0).isNotEqualTo(round(c));
                assertThat(round(c)).isIn(0.3, 0.6, 1.0);
            } else {
                assertThat(a + c).isCloseTo(1, within(1e-4));
                assertThat(round(Math.abs(a - c))).isIn(0.08, 0.16, 0.32, 0.64);
            }
            for (int j : lit) evidence[j] += spec.weight(m) * s[j];
        }
        assertThat(directions)
                .as("both modalities show the same two directions")
                .hasSize(2);
        List<Integer> two = List.copyOf(directions);
        double d = evidence[two.get(0)] - evidence[two.get(1)];
        int answer = Math.floorMod(b.label[ds] - 1 - 5 * spec.integ(), 16);
        if (Math.abs(d) < 1e-4) assertThat(answer).as("a tie answers either").isIn(two.get(0), two.get(1));
        else assertThat(answer).isEqualTo(d > 0 ? two.get(0) : two.get(1));
        return b.label[ds] - 1;
    }

    /** Match family: -1 for a no-go trial, else the test direction shifted by the delay (int). */
    private static int checkMatch(Spec spec, ModCogTrial.Buffer b, int ds, Set<Integer> mods, Set<Integer> delays) {
        int testStart = ds - 5, delay = testStart - 8;
        assertThat(delay).isBetween(spec.integ() != 0 ? 0 : 2, 11);
        delays.add(delay);
        int modality = shownModality(b, 3);
        mods.add(modality);
        for (int t = 0; t < b.length; t++)
            assertRings(b, t, (t >= 3 && t < 8) || (t >= testStart && t < ds) ? modality : -1, t < 8 ? 3 : testStart);
        double[] sampleS = RingDecoder.strengths(b.x, 3 * IN + 1 + 16 * modality);
        double[] testS = RingDecoder.strengths(b.x, testStart * IN + 1 + 16 * modality);
        int sample = argmax(sampleS), test = argmax(testS);
        assertThat(sampleS[sample]).isCloseTo(1, within(1e-4));
        assertThat(testS[test]).isCloseTo(1, within(1e-4));
        boolean category = spec.name().contains("mc");
        // category: the reference's rule, sample unit > 8 is category 1, test units 8..15 are
        boolean isMatch = category ? (sample > 8) == (test >= 8) : sample == test;
        if (!category && !isMatch) assertThat(test).isEqualTo((sample + 8) % 16);
        boolean goOnMatch = spec.name().startsWith("dm");
        return isMatch == goOnMatch ? Math.floorMod(test + spec.integ() * delay, 16) : -1;
    }

    @Test
    void taskNoiseIsWhereNeurogymAddsItWithStdSigmaOverSqrtDt() {
        ModCogTrial.Buffer b = new ModCogTrial.Buffer();
        Rng rng = new Rng(5);
        double sum = 0, sq = 0;
        int n = 0;
        for (int i = 0; i < 200; i++) {
            ModCogTrial.draw(ModCogRule.byName("dm1"), rng, 0.1, b);
            int f = b.length - 10; // stimulus then decision, 5 steps each
            for (int t = 0; t < b.length; t++) {
                double fix = b.x[t * IN];
                if (t >= f && t < f + 5) {
                    sum += fix - 1;
                    sq += (fix - 1) * (fix - 1);
                    n++;
                } else assertThat(fix).isEqualTo(t < f ? 1 : 0);
            }
            ModCogTrial.draw(ModCogRule.byName("dms"), rng, 0.1, b);
            for (int t = 0; t < b.length; t++) assertThat(b.x[t * IN]).isEqualTo(b.decision[t] ? 0f : 1f);
            ModCogTrial.draw(ModCogRule.byName("anti"), rng, 0.1, b);
            for (int t = 0; t < 5; t++)
                assertThat(ringsZero(b, t)).as("no noise on go/anti").isTrue();
        }
        assertThat(sum / n).isCloseTo(0, within(0.01));
        assertThat(Math.sqrt(sq / n)).isCloseTo(0.1, within(0.01));
    }

    private static int shownModality(ModCogTrial.Buffer b, int t) {
        boolean m0 = false, m1 = false;
        for (int j = 0; j < 16; j++) {
            m0 |= b.x[t * IN + 1 + j] != 0;
            m1 |= b.x[t * IN + 17 + j] != 0;
        }
        assertThat(m0 ^ m1)
                .as("exactly one modality shows the stimulus at step %d", t)
                .isTrue();
        return m0 ? 0 : 1;
    }

    /** At step t only ring {@code modality} (-1: none) is non-zero, and it equals its value at step {@code like}. */
    private static void assertRings(ModCogTrial.Buffer b, int t, int modality, int like) {
        for (int c = 1; c < IN; c++) {
            int m = (c - 1) / 16;
            if (m == modality) assertThat(b.x[t * IN + c]).isEqualTo(b.x[like * IN + c]);
            else assertThat(b.x[t * IN + c]).as("input %d at step %d", c, t).isZero();
        }
    }

    private static boolean ringsZero(ModCogTrial.Buffer b, int t) {
        for (int c = 1; c < IN; c++) if (b.x[t * IN + c] != 0) return false;
        return true;
    }

    private static int argmax(double[] v) {
        int a = 0;
        for (int j = 1; j < v.length; j++) if (v[j] > v[a]) a = j;
        return a;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}

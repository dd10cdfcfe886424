package io.eiscope.engine.task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One task of the Mod-Cog suite (Khona, Chandra et al. 2022, built on the 20 tasks of Yang et
 * al. 2019) as the EG paper trained it (Cornford et al. 2024, science.md §3.3a; reference:
 * {@code src/mod_cog_tasks.py} of {@code jhcornford/exponentiated-gradients}, itself Mod-Cog's
 * {@code mod_cog_tasks.py} with its timings). Three families, each a trial structure that
 * {@link ModCogTrial} draws:
 *
 * <ul>
 *   <li>{@link Family#REACH} (go, anti; reaction-time {@code rt}, delayed {@code dly});
 *   <li>{@link Family#DECISION} (dm1, dm2, ctxdm1, ctxdm2, multidm and their delayed
 *       comparisons {@code dly...});
 *   <li>{@link Family#MATCH} (dms, dnms, dmc, dnmc).
 * </ul>
 *
 * <p>Mod-Cog's two modifications: {@code int} ({@code intr}/{@code intl}, on the delayed tasks)
 * shifts the answer around the ring by an amount set by the delay, and {@code seq}
 * ({@code seqr}/{@code seql}) makes the answer move one ring unit per step during a 1,000 ms
 * decision (500 ms for the reaction-time tasks). {@link #ALL} lists the 82 tasks in the EG
 * paper's order, which is the order of the rule input.
 *
 * @param name            the reference's name, e.g. {@code dlyantiintr}
 * @param family          the trial structure
 * @param anti            REACH: the stimulus is opposite the answer
 * @param reaction        REACH: no stimulus period, the stimulus is shown during the decision
 * @param delayed         REACH: a 500 ms delay; DECISION: two stimuli separated by a delay
 * @param modality1       DECISION: a stimulus in modality 1 (weight {@code weight1})
 * @param modality2       DECISION: a stimulus in modality 2 (weight {@code weight2})
 * @param weight1         DECISION: how modality 1 counts towards the answer (0 or 1)
 * @param weight2         DECISION: how modality 2 counts towards the answer (0 or 1)
 * @param toCategory      MATCH: match the category (half ring) instead of the direction
 * @param goOnMatch       MATCH: answer (go to the test) on a match, else on a non-match
 * @param integrate       the {@code int} shift: +1 (r), -1 (l) or 0
 * @param sequence        the {@code seq} motion: +1 (r), -1 (l) or 0
 */
public record ModCogRule(
        String name,
        Family family,
        boolean anti,
        boolean reaction,
        boolean delayed,
        boolean modality1,
        boolean modality2,
        int weight1,
        int weight2,
        boolean toCategory,
        boolean goOnMatch,
        int integrate,
        int sequence) {

    /** The three trial structures. */
    public enum Family {
        REACH,
        DECISION,
        MATCH
    }

    /** The 20 tasks of Yang et al. (2019). */
    public static final List<String> YANG19 = List.of(
            "go",
            "rtgo",
            "dlygo",
            "anti",
            "rtanti",
            "dlyanti",
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
            "dms",
            "dnms",
            "dmc",
            "dnmc");

    /** The 82 tasks in the EG paper's order ({@code get_mod_cog_dataset_labels}). */
    public static final List<ModCogRule> ALL = build();

    private static final Map<String, ModCogRule> BY_NAME =
            ALL.stream().collect(Collectors.toUnmodifiableMap(ModCogRule::name, Function.identity()));

    /** Names of {@link #ALL}, in order. */
    public static List<String> names() {
        return ALL.stream().map(ModCogRule::name).toList();
    }

    /**
     * The tasks {@code tasks} names, {@code all} or comma-separated names, in the suite's order
     * (the order of the rule input), whatever order they are named in.
     *
     * @throws IllegalArgumentException naming an unknown task
     */
    public static List<ModCogRule> select(String tasks) {
        if (tasks.strip().equals("all")) return ALL;
        List<String> names =
                Arrays.stream(tasks.split("[,\\s]+")).filter(n -> !n.isEmpty()).toList();
        for (String n : names)
            if (!BY_NAME.containsKey(n)) throw new IllegalArgumentException("task.tasks: no Mod-Cog task '" + n + "'");
        return ALL.stream().filter(r -> names.contains(r.name())).toList();
    }

    /** The task called {@code name}, or null. */
    public static ModCogRule byName(String name) {
        return BY_NAME.get(name);
    }

    /** The decision period's length in ms: 1,000 with {@code seq} (except reaction-time tasks), else 500. */
    public int decisionMillis() {
        return sequence != 0 && !reaction ? 1000 : 500;
    }

    private static ModCogRule reach(String name, boolean anti, boolean reaction, boolean delayed, int integ, int seq) {
        return new ModCogRule(
                name, Family.REACH, anti, reaction, delayed, false, false, 0, 0, false, false, integ, seq);
    }

    private static ModCogRule decision(String name, boolean delayed, String mods, int integ, int seq) {
        // mods: "1", "2" (one modality shown), "ctx1", "ctx2" (both shown, one counts), "multi" (both count)
        boolean m1 = !mods.equals("2"), m2 = !mods.equals("1");
        int w1 = mods.equals("ctx2") ? 0 : 1, w2 = mods.equals("ctx1") ? 0 : 1;
        return new ModCogRule(name, Family.DECISION, false, false, delayed, m1, m2, w1, w2, false, false, integ, seq);
    }

    private static ModCogRule match(String name, boolean category, boolean go, int integ, int seq) {
        return new ModCogRule(name, Family.MATCH, false, false, false, false, false, 0, 0, category, go, integ, seq);
    }

    private static String side(int s) {
        return s > 0 ? "r" : "l";
    }

    private static List<ModCogRule> build() {
        List<ModCogRule> r = new ArrayList<>();
        // 6 Yang 2019 go/anti tasks
        for (boolean anti : new boolean[] {false, true}) {
            String base = anti ? "anti" : "go";
            r.add(reach(base, anti, false, false, 0, 0));
            r.add(reach("rt" + base, anti, true, false, 0, 0));
            r.add(reach("dly" + base, anti, false, true, 0, 0));
        }
        // 4 int tasks on the delayed go/anti (l before r, as the reference lists them)
        for (String base : List.of("go", "anti"))
            for (int s : new int[] {-1, 1})
                r.add(reach("dly" + base + "int" + side(s), base.equals("anti"), false, true, s, 0));
        // 12 seq tasks on go/anti: plain, delayed and reaction-time
        for (String base : List.of("go", "anti")) {
            boolean anti = base.equals("anti");
            int[] order = anti ? new int[] {1, -1} : new int[] {-1, 1};
            for (int s : order) r.add(reach(base + "seq" + side(s), anti, false, false, 0, s));
            for (int s : order) r.add(reach("dly" + base + "seq" + side(s), anti, false, true, 0, s));
            for (int s : new int[] {1, -1}) r.add(reach("rt" + base + "seq" + side(s), anti, true, false, 0, s));
        }
        List<String> mods = List.of("1", "2", "ctx1", "ctx2", "multi");
        for (String m : mods) r.add(decision(dmName(m, false), false, m, 0, 0));
        for (String m : mods) r.add(decision(dmName(m, true), true, m, 0, 0));
        for (int s : new int[] {-1, 1})
            for (String m : mods) r.add(decision(dmName(m, true) + "int" + side(s), true, m, s, 0));
        for (boolean delayed : new boolean[] {false, true})
            for (int s : new int[] {1, -1})
                for (String m : mods) r.add(decision(dmName(m, delayed) + "seq" + side(s), delayed, m, 0, s));
        // dms, dnms, dmc, dnmc; the reference lists the modified ones as dms, dnms, dnmc, dmc
        r.add(match("dms", false, true, 0, 0));
        r.add(match("dnms", false, false, 0, 0));
        r.add(match("dmc", true, true, 0, 0));
        r.add(match("dnmc", true, false, 0, 0));
        for (int s : new int[] {1, -1}) {
            r.add(match("dmsint" + side(s), false, true, s, 0));
            r.add(match("dnmsint" + side(s), false, false, s, 0));
            r.add(match("dnmcint" + side(s), true, false, s, 0));
            r.add(match("dmcint" + side(s), true, true, s, 0));
        }
        for (int s : new int[] {1, -1}) {
            r.add(match("dmsseq" + side(s), false, true, 0, s));
            r.add(match("dnmsseq" + side(s), false, false, 0, s));
            r.add(match("dnmcseq" + side(s), true, false, 0, s));
            r.add(match("dmcseq" + side(s), true, true, 0, s));
        }
        return List.copyOf(r);
    }

    /** dm1, ctxdm2, multidm, and with {@code delayed} dlydm1, ctxdlydm2, multidlydm. */
    private static String dmName(String mods, boolean delayed) {
        String dly = delayed ? "dly" : "";
        return switch (mods) {
            case "1", "2" -> dly + "dm" + mods;
            case "ctx1", "ctx2" -> "ctx" + dly + "dm" + mods.substring(3);
            default -> "multi" + dly + "dm";
        };
    }
}

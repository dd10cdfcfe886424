package io.eiscope.engine.prune;

import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.random.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unstructured pruning of a model's weights by fraction, as in the pruning experiments of
 * Cornford et al. (2024), "Brain-like learning with exponentiated gradients" (global L1
 * pruning of all non-bias weights, {@code mod_cog/prune_experiments.py}; science.md §3.3b).
 *
 * <p>Prunable tensors are the weight matrices (roles WEIGHT, EXCITATORY, INHIBITORY_INPUT,
 * INHIBITORY_OUTPUT); biases, gains and shunts are never pruned. Within each group (all prunable
 * tensors, or those of one layer) the call prunes until {@code round(fraction * size)} elements
 * are pruned, counting those pruned before: masks only grow, so repeated calls with rising
 * fractions prune iteratively. Pruned values are set to 0 at once and recorded in each
 * parameter's {@link io.eiscope.engine.model.PruningMask}, which the model's projection keeps at
 * 0 through all later learning. Cost: O(n log n) in the number of prunable weights (magnitude),
 * O(n) (random). Modifies parameter values and masks; call on the simulation's thread between steps.
 * A simulation's reset rebuilds its model, masks included (nothing pruned); a snapshot must copy
 * the masks along with the values ({@link io.eiscope.engine.model.Parameter#saveState} writes both).
 */
public final class Pruning {
    private Pruning() {}

    /** Which weights compete for pruning. */
    public enum Scope {
        /** All prunable weights of the model together (the paper's global pruning). */
        GLOBAL,
        /** The prunable weights of each layer (parameter names up to the first '.') separately. */
        PER_LAYER
    }

    /**
     * What a pruning call did.
     *
     * @param newlyPruned weights pruned by this call, by parameter name (every prunable parameter listed)
     * @param pruned      pruned prunable weights after the call, this call's and earlier ones
     * @param prunable    number of prunable weights
     */
    public record Result(Map<String, Integer> newlyPruned, long pruned, long prunable) {
        /** Fraction of the prunable weights that are now pruned. */
        public double fraction() {
            return prunable == 0 ? 0 : (double) pruned / prunable;
        }
    }

    /** True for the weight matrices that pruning may touch. */
    public static boolean prunable(Parameter p) {
        return switch (p.role()) {
            case WEIGHT, EXCITATORY, INHIBITORY_INPUT, INHIBITORY_OUTPUT -> true;
            default -> false;
        };
    }

    /** Prunes the smallest-magnitude weights (ties: earlier parameter and element first). */
    public static Result magnitude(Model model, double fraction, Scope scope) {
        return prune(model, fraction, scope, null);
    }

    /** Prunes weights chosen uniformly at random among the unpruned ones, drawing from {@code rng}. */
    public static Result random(Model model, double fraction, Scope scope, Rng rng) {
        if (rng == null) throw new IllegalArgumentException("random pruning needs a random stream");
        return prune(model, fraction, scope, rng);
    }

    /** Unprunes every weight of the model (values stay where they are: 0 for the pruned ones). */
    public static void clear(Model model) {
        for (Parameter p : model.parameters()) p.mask().clear();
    }

    private static Result prune(Model model, double fraction, Scope scope, Rng rng) {
        if (!(fraction >= 0 && fraction <= 1))
            throw new IllegalArgumentException("fraction must be in [0, 1], got " + fraction);
        if (scope == null) throw new IllegalArgumentException("scope must be GLOBAL or PER_LAYER");
        Map<String, List<Parameter>> groups = new LinkedHashMap<>();
        Map<String, Integer> newly = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            if (!prunable(p)) continue;
            String group = scope == Scope.GLOBAL
                    ? ""
                    : p.name().substring(0, Math.max(0, p.name().indexOf('.')));
            groups.computeIfAbsent(group, g -> new ArrayList<>()).add(p);
            newly.put(p.name(), 0);
        }
        long pruned = 0, prunable = 0;
        for (List<Parameter> group : groups.values()) {
            pruneGroup(group, fraction, rng, newly);
            for (Parameter p : group) {
                pruned += p.mask().count();
                prunable += p.value().size();
            }
        }
        return new Result(Map.copyOf(newly), pruned, prunable);
    }

    /** Candidates are encoded as (parameter index << 32 | element index), over the unpruned elements. */
    private static void pruneGroup(List<Parameter> group, double fraction, Rng rng, Map<String, Integer> newly) {
        long size = 0, already = 0;
        for (Parameter p : group) {
            size += p.value().size();
            already += p.mask().count();
        }
        long toPrune = Math.round(fraction * size) - already;
        if (toPrune <= 0) return;
        long[] candidates = new long[(int) (size - already)];
        int c = 0;
        for (int k = 0; k < group.size(); k++) {
            Parameter p = group.get(k);
            for (int i = 0, n = p.value().size(); i < n; i++)
                if (!p.mask().isPruned(i)) candidates[c++] = (long) k << 32 | i;
        }
        if (rng == null) {
            // sort by |w| (non-negative float bits order as ints), keeping the candidate's position as tie-break
            long[] keyed = new long[c];
            int[] index = new int[c];
            for (int j = 0; j < c; j++) {
                float w = group.get((int) (candidates[j] >>> 32)).value().get((int) candidates[j]);
                keyed[j] = (long) Float.floatToIntBits(Math.abs(w)) << 32 | j;
            }
            Arrays.sort(keyed);
            for (int j = 0; j < c; j++) index[j] = (int) keyed[j];
            for (int j = 0; j < toPrune; j++) pruneOne(group, candidates[index[j]], newly);
        } else {
            for (int j = 0; j < toPrune; j++) {
                int pick = j + rng.nextInt(c - j);
                long chosen = candidates[pick];
                candidates[pick] = candidates[j];
                candidates[j] = chosen;
                pruneOne(group, chosen, newly);
            }
        }
    }

    private static void pruneOne(List<Parameter> group, long candidate, Map<String, Integer> newly) {
        Parameter p = group.get((int) (candidate >>> 32));
        int i = (int) candidate;
        p.mask().prune(i, p.value().size());
        p.value().set(i, 0f);
        newly.merge(p.name(), 1, Integer::sum);
    }
}

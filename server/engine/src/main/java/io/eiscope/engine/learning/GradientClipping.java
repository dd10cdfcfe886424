package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;

/**
 * Gradient-norm clipping: where the L2 norm of a group of gradients (all concatenated)
 * exceeds {@code maxNorm}, multiply them all by {@code maxNorm / (norm + 1e-6)}, as
 * {@code torch.nn.utils.clip_grad_norm_} and the reference code of Cornford et al. (2021),
 * Li et al. (2023) and Cornford et al. (2024) do (science.md §1.4.3, §2.3). The group is
 * chosen by {@link Scope}: each tensor (ColEI), each layer (DANN, RNN cells) or all parameters
 * (Mod-Cog). Norms are accumulated in double.
 *
 * @param maxNorm the largest norm left untouched, finite and {@code > 0}
 * @param scope   what a group is
 */
public record GradientClipping(double maxNorm, Scope scope) implements GradientTransform {
    /** Added to the norm before dividing, as in PyTorch. */
    public static final double EPSILON = 1e-6;

    /** Which gradients are clipped together. */
    public enum Scope {
        /** Each tensor on its own. */
        TENSOR,
        /** The tensors of one layer: names sharing the prefix before the first '.'. */
        LAYER,
        /** All parameters together. */
        GLOBAL
    }

    public GradientClipping {
        if (!(maxNorm > 0) || !Double.isFinite(maxNorm))
            throw new IllegalArgumentException("clip_norm must be a finite number > 0, got " + maxNorm);
        if (scope == null) throw new IllegalArgumentException("clip_scope is required; one of tensor, layer, global");
    }

    @Override
    public void apply(List<Parameter> parameters) {
        int n = parameters.size();
        for (int i = 0; i < n; i++) {
            String name = parameters.get(i).name();
            if (scope == Scope.GLOBAL && i > 0) return;
            if (scope == Scope.LAYER && firstOfLayer(parameters, i) != i) continue;
            double sumSquares = 0;
            for (int j = i; j < n; j++) {
                if (inGroup(i, j, name, parameters.get(j).name()))
                    sumSquares += sumSquares(parameters.get(j).grad());
            }
            double norm = Math.sqrt(sumSquares);
            if (!(norm > maxNorm)) continue;
            float scale = (float) (maxNorm / (norm + EPSILON));
            for (int j = i; j < n; j++) {
                if (inGroup(i, j, name, parameters.get(j).name()))
                    scale(parameters.get(j).grad(), scale);
            }
        }
    }

    /** True when parameter {@code j >= i} is clipped together with parameter {@code i}, the first of its group. */
    private boolean inGroup(int i, int j, String first, String other) {
        return switch (scope) {
            case TENSOR -> i == j;
            case LAYER -> sameLayer(first, other);
            case GLOBAL -> true;
        };
    }

    private static int firstOfLayer(List<Parameter> parameters, int i) {
        String name = parameters.get(i).name();
        for (int j = 0; j < i; j++) if (sameLayer(name, parameters.get(j).name())) return j;
        return i;
    }

    /** True when both names have the same prefix before their first '.' (allocation-free). */
    static boolean sameLayer(String a, String b) {
        int la = layerLength(a), lb = layerLength(b);
        return la == lb && a.regionMatches(0, b, 0, la);
    }

    private static int layerLength(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name.length() : dot;
    }

    private static double sumSquares(Matrix g) {
        double s = 0;
        for (int i = 0, n = g.size(); i < n; i++) {
            double x = g.get(i);
            s += x * x;
        }
        return s;
    }

    private static void scale(Matrix g, float c) {
        for (int i = 0, n = g.size(); i < n; i++) g.set(i, g.get(i) * c);
    }
}

package io.eiscope.engine.observe;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.observe.ObservableDescriptor.Cost;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.Spectra;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Spectral observables of weight matrices (science.md §2.4): singular values, normalised SVD
 * entropy, effective rank, eigenvalues and spectral radius. Targets are the weight-matrix
 * parameters (roles WEIGHT, EXCITATORY, INHIBITORY_INPUT, INHIBITORY_OUTPUT; not biases or
 * gains) and the layers that have an effective signed matrix (E/I layers: frames then name the
 * layer). Eigenvalue observables apply to square targets only.
 */
public final class SpectralObservables {
    private SpectralObservables() {}

    private static final Set<Parameter.Role> MATRIX_ROLES = EnumSet.of(
            Parameter.Role.WEIGHT,
            Parameter.Role.EXCITATORY,
            Parameter.Role.INHIBITORY_INPUT,
            Parameter.Role.INHIBITORY_OUTPUT);

    public static List<Observable> all() {
        return List.of(
                svd(
                        "singular_values",
                        ObservableKind.SPECTRUM,
                        "Singular values of the weight matrix (effective signed matrix for E/I layers), descending, as a Tensor of shape [min(m, n)]; LAPACK sgesdd, O(m n min(m, n)): O(n^3) for n x n.",
                        s -> new Observation.Tensor(new int[] {s.length}, s)),
                svd(
                        "nse",
                        ObservableKind.SCALAR,
                        "Normalised SVD entropy H / log k, H = -sum p_i log p_i, p_i = sigma_i / sum sigma (science.md §2.4): 1 for equal singular values, 0 for rank 1; one SVD, O(n^3) for n x n.",
                        s -> new Observation.Scalar(normalisedSvdEntropy(s))),
                svd(
                        "effective_rank_entropy",
                        ObservableKind.SCALAR,
                        "Entropy-based effective rank exp(H), H the SVD entropy of p_i = sigma_i / sum sigma (between 1 and k); one SVD, O(n^3) for n x n.",
                        s -> new Observation.Scalar(entropyEffectiveRank(s))),
                svd(
                        "effective_rank_participation",
                        ObservableKind.SCALAR,
                        "Participation-ratio effective rank (sum sigma^2)^2 / sum sigma^4 (between 1 and k); one SVD, O(n^3) for n x n.",
                        s -> new Observation.Scalar(participationRatio(s))),
                eig(
                        "eigenvalues",
                        ObservableKind.COMPLEX_SPECTRUM,
                        "Complex eigenvalues of a square weight matrix (effective signed matrix for E/I layers) as a Tensor of shape [n, 2] (re, im), in LAPACK's order (conjugate pairs adjacent, positive imaginary part first); O(n^3).",
                        e -> new Observation.Tensor(new int[] {e.length / 2, 2}, e)),
                of(
                        new ObservableDescriptor(
                                "spectral_radius",
                                ObservableKind.SCALAR,
                                Cost.EXPENSIVE,
                                true,
                                "Largest eigenvalue modulus of a square weight matrix (effective signed matrix for E/I layers), without the whole spectrum: Arnoldi iteration, O(n^2) a step, accepted when its residual makes it an eigenvalue of a matrix within 1e-6 rho + 1e-7 ||W||_F of W; the whole spectrum (LAPACK, O(n^3)) below n = 200 or when the iteration does not converge. Computed on its own even when eigenvalues are measured too, so its value never depends on what else is watched."),
                        Kind.RADIUS,
                        r -> new Observation.Scalar(r.radius())));
    }

    /** Normalised SVD entropy of singular values {@code s}: 1 when all equal, 0 for one non-zero; NaN when all zero; 0 when k = 1. */
    public static double normalisedSvdEntropy(float[] s) {
        if (s.length <= 1) return s.length == 1 && s[0] > 0 ? 0 : Double.NaN;
        return entropy(s) / Math.log(s.length);
    }

    /** exp of the SVD entropy of {@code s}; NaN when all zero. */
    public static double entropyEffectiveRank(float[] s) {
        return Math.exp(entropy(s));
    }

    /** (Σσ²)² / Σσ⁴; NaN when all zero. */
    public static double participationRatio(float[] s) {
        double s2 = 0, s4 = 0;
        for (float v : s) {
            double q = (double) v * v;
            s2 += q;
            s4 += q * q;
        }
        return s4 == 0 ? Double.NaN : s2 * s2 / s4;
    }

    /** H = -Σ p log p with p_i = σ_i / Σσ (0 log 0 = 0). */
    private static double entropy(float[] s) {
        double sum = 0;
        for (float v : s) sum += v;
        if (!(sum > 0)) return Double.NaN;
        double h = 0;
        for (float v : s) {
            double p = v / sum;
            if (p > 0) h -= p * Math.log(p);
        }
        return h;
    }

    /** The matrix a target names: a parameter's value (not copied), or a layer's effective weight; null otherwise. */
    static Matrix matrix(Simulation sim, String target) {
        var p = sim.parameter(target);
        if (p.isPresent())
            return MATRIX_ROLES.contains(p.get().role()) ? p.get().value() : null;
        return sim.model().effectiveWeight(target).orElse(null);
    }

    static List<String> targets(Simulation sim, boolean squareOnly) {
        List<String> out = new ArrayList<>();
        for (Parameter p : sim.parameters()) {
            if (MATRIX_ROLES.contains(p.role()) && (!squareOnly || p.value().rows == p.value().cols)) out.add(p.name());
        }
        for (String target : sim.model().effectiveWeightTargets()) {
            sim.model()
                    .effectiveWeight(target)
                    .filter(w -> !squareOnly || w.rows == w.cols)
                    .ifPresent(w -> out.add(target));
        }
        return out;
    }

    private static Observable svd(
            String name, ObservableKind kind, String doc, Function<float[], Observation.Payload> f) {
        return of(new ObservableDescriptor(name, kind, Cost.EXPENSIVE, true, doc), Kind.SVD, v -> f.apply(v.values()));
    }

    private static Observable eig(
            String name, ObservableKind kind, String doc, Function<float[], Observation.Payload> f) {
        return of(new ObservableDescriptor(name, kind, Cost.EXPENSIVE, true, doc), Kind.EIG, v -> f.apply(v.values()));
    }

    /** What a decomposition computes: singular values, eigenvalues, or the spectral radius alone. */
    private enum Kind {
        SVD,
        EIG,
        RADIUS;

        boolean squareOnly() {
            return this != SVD;
        }
    }

    /**
     * One decomposition (singular values, eigenvalues, or the spectral radius alone) of a copy of one
     * target's matrix at one parameter revision, shared by every spectral observable that asks for it:
     * it is computed once, by whichever thread asks first, and the others wait for it.
     */
    private static final class Decomposition {
        private final Matrix copy;
        private final Kind kind;
        private float[] values;
        private double radius = Double.NaN;

        Decomposition(Matrix copy, Kind kind) {
            this.copy = copy;
            this.kind = kind;
        }

        /** Singular values or eigenvalues, computed on the first call. */
        synchronized float[] values() {
            if (values == null) values = kind == Kind.SVD ? Spectra.singularValues(copy) : Spectra.eigenvalues(copy);
            return values;
        }

        /** The spectral radius, computed on the first call. */
        synchronized double radius() {
            if (Double.isNaN(radius)) radius = Spectra.spectralRadius(copy);
            return radius;
        }
    }

    /** Decompositions of the current parameter revision by target; the simulation's thread only. */
    private record Revision(long revision, Map<String, Decomposition> byTarget) {}

    /**
     * On the simulation's thread: the decomposition of {@code target} at the current revision,
     * reusing the one another spectral observable prepared; null when the target has no finite
     * matrix (or no eigenvalues: not square).
     */
    private static Decomposition prepare(Simulation sim, String target, Kind kind) {
        Revision[] holder = sim.runCache("spectral.decompositions", () -> new Revision[1]);
        if (holder[0] == null || holder[0].revision() != sim.revision())
            holder[0] = new Revision(sim.revision(), new HashMap<>());
        String same = sim.model()
                .effectiveWeightParameter(target)
                .orElse(target); // rnn0 of a standard RNN is rnn0.W: one decomposition
        String key = kind + "/" + same;
        Decomposition d = holder[0].byTarget().get(key);
        if (d == null) {
            Matrix m = matrix(sim, same);
            if (m == null || !m.allFinite() || (kind.squareOnly() && m.rows != m.cols)) return null;
            d = new Decomposition(
                    sim.parameter(same).isPresent() ? m.copy() : m,
                    kind); // effective matrices are already fresh copies
            holder[0].byTarget().put(key, d);
        }
        return d;
    }

    /**
     * A spectral observable, deferred: the simulation's thread only copies the matrix (a memcpy,
     * or the product that makes an effective matrix) and the O(n^3) decomposition runs on the
     * analysis pool, once per target and revision for all the spectral observables.
     */
    private static Observable of(ObservableDescriptor d, Kind kind, Function<Decomposition, Observation.Payload> f) {
        return new DeferredObservable() {
            @Override
            public ObservableDescriptor descriptor() {
                return d;
            }

            @Override
            public List<String> targets(Simulation sim) {
                return SpectralObservables.targets(sim, kind.squareOnly());
            }

            @Override
            public Supplier<Observation.Payload> prepare(Simulation sim, String target) {
                Decomposition decomposition = SpectralObservables.prepare(sim, target, kind);
                return decomposition == null ? null : () -> f.apply(decomposition);
            }
        };
    }
}

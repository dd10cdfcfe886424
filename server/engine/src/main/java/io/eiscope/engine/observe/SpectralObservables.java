package io.eiscope.engine.observe;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.observe.ObservableDescriptor.Cost;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.Spectra;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Spectral observables of weight matrices (science.md §2.4): singular values, normalised SVD
 * entropy, effective rank, eigenvalues and spectral radius. Targets are the weight-matrix
 * parameters (roles WEIGHT, EXCITATORY, INHIBITORY_INPUT, INHIBITORY_OUTPUT; not biases or
 * gains) and the layers that have an effective signed matrix (E/I layers: frames then name the
 * layer). Eigenvalue observables apply to square targets only.
 */
public final class SpectralObservables {
    private SpectralObservables() {}

    private static final Set<Parameter.Role> MATRIX_ROLES = EnumSet.of(Parameter.Role.WEIGHT, Parameter.Role.EXCITATORY,
            Parameter.Role.INHIBITORY_INPUT, Parameter.Role.INHIBITORY_OUTPUT);

    public static List<Observable> all() {
        return List.of(
                svd("singular_values", ObservableKind.SPECTRUM,
                        "Singular values of the weight matrix (effective signed matrix for E/I layers), descending, as a Tensor of shape [min(m, n)]; LAPACK sgesdd, O(m n min(m, n)): O(n^3) for n x n.",
                        s -> new Observation.Tensor(new int[] {s.length}, s)),
                svd("nse", ObservableKind.SCALAR,
                        "Normalised SVD entropy H / log k, H = -sum p_i log p_i, p_i = sigma_i / sum sigma (science.md §2.4): 1 for equal singular values, 0 for rank 1; one SVD, O(n^3) for n x n.",
                        s -> new Observation.Scalar(normalisedSvdEntropy(s))),
                svd("effective_rank_entropy", ObservableKind.SCALAR,
                        "Entropy-based effective rank exp(H), H the SVD entropy of p_i = sigma_i / sum sigma (between 1 and k); one SVD, O(n^3) for n x n.",
                        s -> new Observation.Scalar(entropyEffectiveRank(s))),
                svd("effective_rank_participation", ObservableKind.SCALAR,
                        "Participation-ratio effective rank (sum sigma^2)^2 / sum sigma^4 (between 1 and k); one SVD, O(n^3) for n x n.",
                        s -> new Observation.Scalar(participationRatio(s))),
                eig("eigenvalues", ObservableKind.COMPLEX_SPECTRUM,
                        "Complex eigenvalues of a square weight matrix (effective signed matrix for E/I layers) as a Tensor of shape [n, 2] (re, im), LAPACK sgeev order; O(n^3).",
                        e -> new Observation.Tensor(new int[] {e.length / 2, 2}, e)),
                eig("spectral_radius", ObservableKind.SCALAR,
                        "Largest eigenvalue modulus of a square weight matrix (effective signed matrix for E/I layers); LAPACK sgeev, O(n^3).",
                        e -> new Observation.Scalar(Spectra.spectralRadius(e))));
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
        if (p.isPresent()) return MATRIX_ROLES.contains(p.get().role()) ? p.get().value() : null;
        return sim.model().effectiveWeight(target).orElse(null);
    }

    static List<String> targets(Simulation sim, boolean squareOnly) {
        List<String> out = new ArrayList<>();
        for (Parameter p : sim.parameters()) {
            if (MATRIX_ROLES.contains(p.role()) && (!squareOnly || p.value().rows == p.value().cols)) out.add(p.name());
        }
        for (String target : sim.model().effectiveWeightTargets()) {
            sim.model().effectiveWeight(target).filter(w -> !squareOnly || w.rows == w.cols).ifPresent(w -> out.add(target));
        }
        return out;
    }

    private static Observable svd(String name, ObservableKind kind, String doc, Function<float[], Observation.Payload> f) {
        return of(new ObservableDescriptor(name, kind, Cost.EXPENSIVE, true, doc), false, m -> f.apply(Spectra.singularValues(m)));
    }

    private static Observable eig(String name, ObservableKind kind, String doc, Function<float[], Observation.Payload> f) {
        return of(new ObservableDescriptor(name, kind, Cost.EXPENSIVE, true, doc), true,
                m -> m.rows == m.cols ? f.apply(Spectra.eigenvalues(m)) : null);
    }

    private static Observable of(ObservableDescriptor d, boolean squareOnly, Function<Matrix, Observation.Payload> f) {
        return new Observable() {
            @Override
            public ObservableDescriptor descriptor() {
                return d;
            }

            @Override
            public List<String> targets(Simulation sim) {
                return SpectralObservables.targets(sim, squareOnly);
            }

            @Override
            public Observation.Payload measure(Simulation sim, String target) {
                Matrix m = matrix(sim, target);
                return m == null || !m.allFinite() ? null : f.apply(m);
            }
        };
    }
}

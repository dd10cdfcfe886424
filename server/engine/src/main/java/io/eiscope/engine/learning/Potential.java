package io.eiscope.engine.learning;

/**
 * A separable, strictly convex potential {@code phi} of mirror descent, given by its mirror map
 * {@code grad phi} and the inverse map (Pogodin et al. 2024, "Synaptic weight distributions
 * depend on the geometry of plasticity", {@code md_utils.py}; science.md §4.1). Both maps work
 * in double precision; implementations are immutable and allocation-free.
 */
public sealed interface Potential {

    /** {@code grad phi(w)}, the weight in the dual space. */
    double map(double w);

    /**
     * {@code (grad phi)^-1(y)}; {@code previous} is the primal weight before the step, whose sign
     * the negative-entropy potential keeps (the p-norms ignore it).
     */
    double inverse(double y, double previous);

    /** A short name: {@code 3-norm}, {@code 1.5-norm}, {@code negative_entropy}. */
    String name();

    /** Parses {@link #name()}: {@code "negative_entropy"} or {@code "<p>-norm"} with p &gt; 1. */
    static Potential parse(String name) {
        if (name.equals("negative_entropy")) return new NegativeEntropy();
        if (name.endsWith("-norm")) {
            try {
                return new PNorm(Double.parseDouble(name.substring(0, name.length() - "-norm".length())));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException(
                "potential must be 'negative_entropy' or '<p>-norm' with p > 1, got '" + name + "'");
    }

    /**
     * {@code phi(w) = sum |w|^p / p}: map {@code sign(w)|w|^(p-1)}, inverse
     * {@code sign(y)|y|^(1/(p-1))}; weights may cross zero. p = 2 is Euclidean (plain GD), and
     * then both maps are exact identities ({@code Math.pow(x, 1.0) == x}).
     *
     * @param p the exponent, finite and {@code > 1}
     */
    record PNorm(double p) implements Potential {
        public PNorm {
            if (!(p > 1) || !Double.isFinite(p))
                throw new IllegalArgumentException("p must be a finite number > 1, got " + p);
        }

        @Override
        public double map(double w) {
            return Math.signum(w) * Math.pow(Math.abs(w), p - 1);
        }

        @Override
        public double inverse(double y, double previous) {
            return Math.signum(y) * Math.pow(Math.abs(y), 1 / (p - 1));
        }

        @Override
        public String name() {
            return (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)) + "-norm";
        }
    }

    /**
     * {@code phi(w) = sum |w| log|w|}: map {@code sign(w)(log|w| + 1)}, inverse
     * {@code s exp(s y - 1)} with {@code s = sign(previous)}; signs are kept and 0 stays 0 (its
     * dual value is {@code -infinity}, mapped back to 0).
     */
    record NegativeEntropy() implements Potential {
        @Override
        public double map(double w) {
            return w == 0 ? Double.NEGATIVE_INFINITY : Math.signum(w) * (Math.log(Math.abs(w)) + 1);
        }

        @Override
        public double inverse(double y, double previous) {
            double s = Math.signum(previous);
            return s == 0 ? 0 : s * Math.exp(s * y - 1);
        }

        @Override
        public String name() {
            return "negative_entropy";
        }
    }
}

package io.eiscope.engine.learning;

/**
 * Mirror descent with a separable potential {@code phi}: {@code grad phi(w') = grad phi(w) - lr d},
 * i.e. {@code w' = (grad phi)^-1(grad phi(w) - lr d)}. The direction {@code d} (weight decay
 * {@code g + wd w}, momentum) is computed in primal gradient space as in PyTorch's SGD, and the
 * mirror map is applied only at the step, as in Pogodin et al. (2024), "Synaptic weight
 * distributions depend on the geometry of plasticity" ({@code md_utils.py}), science.md §4.1.
 *
 * <p>The step {@code lr * d} is rounded to float exactly as {@link GradientDescent} rounds it,
 * and the dual-space arithmetic is in double; with the 2-norm both maps are exact identities,
 * so p = 2 gives bit-identical weights to gradient descent (the double difference of two floats
 * of nearby exponent is exact, and one rounding to float then equals float subtraction).
 *
 * @param potential the geometry; negative entropy keeps signs (it is exponentiated gradient)
 */
public record MirrorDescent(Potential potential) implements Geometry {

    public MirrorDescent {
        if (potential == null) throw new IllegalArgumentException("mirror descent needs a potential");
    }

    @Override
    public float step(float w, float d, float lr) {
        float delta = lr * d;
        return (float) potential.inverse(potential.map(w) - delta, w);
    }

    @Override
    public boolean preservesSigns() {
        return potential instanceof Potential.NegativeEntropy;
    }
}

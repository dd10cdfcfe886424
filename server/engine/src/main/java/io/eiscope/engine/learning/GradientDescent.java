package io.eiscope.engine.learning;

/** Euclidean geometry: {@code w - lr d}. Signs may flip; projections keep constraints. */
public record GradientDescent() implements Geometry {

    @Override
    public float step(float w, float d, float lr) {
        return w - lr * d;
    }

    @Override
    public boolean preservesSigns() {
        return false;
    }
}

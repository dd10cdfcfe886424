package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import io.eiscope.engine.tensor.Matrix;
import java.util.List;

/** Tiny parameters for learning-rule tests: 1 x n rows with given values and gradients. */
final class Tensors {
    private Tensors() {}

    static Parameter param(String name, Sign sign, Role role, int fanIn, int excitatoryUnits, float[] w, float[] g) {
        return new Parameter(
                name, Matrix.of(1, w.length, w), Matrix.of(1, g.length, g), sign, role, fanIn, excitatoryUnits);
    }

    /** An unconstrained weight row. */
    static Parameter free(String name, float[] w, float[] g) {
        return param(name, Sign.FREE, Role.WEIGHT, w.length, 1, w, g);
    }

    /** An unconstrained weight with one element. */
    static Parameter scalar(float w, float g) {
        return free("layer0.W", new float[] {w}, new float[] {g});
    }

    /** Deep copies (values and grads) with the same names, roles and shapes. */
    static List<Parameter> copy(List<Parameter> ps) {
        return ps.stream()
                .map(p -> new Parameter(
                        p.name(),
                        p.value().copy(),
                        p.grad().copy(),
                        p.sign(),
                        p.role(),
                        p.fanIn(),
                        p.excitatoryUnits()))
                .toList();
    }

    static void setGrad(Parameter p, float... g) {
        p.grad().copyFrom(g);
    }
}

package io.eiscope.engine.learning;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.tensor.Elementwise;
import java.util.List;

/**
 * The gradient corrections of corrected SGD (cSGD), the default learning rule of Dale's ANNs:
 * Cornford et al. (2021), "Learning to live with Dale's principle: ANNs with separate excitatory
 * and inhibitory units", ICLR ({@code cSGD_Mixin}; science.md §1.4.2). With {@code ne} the
 * parameter's {@link Parameter#excitatoryUnits()} and {@code d} its {@link Parameter#fanIn()}:
 * <ul>
 *   <li>{@link Parameter.Role#INHIBITORY_INPUT} ({@code Wix}): {@code grad / sqrt(ne)};</li>
 *   <li>{@link Parameter.Role#INHIBITORY_OUTPUT} ({@code Wei}): {@code grad / d};</li>
 *   <li>{@link Parameter.Role#SHUNT} ({@code alpha}): {@code grad / (sqrt(ne) d)};</li>
 *   <li>every other role: unchanged.</li>
 * </ul>
 * Followed by any rule, this gives cSGD (with plain SGD and the model's projection, the
 * paper's rule). The recurrent variant (§2.3) is the same with the block's own {@code d}.
 */
public record InhibitoryCorrection() implements GradientTransform {

    /** The divisor of {@code p}'s gradient; 1 for roles that are not corrected. */
    public static double divisor(Parameter p) {
        return switch (p.role()) {
            case INHIBITORY_INPUT -> Math.sqrt(p.excitatoryUnits());
            case INHIBITORY_OUTPUT -> p.fanIn();
            case SHUNT -> Math.sqrt(p.excitatoryUnits()) * p.fanIn();
            default -> 1;
        };
    }

    @Override
    public void apply(List<Parameter> parameters) {
        for (int k = 0, n = parameters.size(); k < n; k++) {
            Parameter p = parameters.get(k);
            double divisor = divisor(p);
            if (divisor == 1) continue;
            if (!(divisor > 0))
                throw new IllegalStateException(p.name() + " has fan-in " + p.fanIn() + " and " + p.excitatoryUnits()
                        + " excitatory units; the inhibitory correction needs both > 0");
            Elementwise.divide(p.grad(), (float) divisor);
        }
    }
}

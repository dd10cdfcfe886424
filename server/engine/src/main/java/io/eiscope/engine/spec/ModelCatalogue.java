package io.eiscope.engine.spec;

import io.eiscope.engine.model.Mlp;
import io.eiscope.engine.spec.Catalogue.Entry;
import io.eiscope.engine.spec.Catalogue.ModelFactory;
import java.util.List;

/** The models of the catalogue and their initialisations. */
final class ModelCatalogue {
    private ModelCatalogue() {}

    static List<Entry<ModelFactory>> entries() {
        var mlp = new Entry<ModelFactory>(new ComponentDescriptor("mlp", "Multilayer perceptron",
                "ReLU hidden layers, linear output into softmax cross-entropy; W ~ N(0, gain/fan_in) with gain 1 for the first layer and 2 after (He).",
                References.CORNFORD_2021, List.of(
                        ParamDescriptor.intList("hidden", List.of(500L, 500L), 1, 8192, "Units of each hidden layer, input to output."),
                        ParamDescriptor.choice("init", "he", List.of("he"), "Weight initialisation."))),
                (p, in, classes, init, ctx) -> Mlp.create(in, hidden(p), classes, ctx.blas(), init));
        return List.of(mlp);
    }

    static List<ComponentDescriptor> initialisations() {
        return List.of(new ComponentDescriptor("he", "He normal",
                "W ~ N(0, gain/fan_in), gain 1 on pixel inputs and 2 after ReLU; biases 0.", References.CORNFORD_2021, List.of()));
    }

    /** The hidden layer sizes of a model, at most 16 layers. */
    static int[] hidden(Params p) {
        int[] hidden = p.ints("hidden").stream().mapToInt(Long::intValue).toArray();
        if (hidden.length > 16) throw new IllegalArgumentException("model.hidden may list at most 16 layers, got " + hidden.length);
        return hidden;
    }
}

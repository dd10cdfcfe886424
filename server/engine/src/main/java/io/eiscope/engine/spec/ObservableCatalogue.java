package io.eiscope.engine.spec;

import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.observe.ObservableDescriptor.Cost;
import io.eiscope.engine.observe.ObservableKind;
import java.util.List;

/** The observables of the catalogue. */
final class ObservableCatalogue {
    private ObservableCatalogue() {}

    static List<ObservableDescriptor> entries() {
        return List.of(
                new ObservableDescriptor("loss", ObservableKind.SCALAR, Cost.CHEAP, false, "Mean cross-entropy of the training minibatch, every step."),
                new ObservableDescriptor("accuracy", ObservableKind.SCALAR, Cost.CHEAP, false, "Fraction of the training minibatch classified correctly, every step."),
                new ObservableDescriptor("test_loss", ObservableKind.SCALAR, Cost.EXPENSIVE, false, "Mean cross-entropy on the whole held-out set, every eval_every_steps."),
                new ObservableDescriptor("test_accuracy", ObservableKind.SCALAR, Cost.EXPENSIVE, false, "Accuracy on the whole held-out set, every eval_every_steps."),
                new ObservableDescriptor("weights", ObservableKind.TENSOR, Cost.LINEAR, true, "The parameter tensor's values (float32, post x pre)."),
                new ObservableDescriptor("effective_weights", ObservableKind.TENSOR, Cost.LINEAR, true,
                        "Effective signed weight matrix of each E/I layer (DANN: Wex - Wei Wix; column-E/I: W_pos D), post x pre; frames name the layer."),
                new ObservableDescriptor("weight_histogram", ObservableKind.HISTOGRAM, Cost.LINEAR, true, "Histogram of the parameter tensor's values, 64 bins over [min, max]."),
                new ObservableDescriptor("state", ObservableKind.EVENT, Cost.CHEAP, false, "State changes (running, paused, finished, diverged, failed) with the reason."));
    }
}

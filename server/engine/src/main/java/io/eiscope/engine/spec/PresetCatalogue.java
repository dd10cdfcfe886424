package io.eiscope.engine.spec;

import java.util.List;
import java.util.Map;

/** Named experiments from the papers, ready to create. */
final class PresetCatalogue {
    private PresetCatalogue() {}

    static List<Preset> entries() {
        SimulationConfig demo = new SimulationConfig("MLP on Fashion-MNIST",
                new ComponentConfig("mlp", Map.of("hidden", List.of(100L))),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.05)),
                ComponentConfig.of("fashion_mnist"), 1, 32, 500, 0);
        SimulationConfig cornfordMlp = new SimulationConfig("MLP 3x500, Fashion-MNIST (Cornford et al. 2021)",
                new ComponentConfig("mlp", Map.of("hidden", List.of(500L, 500L, 500L))),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.2976)),
                ComponentConfig.of("fashion_mnist"), 1, 32, 1875, 50L * 1875);
        return List.of(
                new Preset("mlp-fashion-mnist", "MLP on Fashion-MNIST (quick demo)",
                        "A 784-100-10 ReLU MLP learning Fashion-MNIST with plain SGD; test accuracy every 500 steps.", "", demo),
                new Preset("cornford2021-mlp-fashion-mnist", "MLP baseline of Cornford et al. 2021",
                        "784-3x500-10 ReLU MLP, SGD lr 0.2976, batch 32, 50 epochs, evaluated every epoch.", References.CORNFORD_2021, cornfordMlp));
    }
}

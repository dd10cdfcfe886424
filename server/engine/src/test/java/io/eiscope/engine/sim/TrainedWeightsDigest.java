package io.eiscope.engine.sim;

import io.eiscope.engine.TestData;
import io.eiscope.engine.prune.Pruning;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.tensor.Matrix;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Trains a few runs of each kind whose update takes a JDK-dependent path (plain SGD, heavy ball and Adam in place on JDK 22+, with and without pruned weights, through
 * heap chunks on 17; tanh; the products of tensor.RowProducts, in lanes of either JDK's Vector API) and prints one line per run: its name and the SHA-256 of every parameter's bits.
 * {@link CrossJdkTrainingTest} runs it on two JDKs and compares the lines. A {@code main} so that the test can
 * start it in another JVM.
 */
public final class TrainedWeightsDigest {
    private static final int STEPS = 30;

    private TrainedWeightsDigest() {}

    public static void main(String[] args) throws Exception {
        for (String line : digests()) System.out.println(line);
    }

    static List<String> digests() throws NoSuchAlgorithmException {
        ComponentConfig sgd = new ComponentConfig("sgd", Map.of("learning_rate", 0.05));
        ComponentConfig sgdDecay = new ComponentConfig("sgd", Map.of("learning_rate", 0.05, "weight_decay", 1e-3));
        ComponentConfig heavyBall = new ComponentConfig("sgd", Map.of("learning_rate", 0.02, "momentum", 0.9));
        ComponentConfig nesterov =
                new ComponentConfig("sgd", Map.of("learning_rate", 0.02, "momentum", 0.9, "nesterov", true));
        ComponentConfig adam = new ComponentConfig("adam", Map.of("learning_rate", 1e-3));
        ComponentConfig adamw = new ComponentConfig("adamw", Map.of("learning_rate", 1e-3, "weight_decay", 0.01));
        ComponentConfig fashion = ComponentConfig.of("fashion_mnist");
        ComponentConfig adding =
                new ComponentConfig("adding", Map.of("sequence_length", 5L, "train_size", 64L, "test_size", 16L));
        ComponentConfig mlp = new ComponentConfig("mlp", Map.of("hidden", List.of(40L, 20L)));
        ComponentConfig dann = new ComponentConfig(
                "dann", Map.of("hidden_excitatory", List.of(40L, 20L), "hidden_inhibitory", List.of(4L, 2L)));
        ComponentConfig rnnTanh = new ComponentConfig("rnn", Map.of("hidden", List.of(12L), "nonlinearity", "tanh"));
        List<String> lines = new ArrayList<>();
        for (int batch : new int[] {1, 16}) {
            lines.add(digest("mlp sgd batch " + batch, config(mlp, sgd, fashion, batch)));
            lines.add(digest("dann sgd+decay batch " + batch, config(dann, sgdDecay, fashion, batch)));
        }
        lines.add(digest("mlp nesterov batch 1", config(mlp, nesterov, fashion, 1)));
        lines.add(digest("dann heavy ball batch 16", config(dann, heavyBall, fashion, 16)));
        lines.add(digest("mlp adamw batch 1", config(mlp, adamw, fashion, 1)));
        lines.add(digest("dann adam batch 16", config(dann, adam, fashion, 16)));
        Command prune = new Command.Prune(Command.PruneMethod.RANDOM, 0.3, Pruning.Scope.PER_LAYER);
        lines.add(digest("dann sgd pruned batch 1", config(dann, sgd, fashion, 1), prune));
        lines.add(digest("mlp heavy ball pruned batch 16", config(mlp, heavyBall, fashion, 16), prune));
        lines.add(digest("rnn tanh sgd batch 8", config(rnnTanh, sgd, adding, 8)));
        // products the engine computes itself (tensor.RowProducts: 28-32 rows, weights of 128+ a side, 2^17+)
        ComponentConfig wideMlp = new ComponentConfig("mlp", Map.of("hidden", List.of(400L, 400L)));
        ComponentConfig wideDann = new ComponentConfig(
                "dann", Map.of("hidden_excitatory", List.of(400L, 400L), "hidden_inhibitory", List.of(40L, 40L)));
        ComponentConfig wideRnn = new ComponentConfig("rnn", Map.of("hidden", List.of(400L)));
        lines.add(digest("wide mlp heavy ball batch 32", config(wideMlp, heavyBall, fashion, 32)));
        lines.add(digest("wide dann sgd batch 30", config(wideDann, sgd, fashion, 30)));
        lines.add(digest("wide rnn sgd batch 32", config(wideRnn, sgd, adding, 32)));
        return lines;
    }

    private static SimulationConfig config(
            ComponentConfig model, ComponentConfig rule, ComponentConfig task, int batch) {
        return new SimulationConfig("digest", model, rule, task, 11, batch, 0, 0);
    }

    private static String digest(String name, SimulationConfig config) throws NoSuchAlgorithmException {
        return digest(name, config, null);
    }

    /** Trains {@code config} {@value #STEPS} steps, applying {@code command} (if any) after the first third. */
    private static String digest(String name, SimulationConfig config, Command command)
            throws NoSuchAlgorithmException {
        Simulation s = new Simulation(config, Catalogue.standard(), EngineContext.of(TestData.dataDir()));
        for (int i = 0; i < STEPS; i++) {
            if (i == STEPS / 3 && command != null) s.apply(command);
            s.trainStep();
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer bits = ByteBuffer.allocate(Float.BYTES);
        for (var p : s.parameters()) {
            Matrix v = p.value();
            for (int i = 0, n = v.size(); i < n; i++)
                sha.update(bits.clear().putFloat(v.get(i)).array());
        }
        return name + " " + HexFormat.of().formatHex(sha.digest());
    }
}

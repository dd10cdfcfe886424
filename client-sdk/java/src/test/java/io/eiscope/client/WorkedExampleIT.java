package io.eiscope.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.ComponentInfo;
import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.app.EiscopeServer;
import io.eiscope.app.ServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The worked example of the README against a live server, scaled down to run in seconds:
 * a DANN on Fashion-MNIST, its weight histograms watched (no spectrum observable exists yet),
 * 50 % of its weights pruned at step 100 (the example says 1,000), a fork switched to
 * exponentiated gradient, then both compared.
 */
class WorkedExampleIT {
    static final int HIDDEN = 40;

    @Test
    void dannPruneForkSwitchToEgAndCompare() throws Exception {
        Path data = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        EiscopeServer server = new EiscopeServer(ServerOptions.defaults()
                .withPort(0)
                .withDatasetsDir(data)
                .withDataDir(java.nio.file.Files.createTempDirectory("eiscope-record")));
        try {
            int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            try (EiscopeClient client = EiscopeClient.connect("127.0.0.1", port)) {
                run(client);
            }
        } finally {
            server.close();
        }
    }

    private void run(EiscopeClient client) throws Exception {
        Simulation dann = client.create(SimulationSpec.newBuilder()
                .setName("dann")
                .setSeed(1)
                .setBatchSize(32)
                .setEvalEverySteps(100)
                .setModel(ComponentSpec.newBuilder()
                        .setKind("dann")
                        .putParams("hidden_excitatory", Commands.value(List.of(HIDDEN)))
                        .putParams("hidden_inhibitory", Commands.value(List.of(4))))
                .setLearningRule(ComponentSpec.newBuilder()
                        .setKind("sgd")
                        .putParams("learning_rate", Commands.value(0.05))
                        .putParams("correct_inhibitory", Commands.value(true)))
                .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist"))
                .build());
        List<Frame> histograms = new CopyOnWriteArrayList<>();
        EiscopeClient.Watch watch = client.watch(WatchRequest.newBuilder()
                .setId(dann.getId())
                .addObservables("weight_histogram")
                .addLayers("layer0")
                .setMaxHz(10)
                .build());
        Thread watcher = new Thread(() -> watch.forEach(histograms::add));
        watcher.start();

        client.apply(dann.getId(), Commands.runUntil(100));
        assertThat(client.waitForStep(dann.getId(), 100, Duration.ofSeconds(30)).getStep())
                .isEqualTo(100);
        assertThat(client.apply(dann.getId(), Commands.prune(0.5)))
                .as("pruned where it paused")
                .isEqualTo(100);
        assertThat(zeroFraction(client.parameters(dann.getId()))).isGreaterThanOrEqualTo(0.5);

        Simulation fork = client.fork(dann.getId());
        assertThat(fork.getParentId()).isEqualTo(dann.getId());
        assertThat(fork.getForkStep()).isEqualTo(100);
        assertThat(client.catalogue().getLearningRulesList())
                .extracting(ComponentInfo::getKind)
                .contains("eg");
        client.apply(fork.getId(), Commands.switchRule("eg", Map.of("learning_rate", 0.05)));

        for (Simulation s : List.of(dann, fork)) client.apply(s.getId(), Commands.runUntil(200));
        Simulation a = client.waitForStep(dann.getId(), 200, Duration.ofSeconds(60));
        Simulation b = client.waitForStep(fork.getId(), 200, Duration.ofSeconds(60));
        watch.cancel();
        watcher.join(10_000);

        assertThat(a.getStep()).isEqualTo(200);
        assertThat(b.getStep()).isEqualTo(200);
        assertThat(b.getLearningRule().getKind()).isEqualTo("eg");
        assertThat(List.of(a.getState(), b.getState()))
                .containsOnly(io.eiscope.api.v1.SimulationState.SIMULATION_STATE_PAUSED);
        double accA = a.getLatestScalarsOrThrow("test_accuracy"), accB = b.getLatestScalarsOrThrow("test_accuracy");
        assertThat(accA).isGreaterThan(0.5);
        assertThat(accB).isGreaterThan(0.5);
        assertThat(client.interventionLog(fork.getId()))
                .hasSize(client.interventionLog(dann.getId()).size() + 1); // + the switch
        float[] wa =
                client.parameters(dann.getId(), "layer0.Wex").get("layer0.Wex").data();
        float[] wb =
                client.parameters(fork.getId(), "layer0.Wex").get("layer0.Wex").data();
        assertThat(wa).isNotEqualTo(wb);
        // Pruned weights stay pruned under both rules (EG also never revives a zero).
        assertThat(zeroFraction(client.parameters(dann.getId()))).isGreaterThanOrEqualTo(0.5);
        assertThat(zeroFraction(client.parameters(fork.getId()))).isGreaterThanOrEqualTo(0.5);
        assertThat(histograms)
                .isNotEmpty()
                .allSatisfy(f -> assertThat(f.getLayer()).startsWith("layer0"));

        // SGD vs EG after pruning, from the record: the fork's own record starts after the fork step.
        History.Series sgd = client.history(dann.getId(), "loss").get("loss"),
                eg = client.history(fork.getId(), "loss").get("loss");
        assertThat(sgd.steps()).startsWith(1).endsWith(200).hasSize(200);
        assertThat(eg.steps()).startsWith(101).endsWith(200).hasSize(100);
    }

    /** Fraction of exact zeros among the E/I weight matrices (what pruning prunes). */
    private static double zeroFraction(Map<String, EiscopeClient.FloatTensor> params) {
        long zeros = 0, all = 0;
        for (var e : params.entrySet()) {
            if (!e.getKey().matches(".*\\.(Wex|Wix|Wei)")) continue;
            for (float v : e.getValue().data()) if (v == 0f) zeros++;
            all += e.getValue().data().length;
        }
        return (double) zeros / all;
    }
}

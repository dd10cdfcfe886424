package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.ComponentSpec;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.SimulationSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The cores no playing run uses are lent to the playing runs' large products, and given back as more runs play
 * (issue 13, "idle cores work"); /metrics shows how many are spare and how many product halves they computed.
 */
class SpareCoresTest {
    static final int CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void oneRunPlayingBorrowsTheIdleCoresAndASecondTakesThemBack() throws Exception {
        assertThat(CORES).as("the test machines have at least 2 cores").isGreaterThanOrEqualTo(2);
        try (LiveServer live = LiveServer.start()) {
            String a = create(live), b = create(live);
            assertThat(spare(live))
                    .as("nothing plays: every core but a run's own")
                    .isEqualTo(CORES - 1);
            double lentBefore = metric(live, "eiscope_product_halves_lent_total")
                    + metric(live, "eiscope_product_halves_taken_back_total");
            control(live, a, ControlAction.CONTROL_ACTION_PLAY);
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(metric(live, "eiscope_product_halves_lent_total")
                                    + metric(live, "eiscope_product_halves_taken_back_total"))
                            .as(
                                    "the playing run's 500-unit layers lend halves of their products (cores used"
                                            + " elsewhere: %s)",
                                    metric(live, "eiscope_cores_used_elsewhere"))
                            .isGreaterThan(lentBefore));
            assertThat(spare(live)).isEqualTo(CORES - 1);
            assertThat(metric(live, "eiscope_product_lending_backoffs_total")).isGreaterThanOrEqualTo(0);
            assertThat(metric(live, "eiscope_cores_used_elsewhere"))
                    .as("the cores the rest of the machine uses, as the lending reads them")
                    .isBetween(0.0, (double) CORES);
            for (int i = 1; i < CORES; i++) control(live, i == 1 ? b : create(live), ControlAction.CONTROL_ACTION_PLAY);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> spare(live) == 0);
            control(live, b, ControlAction.CONTROL_ACTION_PAUSE);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> spare(live) == 1);
        }
    }

    static String create(LiveServer live) {
        return live.stub()
                .createSimulation(CreateSimulationRequest.newBuilder()
                        .setSpec(SimulationSpec.newBuilder()
                                .setName("spare")
                                .setSeed(3)
                                .setBatchSize(128)
                                .setModel(ComponentSpec.newBuilder()
                                        .setKind("mlp")
                                        .putParams("hidden", SteeringGrpcTest.ints(500, 500)))
                                .setLearningRule(ComponentSpec.newBuilder().setKind("sgd"))
                                .setTask(ComponentSpec.newBuilder().setKind("fashion_mnist")))
                        .build())
                .getSimulation()
                .getId();
    }

    static void control(LiveServer live, String id, ControlAction action) {
        live.stub()
                .control(ControlRequest.newBuilder().setId(id).setAction(action).build());
    }

    static int spare(LiveServer live) throws Exception {
        return (int) metric(live, "eiscope_spare_cores");
    }

    static double metric(LiveServer live, String series) throws Exception {
        String body = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + live.port + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return MetricsTest.value(body, series);
    }
}

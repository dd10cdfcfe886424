package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** GET /metrics in Prometheus' text format: runs by state, steps, gRPC calls by method and code, JVM and direct memory; a token when auth is on. */
class MetricsTest {
    static double value(String body, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$")
                .matcher(body);
        assertThat(m.find())
                .as("series %s in:%n%s", series, body.length() > 3000 ? body.substring(0, 3000) : body)
                .isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void runsStepsCallsAndTheJvmAreExposed() throws Exception {
        try (LiveServer live = LiveServer.start()) {
            var stub = live.stub();
            String id = stub.createSimulation(CreateSimulationRequest.newBuilder()
                            .setSpec(SteeringGrpcTest.dann(1))
                            .build())
                    .getSimulation()
                    .getId();
            live.stepTo(id, 30);
            try {
                stub.getSimulation(
                        GetSimulationRequest.newBuilder().setId("sim-nope").build());
            } catch (StatusRuntimeException expected) {
                // counted with its code, 5
            }
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + live.port + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
            String body = r.body();
            assertThat(value(body, "eiscope_runs{state=\"paused\"}")).isEqualTo(1);
            assertThat(value(body, "eiscope_runs{state=\"running\"}")).isZero();
            assertThat(value(body, "eiscope_training_steps_total")).isEqualTo(30);
            assertThat(value(body, "eiscope_grpc_server_calls_seconds_count{code=\"0\",method=\"CreateSimulation\"}"))
                    .isEqualTo(1);
            assertThat(value(body, "eiscope_grpc_server_calls_seconds_count{code=\"5\",method=\"GetSimulation\"}"))
                    .isEqualTo(1);
            assertThat(value(body, "eiscope_record_queue_points")).isGreaterThanOrEqualTo(0);
            assertThat(value(body, "jvm_buffer_memory_used_bytes{id=\"direct\"}"))
                    .isPositive();
            assertThat(body).contains("jvm_memory_used_bytes{area=\"heap\"");
            stub.control(ControlRequest.newBuilder()
                    .setId(id)
                    .setAction(ControlAction.CONTROL_ACTION_PAUSE)
                    .build());
        }
    }

    @Test
    void withAuthenticationMetricsNeedAToken() throws Exception {
        Path tokens = Files.createTempFile("eiscope-tokens", "");
        Files.writeString(tokens, "metrics-reader-0123456789 read prometheus\n");
        try (LiveServer live = LiveServer.start(o -> o.withAuth(ServerOptions.Auth.TOKEN, tokens))) {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + live.port + "/metrics");
            assertThat(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(401);
            HttpResponse<String> ok = http.send(
                    HttpRequest.newBuilder(uri)
                            .header("Authorization", "Bearer metrics-reader-0123456789")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("eiscope_training_steps_total");
        }
    }
}

package io.eiscope.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.CheckpointInfo;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.RecordedEvent;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.app.EiscopeServer;
import io.eiscope.app.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The tour of client-sdk/java/README.md, run as written (but for the port) against a live server. */
class ReadmeIT {
    private static final Path SOURCE = Path.of("src/test/java/io/eiscope/client/ReadmeIT.java");
    private static final String BEGIN = "// README tour: begin", END = "// README tour: end";

    @Test
    void theReadmesTourIsThisTestsCode() throws Exception {
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(Path.of("README.md")));
        assertThat(block.find()).as("a java block in README.md").isTrue();
        String source = Files.readString(SOURCE);
        String tour = source.substring(source.indexOf(BEGIN + "\n") + BEGIN.length(), source.indexOf(END + "\n")); // the markers' lines
        String dedented = String.join("\n", tour.strip().lines().map(l -> l.startsWith("        ") ? l.substring(8) : l).toList()) + "\n";
        assertThat(block.group(1)).isEqualTo(dedented.replace("connect(\"127.0.0.1\", port)", "connect(\"127.0.0.1\", 7070)"));
    }

    @Test
    void theTourRuns() throws Exception {
        Path data = Path.of(System.getProperty("eiscope.dataDir", ".data"));
        EiscopeServer server = new EiscopeServer(ServerOptions.defaults().withPort(0).withDatasetsDir(data)
                .withDataDir(Files.createTempDirectory("eiscope-record")));
        try {
            int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        // README tour: begin
        EiscopeClient client = EiscopeClient.connect("127.0.0.1", port);   // close() when done
        String id = client.createFromPreset("mlp-fashion-mnist").getId();  // PAUSED at step 0
        client.step(id, 200);                                              // starts exactly 200 updates
        client.waitForStep(id, 200, Duration.ofSeconds(60));               // blocks until they are done

        // Every recorded loss from step 0, then live frames; returns once the run is paused.
        List<Frame> frames = new ArrayList<>();
        client.watchUntilPaused(WatchRequest.newBuilder().setId(id).addObservables("loss").setFromStep(0).build())
                .forEach(frames::add);

        History.Series loss = client.history(id, "loss").get("loss");     // long[] steps, double[] values, long[] wallTimeNanos
        History.Series curve = client.history(GetHistoryRequest.newBuilder().setId(id).addObservables("loss")
                .setMaxPoints(40).build()).get("loss");                   // downsampled on the server, extremes kept
        double now = client.latest(id, "loss").getValuesOrThrow("loss");  // no stream
        List<RecordedEvent> events = client.events(id);                   // state changes and interventions

        client.updateRun(id, "baseline", List.of("mlp", "sgd"), "first try");  // null leaves a field as it is
        CheckpointInfo saved = client.saveCheckpoint(id, true);           // pinned: kept whatever the retention
        Map<String, EiscopeClient.FloatTensor> stored = client.checkpoint(id, saved.getStep());  // == parameters(id)
        byte[] npz = client.checkpointNpz(id, saved.getStep());           // the .npz file numpy.load reads
        // README tour: end
            try (client) {
                assertThat(frames).extracting(Frame::getStep).containsExactlyElementsOf(Arrays.stream(loss.steps()).boxed().toList());
                assertThat(loss.steps()).startsWith(1).endsWith(200);
                assertThat(curve.size()).isBetween(4, 40);
                assertThat(now).isEqualTo(loss.values()[loss.size() - 1]);
                assertThat(events).isNotEmpty();
                assertThat(client.get(id).getTagsList()).containsExactly("mlp", "sgd");
                assertThat(saved.getStep()).isEqualTo(200);
                assertThat(saved.getPinned()).isTrue();
                assertThat(stored.get("layer0.W").data()).isEqualTo(client.parameters(id, "layer0.W").get("layer0.W").data());
                assertThat(npz).startsWith((byte) 'P', (byte) 'K'); // a zip
            }
        } finally {
            server.close();
        }
    }
}

package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server as a user starts it: a separate JVM, its printed URL, SIGTERM, bad flags. */
class MainProcessTest {

    private static Process launch(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** A started server's output lines (gathered as they come) and its process. */
    record Started(Process process, List<String> lines, Thread reader) {}

    static Started startAndWaitForUrl(String... args) throws Exception {
        Process p = launch(args);
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch listening = new java.util.concurrent.CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("eiscope listening on ")) listening.countDown();
                }
            } catch (java.io.IOException closed) {
                // the process ended
            }
        });
        reader.start();
        if (!listening.await(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("no URL printed: " + lines);
        }
        return new Started(p, lines, reader);
    }

    /** SIGTERM through kill(1) (Process.destroy() would also close our end of the pipes); waits for the exit. */
    static void terminate(Started s) throws Exception {
        assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(s.process().pid()))
                        .start()
                        .waitFor())
                .isZero();
        assertThat(s.process().waitFor(20, TimeUnit.SECONDS))
                .as("exits within 20 s of SIGTERM")
                .isTrue();
        s.reader().join(5000);
    }

    @Test
    void printsItsUrlAndStopsCleanlyOnSigterm() throws Exception {
        Started s = startAndWaitForUrl(
                "--port",
                "0",
                "--data-dir",
                java.nio.file.Files.createTempDirectory("eiscope-record").toString());
        try {
            assertThat(s.lines()).anyMatch(l -> l.matches("eiscope listening on http://127\\.0\\.0\\.1:[1-9][0-9]*"));
            terminate(s);
            assertThat(s.lines()).contains("eiscope stopped");
        } finally {
            s.process().destroyForcibly(); // a failed assertion must not leave a server running
        }
    }

    @Test
    void logsAreJsonLinesWithTheirKeyValuePairsWhenAsked() throws Exception {
        java.nio.file.Path data = java.nio.file.Files.createTempDirectory("eiscope-record");
        Started s = startAndWaitForUrl(
                "--port",
                "0",
                "--data-dir",
                data.toString(),
                "--web-root",
                data.resolve("no-ui").toString(),
                "--tls-self-signed",
                "--log-format",
                "json");
        try {
            terminate(s);
        } finally {
            s.process().destroyForcibly();
        }
        List<io.vertx.core.json.JsonObject> json = s.lines().stream()
                .filter(l -> l.startsWith("{"))
                .map(io.vertx.core.json.JsonObject::new)
                .toList();
        assertThat(json).as("log lines: " + s.lines()).anySatisfy(j -> {
            assertThat(j.getString("level")).isEqualTo("WARN");
            assertThat(j.getString("loggerName")).isEqualTo(EiscopeServer.class.getName());
            assertThat(j.getString("formattedMessage")).contains("no web UI in").contains("no-ui");
        });
        assertThat(json).anySatisfy(j -> {
            assertThat(j.getString("formattedMessage")).isEqualTo("TLS with a self-signed certificate");
            assertThat(j.getJsonArray("kvpList").stream()
                            .map(kv -> ((io.vertx.core.json.JsonObject) kv).fieldNames())
                            .toList()
                            .toString())
                    .contains("certificate", "sha256");
        });
        assertThat(s.lines())
                .as("every log line is JSON (the URL and the stop notice are printed, not logged)")
                .allMatch(l -> l.startsWith("{") || l.startsWith("eiscope "));
    }

    @Test
    void helpListsEveryOptionWithItsEnvironmentVariable() throws Exception {
        Process p = launch("--help");
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isZero();
        assertThat(out)
                .contains(
                        "--auth", "--tls-self-signed", "--max-runs-per-owner", "--checkpoint-every-steps", "EISCOPE_");
    }

    @Test
    void aBadFlagExitsWithUsage() throws Exception {
        Process p = launch("--port", "seventy");
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("--port must be a whole number");
    }

    @Test
    void aTakenPortFailsTheStartWithTheReason() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Process p = launch("--port", Integer.toString(taken.getLocalPort()));
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("could not start");
        }
    }

    @Test
    void aStoreThatIsNotPostgresqlIsRefusedWithTheFormToUse() throws Exception {
        Process p = launch("--store", "mysql://ana:secret@db/runs");
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("is not a PostgreSQL URL", "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
                .doesNotContain("secret");
    }

    @Test
    void aStoreThatCannotBeReachedFailsTheStartNamingIt() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens there once the socket is closed
        }
        String store = "postgresql://eiscope:secret@127.0.0.1:" + closed + "/runs";
        Process p = launch("--store", store);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("cannot open the run record postgresql://eiscope@127.0.0.1:" + closed + "/runs")
                .contains("refused")
                .doesNotContain("secret");
    }
}

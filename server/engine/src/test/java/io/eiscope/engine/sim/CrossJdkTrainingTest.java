package io.eiscope.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.engine.tensor.OffHeapDescent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server runs on JDK 17 or on a JDK 22+ (tools/jdk22.sh), where plain SGD updates the weights in place
 * ({@link OffHeapDescent}) instead of through heap chunks: both must train to the same weights, bit for bit.
 * Runs on the JDK 22+ alone (server/engine/pom.xml, profile lanes22), which starts {@link TrainedWeightsDigest}
 * in a JVM of the JDK that runs Maven ({@code eiscope.jdk17}) and compares its lines with its own.
 */
class CrossJdkTrainingTest {
    @Test
    void jdk17AndThisJdkTrainToTheSameBits() throws Exception {
        assertThat(OffHeapDescent.available())
                .as("this JVM runs the in-place lanes")
                .isTrue();
        String other = System.getProperty("eiscope.jdk17");
        assertThat(other).as("-Deiscope.jdk17: the JDK to compare with").isNotBlank();
        List<String> here = TrainedWeightsDigest.digests();
        List<String> there = run(Path.of(other, "bin", "java"));
        assertThat(there).as("digests from %s", other).isEqualTo(here);
        assertThat(here).hasSize(14);
    }

    private static List<String> run(Path java) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                java.toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "-Deiscope.dataDir=" + System.getProperty("eiscope.dataDir"),
                "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                TrainedWeightsDigest.class.getName()));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS))
                .as("the digest JVM finished")
                .isTrue();
        assertThat(p.exitValue()).as("its exit status; output:\n%s", out).isZero();
        return out.lines().toList();
    }
}

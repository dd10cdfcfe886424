package io.eiscope.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void engineImportsNoTransport() throws IOException {
        Path main = Path.of("src/main/java");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(main)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> {
                        try {
                            return Files.readAllLines(p).stream()
                                    .anyMatch(
                                            l -> l.matches(
                                                    "\\s*import\\s+(static\\s+)?(io\\.vertx|io\\.grpc|com\\.google\\.protobuf|io\\.netty)\\..*"));
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    })
                    .map(Path::toString)
                    .toList();
        }
        assertThat(Files.isDirectory(main)).isTrue();
        assertThat(offenders).as("engine sources importing transport").isEmpty();
    }
}

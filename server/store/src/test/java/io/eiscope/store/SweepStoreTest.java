package io.eiscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepStoreTest {
    @TempDir
    Path dir;

    /** Where the tables live: the embedded SQLite file; {@code SweepStoreOnPostgresqlTest} runs every test on PostgreSQL. */
    Database database() {
        return Database.sqlite(dir.resolve("runs.db"));
    }

    RunStore openStore() {
        return RunStore.open(dir, database());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSweepItsPointsAndTheirRunsComeBackAfterReopening() {
        try (RunStore store = openStore()) {
            SweepStore sweeps = new SweepStore(store);
            sweeps.create(
                    new SweepStore.SweepRow("sweep-1", bytes("spec"), "RUNNING", 42, "ana"),
                    List.of(bytes("p0"), bytes("p1"), bytes("p2")));
            sweeps.setPoint("sweep-1", 1, "sim-0001", "");
            sweeps.setPoint("sweep-1", 2, "", "batch_size too large");
            sweeps.setState("sweep-1", "PAUSED");
        }
        try (RunStore store = openStore()) {
            SweepStore sweeps = new SweepStore(store);
            List<SweepStore.SweepRow> rows = sweeps.sweeps();
            assertThat(rows).hasSize(1);
            SweepStore.SweepRow s = rows.get(0);
            assertThat(s.id()).isEqualTo("sweep-1");
            assertThat(new String(s.spec(), StandardCharsets.UTF_8)).isEqualTo("spec");
            assertThat(s.state()).isEqualTo("PAUSED");
            assertThat(s.createdMillis()).isEqualTo(42);
            assertThat(s.owner()).isEqualTo("ana");
            List<SweepStore.PointRow> points = sweeps.points("sweep-1");
            assertThat(points).extracting(SweepStore.PointRow::index).containsExactly(0, 1, 2);
            assertThat(points)
                    .extracting(p -> new String(p.point(), StandardCharsets.UTF_8))
                    .containsExactly("p0", "p1", "p2");
            assertThat(points).extracting(SweepStore.PointRow::runId).containsExactly("", "sim-0001", "");
            assertThat(points).extracting(SweepStore.PointRow::error).containsExactly("", "", "batch_size too large");
        }
    }
}

package io.eiscope.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Every test of {@link RunStoreTest} on a real PostgreSQL server ({@link PostgresCluster}), a fresh database each. */
class RunStoreOnPostgresqlTest extends RunStoreTest {
    private Database database;

    @Override
    Database database() {
        if (database == null)
            database = Database.postgresql(PostgresCluster.shared().newDatabase());
        return database;
    }

    @Test
    void aSecondServerOnTheSameDatabaseIsRefusedUntilTheFirstLetsGo() {
        assertThatThrownBy(() -> RunStore.open(dir.resolve("other"), database()))
                .hasMessageContaining("another eiscope server has it open");
        store.createRun(RunRecord.created("a", "a", new byte[] {1}, 1, 0, "PAUSED", "", "", 0, ""));
        store.close();
        store = RunStore.open(dir.resolve("other"), database());
        assertThat(store.run("a")).isPresent();
    }

    /**
     * Cluster members share the record, but never a run: one member holds it until it lets go or its connection ends
     * (a killed member's does); a server on its own and a cluster exclude each other.
     */
    @Test
    void membersShareTheRecordButEachRunIsHeldByOneOfThemAtATime() {
        store.close();
        RunStore a = RunStore.open(dir.resolve("shared"), database(), true);
        RunStore b = RunStore.open(dir.resolve("shared"), database(), true);
        try {
            assertThatThrownBy(() -> RunStore.open(dir.resolve("alone"), database()))
                    .hasMessageContaining("another eiscope server has it open");
            assertThat(a.holdRun("sim-1")).isTrue();
            assertThat(a.holdRun("sim-1")).as("holding again").isTrue();
            assertThat(b.holdRun("sim-1")).isFalse();
            assertThat(b.holdRun("sim-2")).isTrue();
            a.releaseRun("sim-1");
            assertThat(b.holdRun("sim-1"))
                    .as("after a let go (once, though it held it twice)")
                    .isTrue();
            assertThat(a.holdRun("sim-2")).isFalse();
            b.close(); // as a killed member's connection ends
            // PostgreSQL lets go of a session's locks when its backend has ended, a moment after
            // the client closed the connection: a survivor asks again (as a cluster's does).
            assertThat(heldWithin(a, "sim-2", 10_000)).isTrue();
            assertThat(heldWithin(a, "sim-1", 10_000)).isTrue();
        } finally {
            a.close();
            b.close();
        }
        store = RunStore.open(dir.resolve("alone"), database());
        assertThatThrownBy(() -> RunStore.open(dir.resolve("shared"), database(), true))
                .hasMessageContaining("an eiscope server outside the cluster has it open");
    }

    /** Whether {@code store} comes to hold {@code run}, asking every 20 ms for up to {@code millis}. */
    private static boolean heldWithin(RunStore store, String run, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!store.holdRun(run)) {
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}

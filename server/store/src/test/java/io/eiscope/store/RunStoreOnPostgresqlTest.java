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
}

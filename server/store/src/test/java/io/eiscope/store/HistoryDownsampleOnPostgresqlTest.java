package io.eiscope.store;

/** Every test of {@link HistoryDownsampleTest} on a real PostgreSQL server ({@link PostgresCluster}), a fresh database each. */
class HistoryDownsampleOnPostgresqlTest extends HistoryDownsampleTest {
    private Database database;

    @Override
    Database database() {
        if (database == null)
            database = Database.postgresql(PostgresCluster.shared().newDatabase());
        return database;
    }
}

package io.eiscope.store;

/** Every test of {@link RunStoreTest} on a real PostgreSQL server ({@link PostgresCluster}), a fresh database each. */
class RunStoreOnPostgresqlTest extends RunStoreTest {
    private Database database;

    @Override
    Database database() {
        if (database == null)
            database = Database.postgresql(PostgresCluster.shared().newDatabase());
        return database;
    }
}

package io.eiscope.store;

/** Every test of {@link SweepStoreTest} on a real PostgreSQL server ({@link PostgresCluster}), a fresh database each. */
class SweepStoreOnPostgresqlTest extends SweepStoreTest {
    private Database database;

    @Override
    Database database() {
        if (database == null)
            database = Database.postgresql(PostgresCluster.shared().newDatabase());
        return database;
    }
}

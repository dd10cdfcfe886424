package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.store.Database;
import io.eiscope.store.PostgresCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Every test of {@link RunRecordProcessTest} with the record's tables in a real PostgreSQL ({@code --store}, a fresh
 * database each) and the checkpoint files in the data directory: SIGKILL, SIGTERM and a corrupt checkpoint all come
 * back the same as with the embedded record.
 */
class RunRecordProcessOnPostgresqlTest extends RunRecordProcessTest {
    private String store;

    @Override
    List<String> serverArgs() {
        if (store == null) store = PostgresCluster.shared().newDatabase();
        return List.of("--store", store);
    }

    /** The runs and their history were in PostgreSQL, and no SQLite record was made beside the checkpoints. */
    @AfterEach
    void theRecordWasInPostgresql() throws Exception {
        assertThat(dataDir.resolve("runs.db")).doesNotExist();
        Database db = Database.postgresql(store);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.credentials());
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM scalar_chunks)")) {
            rs.next();
            assertThat(rs.getLong(1)).as("runs").isGreaterThanOrEqualTo(2); // the run and its twin
            assertThat(rs.getLong(2)).as("chunks of recorded points").isPositive();
        }
    }
}

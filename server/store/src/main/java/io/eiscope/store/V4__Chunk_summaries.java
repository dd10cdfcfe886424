package io.eiscope.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Migration 4: a summary row beside every scalar chunk ({@link ChunkSummary}), so downsampled
 * reads of long series need not decode every point. A small table of its own rather than a
 * column of {@code scalar_chunks}: a column after the packed arrays would make SQLite walk each
 * row's overflow pages to reach it. Summarises the chunks an older record already holds. The same
 * migration for SQLite and PostgreSQL, in each one's types.
 */
public final class V4__Chunk_summaries extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        boolean postgresql = Database.isPostgresql(c);
        String int64 = postgresql ? "BIGINT" : "INTEGER"; // SQLite's INTEGER is 64-bit
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE chunk_summaries ("
                    + " series_id " + int64 + " NOT NULL REFERENCES series (id) ON DELETE CASCADE,"
                    + " first_step " + int64 + " NOT NULL,"
                    + " last_step " + int64 + " NOT NULL,"
                    + " points INTEGER NOT NULL,"
                    // ChunkSummary: first, min, max, last as (int64, float64, int64)
                    + " summary " + (postgresql ? "BYTEA" : "BLOB") + " NOT NULL,"
                    + " PRIMARY KEY (series_id, first_step)"
                    + ")" + (postgresql ? "" : " WITHOUT ROWID"));
        }
        try (PreparedStatement read = c.prepareStatement(
                        "SELECT series_id, first_step, last_step, points, steps, vals, walls" + " FROM scalar_chunks");
                PreparedStatement write = c.prepareStatement("INSERT INTO chunk_summaries"
                        + " (series_id, first_step, last_step, points, summary) VALUES (?,?,?,?,?)");
                ResultSet rs = read.executeQuery()) {
            int pending = 0;
            while (rs.next()) {
                long[] steps = Chunk.longs(rs.getBytes(5));
                if (steps.length == 0) continue;
                double[] values = Chunk.doubles(rs.getBytes(6));
                long[] walls = Chunk.longs(rs.getBytes(7));
                write.setLong(1, rs.getLong(1));
                write.setLong(2, rs.getLong(2));
                write.setLong(3, rs.getLong(3));
                write.setInt(4, rs.getInt(4));
                write.setBytes(5, ChunkSummary.of(steps, values, walls, steps.length));
                write.addBatch();
                if (++pending == 1000) {
                    write.executeBatch();
                    pending = 0;
                }
            }
            write.executeBatch();
        }
    }
}

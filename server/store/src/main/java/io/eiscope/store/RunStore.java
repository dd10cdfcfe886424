package io.eiscope.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;

/**
 * The run record: its tables in a database (by default the embedded SQLite file {@code runs.db}
 * of the data directory, in WAL mode; or a PostgreSQL database that several servers share, see
 * {@link Database}), migrated by versioned Flyway migrations, and the checkpoint files under the
 * data directory's {@code runs/}. Thread-safe: writes go through one connection under a lock
 * (the recorder's batches, and the few writes of lifecycle calls), reads through a small pool
 * of read connections that run beside the writer. Blocking: call it from workers, never from
 * an event loop.
 */
public final class RunStore implements AutoCloseable {
    private static final int READERS = 4;
    /** The advisory-lock key of a PostgreSQL record's one server ("eisc"). */
    private static final long SERVER_LOCK = 0x65697363L;

    private final Path dataDir;
    private final Database database;
    private final Connection writer;
    /** Runs this server holds by {@link #holdRun} (a session lock is re-entrant: held once here). */
    private final java.util.Set<String> heldRuns = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);

    private RunStore(Path dataDir, Database database, Connection writer) {
        this.dataDir = dataDir;
        this.database = database;
        this.writer = writer;
    }

    /** Opens (creating and migrating when needed) the embedded record in {@code dataDir}. */
    public static RunStore open(Path dataDir) {
        return open(dataDir, Database.sqlite(dataDir.resolve("runs.db")));
    }

    /**
     * Opens (creating and migrating when needed) the record whose tables are in {@code database};
     * checkpoint files go under {@code dataDir} (a directory the servers sharing a database share too).
     */
    public static RunStore open(Path dataDir, Database database) {
        return open(dataDir, database, false);
    }

    /**
     * ... as one member of a cluster ({@code member}): the members of one cluster share the PostgreSQL record (each
     * run written by the member that owns it), while a server on its own still refuses a record a cluster uses, and
     * the other way round.
     */
    public static RunStore open(Path dataDir, Database database, boolean member) {
        try {
            Files.createDirectories(dataDir.resolve("runs"));
            Flyway.configure()
                    .dataSource(
                            database.jdbcUrl(),
                            database.credentials().getProperty("user", ""),
                            database.credentials().getProperty("password", ""))
                    .locations(database.migrations())
                    .javaMigrations(new V4__Chunk_summaries())
                    .load()
                    .migrate();
            RunStore store = new RunStore(dataDir, database, database.connect());
            if (database.dialect() == Database.Dialect.SQLITE) {
                try (Statement s = store.writer.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                }
            } else {
                store.lockForThisServer(member);
            }
            for (int i = 0; i < READERS; i++) store.readers.add(database.connect());
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
        } catch (SQLException | org.flywaydb.core.api.FlywayException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new IllegalStateException(
                    "cannot open the run record " + database + ": "
                            + root.getMessage().lines().findFirst().orElse(""),
                    e);
        }
    }

    /**
     * Holds a session lock on a PostgreSQL record for as long as the writer connection lives (a killed server's
     * connection ends with it, and so does the lock): two servers recovering and writing the same runs would
     * interleave their steps. Several servers on one database need the cluster's ownership of runs first.
     */
    private void lockForThisServer(boolean member) throws SQLException {
        boolean locked;
        try (Statement s = writer.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT pg_try_advisory_lock" + (member ? "_shared(" : "(") + SERVER_LOCK + ")")) {
            locked = rs.next() && rs.getBoolean(1);
        }
        if (!locked) {
            close();
            throw new IllegalStateException("cannot open the run record " + database
                    + (member
                            ? ": an eiscope server outside the cluster has it open; stop it, or give the cluster a"
                                    + " database of its own"
                            : ": another eiscope server has it open; give each server a database of its own, or run"
                                    + " them as one cluster (--cluster)"));
        }
    }

    /** Where the record's tables are. */
    public Database database() {
        return database;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Where a run's checkpoint files live. */
    public Path runDirectory(String runId) {
        return dataDir.resolve("runs").resolve(runId);
    }

    /** Work on the write connection, in one transaction. */
    <T> T write(SqlWork<T> work) {
        synchronized (writer) {
            try {
                writer.setAutoCommit(false);
                try {
                    T result = work.run(writer);
                    writer.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    writer.rollback();
                    throw e;
                } finally {
                    writer.setAutoCommit(true);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("run record write failed: " + e.getMessage(), e);
            }
        }
    }

    <T> T read(SqlWork<T> work) {
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a read connection", e);
        }
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("run record read failed: " + e.getMessage(), e);
        } finally {
            readers.add(c);
        }
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    // ---- runs ----

    public void createRun(RunRecord r) {
        write(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO runs (id, name, spec, seed, created_ms, state, status_message,"
                            + " parent_id, fork_step, preset, tags, notes, last_step, merged_samples, owner) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                p.setString(1, r.id());
                p.setString(2, r.name());
                p.setBytes(3, r.spec());
                p.setLong(4, r.seed());
                p.setLong(5, r.createdMillis());
                p.setString(6, r.state());
                p.setString(7, r.statusMessage());
                p.setString(8, r.parentId());
                p.setLong(9, r.forkStep());
                p.setString(10, r.preset());
                p.setString(11, String.join(",", r.tags()));
                p.setString(12, r.notes());
                p.setLong(13, r.lastStep());
                p.setLong(14, r.mergedSamples());
                p.setString(15, r.owner());
                p.executeUpdate();
            }
            return null;
        });
    }

    /** Every run, oldest first. */
    public List<RunRecord> runs() {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT * FROM runs ORDER BY created_ms, id");
                    ResultSet rs = p.executeQuery()) {
                List<RunRecord> out = new ArrayList<>();
                while (rs.next()) out.add(run(rs));
                return out;
            }
        });
    }

    public Optional<RunRecord> run(String id) {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT * FROM runs WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(run(rs)) : Optional.empty();
                }
            }
        });
    }

    private static RunRecord run(ResultSet rs) throws SQLException {
        String tags = rs.getString("tags");
        return new RunRecord(
                rs.getString("id"),
                rs.getString("name"),
                rs.getBytes("spec"),
                rs.getLong("seed"),
                rs.getLong("created_ms"),
                rs.getString("state"),
                rs.getString("status_message"),
                rs.getString("parent_id"),
                rs.getLong("fork_step"),
                rs.getString("preset"),
                tags.isEmpty() ? List.of() : Arrays.asList(tags.split(",")),
                rs.getString("notes"),
                rs.getLong("last_step"),
                rs.getLong("merged_samples"),
                rs.getString("owner"));
    }

    /** Changes what is given (null: unchanged); tags are validated by the caller. False when there is no such run. */
    public boolean updateRun(String id, String name, List<String> tags, String notes) {
        return write(c -> {
            int changed = 0;
            if (name != null) changed += update(c, "UPDATE runs SET name = ? WHERE id = ?", name, id);
            if (tags != null) changed += update(c, "UPDATE runs SET tags = ? WHERE id = ?", String.join(",", tags), id);
            if (notes != null) changed += update(c, "UPDATE runs SET notes = ? WHERE id = ?", notes, id);
            if (changed > 0) return true;
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM runs WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    private static int update(Connection c, String sql, String value, String id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, value);
            p.setString(2, id);
            return p.executeUpdate();
        }
    }

    /** Deletes the run's rows and its checkpoint files. */
    public void deleteRun(String id) {
        write(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM runs WHERE id = ?")) {
                p.setString(1, id);
                p.executeUpdate();
            }
            return null;
        });
        deleteTree(runDirectory(id));
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Bytes used by the record: the database and every checkpoint file. */
    public long diskBytes() {
        if (database.dialect() == Database.Dialect.POSTGRESQL) {
            long tables = read(c -> {
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            });
            return tables + sizeOf(dataDir.resolve("runs"), f -> true);
        }
        return sizeOf(
                dataDir,
                f -> f.getFileName().toString().startsWith("runs.db") || f.startsWith(dataDir.resolve("runs")));
    }

    /** Bytes of the regular files under {@code dir} that {@code counted} accepts. */
    private static long sizeOf(Path dir, java.util.function.Predicate<Path> counted) {
        if (!Files.exists(dir)) return 0;
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> Files.isRegularFile(f) && counted.test(f))
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            return 0; // deleted meanwhile
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- history ----

    /**
     * Recorded points of the run's series with steps in [{@code fromStep}, {@code toStep}]
     * ({@code toStep} &lt;= 0: no upper bound), downsampled to about {@code maxPoints} each (0:
     * all). Empty {@code observables} or {@code layers} select all; network-wide series are
     * always in when their observable is.
     */
    public List<SeriesData> history(
            String runId,
            Collection<String> observables,
            Collection<String> layers,
            long fromStep,
            long toStep,
            int maxPoints) {
        return read(c -> new HistoryReader(c, fromStep, toStep, maxPoints).read(runId, observables, layers));
    }

    /** Recorded events with steps in [{@code fromStep}, {@code toStep}] ({@code toStep} &lt;= 0: no bound), in order. */
    public List<RecordedEvent> events(String runId, long fromStep, long toStep) {
        return read(c -> {
            try (PreparedStatement p =
                    c.prepareStatement("SELECT step, wall_ns, kind, state, message FROM events WHERE run_id = ?"
                            + " AND step >= ? AND step <= ? ORDER BY seq")) {
                p.setString(1, runId);
                p.setLong(2, fromStep);
                p.setLong(3, toStep <= 0 ? Long.MAX_VALUE : toStep);
                try (ResultSet rs = p.executeQuery()) {
                    List<RecordedEvent> out = new ArrayList<>();
                    while (rs.next())
                        out.add(new RecordedEvent(
                                rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                    return out;
                }
            }
        });
    }

    /** The run's intervention log, in order. */
    public List<RecordedIntervention> interventions(String runId) {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT position, step, command FROM interventions WHERE run_id = ? ORDER BY position")) {
                p.setString(1, runId);
                try (ResultSet rs = p.executeQuery()) {
                    List<RecordedIntervention> out = new ArrayList<>();
                    while (rs.next()) out.add(new RecordedIntervention(rs.getInt(1), rs.getLong(2), rs.getBytes(3)));
                    return out;
                }
            }
        });
    }

    // ---- checkpoints ----

    /** The run's checkpoints, oldest first. */
    public List<CheckpointRecord> checkpoints(String runId) {
        return read(c -> {
            try (PreparedStatement p =
                    c.prepareStatement("SELECT step, file, size_bytes, sha256, log_length, pinned, reason, created_ms"
                            + " FROM checkpoints WHERE run_id = ? ORDER BY step")) {
                p.setString(1, runId);
                try (ResultSet rs = p.executeQuery()) {
                    List<CheckpointRecord> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new CheckpointRecord(
                                runId,
                                rs.getLong(1),
                                runDirectory(runId).resolve(rs.getString(2)),
                                rs.getLong(3),
                                rs.getString(4),
                                rs.getInt(5),
                                rs.getInt(6) != 0,
                                rs.getString(7),
                                rs.getLong(8)));
                    }
                    return out;
                }
            }
        });
    }

    void addCheckpoint(Connection c, CheckpointRecord r) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(Sql.upsert(
                "checkpoints",
                List.of("run_id", "step"),
                List.of("file", "size_bytes", "sha256", "log_length", "pinned", "reason", "created_ms")))) {
            p.setString(1, r.runId());
            p.setLong(2, r.step());
            p.setString(3, r.file().getFileName().toString());
            p.setLong(4, r.sizeBytes());
            p.setString(5, r.sha256());
            p.setInt(6, r.logLength());
            p.setInt(7, r.pinned() ? 1 : 0);
            p.setString(8, r.reason());
            p.setLong(9, r.createdMillis());
            p.executeUpdate();
        }
    }

    /**
     * Holds run {@code id} for this server for as long as it lives (a PostgreSQL session lock on the writer
     * connection, released when the server's connection ends, a killed server's too): false when another server holds
     * it. Members of a cluster take it before training a run, so that two members never train and record the same run
     * even when the cluster is split. The embedded record has one server: always true. Holding it again is a no-op.
     */
    public boolean holdRun(String id) {
        if (database.dialect() == Database.Dialect.SQLITE || heldRuns.contains(id)) return true;
        boolean held = write(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                p.setLong(1, runLockKey(id));
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }
        });
        if (held) heldRuns.add(id);
        return held;
    }

    /** Lets go of run {@code id} ({@link #holdRun}); nothing when this server does not hold it. */
    public void releaseRun(String id) {
        if (!heldRuns.remove(id)) return;
        write(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                p.setLong(1, runLockKey(id));
                p.executeQuery().close();
            }
            return null;
        });
    }

    /** The advisory-lock key of run {@code id}: 64 bits of its SHA-256. */
    static long runLockKey(String id) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(h).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Pins or unpins; false when the run has no checkpoint at that step. */
    public boolean pinCheckpoint(String runId, long step, boolean pinned) {
        return write(c -> {
            try (PreparedStatement p =
                    c.prepareStatement("UPDATE checkpoints SET pinned = ? WHERE run_id = ? AND step = ?")) {
                p.setInt(1, pinned ? 1 : 0);
                p.setString(2, runId);
                p.setLong(3, step);
                return p.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void close() {
        synchronized (writer) {
            try {
                writer.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        for (Connection c; (c = readers.poll()) != null; ) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}

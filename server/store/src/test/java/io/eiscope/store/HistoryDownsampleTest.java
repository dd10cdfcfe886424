package io.eiscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A downsampled history read from the chunks' summaries equals each bucket's first, smallest,
 * largest and last of every recorded point, computed here from the points the test wrote: with
 * NaNs (also as a chunk's first point), ties, signed zeros, spikes, gaps in the steps and ranges
 * that cut chunks; and for a record written before the summaries existed, once migrated.
 */
class HistoryDownsampleTest {
    @TempDir
    Path dir;

    /** Where the tables live: the embedded SQLite file; {@code HistoryDownsampleOnPostgresqlTest} runs every test on PostgreSQL. */
    Database database() {
        return Database.sqlite(dir.resolve("runs.db"));
    }

    RunStore openStore() {
        return RunStore.open(dir, database());
    }

    /** Steps and values the test writes: 1..n with a gap, noisy values, NaNs, ties and spikes. */
    static final class Points {
        final List<Long> steps = new ArrayList<>();
        final List<Double> values = new ArrayList<>();

        Points(int n, long seed) {
            Random random = new Random(seed);
            for (long s = 1; s <= n; s++) {
                if (s > 40_000 && s < 60_000 && s % 3 != 0) continue; // a stretch recorded every third step
                double v = Math.round(random.nextGaussian() * 8) / 8.0; // coarse: many ties
                if (s % 512 == 1 && s % 3 == 0) v = Double.NaN; // NaN at chunk starts, among others
                if (s % 997 == 0) v = Double.NaN;
                if (s % 1_009 == 0) v = (s % 2 == 0) ? -0.0 : 0.0;
                if (s == 77_777) v = 1e9;
                if (s == 12_345) v = -1e9;
                steps.add(s);
                values.add(v);
            }
        }

        long wall(long step) {
            return 1_000_000L * step + 17;
        }
    }

    /** Each bucket's first, smallest, largest and last point of {@code p} in [from, to]: as the issue defines them. */
    static List<long[]> expected(Points p, long from, long to, int maxPoints) {
        List<Integer> in = new ArrayList<>();
        for (int i = 0; i < p.steps.size(); i++) if (p.steps.get(i) >= from && p.steps.get(i) <= to) in.add(i);
        List<long[]> out = new ArrayList<>(); // {step, doubleToRawLongBits(value), wall}
        if (in.size() <= maxPoints) {
            for (int i : in) out.add(point(p, i));
            return out;
        }
        int buckets = Math.max(1, maxPoints / 4);
        long first = p.steps.get(in.get(0)), span = p.steps.get(in.get(in.size() - 1)) - first + 1;
        int k = 0;
        while (k < in.size()) {
            long b = (long) ((double) (p.steps.get(in.get(k)) - first) * buckets / span);
            int start = k, min = k, max = k;
            while (k < in.size() && (long) ((double) (p.steps.get(in.get(k)) - first) * buckets / span) == b) {
                double v = p.values.get(in.get(k));
                if (v < p.values.get(in.get(min))) min = k;
                if (v > p.values.get(in.get(max))) max = k;
                k++;
            }
            java.util.TreeSet<Integer> picks = new java.util.TreeSet<>(List.of(start, min, max, k - 1));
            for (int j : picks) out.add(point(p, in.get(j)));
        }
        return out;
    }

    static long[] point(Points p, int i) {
        return new long[] {p.steps.get(i), Double.doubleToRawLongBits(p.values.get(i)), p.wall(p.steps.get(i))};
    }

    static List<long[]> actual(SeriesData d) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < d.size(); i++)
            out.add(new long[] {d.steps()[i], Double.doubleToRawLongBits(d.values()[i]), d.wallNanos()[i]});
        return out;
    }

    static void assertReads(RunStore store, Points p) {
        long[][] ranges = {{0, 0}, {0, 99_999}, {1, 100_000}, {300, 90_000}, {41_001, 59_998}, {99_000, 0}, {5, 700}};
        for (long[] r : ranges) {
            for (int maxPoints : new int[] {1020, 2000, 64, 7, 3}) {
                SeriesData d = store.history("a", Set.of("loss"), Set.of(), r[0], r[1], maxPoints)
                        .get(0);
                List<long[]> want = expected(p, r[0], r[1] <= 0 ? Long.MAX_VALUE : r[1], maxPoints);
                assertThat(actual(d))
                        .as("range [%d, %d], max_points %d", r[0], r[1], maxPoints)
                        .containsExactlyElementsOf(want);
                long inRange = p.steps.stream()
                        .filter(s -> s >= r[0] && (r[1] <= 0 || s <= r[1]))
                        .count();
                assertThat(d.recordedPoints()).isEqualTo(inRange);
                assertThat(d.downsampled()).isEqualTo(inRange > maxPoints);
            }
        }
    }

    @Test
    void aDownsampledReadEqualsEachBucketsExtremesOfEveryPoint() {
        Points p = new Points(100_000, 3);
        try (RunStore store = openStore()) {
            store.createRun(RunRecord.created("a", "a", new byte[] {1}, 1, 0, "PAUSED", "", "", 0, ""));
            try (Recorder r = new Recorder(store, 200_000, 10)) {
                for (int i = 0; i < p.steps.size(); i++) {
                    long s = p.steps.get(i);
                    r.offerPoint("a", "loss", "", s, p.wall(s), p.values.get(i));
                }
            }
            assertReads(store, p);
        }
    }

    @Test
    void aRecordWrittenBeforeSummariesIsSummarisedWhenMigrated() throws Exception {
        Points p = new Points(60_000, 4);
        Database database = database();
        java.nio.file.Files.createDirectories(dir);
        Flyway.configure()
                .dataSource(
                        database.jdbcUrl(),
                        database.credentials().getProperty("user", ""),
                        database.credentials().getProperty("password", ""))
                .locations(database.migrations())
                .target("3")
                .load()
                .migrate();
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.credentials())) {
            try (PreparedStatement run = c.prepareStatement("INSERT INTO runs (id, name, spec, seed, created_ms, state,"
                    + " status_message) VALUES ('a', 'a', ?, 1, 0, 'PAUSED', '')")) {
                run.setBytes(1, new byte[] {1});
                run.executeUpdate();
            }
            c.createStatement().execute("INSERT INTO series (run_id, observable, layer) VALUES ('a', 'loss', '')");
            long series;
            try (var rs = c.createStatement().executeQuery("SELECT id FROM series")) {
                rs.next();
                series = rs.getLong(1);
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO scalar_chunks"
                    + " (series_id, first_step, last_step, points, steps, vals, walls) VALUES (" + series
                    + ",?,?,?,?,?,?)")) {
                for (int at = 0;
                        at < p.steps.size();
                        at += 300) { // chunks of 300 points, as an older writer may have made
                    int n = Math.min(300, p.steps.size() - at);
                    ByteBuffer steps = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                    ByteBuffer vals = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                    ByteBuffer walls = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = at; i < at + n; i++) {
                        steps.putLong(p.steps.get(i));
                        vals.putDouble(p.values.get(i));
                        walls.putLong(p.wall(p.steps.get(i)));
                    }
                    ins.setLong(1, p.steps.get(at));
                    ins.setLong(2, p.steps.get(at + n - 1));
                    ins.setInt(3, n);
                    ins.setBytes(4, steps.array());
                    ins.setBytes(5, vals.array());
                    ins.setBytes(6, walls.array());
                    ins.executeUpdate();
                }
            }
        }
        try (RunStore store = openStore()) {
            assertReads(store, p);
        }
    }
}

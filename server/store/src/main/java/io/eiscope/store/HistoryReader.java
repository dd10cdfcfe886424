package io.eiscope.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads recorded scalar series for {@link RunStore#history}. A downsampled read of a long series
 * reads the chunks' summaries ({@link ChunkSummary}) and decodes only the chunks that cross a
 * bucket's edge or the requested range's ends; the result equals downsampling every point.
 */
final class HistoryReader {
    private final Connection c;
    private final long from;
    private final long to;
    private final int maxPoints;

    HistoryReader(Connection c, long fromStep, long toStep, int maxPoints) {
        this.c = c;
        this.from = fromStep;
        this.to = toStep <= 0 ? Long.MAX_VALUE : toStep;
        this.maxPoints = maxPoints;
    }

    List<SeriesData> read(String runId, Collection<String> observables, Collection<String> layers) throws SQLException {
        List<SeriesData> out = new ArrayList<>();
        for (Wanted w : wanted(runId, observables, layers)) {
            SeriesData s = maxPoints > 0 ? summarised(w) : null;
            out.add(s != null ? s : Downsample.of(all(w), maxPoints));
        }
        return out;
    }

    private record Wanted(long id, String observable, String layer) {}

    /** A stored chunk in the range: its place, its point count and its summary. */
    private record Row(long firstStep, long lastStep, int points, byte[] summary) {}

    private List<Wanted> wanted(String runId, Collection<String> observables, Collection<String> layers)
            throws SQLException {
        List<Wanted> wanted = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(
                "SELECT id, observable, layer FROM series WHERE run_id = ? ORDER BY observable, layer")) {
            p.setString(1, runId);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String obs = rs.getString(2), layer = rs.getString(3);
                    if (!observables.isEmpty() && !observables.contains(obs)) continue;
                    if (!layer.isEmpty() && !layers.isEmpty() && !layers.contains(layer)) continue;
                    wanted.add(new Wanted(rs.getLong(1), obs, layer));
                }
            }
        }
        return wanted;
    }

    /** Every point of the series in range. */
    private SeriesData all(Wanted w) throws SQLException {
        Chunk.Columns cols = new Chunk.Columns();
        try (PreparedStatement p = c.prepareStatement("SELECT steps, vals, walls FROM scalar_chunks WHERE series_id = ?"
                + " AND first_step <= ? AND last_step >= ? ORDER BY first_step")) {
            p.setLong(1, w.id());
            p.setLong(2, to);
            p.setLong(3, from);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) addInRange(rs.getBytes(1), rs.getBytes(2), rs.getBytes(3), cols);
            }
        }
        return cols.toSeries(w.observable(), w.layer());
    }

    private void addInRange(byte[] packedSteps, byte[] packedValues, byte[] packedWalls, Chunk.Columns cols) {
        long[] steps = Chunk.longs(packedSteps);
        double[] values = Chunk.doubles(packedValues);
        long[] walls = Chunk.longs(packedWalls);
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] >= from && steps[i] <= to) cols.add(steps[i], values[i], walls[i]);
        }
    }

    /**
     * The series downsampled from its chunks' summaries (every stored chunk has one: the recorder
     * writes both in one transaction and migration V4 summarised older records), or null when it
     * has at most {@code maxPoints} points in range.
     */
    private SeriesData summarised(Wanted w) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT first_step, last_step, points, summary"
                + " FROM chunk_summaries WHERE series_id = ? AND first_step <= ? AND last_step >= ?"
                + " ORDER BY first_step")) {
            p.setLong(1, w.id());
            p.setLong(2, to);
            p.setLong(3, from);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) rows.add(new Row(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getBytes(4)));
            }
        }
        // A chunk cut by the range's ends (at most the first and the last) is read whole and filtered.
        List<Chunk.Columns> cut = new ArrayList<>(rows.size());
        long recorded = 0, first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        try (PreparedStatement chunk = chunkQuery()) {
            for (Row r : rows) {
                Chunk.Columns part = null;
                if (r.firstStep() < from || r.lastStep() > to) {
                    part = new Chunk.Columns();
                    readChunk(chunk, w.id(), r.firstStep(), part);
                    if (part.size > 0) {
                        first = Math.min(first, part.steps[0]);
                        last = Math.max(last, part.steps[part.size - 1]);
                    }
                    recorded += part.size;
                } else {
                    first = Math.min(first, r.firstStep());
                    last = Math.max(last, r.lastStep());
                    recorded += r.points();
                }
                cut.add(part);
            }
            if (recorded <= maxPoints) return null; // as cheap to read every point
            int buckets = Downsample.buckets(maxPoints);
            long span = last - first + 1;
            Chunk.Columns cols = new Chunk.Columns();
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                Chunk.Columns part = cut.get(i);
                if (part != null) {
                    for (int k = 0; k < part.size; k++) cols.add(part.steps[k], part.values[k], part.walls[k]);
                } else if (Downsample.bucket(r.firstStep(), first, buckets, span)
                        == Downsample.bucket(r.lastStep(), first, buckets, span)) {
                    ChunkSummary.addPoints(r.summary(), cols);
                } else {
                    readChunk(chunk, w.id(), r.firstStep(), cols); // crosses a bucket's edge
                }
            }
            return Downsample.bucketed(cols.toSeries(w.observable(), w.layer()), maxPoints, recorded);
        }
    }

    private PreparedStatement chunkQuery() throws SQLException {
        return c.prepareStatement(
                "SELECT steps, vals, walls FROM scalar_chunks WHERE series_id = ? AND first_step = ?");
    }

    private void readChunk(PreparedStatement chunk, long seriesId, long firstStep, Chunk.Columns into)
            throws SQLException {
        chunk.setLong(1, seriesId);
        chunk.setLong(2, firstStep);
        try (ResultSet rs = chunk.executeQuery()) {
            if (rs.next()) addInRange(rs.getBytes(1), rs.getBytes(2), rs.getBytes(3), into);
        }
    }
}

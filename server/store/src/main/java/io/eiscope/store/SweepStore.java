package io.eiscope.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The sweeps of the run record (tables {@code sweeps} and {@code sweep_points}, migration V3),
 * beside the runs in the same database so that a sweep survives a restart with them. The spec
 * and each point are opaque bytes (serialized API messages), as a run's spec is. Blocking, like
 * {@link RunStore}: call it from workers.
 */
public final class SweepStore {
    /** A stored sweep. */
    public record SweepRow(String id, byte[] spec, String state, long createdMillis, String owner) {}

    /** A stored point: its values (serialized), its run once made ("" before), why it could not be made. */
    public record PointRow(int index, byte[] point, String runId, String error) {}

    private final RunStore store;

    public SweepStore(RunStore store) {
        this.store = store;
    }

    /** Records a new sweep and all of its points, in one transaction. */
    public void create(SweepRow s, List<byte[]> points) {
        store.write(c -> {
            try (PreparedStatement p =
                    c.prepareStatement("INSERT INTO sweeps (id, spec, state, created_ms, owner) VALUES (?,?,?,?,?)")) {
                p.setString(1, s.id());
                p.setBytes(2, s.spec());
                p.setString(3, s.state());
                p.setLong(4, s.createdMillis());
                p.setString(5, s.owner());
                p.executeUpdate();
            }
            try (PreparedStatement p =
                    c.prepareStatement("INSERT INTO sweep_points (sweep_id, idx, point) VALUES (?,?,?)")) {
                for (int i = 0; i < points.size(); i++) {
                    p.setString(1, s.id());
                    p.setInt(2, i);
                    p.setBytes(3, points.get(i));
                    p.addBatch();
                }
                p.executeBatch();
            }
            return null;
        });
    }

    /** Every sweep, oldest first. */
    public List<SweepRow> sweeps() {
        return store.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT * FROM sweeps ORDER BY created_ms, id");
                    ResultSet rs = p.executeQuery()) {
                List<SweepRow> out = new ArrayList<>();
                while (rs.next())
                    out.add(new SweepRow(
                            rs.getString("id"),
                            rs.getBytes("spec"),
                            rs.getString("state"),
                            rs.getLong("created_ms"),
                            rs.getString("owner")));
                return out;
            }
        });
    }

    /** A sweep's points in order. */
    public List<PointRow> points(String sweepId) {
        return store.read(c -> {
            try (PreparedStatement p =
                    c.prepareStatement("SELECT * FROM sweep_points WHERE sweep_id = ? ORDER BY idx")) {
                p.setString(1, sweepId);
                try (ResultSet rs = p.executeQuery()) {
                    List<PointRow> out = new ArrayList<>();
                    while (rs.next())
                        out.add(new PointRow(
                                rs.getInt("idx"), rs.getBytes("point"), rs.getString("run_id"), rs.getString("error")));
                    return out;
                }
            }
        });
    }

    public void setState(String sweepId, String state) {
        store.write(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE sweeps SET state = ? WHERE id = ?")) {
                p.setString(1, state);
                p.setString(2, sweepId);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** Records the run made for a point, or ({@code runId} empty) why none could be. */
    public void setPoint(String sweepId, int index, String runId, String error) {
        store.write(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "UPDATE sweep_points SET run_id = ?, error = ? WHERE sweep_id = ? AND idx = ?")) {
                p.setString(1, runId);
                p.setString(2, error);
                p.setString(3, sweepId);
                p.setInt(4, index);
                p.executeUpdate();
            }
            return null;
        });
    }
}

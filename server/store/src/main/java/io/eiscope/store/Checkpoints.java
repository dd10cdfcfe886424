package io.eiscope.store;

import io.eiscope.engine.sim.StateDict;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Checkpoint files of the run record: each a NumPy {@code .npz} of a run's full state
 * ({@link Npz}), written atomically (temporary file, fsync, rename, fsync of the directory)
 * with its SHA-256 in the database. Kept: every pinned one, the newest {@code keep}, and, with a
 * replay bound B, enough older ones that every step of the run is at most B training steps past
 * a kept checkpoint (or step 0, which the spec rebuilds): time travel to any step then replays
 * at most B steps. Reading checks the checksum first. Blocking: call from a worker.
 */
public final class Checkpoints {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Checkpoints.class);
    public static final int DEFAULT_KEEP = 3;

    private final RunStore store;
    private final int keep;

    public Checkpoints(RunStore store, int keep) {
        if (keep < 1) throw new IllegalArgumentException("checkpoints to keep must be >= 1, got " + keep);
        this.store = store;
        this.keep = keep;
    }

    /** A checkpoint read back: what the record says of it and the state it holds. */
    public record Loaded(CheckpointRecord record, StateDict state) {}

    /**
     * Writes {@code state} as the run's checkpoint at {@code step}, records it, and removes the
     * oldest unpinned ones beyond the retention.
     */
    public CheckpointRecord write(
            String runId, long step, int logLength, String reason, boolean pinned, StateDict state) {
        return write(runId, step, logLength, reason, pinned, state, 0, () -> true);
    }

    /**
     * As {@link #write(String, long, int, String, boolean, StateDict)}, keeping older checkpoints
     * {@code replayBound} steps apart at most (0: only the newest {@code keep}); the checkpoint
     * is recorded only if {@code current} still holds when its row is written (checked in the
     * same transaction): a run reset since the capture gets no stale checkpoint. Null when not
     * recorded.
     */
    public CheckpointRecord write(
            String runId,
            long step,
            int logLength,
            String reason,
            boolean pinned,
            StateDict state,
            long replayBound,
            java.util.function.BooleanSupplier current) {
        Path dir = store.runDirectory(runId);
        Path file = dir.resolve(String.format("step-%012d.npz", step));
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                OutputStream out = new DigestOutputStream(
                        new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 20), sha);
                Npz.write(state, out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
            CheckpointRecord r = new CheckpointRecord(
                    runId,
                    step,
                    file,
                    Files.size(file),
                    HexFormat.of().formatHex(sha.digest()),
                    logLength,
                    pinned,
                    reason,
                    System.currentTimeMillis());
            boolean recorded = store.write(c -> {
                if (!current.getAsBoolean()) return false;
                store.addCheckpoint(c, r);
                return true;
            });
            if (!recorded) {
                Files.deleteIfExists(file);
                return null;
            }
            prune(runId, replayBound);
            return r;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error says what happened
            }
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void prune(String runId, long replayBound) {
        for (CheckpointRecord r : surplus(store.checkpoints(runId), keep, replayBound)) {
            try {
                delete(r);
            } catch (UncheckedIOException e) {
                LOG.atWarn()
                        .addKeyValue("run", runId)
                        .addKeyValue("file", r.file())
                        .log("could not delete an old checkpoint: {}", e.getMessage());
            }
        }
    }

    /**
     * The checkpoints of {@code all} (oldest first) that the retention drops: not pinned, not
     * among the newest {@code keep} unpinned, and (with {@code replayBound} &gt; 0) not needed to
     * keep the kept ones, from step 0 on, at most {@code replayBound} steps apart.
     */
    static List<CheckpointRecord> surplus(List<CheckpointRecord> all, int keep, long replayBound) {
        List<CheckpointRecord> unpinned = all.stream().filter(r -> !r.pinned()).toList();
        java.util.Set<Long> kept = new java.util.HashSet<>();
        all.stream().filter(CheckpointRecord::pinned).forEach(r -> kept.add(r.step()));
        unpinned.subList(Math.max(0, unpinned.size() - keep), unpinned.size()).forEach(r -> kept.add(r.step()));
        List<CheckpointRecord> drop = new java.util.ArrayList<>();
        long lastKept = 0;
        for (int i = 0; i < all.size(); i++) {
            CheckpointRecord r = all.get(i);
            boolean needed = kept.contains(r.step())
                    || (replayBound > 0 && i + 1 < all.size() && all.get(i + 1).step() - lastKept > replayBound);
            if (needed) lastKept = r.step();
            else drop.add(r);
        }
        return drop;
    }

    /** Reads a checkpoint after checking its size and checksum. */
    public StateDict read(CheckpointRecord r) throws IOException {
        byte[] bytes = Files.readAllBytes(r.file());
        if (bytes.length != r.sizeBytes())
            throw new IOException("checkpoint " + r.file() + " is " + bytes.length + " bytes, the record says "
                    + r.sizeBytes() + " (truncated?)");
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!sha.equals(r.sha256()))
            throw new IOException("checkpoint " + r.file() + " does not match its checksum (corrupt)");
        return Npz.read(bytes);
    }

    /** The file's bytes after checking its checksum (for export). */
    public byte[] bytes(CheckpointRecord r) throws IOException {
        read(r);
        return Files.readAllBytes(r.file());
    }

    /**
     * The newest checkpoint of the run at or before {@code atMostStep} that reads back intact;
     * a missing, truncated or corrupt one is skipped with a log line naming it.
     */
    public Optional<Loaded> newestValid(String runId, long atMostStep) {
        List<CheckpointRecord> all = store.checkpoints(runId);
        for (int i = all.size() - 1; i >= 0; i--) {
            CheckpointRecord r = all.get(i);
            if (r.step() > atMostStep) continue;
            try {
                return Optional.of(new Loaded(r, read(r)));
            } catch (IOException | RuntimeException e) {
                LOG.atWarn()
                        .addKeyValue("run", runId)
                        .addKeyValue("checkpoint_step", r.step())
                        .log("skipping an unreadable checkpoint: {}", e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Removes every checkpoint of a run (rows and files), e.g. when it was reset. Call it on the
     * thread that writes the run's checkpoints, so that no write is under way in its directory.
     */
    public void deleteAll(String runId) {
        store.write(c -> {
            try (var p = c.prepareStatement("DELETE FROM checkpoints WHERE run_id = ?")) {
                p.setString(1, runId);
                p.executeUpdate();
            }
            return null;
        });
        RunStore.deleteTree(store.runDirectory(runId));
    }

    /** Removes a checkpoint (its row and file), e.g. one that turned out unusable. */
    public void delete(CheckpointRecord r) {
        store.write(c -> {
            try (var p = c.prepareStatement("DELETE FROM checkpoints WHERE run_id = ? AND step = ?")) {
                p.setString(1, r.runId());
                p.setLong(2, r.step());
                p.executeUpdate();
            }
            return null;
        });
        try {
            Files.deleteIfExists(r.file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

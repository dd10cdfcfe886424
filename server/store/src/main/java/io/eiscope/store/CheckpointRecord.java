package io.eiscope.store;

import java.nio.file.Path;

/**
 * A checkpoint file of a run and what the record knows of it.
 *
 * @param logLength entries of the intervention log applied before the state was captured
 * @param sha256    hex SHA-256 of the file, checked before it is used
 */
public record CheckpointRecord(
        String runId,
        long step,
        Path file,
        long sizeBytes,
        String sha256,
        int logLength,
        boolean pinned,
        String reason,
        long createdMillis) {}

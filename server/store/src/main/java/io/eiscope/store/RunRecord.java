package io.eiscope.store;

import java.util.List;

/**
 * What the record keeps about one run besides its history. The spec is opaque to the store
 * (the app's serialised protobuf). Immutable.
 *
 * @param state         the lifecycle state's name as the engine spells it (PAUSED, RUNNING, ...)
 * @param lastStep      the last step whose scalars are recorded
 * @param mergedSamples scalar samples the recorder merged into later ones (disk too slow)
 * @param owner         who the run belongs to ("" when the server runs without authentication)
 */
public record RunRecord(
        String id,
        String name,
        byte[] spec,
        long seed,
        long createdMillis,
        String state,
        String statusMessage,
        String parentId,
        long forkStep,
        String preset,
        List<String> tags,
        String notes,
        long lastStep,
        long mergedSamples,
        String owner) {
    public RunRecord {
        tags = List.copyOf(tags);
    }

    /** A new run at step 0. */
    public static RunRecord created(
            String id,
            String name,
            byte[] spec,
            long seed,
            long createdMillis,
            String state,
            String statusMessage,
            String parentId,
            long forkStep,
            String preset) {
        return new RunRecord(
                id,
                name,
                spec,
                seed,
                createdMillis,
                state,
                statusMessage,
                parentId,
                forkStep,
                preset,
                List.of(),
                "",
                forkStep,
                0,
                "");
    }

    public RunRecord withOwner(String o) {
        return new RunRecord(
                id,
                name,
                spec,
                seed,
                createdMillis,
                state,
                statusMessage,
                parentId,
                forkStep,
                preset,
                tags,
                notes,
                lastStep,
                mergedSamples,
                o);
    }
}

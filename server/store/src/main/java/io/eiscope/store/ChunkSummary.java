package io.eiscope.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What a downsampled read needs of one stored chunk: its first, smallest, largest and last
 * points (step, value, wall-clock nanoseconds each). Stored beside the chunk in
 * {@code chunk_summaries} as one packed little-endian row of four (int64, float64, int64), so a
 * first view of a million-step series reads about two thousand small rows instead of decoding
 * every point.
 *
 * <p>The smallest and largest are each the earliest point holding that value among the chunk's
 * non-NaN values (its first point when all are NaN): what {@link Downsample} picks from the
 * chunk's points when they fall in one bucket, so a bucket built from summaries equals the
 * bucket built from every point (see {@link Downsample#bucketed}).
 */
final class ChunkSummary {
    static final int BYTES = 4 * 3 * 8;

    private ChunkSummary() {}

    /** The packed summary of the first {@code size} points (at least one). */
    static byte[] of(long[] steps, double[] values, long[] walls, int size) {
        int min = extreme(values, size, -1), max = extreme(values, size, 1);
        ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : new int[] {0, min, max, size - 1})
            b.putLong(steps[i]).putDouble(values[i]).putLong(walls[i]);
        return b.array();
    }

    /** Index of the earliest smallest ({@code sign} -1) or largest (+1) non-NaN value; 0 when all are NaN. */
    private static int extreme(double[] values, int size, int sign) {
        int best = -1;
        for (int i = 0; i < size; i++) {
            if (Double.isNaN(values[i])) continue;
            if (best < 0 || (sign < 0 ? values[i] < values[best] : values[i] > values[best])) best = i;
        }
        return Math.max(best, 0);
    }

    /** Adds the summary's distinct points to {@code out}, in step order. */
    static void addPoints(byte[] packed, Chunk.Columns out) {
        ByteBuffer b = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN);
        long[] steps = new long[4], walls = new long[4];
        double[] values = new double[4];
        for (int i = 0; i < 4; i++) {
            steps[i] = b.getLong();
            values[i] = b.getDouble();
            walls[i] = b.getLong();
        }
        Integer[] order = {0, 1, 2, 3};
        Arrays.sort(order, (x, y) -> Long.compare(steps[x], steps[y]));
        long previous = Long.MIN_VALUE;
        for (int i : order) {
            if (steps[i] == previous) continue; // the same point named twice (a chunk's steps are distinct)
            out.add(steps[i], values[i], walls[i]);
            previous = steps[i];
        }
    }
}

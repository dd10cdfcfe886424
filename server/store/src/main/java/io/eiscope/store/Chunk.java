package io.eiscope.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Consecutive recorded points of one series, stored as one row of packed little-endian arrays
 * (int64 steps, float64 values, int64 wall-clock nanoseconds). Filled by the recorder's writer
 * thread only; {@link #CAPACITY} points, then a new chunk starts.
 */
final class Chunk {
    static final int CAPACITY = 512;

    final long seriesId;
    final long[] steps = new long[CAPACITY];
    final double[] values = new double[CAPACITY];
    final long[] walls = new long[CAPACITY];
    int size;

    Chunk(long seriesId) {
        this.seriesId = seriesId;
    }

    boolean full() {
        return size == CAPACITY;
    }

    void add(long step, double value, long wall) {
        steps[size] = step;
        values[size] = value;
        walls[size] = wall;
        size++;
    }

    byte[] stepBytes() {
        ByteBuffer b = ByteBuffer.allocate(size * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(steps, 0, size);
        return b.array();
    }

    byte[] valueBytes() {
        ByteBuffer b = ByteBuffer.allocate(size * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values, 0, size);
        return b.array();
    }

    byte[] wallBytes() {
        ByteBuffer b = ByteBuffer.allocate(size * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(walls, 0, size);
        return b.array();
    }

    static long[] longs(byte[] packed) {
        long[] out = new long[packed.length / 8];
        ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    static double[] doubles(byte[] packed) {
        double[] out = new double[packed.length / 8];
        ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }

    /** Growable columns for reading many chunks into one series. */
    static final class Columns {
        long[] steps = new long[1024];
        double[] values = new double[1024];
        long[] walls = new long[1024];
        int size;

        void add(long step, double value, long wall) {
            if (size == steps.length) {
                steps = Arrays.copyOf(steps, size * 2);
                values = Arrays.copyOf(values, size * 2);
                walls = Arrays.copyOf(walls, size * 2);
            }
            steps[size] = step;
            values[size] = value;
            walls[size] = wall;
            size++;
        }

        SeriesData toSeries(String observable, String layer) {
            return new SeriesData(
                    observable,
                    layer,
                    Arrays.copyOf(steps, size),
                    Arrays.copyOf(values, size),
                    Arrays.copyOf(walls, size),
                    size,
                    false);
        }
    }
}

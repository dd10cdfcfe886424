package io.eiscope.store;

import java.util.Arrays;

/**
 * Server-side downsampling of a scalar series that keeps extremes: the step range is cut into
 * equal buckets and each keeps its first, smallest, largest and last point (each at its own
 * step, at most four, in step order), so a spike is never averaged away and a curve of a
 * million steps draws from a few thousand points.
 */
final class Downsample {
    private Downsample() {}

    /** {@code s} as is when it has at most {@code maxPoints} points (0: no limit), else each bucket's extremes. */
    static SeriesData of(SeriesData s, int maxPoints) {
        if (maxPoints <= 0 || s.size() <= maxPoints) return s;
        return bucketed(s, maxPoints, s.size());
    }

    /** How many buckets {@code maxPoints} points allow (four a bucket). */
    static int buckets(int maxPoints) {
        return Math.max(1, maxPoints / 4);
    }

    /** The bucket of {@code step} in a series from {@code first} spanning {@code span} steps. */
    static long bucket(long step, long first, int buckets, long span) {
        return (long) ((double) (step - first) * buckets / span);
    }

    /**
     * Each bucket's first, smallest, largest and last point of {@code s}. {@code s} may already
     * stand for more points ({@code recorded}) as long as it holds the first and last recorded
     * point and, of every bucket, a superset of those four: the result is then the same as from
     * all the points (how {@link HistoryReader} reads from {@link ChunkSummary chunk summaries}).
     * Smallest and largest: the earliest such point, NaN never chosen unless it is the bucket's first.
     */
    static SeriesData bucketed(SeriesData s, int maxPoints, long recorded) {
        int n = s.size();
        int buckets = buckets(maxPoints);
        long first = s.steps()[0], span = s.steps()[n - 1] - first + 1;
        int[] keep = new int[Math.min(n, buckets * 4)];
        int kept = 0;
        int start = 0;
        while (start < n) {
            long bucket = bucket(s.steps()[start], first, buckets, span);
            int end = start;
            int min = start, max = start;
            while (end < n && bucket(s.steps()[end], first, buckets, span) == bucket) {
                if (s.values()[end] < s.values()[min]) min = end;
                if (s.values()[end] > s.values()[max]) max = end;
                end++;
            }
            int[] picks = {start, min, max, end - 1};
            Arrays.sort(picks);
            for (int i = 0; i < 4; i++) {
                if (i > 0 && picks[i] == picks[i - 1]) continue;
                if (kept == keep.length) keep = Arrays.copyOf(keep, keep.length * 2);
                keep[kept++] = picks[i];
            }
            start = end;
        }
        long[] steps = new long[kept], walls = new long[kept];
        double[] values = new double[kept];
        for (int i = 0; i < kept; i++) {
            steps[i] = s.steps()[keep[i]];
            values[i] = s.values()[keep[i]];
            walls[i] = s.wallNanos()[keep[i]];
        }
        return new SeriesData(s.observable(), s.layer(), steps, values, walls, recorded, true);
    }
}

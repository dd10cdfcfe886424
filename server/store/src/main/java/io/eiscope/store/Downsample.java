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
        int n = s.size();
        if (maxPoints <= 0 || n <= maxPoints) return s;
        int buckets = Math.max(1, maxPoints / 4);
        long first = s.steps()[0], span = s.steps()[n - 1] - first + 1;
        int[] keep = new int[Math.min(n, buckets * 4)];
        int kept = 0;
        int start = 0;
        while (start < n) {
            long bucket = (long) ((double) (s.steps()[start] - first) * buckets / span);
            int end = start;
            int min = start, max = start;
            while (end < n && (long) ((double) (s.steps()[end] - first) * buckets / span) == bucket) {
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
        return new SeriesData(s.observable(), s.layer(), steps, values, walls, s.recordedPoints(), true);
    }
}

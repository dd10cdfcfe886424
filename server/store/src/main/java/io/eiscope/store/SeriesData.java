package io.eiscope.store;

/**
 * Points of one recorded scalar series, ascending by step; arrays of equal length, owned by the caller.
 *
 * @param recordedPoints points recorded in the requested range, before any downsampling
 * @param downsampled    true when the points are each bucket's first, smallest, largest and last
 */
public record SeriesData(
        String observable,
        String layer,
        long[] steps,
        double[] values,
        long[] wallNanos,
        long recordedPoints,
        boolean downsampled) {
    public int size() {
        return steps.length;
    }
}

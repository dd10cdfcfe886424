package io.eiscope.client;

import com.google.protobuf.ByteString;
import io.eiscope.api.v1.GetHistoryResponse;
import java.nio.ByteOrder;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The recorded scalars of one run, as {@link EiscopeClient#history} returns them: one
 * {@link Series} per (observable, layer), each with its points in ascending step order.
 * Immutable apart from the arrays, which belong to the caller.
 *
 * @param lastStep the last step recorded for the run
 * @param series   every series asked for that has points, in the server's order
 */
public record History(long lastStep, List<Series> series) {
    /**
     * A history of copied series.
     *
     * @param lastStep the last step recorded for the run
     * @param series the series, copied into an unmodifiable list
     */
    public History {
        series = List.copyOf(series);
    }

    /**
     * Decodes a GetHistory answer; throws IllegalArgumentException if its packed columns disagree in length.
     *
     * @param response the answer of GetHistory
     * @return its series, decoded
     * @throws IllegalArgumentException when a series' packed columns disagree in length
     */
    public static History of(GetHistoryResponse response) {
        return new History(
                response.getLastStep(),
                response.getSeriesList().stream().map(Series::of).toList());
    }

    /**
     * The network-wide series of {@code observable} ("loss", "test_accuracy", ...).
     *
     * @param observable a network-wide scalar observable
     * @return its series
     * @throws NoSuchElementException naming the series there are, when it is not among them
     */
    public Series get(String observable) {
        return get(observable, "");
    }

    /**
     * The series of {@code observable} for {@code layer} ("" for network-wide observables).
     *
     * @param observable a scalar observable
     * @param layer a layer or parameter; "" for network-wide observables
     * @return its series
     * @throws NoSuchElementException naming the series there are, when it is not among them
     */
    public Series get(String observable, String layer) {
        return series.stream()
                .filter(s -> s.observable().equals(observable) && s.layer().equals(layer))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException(
                        "no series " + observable + (layer.isEmpty() ? "" : "@" + layer) + " in this history; it has "
                                + series.stream().map(Series::key).toList()));
    }

    /**
     * One scalar series: {@code steps[i]}, {@code values[i]} and {@code wallTimeNanos[i]} (Unix
     * epoch nanoseconds) describe point i. Record equality compares the arrays by identity.
     *
     * @param observable     the observable, e.g. "loss" or "nse"
     * @param layer          layer or parameter name; "" for network-wide observables
     * @param steps          the steps of the points, ascending
     * @param values         their values
     * @param wallTimeNanos  when each was measured, in Unix epoch nanoseconds
     * @param recordedPoints points recorded in the requested range, before downsampling
     * @param downsampled    true when the points are, per bucket of steps, the first, smallest,
     *                       largest and last recorded value (extremes are kept)
     * @param mergedSamples  samples the recorder merged because the disk fell behind (whole run; 0: none)
     */
    public record Series(
            String observable,
            String layer,
            long[] steps,
            double[] values,
            long[] wallTimeNanos,
            long recordedPoints,
            boolean downsampled,
            long mergedSamples) {
        /**
         * Decodes the packed little-endian columns of the API's Series.
         *
         * @param s a series of the GetHistory answer
         * @return it decoded
         * @throws IllegalArgumentException when its columns are not whole 8-byte values or differ in length
         */
        public static Series of(io.eiscope.api.v1.Series s) {
            int n = count(s.getSteps(), s, "steps");
            if (count(s.getValues(), s, "values") != n
                    || count(s.getWallTimesUnixNanos(), s, "wall_times_unix_nanos") != n)
                throw new IllegalArgumentException(
                        "series " + s.getObservable() + ": steps, values and wall times differ in length ("
                                + s.getSteps().size() + ", " + s.getValues().size() + ", "
                                + s.getWallTimesUnixNanos().size() + " bytes)");
            long[] steps = new long[n], walls = new long[n];
            double[] values = new double[n];
            s.getSteps()
                    .asReadOnlyByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asLongBuffer()
                    .get(steps);
            s.getValues()
                    .asReadOnlyByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asDoubleBuffer()
                    .get(values);
            s.getWallTimesUnixNanos()
                    .asReadOnlyByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asLongBuffer()
                    .get(walls);
            return new Series(
                    s.getObservable(),
                    s.getLayer(),
                    steps,
                    values,
                    walls,
                    s.getRecordedPoints(),
                    s.getDownsampled(),
                    s.getMergedSamples());
        }

        private static int count(ByteString bytes, io.eiscope.api.v1.Series s, String column) {
            if (bytes.size() % 8 != 0)
                throw new IllegalArgumentException("series " + s.getObservable() + ": " + column + " holds "
                        + bytes.size() + " bytes, not a multiple of 8");
            return bytes.size() / 8;
        }

        /**
         * The number of points.
         *
         * @return the length of each column
         */
        public int size() {
            return steps.length;
        }

        /**
         * "observable" or "observable@layer", as GetLatest names per-layer values.
         *
         * @return "observable" or "observable@layer"
         */
        public String key() {
            return layer.isEmpty() ? observable : observable + "@" + layer;
        }
    }
}

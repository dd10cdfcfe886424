package io.eiscope.app;

import io.eiscope.api.v1.GetSweepResultsResponse;
import io.eiscope.api.v1.Sweep;
import io.eiscope.api.v1.SweepAggregate;
import io.eiscope.api.v1.SweepGroup;
import io.eiscope.api.v1.SweepMetric;
import io.eiscope.api.v1.SweepRun;
import io.eiscope.api.v1.SweepRunResult;
import io.eiscope.api.v1.Value;
import io.eiscope.store.RunStore;
import io.eiscope.store.SeriesData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sweep's results table: per run, the final and best value of each metric from the run record;
 * per group of runs that differ only in their seed, the mean and standard error of both.
 */
final class SweepResults {
    /** Points read per series: the record's downsampling keeps each bucket's extremes and the last point, so best and final stay exact. */
    static final int POINTS = 4000;

    static final List<String> DEFAULT_METRICS = List.of("loss", "accuracy");

    private SweepResults() {}

    /** Validates metric names: "observable" or "observable@layer", at most 32 of them. */
    static List<String> metrics(List<String> asked) {
        if (asked.size() > 32) throw ApiException.invalid("metrics: at most 32 names, got " + asked.size());
        for (int i = 0; i < asked.size(); i++) {
            String m = asked.get(i);
            if (m.isEmpty() || m.length() > 200 || m.startsWith("@") || m.endsWith("@"))
                throw ApiException.invalid(
                        "metrics[" + i + "] must be an observable name, or observable@layer, got '" + m + "'");
        }
        return asked.isEmpty() ? DEFAULT_METRICS : List.copyOf(asked);
    }

    /** The results of {@code sweep} (with its runs). Blocking: reads the record. */
    static GetSweepResultsResponse of(Sweep sweep, List<String> metrics, RunStore store) {
        GetSweepResultsResponse.Builder out =
                GetSweepResultsResponse.newBuilder().setSweep(sweep);
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        Map<String, Map<String, Value>> groupValues = new LinkedHashMap<>();
        List<List<SweepMetric>> perRun = new ArrayList<>();
        for (SweepRun run : sweep.getRunsList()) {
            List<SweepMetric> ms = new ArrayList<>();
            for (String m : metrics) ms.add(metric(store, run.getRunId(), m));
            perRun.add(ms);
            out.addRuns(SweepRunResult.newBuilder().setRun(run).addAllMetrics(ms));
            Map<String, Value> key = new LinkedHashMap<>();
            for (var a : sweep.getSpec().getAxesList())
                if (!a.getField().equals("seed"))
                    key.put(a.getField(), run.getValuesMap().get(a.getField()));
            String k = SweepPoints.label(key);
            groups.computeIfAbsent(k, x -> new ArrayList<>()).add(run.getIndex());
            groupValues.putIfAbsent(k, key);
        }
        for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
            SweepGroup.Builder b = SweepGroup.newBuilder()
                    .putAllValues(groupValues.get(g.getKey()))
                    .addAllRunIndices(g.getValue());
            for (int j = 0; j < metrics.size(); j++) {
                List<Double> finals = new ArrayList<>(), bests = new ArrayList<>();
                for (int i : g.getValue()) {
                    SweepMetric m = perRun.get(i).get(j);
                    if (!Double.isNaN(m.getFinal())) finals.add(m.getFinal());
                    if (!Double.isNaN(m.getBest())) bests.add(m.getBest());
                }
                b.addMetrics(SweepAggregate.newBuilder()
                        .setName(metrics.get(j))
                        .setN(finals.size())
                        .setFinalMean(mean(finals))
                        .setFinalStderr(stderr(finals))
                        .setBestMean(mean(bests))
                        .setBestStderr(stderr(bests)));
            }
            out.addGroups(b);
        }
        return out.build();
    }

    /** The best is the smallest value, or the largest for an accuracy; NaN values (a diverged step) are skipped. */
    static boolean higherIsBetter(String metric) {
        return metric.contains("accuracy");
    }

    private static SweepMetric metric(RunStore store, String runId, String metric) {
        SweepMetric.Builder b =
                SweepMetric.newBuilder().setName(metric).setFinal(Double.NaN).setBest(Double.NaN);
        if (runId.isEmpty()) return b.build();
        int at = metric.indexOf('@');
        String observable = at < 0 ? metric : metric.substring(0, at);
        String layer = at < 0 ? "" : metric.substring(at + 1);
        for (SeriesData s :
                store.history(runId, Set.of(observable), layer.isEmpty() ? Set.of() : Set.of(layer), 0, 0, POINTS)) {
            if (!s.layer().equals(layer) || s.size() == 0) continue;
            boolean up = higherIsBetter(observable);
            double best = Double.NaN;
            for (double v : s.values()) {
                if (Double.isNaN(v)) continue;
                if (Double.isNaN(best) || (up ? v > best : v < best)) best = v;
            }
            b.setFinal(s.values()[s.size() - 1]).setBest(best);
        }
        return b.build();
    }

    static double mean(List<Double> xs) {
        if (xs.isEmpty()) return Double.NaN;
        double sum = 0;
        for (double x : xs) sum += x;
        return sum / xs.size();
    }

    /** Sample standard deviation / sqrt(n); NaN below two values. */
    static double stderr(List<Double> xs) {
        if (xs.size() < 2) return Double.NaN;
        double m = mean(xs), ss = 0;
        for (double x : xs) ss += (x - m) * (x - m);
        return Math.sqrt(ss / (xs.size() - 1)) / Math.sqrt(xs.size());
    }
}

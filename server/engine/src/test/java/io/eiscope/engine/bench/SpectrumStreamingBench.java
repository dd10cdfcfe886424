package io.eiscope.engine.bench;

import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.sim.Demand;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.sim.SimulationRunner;
import io.eiscope.engine.sim.SimulationState;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.engine.tensor.Spectra;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What streaming a spectrum costs training: steps/s of the standard RNN (default 500 units) on
 * row-sequential MNIST, batch 32, plain SGD, run by a {@link SimulationRunner} on one worker
 * thread as the server runs it, with and without a subscriber's demand for a spectrum observable
 * every 10 steps. The demand is what the server makes of {@code Watch(observables = [obs], layers
 * = [layer], every_steps = 10)}: {@code Demand(obs, layer, 50 ms, 10)} (50 ms: the server's
 * default rate limit for tensors, {@code SimulationStreams.DEFAULT_TENSOR_INTERVAL_NANOS}).
 * Spectral observables are deferred: the training thread copies the matrix at a step boundary
 * and the decomposition runs on the analysis executor (one thread here, as the server's pool on
 * a small machine), once per target and revision for all spectral observables.
 *
 * <p>Conditions, in this order in every round, each on a fresh simulation (same seed) after
 * {@code warmup} untimed steps: {@code none}; {@code <obs>@rnn0.W} (one 500x500 matrix);
 * {@code <obs>@rnn0} (a layer selector also picks the layer's parameters: the effective matrix
 * {@code rnn0}, {@code rnn0.W}, {@code rnn0.U}, {@code rnn0.input}). Reports per cell the wall
 * steps/s, the training thread's CPU ms per step (less sensitive to other load on a shared
 * machine), the frames published and the analysis thread's CPU ms per frame.
 *
 * <p>Not a test. Usage: {@code java -cp ... io.eiscope.engine.bench.SpectrumStreamingBench
 * [--data .data] [--hidden 500] [--observable singular_values] [--every 10] [--steps 200]
 * [--warmup 30] [--rounds 3]}, with {@code OPENBLAS_NUM_THREADS=1} and without
 * {@code OPENBLAS_CORETYPE}/{@code OPENBLAS_L2_SIZE}.
 */
public final class SpectrumStreamingBench {
    private SpectrumStreamingBench() {}

    static final long SERVER_TENSOR_INTERVAL_NANOS = 50_000_000L;
    static final String DEFERRED = "singular_values_deferred";

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        Path data = Path.of(opt.getOrDefault("data", ".data"));
        long hidden = Long.parseLong(opt.getOrDefault("hidden", "500"));
        String obs = opt.getOrDefault("observable", "singular_values");
        int every = Integer.parseInt(opt.getOrDefault("every", "10")),
                steps = Integer.parseInt(opt.getOrDefault("steps", "200"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "30")),
                rounds = Integer.parseInt(opt.getOrDefault("rounds", "3"));

        ExecutorService worker = Executors.newSingleThreadExecutor(), analysis = Executors.newSingleThreadExecutor();
        long workerId = worker.submit(() -> Thread.currentThread().getId()).get();
        long analysisId = analysis.submit(() -> Thread.currentThread().getId()).get();
        Catalogue catalogue = Catalogue.standard();
        SimulationConfig config = new SimulationConfig(
                "bench",
                new ComponentConfig("rnn", Map.of("hidden", List.of(hidden))),
                new ComponentConfig("sgd", Map.of("learning_rate", 0.01)),
                ComponentConfig.of("seq_mnist"),
                1,
                32,
                0,
                0);
        Map<String, List<Demand>> conditions = new LinkedHashMap<>();
        conditions.put("none", List.of());
        conditions.put(obs + "@rnn0.W", List.of(new Demand(obs, "rnn0.W", SERVER_TENSOR_INTERVAL_NANOS, every)));
        conditions.put(obs + "@rnn0", List.of(new Demand(obs, "rnn0", SERVER_TENSOR_INTERVAL_NANOS, every)));

        System.out.printf(
                "# rnn hidden %d, row-sequential MNIST, batch 32, sgd; %s every %d steps; %d steps per cell after %d; %s; OPENBLAS_NUM_THREADS=%s%n",
                hidden,
                obs,
                every,
                steps,
                warmup,
                Spectra.nativeLapack() ? "LAPACK" : "pure-Java SVD",
                System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "?"));
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        try {
            cell(
                    new Simulation(config, catalogue, EngineContext.of(data)),
                    List.of(),
                    worker,
                    analysis,
                    workerId,
                    analysisId,
                    100,
                    100); // JIT
            for (int r = 0; r < rounds; r++) {
                for (var c : conditions.entrySet()) {
                    Simulation sim = new Simulation(config, catalogue, EngineContext.of(data));
                    double[] m = cell(sim, c.getValue(), worker, analysis, workerId, analysisId, warmup, steps);
                    results.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(m);
                    System.out.printf(
                            "RESULT\t%s\t%d\t%.2f\t%.3f\t%.0f\t%.1f\t%s%n",
                            c.getKey(),
                            r,
                            m[0],
                            m[1],
                            m[2],
                            m[3],
                            String.format(
                                    "load %.2f",
                                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
                }
            }
        } finally {
            worker.shutdownNow();
            analysis.shutdownNow();
        }
        double[] base = {median(results.get("none"), 0), median(results.get("none"), 1)};
        System.out.println();
        System.out.println(
                "| condition | steps/s (median, min-max) | vs none | training-thread CPU ms/step | vs none | spectra per cell |");
        System.out.println("|---|---|---|---|---|---|");
        for (var e : results.entrySet()) {
            List<double[]> v = e.getValue();
            double rate = median(v, 0), cpu = median(v, 1);
            System.out.printf(
                    "| %s | %.2f (%.2f-%.2f) | %+.1f %% | %.2f | %+.1f %% | %.0f |%n",
                    e.getKey(),
                    rate,
                    min(v, 0),
                    max(v, 0),
                    100 * (rate / base[0] - 1),
                    cpu,
                    100 * (cpu / base[1] - 1),
                    median(v, 2));
        }
    }

    /** {steps/s, training-thread CPU ms per step, frames published, analysis-thread CPU ms per frame}. */
    private static double[] cell(
            Simulation sim,
            List<Demand> demands,
            ExecutorService worker,
            ExecutorService analysis,
            long workerId,
            long analysisId,
            int warmup,
            int steps)
            throws Exception {
        AtomicReference<CountDownLatch> paused = new AtomicReference<>(new CountDownLatch(1));
        AtomicInteger frames = new AtomicInteger();
        SimulationRunner runner = new SimulationRunner(
                "bench",
                sim,
                worker,
                null,
                analysis,
                (Observation o) -> {
                    if (o.payload() instanceof Observation.Event e) {
                        if (e.state() == SimulationState.PAUSED) paused.get().countDown();
                    } else if (!o.observable().equals("loss") && !o.observable().equals("accuracy")) {
                        frames.incrementAndGet();
                    }
                },
                List.of());
        stepBy(runner, paused, warmup);
        runner.setDemands(demands);
        frames.set(0);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getThreadCpuTime(workerId),
                analysisCpu0 = threads.getThreadCpuTime(analysisId),
                t0 = System.nanoTime();
        stepBy(runner, paused, steps);
        double rate = steps / ((System.nanoTime() - t0) / 1e9),
                cpuMs = (threads.getThreadCpuTime(workerId) - cpu0) / 1e6 / steps;
        analysis.submit(() -> {})
                .get(60, TimeUnit.SECONDS); // FIFO: every computation before it is done and handed back
        runner.readParameters(List.of()).get(60, TimeUnit.SECONDS); // the mailbox is FIFO: their publications have run
        int made = frames.get();
        double analysisMs = made == 0 ? 0 : (threads.getThreadCpuTime(analysisId) - analysisCpu0) / 1e6 / made;
        runner.setDemands(List.of());
        return new double[] {rate, cpuMs, made, analysisMs};
    }

    private static void stepBy(SimulationRunner runner, AtomicReference<CountDownLatch> paused, int n)
            throws Exception {
        paused.set(new CountDownLatch(1));
        runner.stepBy(n).join();
        if (!paused.get().await(30, TimeUnit.MINUTES))
            throw new IllegalStateException("no pause after " + n + " steps");
    }

    private static double median(List<double[]> v, int i) {
        double[] s = v.stream().mapToDouble(a -> a[i]).sorted().toArray();
        return s[s.length / 2];
    }

    private static double min(List<double[]> v, int i) {
        return v.stream().mapToDouble(a -> a[i]).min().orElse(Double.NaN);
    }

    private static double max(List<double[]> v, int i) {
        return v.stream().mapToDouble(a -> a[i]).max().orElse(Double.NaN);
    }
}

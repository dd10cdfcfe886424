package io.eiscope.engine.bench;

import io.eiscope.engine.ToyDecisionTask;
import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.sim.Demand;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.sim.SimulationRunner;
import io.eiscope.engine.sim.SimulationState;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Training steps per second of a 2AF-like standard RNN (300 units, 8 steps, 3 outputs at every step,
 * batch 32, SGD with momentum) run by a {@link SimulationRunner} on one worker thread, with and
 * without {@code kernel_alignment} demanded every 100 steps (computed on a separate analysis
 * thread, about 0.3 s each). Rounds alternate between the two; each round builds a fresh simulation
 * and times {@code steps} steps after 200 untimed ones. Prints, per round, the steps/s (wall clock),
 * the training thread's CPU time per step and the analysis thread's CPU time per published
 * alignment, then the medians. The CPU times separate what the training thread itself pays (the
 * parameter copy) from competition for cores, which wall-clock rates on a shared machine mix in.
 * Not a test. Usage:
 * {@code java -cp ... io.eiscope.engine.bench.KernelAlignmentStreamingBench [steps] [rounds]}, with
 * {@code OPENBLAS_NUM_THREADS=1} and without {@code OPENBLAS_CORETYPE}/{@code OPENBLAS_L2_SIZE}.
 * Needs two free cores to show the intended result (training never waits for the analysis).
 */
public final class KernelAlignmentStreamingBench {
    private KernelAlignmentStreamingBench() {}

    private static final Catalogue CATALOGUE = ToyDecisionTask.catalogue(8);

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 2000,
                rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ExecutorService worker = Executors.newSingleThreadExecutor(), analysis = Executors.newSingleThreadExecutor();
        long workerId = worker.submit(() -> Thread.currentThread().getId()).get();
        long analysisId = analysis.submit(() -> Thread.currentThread().getId()).get();
        List<Double> plain = new ArrayList<>(),
                streamed = new ArrayList<>(),
                plainCpu = new ArrayList<>(),
                streamedCpu = new ArrayList<>();
        try {
            for (int r = 0; r < rounds; r++) {
                double[] a = round(worker, analysis, steps, false, workerId, analysisId),
                        b = round(worker, analysis, steps, true, workerId, analysisId);
                plain.add(a[0]);
                plainCpu.add(a[1]);
                streamed.add(b[0]);
                streamedCpu.add(b[1]);
            }
        } finally {
            worker.shutdownNow();
            analysis.shutdownNow();
        }
        System.out.printf(
                "median steps/s: without %.1f, with kernel_alignment every 100 steps %.1f (%+.1f%%)%n",
                median(plain), median(streamed), 100 * (median(streamed) / median(plain) - 1));
        System.out.printf(
                "median training-thread CPU per step: without %.3f ms, with %.3f ms (%+.1f%%)%n",
                median(plainCpu), median(streamedCpu), 100 * (median(streamedCpu) / median(plainCpu) - 1));
    }

    /** {steps/s, training-thread CPU ms per step}. */
    private static double[] round(
            ExecutorService worker,
            ExecutorService analysis,
            int steps,
            boolean withAlignment,
            long workerId,
            long analysisId)
            throws Exception {
        Simulation sim = new Simulation(
                new SimulationConfig(
                        "bench",
                        new ComponentConfig("rnn", Map.of("hidden", List.of(300L))),
                        new ComponentConfig("sgd", Map.of("learning_rate", 0.003, "momentum", 0.9)),
                        ComponentConfig.of(ToyDecisionTask.KIND),
                        1,
                        32,
                        0,
                        0),
                CATALOGUE,
                EngineContext.of(null));
        AtomicReference<CountDownLatch> paused = new AtomicReference<>(new CountDownLatch(1));
        AtomicInteger alignments = new AtomicInteger();
        SimulationRunner runner = new SimulationRunner(
                "bench",
                sim,
                worker,
                null,
                analysis,
                (Observation o) -> {
                    if (o.observable().equals("kernel_alignment")) alignments.incrementAndGet();
                    if (o.payload() instanceof Observation.Event e && e.state() == SimulationState.PAUSED)
                        paused.get().countDown();
                },
                List.of());
        step(runner, paused, 200);
        if (withAlignment) runner.setDemands(List.of(new Demand("kernel_alignment", "rnn0", 0, 100)));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getThreadCpuTime(workerId),
                analysisCpu0 = threads.getThreadCpuTime(analysisId),
                t0 = System.nanoTime();
        step(runner, paused, steps);
        double rate = steps / ((System.nanoTime() - t0) / 1e9),
                cpuMs = (threads.getThreadCpuTime(workerId) - cpu0) / 1e6 / steps;
        runner.setDemands(List.of());
        runner.readParameters(List.of()).get(); // a boundary after the last due measurement
        double perAlignment =
                (threads.getThreadCpuTime(analysisId) - analysisCpu0) / 1e6 / Math.max(1, alignments.get());
        System.out.printf(
                "%s: %.1f steps/s, training thread %.3f ms CPU per step%s%n",
                withAlignment ? "with kernel_alignment every 100" : "without",
                rate,
                cpuMs,
                withAlignment
                        ? String.format(", %d alignments, %.0f ms analysis CPU each", alignments.get(), perAlignment)
                        : "");
        return new double[] {rate, cpuMs};
    }

    private static void step(SimulationRunner runner, AtomicReference<CountDownLatch> paused, int n) throws Exception {
        paused.set(new CountDownLatch(1));
        runner.stepBy(n).join();
        if (!paused.get().await(10, TimeUnit.MINUTES))
            throw new IllegalStateException("no pause after " + n + " steps");
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}

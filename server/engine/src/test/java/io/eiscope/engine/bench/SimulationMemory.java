package io.eiscope.engine.bench;

import io.eiscope.engine.TestData;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.ComponentConfig;
import io.eiscope.engine.spec.SimulationConfig;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Memory held by MLP 784-500-500-10 simulations on Fashion-MNIST (SGD with momentum 0.9, so
 * the optimiser holds a velocity per parameter), after training steps and one full
 * evaluation: off-heap (direct buffers), heap after GC, and the process RSS; the per-simulation
 * cost is the difference between {@code n} simulations and one, divided by {@code n - 1}.
 * The dataset is loaded once per JVM and shared. Not a test; run by hand (docs/benchmarks.md):
 * {@code java -cp ... io.eiscope.engine.bench.SimulationMemory [n] [batch]}.
 */
public final class SimulationMemory {
    private SimulationMemory() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        Catalogue catalogue = Catalogue.standard();
        EngineContext context = EngineContext.of(TestData.dataDir());
        List<Simulation> sims = new ArrayList<>();
        Footprint[] at = new Footprint[n + 1];
        at[0] = measure();
        for (int i = 1; i <= n; i++) {
            Simulation s = new Simulation(
                    new SimulationConfig(
                            "mem" + i,
                            new ComponentConfig("mlp", Map.of("hidden", List.of(500L, 500L))),
                            new ComponentConfig("sgd", Map.of("learning_rate", 0.05, "momentum", 0.9)),
                            ComponentConfig.of("fashion_mnist"),
                            i,
                            batch,
                            0,
                            0),
                    catalogue,
                    context);
            for (int k = 0; k < 20; k++) s.trainStep();
            s.evaluate();
            for (int k = 0; k < 5; k++) s.trainStep();
            sims.add(s);
            at[i] = measure();
            System.out.printf(
                    "simulations=%d direct=%.1f MB heap=%.1f MB rss=%.1f MB%n",
                    i, at[i].direct / 1e6, at[i].heap / 1e6, at[i].rss / 1e6);
        }
        System.out.printf(
                "RESULT per-simulation (batch %d, after evaluate): direct %.1f MB, heap %.1f MB, rss %.1f MB; "
                        + "first simulation incl. dataset: heap %.1f MB, rss %.1f MB%n",
                batch,
                (at[n].direct - at[1].direct) / 1e6 / (n - 1),
                (at[n].heap - at[1].heap) / 1e6 / (n - 1),
                (at[n].rss - at[1].rss) / 1e6 / (n - 1),
                (at[1].heap - at[0].heap) / 1e6,
                (at[1].rss - at[0].rss) / 1e6);
        System.out.println("# steps kept them alive: "
                + sims.stream().mapToLong(Simulation::step).sum());
    }

    record Footprint(long direct, long heap, long rss) {}

    static Footprint measure() throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50); // lets the cleaner free unreachable direct buffers (a tool, not a test)
        }
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        return new Footprint(direct, heap, rss);
    }
}

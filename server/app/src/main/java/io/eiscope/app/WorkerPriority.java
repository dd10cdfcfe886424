package io.eiscope.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the OS scheduling priority of the threads that train (Linux: {@code renice} of the thread's own id), so
 * that the threads that answer calls, apply commands and stream frames run first whenever they have work: with
 * every core busy training (50 runs playing on 2 cores), a Control or GetSimulation otherwise waits behind the
 * training threads at each hand-over between threads, which added up to 100 ms and more. Training loses nothing
 * on an idle machine (nice only orders threads competing for a core); on a machine shared with other work, it
 * yields to it. Java's own {@link Thread#setPriority} is ignored on Linux unless the JVM is started with
 * {@code -XX:ThreadPriorityPolicy=1}, which the jar cannot ask for.
 *
 * <p>System property {@code eiscope.workerNice}: the nice value, 10 by default; 0 leaves the threads as they are.
 * Where there is no {@code /proc/thread-self} or no {@code renice}, nothing changes (logged once at debug).
 */
final class WorkerPriority {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkerPriority.class);

    static final int NICE = Integer.getInteger("eiscope.workerNice", 10);

    private WorkerPriority() {}

    /** {@code task}, run on a thread that first lowers its own priority. */
    static Runnable lowered(Runnable task) {
        return () -> {
            lowerThisThread();
            task.run();
        };
    }

    private static void lowerThisThread() {
        if (NICE == 0) return;
        try {
            Path self = Path.of("/proc/thread-self");
            if (!Files.exists(self)) return;
            String tid = Files.readSymbolicLink(self).getFileName().toString(); // "<pid>/task/<tid>"
            Process p = new ProcessBuilder("renice", "-n", Integer.toString(NICE), "-p", tid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                LOG.debug("renice of training thread {} did not succeed; it keeps its priority", tid);
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debug("could not lower the training thread's priority: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

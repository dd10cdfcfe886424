package io.eiscope.app;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Settings of one eiscope server. Immutable; {@link #parse} reads command-line flags.
 *
 * @param port                   TCP port; 0 picks a free one (the chosen port is printed)
 * @param dataDir                where the run record lives (runs.db and checkpoint files); created when missing
 * @param datasetsDir            where {@code ./eiscope build} put the datasets ({@code datasetsDir/datasets/*.eids});
 *                               independent of {@code dataDir}
 * @param webRoot                directory of the built web UI served at {@code /}
 * @param maxMessageBytes        largest gRPC message accepted or sent; bounds uploads such as a spec's
 *                               initial parameter values (a larger request is RESOURCE_EXHAUSTED)
 * @param demo                   create and play the demo simulation at start (unless the record already has runs)
 * @param watchQueueFrames       scalars and events one watch stream may hold before merging samples
 * @param checkpointEverySteps   a running run is checkpointed every this many steps (0: never by steps)
 * @param checkpointEverySeconds ... or every this many seconds of running (0: never by time); also on pause and shutdown
 * @param keepCheckpoints        newest checkpoints kept per run (pinned ones are kept too)
 * @param diskBudgetMb           new runs are refused once the record uses more (0: no budget)
 * @param replayCacheMb          memory for recent reconstructions of past steps (time travel); 0 keeps none
 */
public record ServerOptions(String host, int port, Path dataDir, Path datasetsDir, Path webRoot, long maxMessageBytes, boolean demo,
                            int watchQueueFrames, long checkpointEverySteps, long checkpointEverySeconds, int keepCheckpoints,
                            long diskBudgetMb, long replayCacheMb) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_WATCH_QUEUE_FRAMES = 10_000;
    public static final long DEFAULT_CHECKPOINT_EVERY_STEPS = io.eiscope.engine.sim.CheckpointSink.Policy.DEFAULT_EVERY_STEPS;
    public static final long DEFAULT_CHECKPOINT_EVERY_SECONDS = io.eiscope.engine.sim.CheckpointSink.Policy.DEFAULT_EVERY_NANOS / 1_000_000_000L;
    public static final int DEFAULT_KEEP_CHECKPOINTS = io.eiscope.store.Checkpoints.DEFAULT_KEEP;
    public static final long DEFAULT_REPLAY_CACHE_MB = 256;

    static final String USAGE = "usage: eiscope-server [--host H] [--port P] [--data-dir D] [--datasets D] [--web-root W] [--demo]"
            + " [--checkpoint-every-steps N] [--checkpoint-every-seconds S] [--keep-checkpoints K] [--disk-budget-mb M] [--replay-cache-mb M]";

    public static ServerOptions defaults() {
        return new ServerOptions(DEFAULT_HOST, DEFAULT_PORT, Path.of(".data"), defaultDatasetsDir(), Path.of("web-ui/dist"),
                DEFAULT_MAX_MESSAGE_BYTES, false, DEFAULT_WATCH_QUEUE_FRAMES, DEFAULT_CHECKPOINT_EVERY_STEPS,
                DEFAULT_CHECKPOINT_EVERY_SECONDS, DEFAULT_KEEP_CHECKPOINTS, 0, DEFAULT_REPLAY_CACHE_MB);
    }

    /**
     * $EISCOPE_DATASETS when set; else the checkout's {@code .data} (found from where this class was loaded:
     * {@code server/app/target/...}), where {@code ./eiscope build} puts the datasets; else {@code ./.data}.
     */
    static Path defaultDatasetsDir() {
        String env = System.getenv("EISCOPE_DATASETS");
        if (env != null && !env.isEmpty()) return Path.of(env);
        try {
            Path code = Path.of(ServerOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = code.getParent().getParent().getParent().getParent(); // target/x -> target -> app -> server -> checkout
            if (Files.isDirectory(root.resolve(".data").resolve("datasets"))) return root.resolve(".data");
        } catch (Exception ignored) {
            // fall back to the working directory
        }
        return Path.of(".data");
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, dataDir, datasetsDir, webRoot, maxMessageBytes, demo, watchQueueFrames, checkpointEverySteps,
                checkpointEverySeconds, keepCheckpoints, diskBudgetMb, replayCacheMb);
    }

    public ServerOptions withDataDir(Path d) {
        return new ServerOptions(host, port, d, datasetsDir, webRoot, maxMessageBytes, demo, watchQueueFrames, checkpointEverySteps,
                checkpointEverySeconds, keepCheckpoints, diskBudgetMb, replayCacheMb);
    }

    public ServerOptions withDatasetsDir(Path d) {
        return new ServerOptions(host, port, dataDir, d, webRoot, maxMessageBytes, demo, watchQueueFrames, checkpointEverySteps,
                checkpointEverySeconds, keepCheckpoints, diskBudgetMb, replayCacheMb);
    }

    public ServerOptions withMaxMessageBytes(long bytes) {
        if (bytes < 1) throw new IllegalArgumentException("the largest message must be at least 1 byte, got " + bytes);
        return new ServerOptions(host, port, dataDir, datasetsDir, webRoot, bytes, demo, watchQueueFrames, checkpointEverySteps,
                checkpointEverySeconds, keepCheckpoints, diskBudgetMb, replayCacheMb);
    }

    public ServerOptions withWatchQueueFrames(int frames) {
        if (frames < 1) throw new IllegalArgumentException("watch queue must hold at least 1 frame, got " + frames);
        return new ServerOptions(host, port, dataDir, datasetsDir, webRoot, maxMessageBytes, demo, frames, checkpointEverySteps,
                checkpointEverySeconds, keepCheckpoints, diskBudgetMb, replayCacheMb);
    }

    public ServerOptions withCheckpoints(long everySteps, long everySeconds, int keep) {
        if (everySteps < 0) throw new IllegalArgumentException("--checkpoint-every-steps must be >= 0 (0: off), got " + everySteps);
        if (everySeconds < 0) throw new IllegalArgumentException("--checkpoint-every-seconds must be >= 0 (0: off), got " + everySeconds);
        if (keep < 1) throw new IllegalArgumentException("--keep-checkpoints must be >= 1, got " + keep);
        return new ServerOptions(host, port, dataDir, datasetsDir, webRoot, maxMessageBytes, demo, watchQueueFrames, everySteps, everySeconds,
                keep, diskBudgetMb, replayCacheMb);
    }

    public ServerOptions withDiskBudgetMb(long mb) {
        if (mb < 0) throw new IllegalArgumentException("--disk-budget-mb must be >= 0 (0: no budget), got " + mb);
        return new ServerOptions(host, port, dataDir, datasetsDir, webRoot, maxMessageBytes, demo, watchQueueFrames, checkpointEverySteps,
                checkpointEverySeconds, keepCheckpoints, mb, replayCacheMb);
    }

    public ServerOptions withReplayCacheMb(long mb) {
        if (mb < 0) throw new IllegalArgumentException("--replay-cache-mb must be >= 0 (0: keep no reconstruction), got " + mb);
        return new ServerOptions(host, port, dataDir, datasetsDir, webRoot, maxMessageBytes, demo, watchQueueFrames, checkpointEverySteps,
                checkpointEverySeconds, keepCheckpoints, diskBudgetMb, mb);
    }

    ServerOptions withHost(String h) {
        return new ServerOptions(h, port, dataDir, datasetsDir, webRoot, maxMessageBytes, demo, watchQueueFrames, checkpointEverySteps,
                checkpointEverySeconds, keepCheckpoints, diskBudgetMb, replayCacheMb);
    }

    ServerOptions withWebRoot(Path w) {
        return new ServerOptions(host, port, dataDir, datasetsDir, w, maxMessageBytes, demo, watchQueueFrames, checkpointEverySteps,
                checkpointEverySeconds, keepCheckpoints, diskBudgetMb, replayCacheMb);
    }

    ServerOptions withDemo(boolean d) {
        return new ServerOptions(host, port, dataDir, datasetsDir, webRoot, maxMessageBytes, d, watchQueueFrames, checkpointEverySteps,
                checkpointEverySeconds, keepCheckpoints, diskBudgetMb, replayCacheMb);
    }

    /** Parses the flags of {@link #USAGE}; unknown flags and bad values are errors that say what to fix. */
    public static ServerOptions parse(String[] args) {
        ServerOptions o = defaults();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--demo")) {
                o = o.withDemo(true);
                continue;
            }
            if (!a.startsWith("--") || !USAGE.contains("[" + a + " ")) throw new IllegalArgumentException("unknown option '" + a + "'; " + USAGE);
            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value; " + USAGE);
            String v = args[++i];
            o = switch (a) {
                case "--host" -> o.withHost(v);
                case "--port" -> {
                    long port;
                    try {
                        port = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port must be a number in [0, 65535], got '" + v + "'");
                    }
                    if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
                    yield o.withPort((int) port);
                }
                case "--data-dir" -> o.withDataDir(Path.of(v));
                case "--datasets" -> o.withDatasetsDir(Path.of(v));
                case "--web-root" -> o.withWebRoot(Path.of(v));
                case "--checkpoint-every-steps" -> o.withCheckpoints(number(a, v), o.checkpointEverySeconds, o.keepCheckpoints);
                case "--checkpoint-every-seconds" -> o.withCheckpoints(o.checkpointEverySteps, number(a, v), o.keepCheckpoints);
                case "--keep-checkpoints" -> o.withCheckpoints(o.checkpointEverySteps, o.checkpointEverySeconds, (int) Math.min(number(a, v), Integer.MAX_VALUE));
                case "--disk-budget-mb" -> o.withDiskBudgetMb(number(a, v));
                case "--replay-cache-mb" -> o.withReplayCacheMb(number(a, v));
                default -> throw new IllegalArgumentException("unknown option '" + a + "'; " + USAGE);
            };
        }
        return o;
    }

    private static long number(String flag, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a whole number, got '" + v + "'");
        }
    }
}

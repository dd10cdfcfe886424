package io.eiscope.app;

import io.eiscope.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Settings of one eiscope server. Immutable: each {@code with...} returns a changed copy.
 * {@link ServerCommand} reads them from the command line, environment variables and argument
 * files.
 */
public final class ServerOptions implements Cloneable {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_WATCH_QUEUE_FRAMES = 10_000;
    public static final long DEFAULT_CHECKPOINT_EVERY_STEPS =
            io.eiscope.engine.sim.CheckpointSink.Policy.DEFAULT_EVERY_STEPS;
    public static final long DEFAULT_CHECKPOINT_EVERY_SECONDS =
            io.eiscope.engine.sim.CheckpointSink.Policy.DEFAULT_EVERY_NANOS / 1_000_000_000L;
    public static final int DEFAULT_KEEP_CHECKPOINTS = io.eiscope.store.Checkpoints.DEFAULT_KEEP;
    public static final long DEFAULT_REPLAY_CACHE_MB = 256;
    public static final int DEFAULT_MAX_RUNS_PER_OWNER = 1000;
    public static final int DEFAULT_MAX_REQUESTS_PER_SECOND = 1000;
    public static final int DEFAULT_MAX_WATCH_STREAMS_PER_CONNECTION = 100;
    public static final int DEFAULT_STALLED_READER_SECONDS = 300;
    /** How far behind the present a live stream to a client that cannot keep up may fall before its backlog is merged. */
    public static final int DEFAULT_MAX_STREAM_LAG_MS = 100;
    /**
     * Runs that may play at once, per processor the JVM sees: each playing run then gets at least a quarter of a
     * core (its curves move at a quarter of its speed alone or better), and further runs wait QUEUED and finish
     * sooner by waiting their turn than by sharing ({@link io.eiscope.engine.sim.Admission}).
     */
    public static final int DEFAULT_WORKERS_PER_CORE = 4;

    /** How log lines are written. */
    public enum LogFormat {
        /** One line of text per event, key=value pairs after the message. */
        TEXT,
        /** One JSON object per line (Logback's JsonEncoder), for a log collector. */
        JSON
    }

    /** How callers prove who they are. */
    public enum Auth {
        /** Anyone who reaches the port may do anything: for a loopback address on a single-user machine. */
        NONE,
        /** Bearer tokens with a role and an owner ({@link Tokens}). */
        TOKEN
    }

    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private Path dataDir = Path.of(".data");
    private Database store; // null: the embedded SQLite file in dataDir
    private ClusterOptions cluster; // null: a server on its own
    private Path datasetsDir;
    private Path webRoot = Path.of("web-ui/dist");
    private long maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private boolean demo;
    private int watchQueueFrames = DEFAULT_WATCH_QUEUE_FRAMES;
    private long checkpointEverySteps = DEFAULT_CHECKPOINT_EVERY_STEPS;
    private long checkpointEverySeconds = DEFAULT_CHECKPOINT_EVERY_SECONDS;
    private int keepCheckpoints = DEFAULT_KEEP_CHECKPOINTS;
    private long diskBudgetMb;
    private long replayCacheMb = DEFAULT_REPLAY_CACHE_MB;
    private Auth auth = Auth.NONE;
    private Path tokensFile;
    private boolean insecureNoAuth;
    private List<String> allowedHosts = List.of();
    private Path tlsCert;
    private Path tlsKey;
    private boolean tlsSelfSigned;
    private int maxRunsPerOwner = DEFAULT_MAX_RUNS_PER_OWNER;
    private int maxRequestsPerSecond = DEFAULT_MAX_REQUESTS_PER_SECOND;
    private int maxWatchStreamsPerConnection = DEFAULT_MAX_WATCH_STREAMS_PER_CONNECTION;
    private int stalledReaderSeconds = DEFAULT_STALLED_READER_SECONDS;
    private int maxStreamLagMillis = DEFAULT_MAX_STREAM_LAG_MS;
    private long memoryBudgetMb;
    private LogFormat logFormat = LogFormat.TEXT;
    private String logLevel = "info";
    private int workers = DEFAULT_WORKERS_PER_CORE * Runtime.getRuntime().availableProcessors();

    private ServerOptions() {}

    public static ServerOptions defaults() {
        ServerOptions o = new ServerOptions();
        o.datasetsDir = defaultDatasetsDir();
        return o;
    }

    private ServerOptions with(Consumer<ServerOptions> change) {
        ServerOptions o;
        try {
            o = (ServerOptions) clone(); // every field is immutable (paths, strings, an unmodifiable list)
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
        change.accept(o);
        return o;
    }

    /**
     * $EISCOPE_DATASETS when set; else the checkout's {@code .data} (found from where this class was loaded:
     * {@code server/app/target/...}), where {@code ./eiscope build} puts the datasets; else {@code ./.data}.
     */
    static Path defaultDatasetsDir() {
        String env = System.getenv("EISCOPE_DATASETS");
        if (env != null && !env.isEmpty()) return Path.of(env);
        try {
            Path code = Path.of(ServerOptions.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path root = code.getParent()
                    .getParent()
                    .getParent()
                    .getParent(); // target/x -> target -> app -> server -> checkout
            if (Files.isDirectory(root.resolve(".data").resolve("datasets"))) return root.resolve(".data");
        } catch (Exception ignored) {
            // fall back to the working directory
        }
        return Path.of(".data");
    }

    /** Parses the command line (see {@link ServerCommand}); bad flags are errors that say what to fix. */
    public static ServerOptions parse(String[] args) {
        return ServerCommand.parse(args);
    }

    // ---- the settings ----

    /** Address to bind; a non-loopback one needs {@link Auth#TOKEN} (or {@link #insecureNoAuth()}). */
    public String host() {
        return host;
    }

    /** TCP port; 0 picks a free one (the chosen port is printed). */
    public int port() {
        return port;
    }

    /** Where the run record lives (runs.db and checkpoint files); created when missing. */
    public Path dataDir() {
        return dataDir;
    }

    /** Where the record's tables are: the embedded SQLite file of {@link #dataDir()} (the default) or a shared PostgreSQL. */
    public Database store() {
        return store != null ? store : Database.sqlite(dataDir.resolve("runs.db"));
    }

    /** The cluster this server joins, or null for a server on its own. */
    public ClusterOptions cluster() {
        return cluster;
    }

    /** Where {@code ./eiscope build} put the datasets ({@code datasetsDir/datasets/*.eids}); independent of {@link #dataDir()}. */
    public Path datasetsDir() {
        return datasetsDir;
    }

    /** Directory of the built web UI served at {@code /}. */
    public Path webRoot() {
        return webRoot;
    }

    /** Largest gRPC message accepted or sent; bounds uploads such as a spec's initial parameter values. */
    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    /** Create and play the demo simulation at start (unless the record already has runs). */
    public boolean demo() {
        return demo;
    }

    /** Scalars and events one watch stream may hold before merging samples. */
    public int watchQueueFrames() {
        return watchQueueFrames;
    }

    /** A running run is checkpointed every this many steps (0: never by steps): the bound of time travel. */
    public long checkpointEverySteps() {
        return checkpointEverySteps;
    }

    /** ... or every this many seconds of running (0: never by time); also on pause and shutdown. */
    public long checkpointEverySeconds() {
        return checkpointEverySeconds;
    }

    /** Newest checkpoints kept per run (pinned ones, and older ones the time-travel bound needs, are kept too). */
    public int keepCheckpoints() {
        return keepCheckpoints;
    }

    /** New runs are refused once the record uses more (0: no budget). */
    public long diskBudgetMb() {
        return diskBudgetMb;
    }

    /** Memory for recent reconstructions of past steps (time travel); 0 keeps none. */
    public long replayCacheMb() {
        return replayCacheMb;
    }

    public Auth auth() {
        return auth;
    }

    /** The token file ({@link Tokens}); null: {@code dataDir/tokens}, with an admin token generated at first start. */
    public Path tokensFile() {
        return tokensFile != null ? tokensFile : dataDir.resolve("tokens");
    }

    /** Serve a non-loopback address without authentication anyway. */
    public boolean insecureNoAuth() {
        return insecureNoAuth;
    }

    /** Host names the HTTP Host header may carry, beyond loopback names and the bound address (DNS-rebinding guard). */
    public List<String> allowedHosts() {
        return allowedHosts;
    }

    /** PEM certificate chain for TLS on the one port (gRPC, gRPC-Web and the page); null: plaintext. */
    public Path tlsCert() {
        return tlsCert;
    }

    /** PEM private key of {@link #tlsCert()}. */
    public Path tlsKey() {
        return tlsKey;
    }

    /** Serve TLS with a certificate generated once into {@code dataDir/tls} (when no --tls-cert is given). */
    public boolean tlsSelfSigned() {
        return tlsSelfSigned;
    }

    public boolean tls() {
        return tlsCert != null || tlsSelfSigned;
    }

    /**
     * Runs that play at once (play, step, run until); more wait QUEUED, first come first served. The playing
     * ones share one executor thread per core in time slices.
     */
    public int workers() {
        return workers;
    }

    public ServerOptions withWorkers(int n) {
        if (n < 1) throw new IllegalArgumentException("--workers must be >= 1 (runs that play at once), got " + n);
        return with(o -> o.workers = n);
    }

    /** Runs one owner may have at once (all runs, without authentication); 0: no limit. */
    public int maxRunsPerOwner() {
        return maxRunsPerOwner;
    }

    public ServerOptions withMaxRunsPerOwner(int n) {
        if (n < 0) throw new IllegalArgumentException("--max-runs-per-owner must be >= 0 (0: no limit), got " + n);
        return with(o -> o.maxRunsPerOwner = n);
    }

    /** Requests one client (a token's owner, or a remote address without --auth) may make per second, sustained; 0: no limit. */
    public int maxRequestsPerSecond() {
        return maxRequestsPerSecond;
    }

    public ServerOptions withMaxRequestsPerSecond(int n) {
        if (n < 0) throw new IllegalArgumentException("--max-requests-per-second must be >= 0 (0: no limit), got " + n);
        return with(o -> o.maxRequestsPerSecond = n);
    }

    /** Watch streams (and sessions) one HTTP/2 connection may hold open at once; 0: no limit. */
    public int maxWatchStreamsPerConnection() {
        return maxWatchStreamsPerConnection;
    }

    public ServerOptions withMaxWatchStreamsPerConnection(int n) {
        if (n < 0)
            throw new IllegalArgumentException(
                    "--max-watch-streams-per-connection must be >= 0 (0: no limit), got " + n);
        return with(o -> o.maxWatchStreamsPerConnection = n);
    }

    /** Seconds a watch stream may go without the client taking any of its frames before it is disconnected; 0: never. */
    public int stalledReaderSeconds() {
        return stalledReaderSeconds;
    }

    /**
     * Milliseconds a live stream's oldest waiting frame may be behind while the client's transport is full before the
     * backlog is merged (each observable's samples into one, with their count); 0: merge only past the queue's capacity.
     */
    public int maxStreamLagMillis() {
        return maxStreamLagMillis;
    }

    public ServerOptions withMaxStreamLagMillis(int millis) {
        if (millis < 0)
            throw new IllegalArgumentException(
                    "--max-stream-lag-ms must be >= 0 (0: merge only when a stream's queue is full), got " + millis);
        return with(o -> o.maxStreamLagMillis = millis);
    }

    public ServerOptions withStalledReaderSeconds(int seconds) {
        if (seconds < 0)
            throw new IllegalArgumentException(
                    "--stalled-reader-seconds must be >= 0 (0: never disconnect), got " + seconds);
        return with(o -> o.stalledReaderSeconds = seconds);
    }

    /** The memory the runs' estimates may take together, in MiB; 0: the JVM's largest heap. */
    public long memoryBudgetMb() {
        return memoryBudgetMb;
    }

    public ServerOptions withMemoryBudgetMb(long mb) {
        if (mb < 0)
            throw new IllegalArgumentException(
                    "--memory-budget-mb must be >= 0 (0: the JVM's largest heap), got " + mb);
        return with(o -> o.memoryBudgetMb = mb);
    }

    public LogFormat logFormat() {
        return logFormat;
    }

    /** The level of eiscope's own loggers: error, warn, info, debug or trace. */
    public String logLevel() {
        return logLevel;
    }

    public ServerOptions withLogging(LogFormat format, String level) {
        String l = level.trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("error", "warn", "info", "debug", "trace").contains(l))
            throw new IllegalArgumentException(
                    "--log-level must be error, warn, info, debug or trace, got '" + level + "'");
        return with(o -> {
            o.logFormat = format;
            o.logLevel = l;
        });
    }

    public ServerOptions withTlsSelfSigned(boolean selfSigned) {
        if (selfSigned && tlsCert != null)
            throw new IllegalArgumentException("--tls-self-signed and --tls-cert exclude each other: choose one");
        return with(o -> o.tlsSelfSigned = selfSigned);
    }

    // ---- changed copies ----

    public ServerOptions withHost(String h) {
        if (h == null || h.isBlank()) throw new IllegalArgumentException("--host must name an address, e.g. 127.0.0.1");
        return with(o -> o.host = h);
    }

    public ServerOptions withPort(int p) {
        if (p < 0 || p > 65535) throw new IllegalArgumentException("--port must be in [0, 65535], got " + p);
        return with(o -> o.port = p);
    }

    public ServerOptions withDataDir(Path d) {
        return with(o -> o.dataDir = d);
    }

    /** {@code --store}: null or blank for the embedded record, else a PostgreSQL URL ({@link Database#postgresql}). */
    public ServerOptions withStore(String url) {
        Database d = url == null || url.isBlank() ? null : Database.postgresql(url);
        return with(o -> o.store = d);
    }

    /** {@code --cluster}: join the cluster {@code c} (null: none). */
    public ServerOptions withCluster(ClusterOptions c) {
        return with(o -> o.cluster = c);
    }

    public ServerOptions withDatasetsDir(Path d) {
        return with(o -> o.datasetsDir = d);
    }

    public ServerOptions withWebRoot(Path w) {
        return with(o -> o.webRoot = w);
    }

    public ServerOptions withDemo(boolean d) {
        return with(o -> o.demo = d);
    }

    public ServerOptions withMaxMessageBytes(long bytes) {
        if (bytes < 1) throw new IllegalArgumentException("the largest message must be at least 1 byte, got " + bytes);
        return with(o -> o.maxMessageBytes = bytes);
    }

    public ServerOptions withWatchQueueFrames(int frames) {
        if (frames < 1) throw new IllegalArgumentException("watch queue must hold at least 1 frame, got " + frames);
        return with(o -> o.watchQueueFrames = frames);
    }

    public ServerOptions withCheckpoints(long everySteps, long everySeconds, int keep) {
        if (everySteps < 0)
            throw new IllegalArgumentException("--checkpoint-every-steps must be >= 0 (0: off), got " + everySteps);
        if (everySeconds < 0)
            throw new IllegalArgumentException("--checkpoint-every-seconds must be >= 0 (0: off), got " + everySeconds);
        if (keep < 1) throw new IllegalArgumentException("--keep-checkpoints must be >= 1, got " + keep);
        return with(o -> {
            o.checkpointEverySteps = everySteps;
            o.checkpointEverySeconds = everySeconds;
            o.keepCheckpoints = keep;
        });
    }

    public ServerOptions withDiskBudgetMb(long mb) {
        if (mb < 0) throw new IllegalArgumentException("--disk-budget-mb must be >= 0 (0: no budget), got " + mb);
        return with(o -> o.diskBudgetMb = mb);
    }

    public ServerOptions withReplayCacheMb(long mb) {
        if (mb < 0)
            throw new IllegalArgumentException("--replay-cache-mb must be >= 0 (0: keep no reconstruction), got " + mb);
        return with(o -> o.replayCacheMb = mb);
    }

    /** Authentication, with the token file ({@code null}: the data directory's). */
    public ServerOptions withAuth(Auth a, Path tokens) {
        return with(o -> {
            o.auth = a;
            o.tokensFile = tokens;
        });
    }

    public ServerOptions withInsecureNoAuth(boolean insecure) {
        return with(o -> o.insecureNoAuth = insecure);
    }

    public ServerOptions withAllowedHosts(List<String> hosts) {
        return with(o -> o.allowedHosts = List.copyOf(hosts));
    }

    /** TLS from PEM files; both or neither. */
    public ServerOptions withTls(Path cert, Path key) {
        if ((cert == null) != (key == null))
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both PEM files");
        return with(o -> {
            o.tlsCert = cert;
            o.tlsKey = key;
        });
    }

    /**
     * Refuses settings that would expose the runs: a non-loopback address without authentication
     * (unless {@link #insecureNoAuth()}), TLS files that do not exist.
     */
    public ServerOptions checked() {
        if (auth == Auth.NONE && !isLoopback(host) && !insecureNoAuth) {
            throw new IllegalArgumentException(
                    "--host " + host + " makes every run reachable from the network, and authentication is off:"
                            + " add --auth token (a token is generated and printed at start; see docs/security.md), or, on a network you trust"
                            + " completely, --insecure-no-auth");
        }
        if (cluster != null && (store == null || store.dialect() != Database.Dialect.POSTGRESQL))
            throw new IllegalArgumentException(
                    "--cluster needs a record the members share: add --store postgresql://USER@HOST:PORT/DATABASE"
                            + " (and give every member the same --data-dir, where the checkpoint files are)");
        if (cluster != null && tls())
            throw new IllegalArgumentException(
                    "--cluster serves plain gRPC between members: leave out --tls-cert and --tls-self-signed (put TLS"
                            + " in front of the members instead)");
        for (Path p : new Path[] {tlsCert, tlsKey}) {
            if (p != null && !Files.isReadable(p))
                throw new IllegalArgumentException("TLS file " + p + " does not exist or cannot be read");
        }
        return this;
    }

    /** 127.0.0.0/8, ::1 and "localhost". */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }
}

package io.eiscope.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's command line, through picocli: every flag also reads an environment variable
 * ({@code EISCOPE_<FLAG>}, e.g. {@code EISCOPE_PORT}), and {@code @file} reads flags from a file
 * (one per line: a lab's configuration). The command line wins over the environment, which wins
 * over the defaults.
 */
@Command(
        name = "eiscope-server",
        mixinStandardHelpOptions = true,
        version = "eiscope 0.1.0",
        sortOptions = false,
        description =
                "Runs, records and streams Dale's-law network simulations over gRPC, gRPC-Web and a web UI on one port.",
        footer = {
            "",
            "Every option can also be set with an environment variable EISCOPE_<OPTION> (e.g. EISCOPE_PORT=7071,",
            "EISCOPE_AUTH=token), or in a file of options passed as @file. Security: docs/security.md."
        })
final class ServerCommand {
    @Option(
            names = "--host",
            defaultValue = "${env:EISCOPE_HOST:-127.0.0.1}",
            description = "Address to bind (default ${DEFAULT-VALUE}). A non-loopback address needs --auth token.")
    String host;

    @Option(
            names = "--port",
            defaultValue = "${env:EISCOPE_PORT:-7070}",
            description = "TCP port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    String port;

    @Option(
            names = "--data-dir",
            defaultValue = "${env:EISCOPE_DATA_DIR:-.data}",
            description = "Where runs are recorded (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
            names = "--store",
            defaultValue = "${env:EISCOPE_STORE:-}",
            description =
                    "Where the record's tables are: empty for the embedded SQLite file in --data-dir (the default), or"
                            + " postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE for a database several servers share (checkpoint"
                            + " files stay in --data-dir, which they then share too). Prefer EISCOPE_STORE for a URL with a password.")
    String store;

    @Option(
            names = "--datasets",
            defaultValue = "${env:EISCOPE_DATASETS}",
            description = "Where the datasets are (default: the checkout's .data).")
    Path datasets;

    @Option(
            names = "--web-root",
            defaultValue = "${env:EISCOPE_WEB_ROOT:-web-ui/dist}",
            description = "The built web UI (default ${DEFAULT-VALUE}).")
    Path webRoot;

    @Option(
            names = "--demo",
            defaultValue = "${env:EISCOPE_DEMO:-false}",
            description = "Create and play the demo simulation when the record is empty.")
    boolean demo;

    @Option(
            names = "--checkpoint-every-steps",
            defaultValue = "${env:EISCOPE_CHECKPOINT_EVERY_STEPS:-10000}",
            description =
                    "Checkpoint a running run every N steps; also the most steps time travel replays (0: off; default ${DEFAULT-VALUE}).")
    String checkpointEverySteps;

    @Option(
            names = "--checkpoint-every-seconds",
            defaultValue = "${env:EISCOPE_CHECKPOINT_EVERY_SECONDS:-30}",
            description = "... or every S seconds of running (0: off; default ${DEFAULT-VALUE}).")
    String checkpointEverySeconds;

    @Option(
            names = "--keep-checkpoints",
            defaultValue = "${env:EISCOPE_KEEP_CHECKPOINTS:-3}",
            description =
                    "Newest checkpoints kept per run, besides pinned ones and the time-travel bound's (default ${DEFAULT-VALUE}).")
    String keepCheckpoints;

    @Option(
            names = "--disk-budget-mb",
            defaultValue = "${env:EISCOPE_DISK_BUDGET_MB:-0}",
            description = "Refuse new runs once the record is larger (0: no budget; default ${DEFAULT-VALUE}).")
    String diskBudgetMb;

    @Option(
            names = "--replay-cache-mb",
            defaultValue = "${env:EISCOPE_REPLAY_CACHE_MB:-256}",
            description = "Memory for recent reconstructions of past steps (default ${DEFAULT-VALUE}).")
    String replayCacheMb;

    @Option(
            names = "--workers",
            defaultValue = "${env:EISCOPE_WORKERS}",
            description =
                    "Runs that play at once; more wait QUEUED, first come first served (default: 4 per processor, so"
                            + " each playing run gets at least a quarter of a core).")
    String workers;

    @Option(
            names = "--max-runs-per-owner",
            defaultValue = "${env:EISCOPE_MAX_RUNS_PER_OWNER:-1000}",
            description =
                    "Runs one owner may have at once (without --auth: runs in all); 0: no limit (default ${DEFAULT-VALUE}).")
    String maxRunsPerOwner;

    @Option(
            names = "--memory-budget-mb",
            defaultValue = "${env:EISCOPE_MEMORY_BUDGET_MB:-0}",
            description =
                    "Memory the runs may take together by their estimates; a new run beyond it is refused (0: the JVM's heap, -Xmx;"
                            + " default ${DEFAULT-VALUE}).")
    String memoryBudgetMb;

    @Option(
            names = "--max-requests-per-second",
            defaultValue = "${env:EISCOPE_MAX_REQUESTS_PER_SECOND:-1000}",
            description =
                    "gRPC requests one client (a token's owner; without --auth, a remote address) may make per second,"
                            + " in bursts of twice that; 0: no limit (default ${DEFAULT-VALUE}).")
    String maxRequestsPerSecond;

    @Option(
            names = "--max-watch-streams-per-connection",
            defaultValue = "${env:EISCOPE_MAX_WATCH_STREAMS_PER_CONNECTION:-100}",
            description =
                    "Watch streams and sessions one connection may hold open at once; 0: no limit (default ${DEFAULT-VALUE}).")
    String maxWatchStreamsPerConnection;

    @Option(
            names = "--stalled-reader-seconds",
            defaultValue = "${env:EISCOPE_STALLED_READER_SECONDS:-300}",
            description =
                    "Disconnect a watch stream whose client has taken none of its frames for this long; 0: never (default ${DEFAULT-VALUE}).")
    String stalledReaderSeconds;

    @Option(
            names = "--max-stream-lag-ms",
            defaultValue = "${env:EISCOPE_MAX_STREAM_LAG_MS:-100}",
            description =
                    "A live watch whose client cannot keep up stays this close to the present: past it, what"
                            + " waits is merged (each scalar's samples into one, with their count; Watch from_step and the run"
                            + " record keep every value); 0: merge only when the stream's queue is full (default ${DEFAULT-VALUE}).")
    String maxStreamLagMs;

    @Option(
            names = "--log-format",
            defaultValue = "${env:EISCOPE_LOG_FORMAT:-text}",
            description =
                    "text: a line per event with key=value pairs; json: a JSON object per line (default ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(
            names = "--log-level",
            defaultValue = "${env:EISCOPE_LOG_LEVEL:-info}",
            description = "error, warn, info, debug or trace (default ${DEFAULT-VALUE}).")
    String logLevel;

    @Option(
            names = "--auth",
            defaultValue = "${env:EISCOPE_AUTH:-none}",
            description =
                    "none: anyone who reaches the port may do anything (loopback only); token: bearer tokens with roles (default ${DEFAULT-VALUE}).")
    String auth;

    @Option(
            names = "--tokens",
            defaultValue = "${env:EISCOPE_TOKENS}",
            description =
                    "Token file for --auth token (default: <data-dir>/tokens, with an admin token generated at first start).")
    Path tokens;

    @Option(
            names = "--insecure-no-auth",
            defaultValue = "${env:EISCOPE_INSECURE_NO_AUTH:-false}",
            description = "Serve a non-loopback --host without authentication anyway.")
    boolean insecureNoAuth;

    @Option(
            names = "--allowed-hosts",
            split = ",",
            defaultValue = "${env:EISCOPE_ALLOWED_HOSTS}",
            description =
                    "Host names browsers may use to reach this server, besides loopback names and --host (DNS-rebinding guard).")
    List<String> allowedHosts = new ArrayList<>();

    @Option(
            names = "--tls-cert",
            defaultValue = "${env:EISCOPE_TLS_CERT}",
            description = "PEM certificate chain: serve TLS on the one port.")
    Path tlsCert;

    @Option(
            names = "--tls-key",
            defaultValue = "${env:EISCOPE_TLS_KEY}",
            description = "PEM private key of --tls-cert.")
    Path tlsKey;

    @Option(
            names = "--tls-self-signed",
            defaultValue = "${env:EISCOPE_TLS_SELF_SIGNED:-false}",
            description =
                    "Serve TLS with a self-signed certificate, generated once into <data-dir>/tls (clients trust its cert.pem).")
    boolean tlsSelfSigned;

    @Option(
            names = "--cluster",
            defaultValue = "${env:EISCOPE_CLUSTER:-false}",
            description =
                    "Join a cluster of eiscope servers (Vert.x over Hazelcast): any member answers for any run. Needs"
                            + " --store postgresql://... and the same --data-dir on every member (docs/cluster.md).")
    boolean cluster;

    @Option(
            names = "--cluster-host",
            defaultValue = "${env:EISCOPE_CLUSTER_HOST:-127.0.0.1}",
            description =
                    "This member's address for the other members, Hazelcast's and gRPC's (default ${DEFAULT-VALUE}).")
    String clusterHost;

    @Option(
            names = "--cluster-port",
            defaultValue = "${env:EISCOPE_CLUSTER_PORT:-5701}",
            description = "This member's Hazelcast port (default ${DEFAULT-VALUE}).")
    String clusterPort;

    @Option(
            names = "--cluster-members",
            split = ",",
            defaultValue = "${env:EISCOPE_CLUSTER_MEMBERS}",
            description = "The members to join, host:port of their Hazelcast ports (default: this one alone).")
    List<String> clusterMembers = new ArrayList<>();

    @Option(
            names = "--cluster-name",
            defaultValue = "${env:EISCOPE_CLUSTER_NAME:-eiscope}",
            description = "Members join only a cluster of their name (default ${DEFAULT-VALUE}).")
    String clusterName;

    /** The options of {@code args}; an {@link IllegalArgumentException} says what to fix; null when it printed the help or the version. */
    static ServerOptions parse(String[] args) {
        ServerCommand c = new ServerCommand();
        CommandLine cl = new CommandLine(c);
        try {
            CommandLine.ParseResult r = cl.parseArgs(args);
            if (r.isUsageHelpRequested()) {
                cl.usage(System.out);
                return null;
            }
            if (r.isVersionHelpRequested()) {
                cl.printVersionHelp(System.out);
                return null;
            }
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + "; see --help");
        }
        return c.options();
    }

    private ServerOptions options() {
        ServerOptions o = ServerOptions.defaults()
                .withHost(host)
                .withPort((int) number("--port", port, 0, 65535))
                .withDataDir(dataDir)
                .withStore(store)
                .withWebRoot(webRoot)
                .withDemo(demo)
                .withCheckpoints(
                        number("--checkpoint-every-steps", checkpointEverySteps, 0, Long.MAX_VALUE),
                        number("--checkpoint-every-seconds", checkpointEverySeconds, 0, Long.MAX_VALUE),
                        (int) number("--keep-checkpoints", keepCheckpoints, 1, Integer.MAX_VALUE))
                .withDiskBudgetMb(number("--disk-budget-mb", diskBudgetMb, 0, Long.MAX_VALUE >> 20))
                .withReplayCacheMb(number("--replay-cache-mb", replayCacheMb, 0, Long.MAX_VALUE >> 20))
                .withMaxRunsPerOwner((int) number("--max-runs-per-owner", maxRunsPerOwner, 0, Integer.MAX_VALUE))
                .withMemoryBudgetMb(number("--memory-budget-mb", memoryBudgetMb, 0, Long.MAX_VALUE >> 20))
                .withMaxRequestsPerSecond(
                        (int) number("--max-requests-per-second", maxRequestsPerSecond, 0, 1_000_000_000))
                .withMaxWatchStreamsPerConnection((int) number(
                        "--max-watch-streams-per-connection", maxWatchStreamsPerConnection, 0, Integer.MAX_VALUE))
                .withStalledReaderSeconds(
                        (int) number("--stalled-reader-seconds", stalledReaderSeconds, 0, Integer.MAX_VALUE))
                .withMaxStreamLagMillis((int) number("--max-stream-lag-ms", maxStreamLagMs, 0, Integer.MAX_VALUE))
                .withLogging(
                        switch (logFormat.trim().toLowerCase(java.util.Locale.ROOT)) {
                            case "text" -> ServerOptions.LogFormat.TEXT;
                            case "json" -> ServerOptions.LogFormat.JSON;
                            default ->
                                throw new IllegalArgumentException(
                                        "--log-format must be text or json, got '" + logFormat + "'");
                        },
                        logLevel)
                .withAuth(
                        switch (auth.trim().toLowerCase(java.util.Locale.ROOT)) {
                            case "none" -> ServerOptions.Auth.NONE;
                            case "token" -> ServerOptions.Auth.TOKEN;
                            default ->
                                throw new IllegalArgumentException("--auth must be none or token, got '" + auth + "'");
                        },
                        tokens)
                .withInsecureNoAuth(insecureNoAuth)
                .withAllowedHosts(allowedHosts == null ? List.of() : allowedHosts)
                .withTls(tlsCert, tlsKey)
                .withTlsSelfSigned(tlsSelfSigned);
        if (datasets != null) o = o.withDatasetsDir(datasets);
        if (cluster) {
            int cport = (int) number("--cluster-port", clusterPort, 1, 65535);
            List<String> members = clusterMembers == null || clusterMembers.isEmpty()
                    ? List.of(clusterHost + ":" + cport)
                    : clusterMembers.stream().map(String::strip).toList();
            o = o.withCluster(new ClusterOptions(clusterHost.strip(), cport, members, clusterName.strip()));
        }
        if (workers != null) o = o.withWorkers((int) number("--workers", workers, 1, 1_000_000));
        return o.checked();
    }

    private static long number(String flag, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    flag + " must be a whole number in [" + min + ", " + max + "], got '" + v + "'");
        }
        if (n < min || n > max)
            throw new IllegalArgumentException(flag + " must be in [" + min + ", " + max + "], got " + n);
        return n;
    }
}

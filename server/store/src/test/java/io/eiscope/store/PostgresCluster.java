package io.eiscope.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, from Debian's {@code postgresql} package (which {@code ./eiscope test}
 * installs): a cluster of its own in a temporary directory, listening on a free 127.0.0.1 port only, started once per
 * JVM and stopped when the JVM exits. As root it runs as the package's {@code postgres} user ({@code initdb} refuses
 * root). Each test takes a fresh database of it.
 */
public final class PostgresCluster {
    private static final String USER = "eiscope";
    private static PostgresCluster shared;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresCluster(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** The JVM's cluster, started on first use. */
    public static synchronized PostgresCluster shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "postgres-stop"));
        }
        return shared;
    }

    /** A new, empty database, as the URL {@code --store} takes. */
    public String newDatabase() {
        String name = "t" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create a test database: " + e.getMessage(), e);
        }
        return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + name;
    }

    public int port() {
        return port;
    }

    private static PostgresCluster start() {
        Path bin = findBin();
        try {
            Path dir = Files.createTempDirectory("eiscope-pg");
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
            }
            run(
                    bin,
                    root,
                    List.of(
                            "initdb",
                            "-D",
                            dir.resolve("data").toString(),
                            "-A",
                            "trust",
                            "-U",
                            USER,
                            "-E",
                            "UTF8",
                            "--no-locale",
                            "--no-sync"));
            for (int attempt = 1; ; attempt++) {
                int port = freePort();
                try {
                    // fsync off: these databases live for one test run; a killed eiscope server still loses nothing
                    // committed, which is what the tests check.
                    run(
                            bin,
                            root,
                            List.of(
                                    "pg_ctl",
                                    "-D",
                                    dir.resolve("data").toString(),
                                    "-l",
                                    dir.resolve("log").toString(),
                                    "-w",
                                    "-t",
                                    "60",
                                    "-o",
                                    "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                                    "start"));
                    return new PostgresCluster(bin, dir, port);
                } catch (IllegalStateException e) {
                    if (attempt == 3) throw e; // the port was taken meanwhile: try another
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL for the tests: " + e.getMessage(), e);
        }
    }

    private void stop() {
        try {
            run(
                    bin,
                    "root".equals(System.getProperty("user.name")),
                    List.of("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // a temporary directory: the system clears it
            }
        }
    }

    /** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/VERSION/bin). */
    private static Path findBin() {
        Path lib = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(lib)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(
                            b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow();
        } catch (IOException | java.util.NoSuchElementException e) {
            throw new IllegalStateException("PostgreSQL is not installed (no " + lib + "/*/bin/initdb):"
                    + " ./eiscope test installs Debian's postgresql package, or run apt-get install postgresql");
        }
    }

    private static void run(Path bin, boolean root, List<String> command) {
        List<String> argv = new ArrayList<>();
        if (root) argv.addAll(List.of("runuser", "-u", "postgres", "--"));
        argv.add(bin.resolve(command.get(0)).toString());
        argv.addAll(command.subList(1, command.size()));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new IllegalStateException(String.join(" ", argv) + " failed:\n" + out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

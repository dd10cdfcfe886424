package io.eiscope.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Where the run record's tables live: the embedded SQLite file of a data directory (the default), or a PostgreSQL
 * database that several servers share ({@code --store postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE}). Both hold
 * the same tables, keys and bytes; {@link #migrations()} names each one's schema in its own types.
 *
 * @param shown the location without its password, for logs and errors
 */
public record Database(Dialect dialect, String jdbcUrl, Properties credentials, String shown) {
    public enum Dialect {
        SQLITE,
        POSTGRESQL
    }

    private static final String FORM = "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE";

    /** The embedded record in {@code file}. */
    public static Database sqlite(Path file) {
        String path = file.toAbsolutePath().toString();
        return new Database(Dialect.SQLITE, "jdbc:sqlite:" + path, new Properties(), path);
    }

    /**
     * A shared PostgreSQL record, from a libpq-style URL ({@code postgresql://} or {@code postgres://}, query
     * parameters passed to the driver) or a JDBC one ({@code jdbc:postgresql://}).
     *
     * @throws IllegalArgumentException saying what to fix
     */
    public static Database postgresql(String url) {
        String u = url.strip();
        if (u.startsWith("jdbc:postgresql:"))
            return new Database(Dialect.POSTGRESQL, u, new Properties(), withoutQuery(u));
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "the store " + redacted(u) + " is not a URL (" + e.getReason() + "); use " + FORM);
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("postgresql") || scheme.equals("postgres")))
            throw new IllegalArgumentException("the store " + redacted(u) + " is not a PostgreSQL URL; use " + FORM);
        String db = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (uri.getHost() == null || db.isEmpty())
            throw new IllegalArgumentException(
                    "the store " + redacted(u) + " needs a host and a database; use " + FORM);
        Properties credentials = new Properties();
        String userInfo = uri.getUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            credentials.setProperty("user", colon < 0 ? userInfo : userInfo.substring(0, colon));
            if (colon >= 0) credentials.setProperty("password", userInfo.substring(colon + 1));
        }
        String hostPort = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        String jdbc =
                "jdbc:postgresql://" + hostPort + "/" + db + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String user = credentials.getProperty("user");
        return new Database(
                Dialect.POSTGRESQL,
                jdbc,
                credentials,
                "postgresql://" + (user == null ? "" : user + "@") + hostPort + "/" + db);
    }

    /** The Flyway location of this dialect's migrations (the Java ones are shared: they ask the connection). */
    String migrations() {
        return dialect == Dialect.SQLITE ? "classpath:db/migration" : "classpath:db/postgresql";
    }

    /** A new connection, set up for the record (SQLite: foreign keys on, WAL durability, a busy timeout). */
    Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl, credentials);
        if (dialect == Dialect.SQLITE) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA foreign_keys=ON");
                // WAL + NORMAL: a committed transaction survives a crash of the process (kill -9); only a power
                // loss may take the last ones back.
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=10000");
            }
        }
        return c;
    }

    /** True when the connection is to PostgreSQL (for the Java migrations, which Flyway hands a bare connection). */
    static boolean isPostgresql(Connection c) throws SQLException {
        return c.getMetaData()
                .getDatabaseProductName()
                .toLowerCase(java.util.Locale.ROOT)
                .contains("postgres");
    }

    private static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /** The URL with any password replaced, for error messages. */
    private static String redacted(String url) {
        return url.replaceFirst("://([^:/@]*):[^@/]*@", "://$1:***@");
    }

    @Override
    public String toString() {
        return shown;
    }
}

package io.eiscope.app;

import io.vertx.core.http.HttpConnection;
import io.vertx.grpc.common.GrpcStatus;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Long-lived streams (watches and sessions) open on each connection, capped: every one holds a
 * queue of frames, so a client that opens thousands on one connection would hold their memory.
 * A connection's entry goes when its last stream closes. Thread-safe.
 */
final class ConnectionStreams {
    private final int max; // 0: no limit
    private final ConcurrentHashMap<HttpConnection, Integer> open = new ConcurrentHashMap<>();

    ConnectionStreams(int max) {
        this.max = max;
    }

    /**
     * Counts a new stream on {@code connection}, or refuses it with RESOURCE_EXHAUSTED when the
     * connection holds its maximum. Each successful call must be matched by one {@link #close}.
     */
    void open(HttpConnection connection) {
        boolean[] refused = {false};
        open.compute(connection, (c, n) -> {
            int now = n == null ? 0 : n;
            if (max > 0 && now >= max) {
                refused[0] = true;
                return n;
            }
            return now + 1;
        });
        if (refused[0])
            throw new ApiException(
                    GrpcStatus.RESOURCE_EXHAUSTED,
                    "this connection already holds " + max
                            + " watch streams and sessions: close some first (a watch ends when its call is cancelled), or raise the server's"
                            + " --max-watch-streams-per-connection");
    }

    void close(HttpConnection connection) {
        open.computeIfPresent(connection, (c, n) -> n <= 1 ? null : n - 1);
    }

    /** Streams open on {@code connection} (for tests). */
    int count(HttpConnection connection) {
        return open.getOrDefault(connection, 0);
    }

    /** Connections with a stream open. */
    int connections() {
        return open.size();
    }
}

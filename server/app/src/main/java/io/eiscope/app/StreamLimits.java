package io.eiscope.app;

/**
 * What bounds the server's long-lived streams and its callers: each subscription's queue of
 * frames, how long a reader may take nothing before it is disconnected, how far behind a live
 * stream may fall before its backlog is merged, how many subscriptions
 * one connection may hold, and each client's request rate (null: no limit).
 */
record StreamLimits(
        int queueFrames,
        long stalledReaderMillis,
        long maxLagMillis,
        ConnectionStreams perConnection,
        RequestRates rates) {
    static StreamLimits of(ServerOptions o) {
        return new StreamLimits(
                o.watchQueueFrames(),
                o.stalledReaderSeconds() * 1000L,
                o.maxStreamLagMillis(),
                new ConnectionStreams(o.maxWatchStreamsPerConnection()),
                RequestRates.of(o.maxRequestsPerSecond()));
    }
}

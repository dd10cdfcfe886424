package io.eiscope.app;

/**
 * What bounds the server's long-lived streams and its callers: each subscription's queue of
 * frames, how long a reader may take nothing before it is disconnected, how many subscriptions
 * one connection may hold, and each client's request rate (null: no limit).
 */
record StreamLimits(int queueFrames, long stalledReaderMillis, ConnectionStreams perConnection, RequestRates rates) {
    static StreamLimits of(ServerOptions o) {
        return new StreamLimits(
                o.watchQueueFrames(),
                o.stalledReaderSeconds() * 1000L,
                new ConnectionStreams(o.maxWatchStreamsPerConnection()),
                RequestRates.of(o.maxRequestsPerSecond()));
    }
}

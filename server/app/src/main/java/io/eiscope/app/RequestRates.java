package io.eiscope.app;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The per-client request rate: a token bucket per client (a token's owner, or a remote address
 * without authentication) that refills at {@code perSecond} and holds at most two seconds' worth,
 * so a burst (a page loading, a notebook cell listing runs) passes and a flood does not. Buckets
 * of clients gone quiet are dropped, so the table stays small. Thread-safe.
 */
final class RequestRates {
    /** Above this many clients, full buckets (clients idle long enough to be refilled) are dropped. */
    static final int MAX_IDLE_CLIENTS = 10_000;

    private final double perNano;
    private final double burst;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile long lastSweepNanos;

    private static final class Bucket {
        double tokens;
        long lastNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.lastNanos = now;
        }
    }

    /** {@code perSecond} > 0; see {@link #of} for "no limit". */
    RequestRates(int perSecond, LongSupplier clock) {
        if (perSecond <= 0) throw new IllegalArgumentException("a rate must be > 0, got " + perSecond);
        this.perNano = perSecond / 1e9;
        this.burst = 2.0 * perSecond;
        this.clock = clock;
    }

    /** The server's limiter; null when {@code perSecond} is 0 (no limit). */
    static RequestRates of(int perSecond) {
        return perSecond == 0 ? null : new RequestRates(perSecond, System::nanoTime);
    }

    int perSecond() {
        return (int) Math.round(perNano * 1e9);
    }

    /** Takes one request from {@code client}'s bucket: 0 when it may go ahead, else the nanoseconds until it could. */
    long admit(String client) {
        long now = clock.getAsLong();
        // At most one sweep a second: with that many clients all active, a sweep per request would cost O(clients)
        // each.
        if (buckets.size() > MAX_IDLE_CLIENTS && now - lastSweepNanos >= 1_000_000_000L) {
            lastSweepNanos = now;
            dropIdle(now);
        }
        Bucket b = buckets.computeIfAbsent(client, k -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.lastNanos) * perNano);
            b.lastNanos = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - b.tokens) / perNano);
        }
    }

    /** The message of a refusal: which limit, how long to wait, and how to raise it. */
    String refusal(String client, long waitNanos) {
        return client + " made more than " + perSecond() + " requests a second (bursts of " + (long) burst
                + "): retry in " + Math.max(1, waitNanos / 1_000_000) + " ms, or raise --max-requests-per-second";
    }

    int clients() {
        return buckets.size();
    }

    private void dropIdle(long now) {
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return e.getValue().tokens + (now - e.getValue().lastNanos) * perNano >= burst;
            }
        });
    }
}

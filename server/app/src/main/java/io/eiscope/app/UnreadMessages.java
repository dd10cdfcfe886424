package io.eiscope.app;

/**
 * The messages of one Session subscription sent and said read, for its
 * {@code max_unread_messages}: once that many are unread, the subscription waits for a read as
 * it waits for a drain of a full transport. Confined to the session's event loop.
 */
final class UnreadMessages {
    private final long limit; // 0: no limit
    private long sent;
    private long read;
    private Runnable waiting;

    UnreadMessages(long limit) {
        this.limit = limit;
    }

    /** Whether the subscription set max_unread_messages (reads are for those that did). */
    boolean limited() {
        return limit > 0;
    }

    /** True while the client has {@code max_unread_messages} or more messages it has not said it read. */
    boolean full() {
        return limit > 0 && sent - read >= limit;
    }

    /** Counts a message of frames written to the client. */
    void wrote() {
        sent++;
    }

    /** Runs {@code action} once, at the read that leaves room (replacing an action waiting before). */
    void onRoom(Runnable action) {
        waiting = action;
    }

    /**
     * The client read the first {@code total} messages. A lower total than before is ignored (reads overtaken by
     * later ones); one above the messages sent is refused with what to fix.
     */
    void read(long subscriptionId, long total) {
        if (Long.compareUnsigned(total, sent) > 0) // a uint64 on the wire
        throw ApiException.invalid(
                    "read says " + Long.toUnsignedString(total) + " messages of subscription " + subscriptionId
                            + " were read, but " + sent + " were sent; send the running total of messages received");
        if (total <= read) return;
        read = total;
        if (waiting != null && !full()) {
            Runnable action = waiting;
            waiting = null;
            action.run();
        }
    }
}

package io.eiscope.client;

import java.nio.file.Path;
import java.util.Map;

/**
 * How {@link EiscopeClient#connect(String, int, ConnectOptions)} reaches a server: plaintext or
 * TLS, the certificates TLS trusts, and the bearer token. A server started with {@code --auth
 * token} wants {@code authorization: Bearer <token>} on every call; one started with
 * {@code --tls-cert}/{@code --tls-self-signed} speaks TLS only. Immutable: each {@code with...}
 * returns a changed copy; {@link #toString()} says whether a token is set, never which.
 */
public final class ConnectOptions {
    /** The environment variable {@link #defaults()} reads the token from. */
    public static final String TOKEN_ENV = "EISCOPE_TOKEN";

    private final String token; // null: none
    private final boolean tls;
    private final Path trustedCertificates; // null: the JVM's trust store
    private final int liveWindowBytes; // 0: live watches share the channel and its window
    private final int liveUnreadMessages; // 0: live watches are Watch calls

    /** The smallest window {@link #withLiveWindow} takes: below it every small frame costs a round trip. */
    public static final int MIN_LIVE_WINDOW_BYTES = 1024;

    private ConnectOptions(
            String token, boolean tls, Path trustedCertificates, int liveWindowBytes, int liveUnreadMessages) {
        this.token = token;
        this.tls = tls;
        this.trustedCertificates = trustedCertificates;
        this.liveWindowBytes = liveWindowBytes;
        this.liveUnreadMessages = liveUnreadMessages;
    }

    /**
     * Plaintext, with the token in $EISCOPE_TOKEN if it is set (none otherwise).
     *
     * @return the options
     */
    public static ConnectOptions defaults() {
        return fromEnvironment(System.getenv());
    }

    static ConnectOptions fromEnvironment(Map<String, String> env) {
        return new ConnectOptions(null, false, null, 0, 0).withToken(env.get(TOKEN_ENV));
    }

    /**
     * Sends {@code authorization: Bearer <token>} with every call, streams and sessions included;
     * null or blank: no token. Without TLS the token crosses the network readable: use TLS
     * beyond loopback. A server without {@code --auth} ignores it.
     *
     * @param token the token; null or blank: none
     * @return a copy with that token
     * @throws IllegalArgumentException for a token with whitespace inside (no server token has any)
     */
    public ConnectOptions withToken(String token) {
        String t = token == null ? "" : token.strip();
        if (t.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(
                    "a token has no whitespace inside; check what was passed to withToken or $" + TOKEN_ENV);
        }
        return new ConnectOptions(
                t.isEmpty() ? null : t, tls, trustedCertificates, liveWindowBytes, liveUnreadMessages);
    }

    /**
     * TLS trusting the JVM's trust store (a certificate from a public authority, or one installed there).
     *
     * @return a copy speaking TLS
     */
    public ConnectOptions withTls() {
        return new ConnectOptions(token, true, trustedCertificates, liveWindowBytes, liveUnreadMessages);
    }

    /**
     * TLS trusting the PEM certificates in {@code pem} instead of the JVM's trust store, e.g. the
     * {@code <data-dir>/tls/cert.pem} a {@code --tls-self-signed} server generated. The file is
     * read when connecting.
     *
     * @param pem a PEM file of one or more certificates
     * @return a copy speaking TLS, trusting those certificates
     * @throws IllegalArgumentException when {@code pem} is null
     */
    public ConnectOptions withTrustedCertificates(Path pem) {
        if (pem == null)
            throw new IllegalArgumentException(
                    "withTrustedCertificates needs a PEM file; withTls() trusts the JVM's trust store");
        return new ConnectOptions(token, true, pem, liveWindowBytes, liveUnreadMessages);
    }

    /**
     * The bearer token.
     *
     * @return the token, or null for none
     */
    public String token() {
        return token;
    }

    /**
     * Whether the connection speaks TLS.
     *
     * @return true for TLS, false for plaintext
     */
    public boolean tls() {
        return tls;
    }

    /**
     * The certificates TLS trusts.
     *
     * @return the PEM file, or null: the JVM's trust store (or plaintext, see {@link #tls()})
     */
    public Path trustedCertificates() {
        return trustedCertificates;
    }

    /**
     * Opens live watches (a {@link EiscopeClient#watch} without {@code from_step}) on a second
     * channel whose streams each hold at most {@code bytes}, plus the message being read, between
     * server and client: HTTP/2's flow-control window fixed at that size. grpc-java's own window
     * starts at 1 MiB and grows with the bandwidth-delay product. A client slower than its stream
     * then reads recent frames, the server merging what waits (with counts), instead of frames
     * that aged in buffers; see docs/benchmarks.md, "A bounded window for live watches". Watches
     * from a step promise every value and keep the main channel.
     *
     * @param bytes the window, at least {@link #MIN_LIVE_WINDOW_BYTES}; 0: no second channel
     * @return a copy with that window
     * @throws IllegalArgumentException for a window between 1 and 1023 bytes, or negative
     */
    public ConnectOptions withLiveWindow(int bytes) {
        if (bytes != 0 && bytes < MIN_LIVE_WINDOW_BYTES)
            throw new IllegalArgumentException("a live window of " + bytes + " bytes is below "
                    + MIN_LIVE_WINDOW_BYTES + ": use at least " + MIN_LIVE_WINDOW_BYTES
                    + ", or 0 for grpc-java's own (growing) window");
        return new ConnectOptions(token, tls, trustedCertificates, bytes, liveUnreadMessages);
    }

    /**
     * The live watches' window.
     *
     * @return bytes, or 0: live watches share the client's channel
     */
    public int liveWindowBytes() {
        return liveWindowBytes;
    }

    /**
     * Opens each live watch (a {@link EiscopeClient#watch} without {@code from_step}) as a Session subscription whose
     * server sends at most {@code messages} messages the client has not read; the watch says it read a message when
     * its loop comes back for the next one. However slow the consumer, what it reads next is then at most about that
     * many messages old, and samples that waited are merged by the server into their observable's newest ({@code
     * merged_count} says how many). It bounds what a byte window cannot: the messages between run and reader.
     *
     * @param messages at least 1 (the freshest); 0: live watches are plain Watch calls
     * @return a copy with that limit
     * @throws IllegalArgumentException for a negative number
     */
    public ConnectOptions withLiveUnreadMessages(int messages) {
        if (messages < 0)
            throw new IllegalArgumentException("live unread messages is a number of messages from 1 (the freshest),"
                    + " or 0 for plain Watch calls; got " + messages);
        return new ConnectOptions(token, tls, trustedCertificates, liveWindowBytes, messages);
    }

    /**
     * The live watches' limit of unread messages.
     *
     * @return messages, or 0: live watches are plain Watch calls
     */
    public int liveUnreadMessages() {
        return liveUnreadMessages;
    }

    @Override
    public String toString() {
        return "ConnectOptions[tls=" + tls + ", trustedCertificates=" + trustedCertificates + ", token="
                + (token == null ? "none" : "set") + ", liveWindowBytes=" + liveWindowBytes + ", liveUnreadMessages="
                + liveUnreadMessages + "]";
    }
}

package io.eiscope.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLHandshakeException;

/**
 * How a client reaches its server: the channel {@link ConnectOptions} describe, the token on
 * every call, and a status that says what to do when TLS does not trust the server's
 * certificate (grpc-java reports only "UNAVAILABLE: io exception", the reason in its cause).
 */
final class Connection {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private Connection() {}

    /** A new channel to {@code host:port}, plaintext or TLS as {@code options} say; the caller shuts it down. */
    static ManagedChannel open(String host, int port, ConnectOptions options, int maxInboundMessageBytes) {
        return Grpc.newChannelBuilderForAddress(host, port, credentials(options))
                .maxInboundMessageSize(maxInboundMessageBytes)
                .build();
    }

    /**
     * A new channel like {@link #open}'s whose streams each hold at most {@code options.liveWindowBytes()}
     * in flight (a fixed HTTP/2 window, no auto-tuning); the caller shuts it down.
     */
    static ManagedChannel openLive(String host, int port, ConnectOptions options, int maxInboundMessageBytes) {
        return io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress(host, port, credentials(options))
                .flowControlWindow(options.liveWindowBytes())
                .maxInboundMessageSize(maxInboundMessageBytes)
                .build();
    }

    private static ChannelCredentials credentials(ConnectOptions options) {
        if (!options.tls()) return InsecureChannelCredentials.create();
        if (options.trustedCertificates() == null) return TlsChannelCredentials.create();
        Path file = options.trustedCertificates();
        byte[] pem;
        try {
            pem = Files.readAllBytes(file);
            // grpc-java would say only "No certificate data found", when the channel is built.
            if (CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem))
                    .isEmpty()) throw new CertificateException("no certificate in it");
            return TlsChannelCredentials.newBuilder()
                    .trustManager(new ByteArrayInputStream(pem))
                    .build();
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException(
                    "the trusted certificates " + file + " cannot be read as PEM certificates: " + e, e);
        }
    }

    /** {@code channel} as calls use it: with the token of {@code options}, and a status saying what to trust when TLS does not trust the server. */
    static Channel forCalls(ManagedChannel channel, ConnectOptions options) {
        return withToken(explainingUntrustedCertificates(channel), options.token());
    }

    /** {@code channel} sending {@code authorization: Bearer <token>} with every call; {@code channel} itself when the token is null. */
    static Channel withToken(Channel channel, String token) {
        if (token == null) return channel;
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return ClientInterceptors.intercept(channel, io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** {@code channel} whose calls fail with a description saying what to trust when the TLS handshake rejects the server's certificate. */
    static Channel explainingUntrustedCertificates(Channel channel) {
        return ClientInterceptors.intercept(channel, new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(
                    MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
                    @Override
                    public void start(Listener<R> listener, Metadata metadata) {
                        super.start(
                                new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                                    @Override
                                    public void onClose(Status status, Metadata trailers) {
                                        super.onClose(explained(status), trailers);
                                    }
                                },
                                metadata);
                    }
                };
            }
        });
    }

    /** {@code status}, or when it is a handshake that failed on the server's certificate, one saying what to trust. */
    static Status explained(Status status) {
        if (status.getCode() != Status.Code.UNAVAILABLE) return status;
        String handshake = null;
        for (Throwable c = status.getCause(); c != null; c = c.getCause()) {
            if (c instanceof SSLHandshakeException) handshake = c.getMessage();
            boolean certificate = c instanceof CertificateException
                    || c instanceof CertPathBuilderException
                    || c instanceof CertPathValidatorException;
            if (handshake != null && certificate) {
                return status.withDescription(
                        "the server's TLS certificate is not trusted (" + handshake + "): connect with "
                                + "ConnectOptions.withTrustedCertificates(<its certificate, PEM>) (a --tls-self-signed server writes "
                                + "<data-dir>/tls/cert.pem), or install it in the JVM's trust store");
            }
        }
        return status;
    }
}

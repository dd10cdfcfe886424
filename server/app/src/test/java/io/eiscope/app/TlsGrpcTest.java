package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.GetCatalogueRequest;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * TLS on the one port with a self-signed certificate generated into the data directory: gRPC
 * (HTTP/2 by ALPN) and the page over HTTPS from clients that trust the certificate file; a
 * plaintext client gets nothing; the certificate is kept for the next start.
 */
class TlsGrpcTest {
    @Test
    void gRpcAndThePageAreServedOverTlsWithTheGeneratedCertificate() throws Exception {
        Path data = Files.createTempDirectory("eiscope-tls");
        String fingerprint;
        try (LiveServer live = LiveServer.start(o -> o.withDataDir(data).withTlsSelfSigned(true))) {
            Path cert = live.server.tlsCertificate();
            assertThat(cert).isEqualTo(data.resolve("tls").resolve("cert.pem"));
            assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
            fingerprint = SelfSignedTls.fingerprint(cert);
            ManagedChannel tls = NettyChannelBuilder.forAddress("127.0.0.1", live.port)
                    .sslContext(GrpcSslContexts.forClient()
                            .trustManager(cert.toFile())
                            .build())
                    .build();
            try {
                assertThat(SimulationServiceGrpc.newBlockingStub(tls)
                                .withDeadlineAfter(20, TimeUnit.SECONDS)
                                .getCatalogue(GetCatalogueRequest.getDefaultInstance())
                                .getCatalogue()
                                .getModelsCount())
                        .isPositive();
            } finally {
                tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            try {
                live.stub()
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .getCatalogue(GetCatalogueRequest.getDefaultInstance());
                throw new AssertionError("a plaintext call to a TLS port was answered");
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode())
                        .isIn(Status.Code.UNAVAILABLE, Status.Code.INTERNAL, Status.Code.DEADLINE_EXCEEDED);
            }
            HttpResponse<String> page = HttpClient.newBuilder()
                    .sslContext(trusting(cert))
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + live.port + "/"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
        try (LiveServer again = LiveServer.start(o -> o.withDataDir(data).withTlsSelfSigned(true))) {
            assertThat(SelfSignedTls.fingerprint(again.server.tlsCertificate()))
                    .as("kept, not regenerated")
                    .isEqualTo(fingerprint);
        }
    }

    static SSLContext trusting(Path pem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            ks.setCertificateEntry(
                    "eiscope", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}

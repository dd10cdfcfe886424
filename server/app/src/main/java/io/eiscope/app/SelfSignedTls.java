package io.eiscope.app;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate for a lab network ({@code --tls-self-signed}): an EC P-256 key and a
 * certificate valid for a year for localhost, 127.0.0.1, ::1 and the names given, written once as
 * PEM into a directory ({@code cert.pem}, and {@code key.pem} readable by its owner only) and
 * reused at later starts. Clients trust it by its file (the SDKs' CA option) or its SHA-256
 * fingerprint, which the server prints.
 */
final class SelfSignedTls {
    private SelfSignedTls() {}

    record Pem(Path cert, Path key) {}

    /** The certificate and key in {@code dir}, generated first when missing. */
    static Pem ensure(Path dir, List<String> names) {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        if (Files.exists(cert) && Files.exists(key)) return new Pem(cert, key);
        try {
            Files.createDirectories(dir);
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256, new SecureRandom());
            KeyPair pair = g.generateKeyPair();
            Set<String> all = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
            all.addAll(names);
            List<GeneralName> san = new ArrayList<>();
            for (String n : all)
                san.add(new GeneralName(isAddress(n) ? GeneralName.iPAddress : GeneralName.dNSName, n));
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=eiscope (self-signed)");
            var builder = new JcaX509v3CertificateBuilder(
                            subject,
                            new BigInteger(64, new SecureRandom()),
                            Date.from(now.minus(Duration.ofMinutes(5))),
                            Date.from(now.plus(Duration.ofDays(365))),
                            subject,
                            pair.getPublic())
                    .addExtension(
                            Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(new GeneralName[0])))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate x509 = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            Files.writeString(cert, pem(x509));
            Files.deleteIfExists(key);
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), null)));
            return new Pem(cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write a self-signed certificate into " + dir + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate a self-signed certificate: " + e, e);
        }
    }

    /** The SHA-256 fingerprint of the PEM certificate in {@code cert}, as AA:BB:... */
    static String fingerprint(Path cert) {
        try (var in = Files.newInputStream(cert)) {
            var c = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
            return HexFormat.ofDelimiter(":")
                    .withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the certificate " + cert + ": " + e.getMessage(), e);
        }
    }

    private static boolean isAddress(String n) {
        if (!n.matches("[0-9.]+") && !n.contains(":")) return false;
        try {
            InetAddress.getByName(n); // a literal: no lookup
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }
}

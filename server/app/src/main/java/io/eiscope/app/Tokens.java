package io.eiscope.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bearer tokens a server accepts, read from a text file: one token a line, as
 * {@code <token> <role> <owner>} (role: read, steer or admin; {@code #} starts a comment). When the
 * file does not exist, one admin token is generated into it (readable by its owner only) at
 * first start. Tokens are looked up by their SHA-256, so a lookup takes the same time whatever
 * prefix a guess shares with a real token. Immutable.
 */
final class Tokens {
    static final int MIN_LENGTH = 16;

    private final Map<String, Caller> byDigest;
    private final String generated; // the admin token written at first start; null when the file existed

    private Tokens(Map<String, Caller> byDigest, String generated) {
        this.byDigest = byDigest;
        this.generated = generated;
    }

    /** Reads {@code file}, or creates it with a new admin token when it does not exist. */
    static Tokens loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                String token = newToken();
                Files.createDirectories(file.toAbsolutePath().getParent());
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.deleteIfExists(tmp);
                Files.createFile(
                        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(
                        tmp,
                        "# eiscope tokens: <token> <role: read|steer|admin> <owner>, one per line\n" + token
                                + " admin admin\n");
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                return new Tokens(parse(file, Files.readAllLines(file)), token);
            }
            return new Tokens(parse(file, Files.readAllLines(file)), null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the token file " + file + ": " + e.getMessage(), e);
        }
    }

    static Map<String, Caller> parse(Path file, List<String> lines) {
        Map<String, Caller> out = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s+", -1);
            String where = file + " line " + (i + 1);
            if (f.length != 3)
                throw new IllegalArgumentException(
                        where + ": expected '<token> <role> <owner>', got " + f.length + " fields");
            if (f[0].length() < MIN_LENGTH)
                throw new IllegalArgumentException(
                        where + ": a token must have at least " + MIN_LENGTH + " characters");
            Caller.Role role;
            try {
                role = Caller.Role.valueOf(f[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": role must be read, steer or admin, got '" + f[1] + "'");
            }
            if (out.put(digest(f[0]), new Caller(f[2], role)) != null)
                throw new IllegalArgumentException(where + ": the token appears twice");
        }
        if (out.isEmpty())
            throw new IllegalArgumentException(file + " holds no token: add a line '<token> admin <owner>'");
        return out;
    }

    /** The caller an {@code authorization} header value names, or null (missing, malformed or unknown token). */
    Caller caller(String authorization) {
        if (authorization == null) return null;
        String a = authorization.strip();
        if (a.length() < 7 || !a.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        return byToken(a.substring(7).strip());
    }

    /** The caller a bare token names, or null. */
    Caller byToken(String token) {
        return token == null || token.isEmpty() ? null : byDigest.get(digest(token));
    }

    /** The admin token generated at this start, or null. */
    String generated() {
        return generated;
    }

    static String newToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String digest(String token) {
        try {
            return Base64.getEncoder()
                    .encodeToString(
                            MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

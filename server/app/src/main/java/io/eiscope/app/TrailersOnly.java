package io.eiscope.app;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.charset.StandardCharsets;

/** Answers a gRPC or gRPC-Web request with a status alone, before the gRPC server sees it. */
final class TrailersOnly {
    private TrailersOnly() {}

    static void answer(HttpServerRequest req, GrpcStatus status, String message, String... headerNamesAndValues) {
        String contentType = req.getHeader("content-type");
        String base = contentType == null
                ? "application/grpc"
                : contentType.startsWith("application/grpc-web-text")
                        ? "application/grpc-web-text"
                        : contentType.startsWith("application/grpc-web")
                                ? "application/grpc-web+proto"
                                : "application/grpc";
        var response = req.response()
                .setStatusCode(200)
                .putHeader("content-type", base)
                .putHeader("grpc-status", String.valueOf(status.code))
                .putHeader("grpc-message", percentEncode(ApiException.bounded(message)));
        for (int i = 0; i + 1 < headerNamesAndValues.length; i += 2)
            response.putHeader(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
        response.end();
    }

    /** grpc-message is percent-encoded (the gRPC HTTP/2 spec). */
    static String percentEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') out.append((char) c);
            else out.append('%').append(String.format("%02X", c));
        }
        return out.toString();
    }
}

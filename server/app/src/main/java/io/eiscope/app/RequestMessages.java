package io.eiscope.app;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServerRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Request messages read off the wire by eiscope itself rather than by the gRPC library, so that
 * every malformed request gets a status that says what is wrong: an undecodable message, an
 * empty body or one that ends inside a message, too many messages for a unary call, a compression
 * the server does not speak, a gzip body that does not inflate or inflates past the message limit
 * (inflated on a worker, never the event loop, and never past the limit).
 */
final class RequestMessages {
    /** The compressions a request may use. */
    static final String ACCEPTED_ENCODINGS = "gzip,identity";

    private final Vertx vertx;
    private final long maxMessageBytes;

    RequestMessages(Vertx vertx, long maxMessageBytes) {
        this.vertx = vertx;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Checks a gRPC request's compression before the gRPC server sees it. An unsupported
     * {@code grpc-encoding} is answered UNIMPLEMENTED (with {@code grpc-accept-encoding}) at once and
     * true returned; a missing one is made explicit ("identity"), so that a message flagged
     * compressed without an encoding fails to decode (INVALID_ARGUMENT) instead of breaking the
     * library's deframer.
     */
    static boolean refusedEncoding(HttpServerRequest req) {
        String contentType = req.getHeader("content-type");
        if (contentType == null || !contentType.startsWith("application/grpc")) return false;
        String encoding = req.getHeader("grpc-encoding");
        if (encoding == null) {
            req.headers().set("grpc-encoding", "identity");
            return false;
        }
        String e = encoding.trim().toLowerCase(Locale.ROOT);
        if (e.equals("identity") || e.equals("gzip")) return false;
        TrailersOnly.answer(
                req,
                GrpcStatus.UNIMPLEMENTED,
                "grpc-encoding '" + abbreviate(encoding) + "' is not supported; send "
                        + ACCEPTED_ENCODINGS.replace(",", " or "),
                "grpc-accept-encoding",
                ACCEPTED_ENCODINGS);
        return true;
    }

    /**
     * The one request message of a unary or server-streaming call: fails with INVALID_ARGUMENT
     * when the body holds none (empty, or it ends inside a message), or more than one, or it does
     * not decode as {@code prototype}'s type; RESOURCE_EXHAUSTED past the size limit.
     */
    <T extends Message> Future<T> one(GrpcServerRequest<T, ?> req, T prototype) {
        Promise<GrpcMessage> received = Promise.promise();
        GrpcMessage[] first = {null};
        int[] count = {0};
        req.messageHandler(m -> {
            if (count[0]++ == 0) first[0] = m;
        });
        req.invalidMessageHandler(invalid -> received.tryFail(
                invalid instanceof MessageSizeOverflowException o
                        ? new ApiException(
                                GrpcStatus.RESOURCE_EXHAUSTED,
                                "the request message is " + o.messageSize() + " bytes; this server accepts at most "
                                        + maxMessageBytes + " per message (initial_parameters count toward it)")
                        : ApiException.invalid("the request message could not be read")));
        req.exceptionHandler(received::tryFail); // the client reset the stream: nobody to answer
        req.endHandler(v -> {
            if (count[0] == 0) {
                received.tryFail(
                        ApiException.invalid(
                                "the request carries no " + typeName(prototype)
                                        + " message: its body is empty or ends inside a message (a length prefix longer than the data that follows)"));
            } else if (count[0] > 1) {
                received.tryFail(ApiException.invalid(
                        "this method takes one " + typeName(prototype) + " message; the request carries " + count[0]));
            } else {
                received.tryComplete(first[0]);
            }
        });
        return received.future().compose(m -> decode(m, prototype));
    }

    /** Decodes one message as {@code prototype}'s type (gzip inflated on a worker, bounded by the message limit). */
    <T extends Message> Future<T> decode(GrpcMessage m, T prototype) {
        String encoding = m.encoding() == null ? "identity" : m.encoding().toLowerCase(Locale.ROOT);
        return switch (encoding) {
            case "identity" -> {
                try {
                    yield Future.succeededFuture(parse(m.format(), m.payload().getBytes(), prototype));
                } catch (ApiException e) {
                    yield Future.failedFuture(e);
                }
            }
            case "gzip" ->
                vertx.executeBlocking(
                        () -> parse(m.format(), inflate(m.payload().getBytes()), prototype), false);
            default ->
                Future.failedFuture(new ApiException(
                        GrpcStatus.UNIMPLEMENTED,
                        "grpc-encoding '" + abbreviate(encoding) + "' is not supported; send "
                                + ACCEPTED_ENCODINGS.replace(",", " or ")));
        };
    }

    private byte[] inflate(byte[] gzip) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            byte[] out = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxMessageBytes + 1));
            if (out.length > maxMessageBytes)
                throw new ApiException(
                        GrpcStatus.RESOURCE_EXHAUSTED,
                        "the gzip request message inflates past " + maxMessageBytes
                                + " bytes, the most this server accepts per message");
            return out;
        } catch (IOException e) {
            throw ApiException.invalid("the request message is flagged gzip but does not inflate: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Message> T parse(WireFormat format, byte[] bytes, T prototype) {
        try {
            if (format == WireFormat.JSON) {
                Message.Builder b = prototype.newBuilderForType();
                JsonFormat.parser().merge(new String(bytes, StandardCharsets.UTF_8), b);
                return (T) b.build();
            }
            return (T) prototype.getParserForType().parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.invalid("the request message does not decode as " + typeName(prototype) + ": "
                    + abbreviate(e.getMessage()) + " (if it is compressed, say so with grpc-encoding: gzip)");
        }
    }

    private static String typeName(Message prototype) {
        return prototype.getDescriptorForType().getFullName();
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}

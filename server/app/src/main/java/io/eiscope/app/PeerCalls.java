package io.eiscope.app;

import com.google.protobuf.Message;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;

/**
 * Calls from this member to the member that owns a run: the same method with the same request and the caller's
 * authorization, marked as routed (the owner answers it itself and never routes it on). Answers and stream frames
 * come back as they are, statuses and messages included; a member that does not answer is UNAVAILABLE.
 */
final class PeerCalls {
    /** The header that marks a call routed by a member; its value is the cluster's secret. */
    static final String ROUTED = "eiscope-routed";

    /**
     * With {@link #ROUTED}: a call a member makes itself, for a sweep, on behalf of the sweep's owner (the run is made
     * for them); never taken from a client, whose calls carry their own authorization.
     */
    static final String ON_BEHALF_OF = "eiscope-on-behalf-of";

    private final GrpcClient client;
    private final String secret;

    PeerCalls(Vertx vertx, long maxMessageBytes, String secret) {
        this.secret = secret;
        this.client = GrpcClient.client(
                vertx,
                new GrpcClientOptions().setMaxMessageSize(maxMessageBytes),
                new HttpClientOptions()
                        .setProtocolVersion(HttpVersion.HTTP_2)
                        .setHttp2ClearTextUpgrade(false)
                        .setHttp2MultiplexingLimit(1_000)
                        .setConnectTimeout(2_000));
    }

    /** True when {@code headers} come with a call a member routed here (with this cluster's secret). */
    boolean routed(MultiMap headers) {
        String v = headers.get(ROUTED);
        return v != null
                && java.security.MessageDigest.isEqual(
                        v.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code method} of the simulation service on the member at {@code to}: its one answer, or its status as a failure. */
    <Req extends Message, Resp extends Message> Future<Resp> unary(
            SocketAddress to, String method, Req request, Resp prototype, MultiMap headers) {
        return client.request(to, PeerCalls.<Req, Resp>method(method, prototype))
                .compose(call -> {
                    copy(headers, call.headers());
                    // The answer's handlers are set in the callback that receives it: chained a step later, the
                    // callback can run as a later task, after a one-frame (trailers-only) answer has already ended,
                    // and the call never completes (seen in MalformedRequestTest's client, about once in 5,000 calls).
                    return call.send(request).compose(response -> {
                        Promise<Resp> answer = Promise.promise();
                        Object[] last = {null};
                        response.handler(m -> last[0] = m);
                        response.exceptionHandler(t -> answer.tryFail(unavailable(to, t)));
                        response.endHandler(v -> {
                            if (response.status() == GrpcStatus.OK && last[0] != null) {
                                @SuppressWarnings("unchecked")
                                Resp r = (Resp) last[0];
                                answer.tryComplete(r);
                            } else answer.tryFail(statusOf(response));
                        });
                        return answer.future();
                    });
                })
                .recover(t -> Future.failedFuture(t instanceof ApiException ? t : unavailable(to, t)));
    }

    /**
     * Relays the server stream of {@code method} on the member at {@code to} into {@code out}, frame by frame at the
     * pace {@code out} takes them (the owner's stream waits while this one's queue is full), and ends it with the
     * owner's status. Cancelling {@code in} cancels the routed call.
     */
    <Req extends Message, Resp extends Message> void stream(
            SocketAddress to,
            String method,
            Req request,
            Resp prototype,
            GrpcServerRequest<?, Resp> in,
            GrpcServerResponse<?, Resp> out) {
        client.request(to, PeerCalls.<Req, Resp>method(method, prototype)).onComplete(ar -> {
            if (ar.failed()) {
                SimulationGrpcService.fail(out, unavailable(to, ar.cause()));
                return;
            }
            var call = ar.result();
            copy(in.headers(), call.headers());
            in.errorHandler(err -> call.cancel());
            in.exceptionHandler(t -> call.cancel());
            out.exceptionHandler(t -> call.cancel());
            call.send(request).onComplete(sent -> {
                if (sent.failed()) {
                    SimulationGrpcService.fail(out, unavailable(to, sent.cause()));
                    return;
                }
                GrpcClientResponse<Req, Resp> response = sent.result();
                out.writeHead();
                response.handler(m -> {
                    out.write(m);
                    if (out.writeQueueFull()) {
                        response.pause();
                        out.drainHandler(v -> response.resume());
                    }
                });
                response.exceptionHandler(t -> SimulationGrpcService.fail(out, unavailable(to, t)));
                response.endHandler(v -> {
                    if (response.status() == GrpcStatus.OK) out.end().onFailure(ignored -> {});
                    else SimulationGrpcService.fail(out, statusOf(response));
                });
            });
        });
    }

    /**
     * A call of {@code method} on the member at {@code to}, with the caller's authorization, ready to send its request
     * (the caller relays its answers itself).
     */
    <Req extends Message, Resp extends Message> Future<io.vertx.grpc.client.GrpcClientRequest<Req, Resp>> open(
            SocketAddress to, String method, Resp prototype, MultiMap headers) {
        return client.request(to, PeerCalls.<Req, Resp>method(method, prototype))
                .map(call -> {
                    copy(headers, call.headers());
                    return call;
                })
                .recover(t -> Future.failedFuture(unavailable(to, t)));
    }

    private static <Req extends Message, Resp extends Message> ServiceMethod<Resp, Req> method(
            String name, Resp prototype) {
        return ServiceMethod.client(
                SimulationGrpcService.NAME, name, ProtobufEncoder.encoder(), GrpcMessageDecoder.decoder(prototype));
    }

    private void copy(MultiMap from, MultiMap to) {
        String authorization = from.get("authorization");
        if (authorization != null) to.set("authorization", authorization);
        String onBehalf = from.get(ON_BEHALF_OF);
        if (onBehalf != null && authorization == null) to.set(ON_BEHALF_OF, onBehalf);
        to.set(ROUTED, secret);
    }

    private static ApiException statusOf(GrpcClientResponse<?, ?> response) {
        GrpcStatus s = response.status() == null || response.status() == GrpcStatus.OK
                ? GrpcStatus.UNAVAILABLE
                : response.status();
        String m = response.statusMessage();
        return new ApiException(s, m == null || m.isEmpty() ? "the owning member answered " + s : m);
    }

    private static ApiException unavailable(SocketAddress to, Throwable t) {
        return new ApiException(
                GrpcStatus.UNAVAILABLE,
                "the cluster member at " + to + " that holds this run did not answer (" + t.getMessage()
                        + "); if it stopped, its runs resume on another member within seconds: retry");
    }

    Future<Void> close() {
        return client.close();
    }
}

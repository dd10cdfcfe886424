package io.eiscope.app;

import io.vertx.core.http.HttpServerRequest;
import java.util.function.Consumer;

/**
 * The HTTP request under a gRPC call, for what Vert.x's gRPC API does not offer: resetting a
 * stream with a code of our choosing. The gRPC server dispatches a call to its service on the
 * thread that hands it the request, so a service learns its call's HTTP request while it is
 * being dispatched.
 */
final class RawStreams {
    /** HTTP/2 ENHANCE_YOUR_CALM: gRPC clients map it to RESOURCE_EXHAUSTED (the gRPC HTTP/2 spec, "Errors"). */
    static final long ENHANCE_YOUR_CALM = 0xb;

    private static final ThreadLocal<HttpServerRequest> DISPATCHING = new ThreadLocal<>();

    private RawStreams() {}

    /** Hands {@code req} to {@code grpc}, making it {@link #current()} meanwhile. */
    static void dispatch(HttpServerRequest req, Consumer<HttpServerRequest> grpc) {
        DISPATCHING.set(req);
        try {
            grpc.accept(req);
        } finally {
            DISPATCHING.remove();
        }
    }

    /** The HTTP request of the call being dispatched on this thread; null outside a dispatch. */
    static HttpServerRequest current() {
        return DISPATCHING.get();
    }

    /**
     * Resets the stream of {@code req} with ENHANCE_YOUR_CALM. A reset is not flow-controlled, so
     * it reaches a client whose window is full (a status would wait behind the frames it does not
     * take); over HTTP/1.1 (gRPC-Web) it closes the connection.
     */
    static void resetForExcess(HttpServerRequest req) {
        req.response().reset(ENHANCE_YOUR_CALM).onFailure(ignored -> {});
    }
}

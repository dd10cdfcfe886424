package io.eiscope.app;

import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import io.vertx.core.Future;
import io.vertx.grpc.server.GrpcServerResponse;

/**
 * Where a {@link Subscriber} writes its batches: a Watch stream of its own, or one
 * subscription multiplexed on a Session stream. Called on the stream's event loop only.
 */
interface FrameWriter {
    /** True while the transport's write queue is full (wait for {@link #onDrain}). */
    boolean writeQueueFull();

    Future<Void> write(WatchResponse batch);

    /** Runs {@code action} once, when the write queue has room again. */
    void onDrain(Runnable action);

    /** Ends the subscription's output normally (the simulation was deleted). */
    void end();

    /**
     * Disconnects a client that stopped reading: resets its stream with ENHANCE_YOUR_CALM (gRPC
     * clients see RESOURCE_EXHAUSTED), which overtakes the frames it did not take. {@code why} is logged.
     */
    void abort(String why);

    /** A Watch call: the subscriber owns the whole response; {@code raw} is its HTTP request (null: reset with CANCEL). */
    static FrameWriter of(
            GrpcServerResponse<WatchRequest, WatchResponse> response,
            io.vertx.core.http.HttpServerRequest raw,
            String who) {
        return new FrameWriter() {
            @Override
            public boolean writeQueueFull() {
                return response.writeQueueFull();
            }

            @Override
            public Future<Void> write(WatchResponse batch) {
                return response.write(batch);
            }

            @Override
            public void onDrain(Runnable action) {
                response.drainHandler(v -> {
                    response.drainHandler(null);
                    action.run();
                });
            }

            @Override
            public void end() {
                response.end().onFailure(err -> {});
            }

            @Override
            public void abort(String why) {
                org.slf4j.LoggerFactory.getLogger(Subscriber.class)
                        .atWarn()
                        .addKeyValue("stream", who)
                        .log("disconnected a stalled reader: it {}", why);
                if (raw != null) RawStreams.resetForExcess(raw);
                else response.cancel();
            }
        };
    }
}

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

    /** A Watch call: the subscriber owns the whole response. */
    static FrameWriter of(GrpcServerResponse<WatchRequest, WatchResponse> response) {
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
                response.end().onFailure(err -> { });
            }
        };
    }
}

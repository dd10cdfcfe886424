package io.eiscope.app;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * gRPC calls of any method with request bytes as they are (grpc-java with a pass-through
 * marshaller), each ending in an {@link Answer}: the status the server gave within the deadline,
 * or none. Thread-safe: every call has its own state.
 */
final class RawCalls {
    /** Each call's deadline. */
    static final long DEADLINE_SECONDS = 10;

    private RawCalls() {}

    /**
     * How a call ended.
     *
     * @param status   the final status; null for a stream the server accepted and the caller then cancelled
     * @param messages the response messages received, in order
     */
    record Answer(Status status, List<byte[]> messages) {
        /** No status within the deadline (grpc-java reports DEADLINE_EXCEEDED itself then; this server never does). */
        boolean silent() {
            return status != null && status.getCode() == Status.Code.DEADLINE_EXCEEDED;
        }
    }

    static MethodDescriptor<byte[], byte[]> method(com.google.protobuf.Descriptors.MethodDescriptor m) {
        MethodDescriptor.MethodType type = m.isClientStreaming()
                ? MethodDescriptor.MethodType.BIDI_STREAMING
                : m.isServerStreaming()
                        ? MethodDescriptor.MethodType.SERVER_STREAMING
                        : MethodDescriptor.MethodType.UNARY;
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(m.getService().getFullName() + "/" + m.getName())
                .setRequestMarshaller(AuthGrpcTest.BYTES)
                .setResponseMarshaller(AuthGrpcTest.BYTES)
                .build();
    }

    /**
     * Sends {@code requests} (the first alone, the rest once a message answered it or a second
     * passed: mid-stream), half-closes and waits for the status. Once the server accepted a
     * stream (its headers came), {@code enough} messages, or {@code quietMillis} without one,
     * end the wait: the call is cancelled and its status is null.
     */
    static Answer call(
            Channel channel,
            MethodDescriptor<byte[], byte[]> method,
            List<byte[]> requests,
            int enough,
            long quietMillis)
            throws InterruptedException {
        Listener l = new Listener();
        ClientCall<byte[], byte[]> call =
                channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS));
        call.start(l, new Metadata());
        call.request(Integer.MAX_VALUE);
        for (int i = 0; i < requests.size(); i++) {
            call.sendMessage(requests.get(i));
            if (i == 0 && requests.size() > 1) l.arrived.tryAcquire(1, TimeUnit.SECONDS);
        }
        call.halfClose();
        try {
            CompletableFuture.anyOf(l.closed, l.headers).get(DEADLINE_SECONDS + 5, TimeUnit.SECONDS);
            while (!l.closed.isDone()
                    && l.count() < enough
                    && l.arrived.tryAcquire(quietMillis, TimeUnit.MILLISECONDS)) {
                // reading: each message restarts the quiet period
            }
            if (!l.closed.isDone()) {
                call.cancel("the fuzz read enough of this stream", null);
                return new Answer(null, l.messages()); // whatever closes it now is this cancel
            }
            return new Answer(l.closed.get(), l.messages());
        } catch (TimeoutException e) {
            call.cancel("no status within the deadline", null);
            return new Answer(
                    Status.DEADLINE_EXCEEDED.withDescription("the test waited " + (DEADLINE_SECONDS + 5) + " s"),
                    l.messages());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    private static final class Listener extends ClientCall.Listener<byte[]> {
        final CompletableFuture<Status> closed = new CompletableFuture<>();
        final CompletableFuture<Void> headers = new CompletableFuture<>();
        final Semaphore arrived = new Semaphore(0);
        private final List<byte[]> received = new ArrayList<>();

        @Override
        public void onHeaders(Metadata h) {
            headers.complete(null);
        }

        @Override
        public synchronized void onMessage(byte[] message) {
            received.add(message);
            arrived.release();
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
            arrived.release();
        }

        synchronized int count() {
            return received.size();
        }

        synchronized List<byte[]> messages() {
            return List.copyOf(received);
        }
    }
}

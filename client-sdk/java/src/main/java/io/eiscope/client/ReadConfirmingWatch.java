package io.eiscope.client;

import io.eiscope.api.v1.SessionRead;
import io.eiscope.api.v1.SessionRequest;
import io.eiscope.api.v1.SessionResponse;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A live watch as one subscription of a Session call with {@code max_unread_messages}: the server sends at most that
 * many messages the client has not read, and this iterator says it read a message when {@link #hasNext} is asked for
 * the next one. Read from one thread; cancelled through the gRPC context it was opened in. A refused subscription, or a
 * failed call, throws a {@link io.grpc.StatusRuntimeException} as a Watch call would.
 */
final class ReadConfirmingWatch implements Iterator<WatchResponse>, StreamObserver<SessionResponse> {
    private static final long SUBSCRIPTION = 1;
    private static final Object END = new Object();

    private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>(); // responses, a Throwable, or END
    private final StreamObserver<SessionRequest> requests;
    private long delivered;
    private Object next;

    ReadConfirmingWatch(SimulationServiceGrpc.SimulationServiceStub async, WatchRequest request, int maxUnread) {
        requests = async.session(this);
        requests.onNext(SessionRequest.newBuilder()
                .setRequestId(SUBSCRIPTION)
                .setSubscribe(request.toBuilder().setMaxUnreadMessages(maxUnread))
                .build());
    }

    @Override
    public boolean hasNext() {
        if (next == null && delivered > 0) // the reader is back: it has read every message delivered
        requests.onNext(SessionRequest.newBuilder()
                .setRead(
                        SessionRead.newBuilder().setSubscriptionId(SUBSCRIPTION).setMessages(delivered))
                .build());
        while (next == null) {
            Object o;
            try {
                o = arrived.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
            }
            if (o instanceof SessionResponse r) {
                if (r.hasAck()) {
                    if (r.getAck().getCode() != 0)
                        throw Status.fromCodeValue(r.getAck().getCode())
                                .withDescription(r.getAck().getMessage())
                                .asRuntimeException();
                    continue;
                }
                if (r.hasEnded()) { // the run was deleted: the watch ends, as a Watch call does
                    arrived.add(END);
                    continue;
                }
                next = WatchResponse.newBuilder()
                        .addAllFrames(r.getFrames().getFramesList())
                        .build();
            } else if (o instanceof Throwable t) {
                throw Status.fromThrowable(t).asRuntimeException();
            } else {
                arrived.add(END); // stays ended
                return false;
            }
        }
        return true;
    }

    @Override
    public WatchResponse next() {
        if (!hasNext()) throw new NoSuchElementException();
        WatchResponse r = (WatchResponse) next;
        next = null;
        delivered++;
        return r;
    }

    @Override
    public void onNext(SessionResponse value) {
        arrived.add(value);
    }

    @Override
    public void onError(Throwable t) {
        arrived.add(t);
    }

    @Override
    public void onCompleted() {
        arrived.add(END);
    }
}

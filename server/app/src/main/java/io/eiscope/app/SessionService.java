package io.eiscope.app;

import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.GetSimulationResponse;
import io.eiscope.api.v1.SessionAck;
import io.eiscope.api.v1.SessionFrames;
import io.eiscope.api.v1.SessionRequest;
import io.eiscope.api.v1.SessionResponse;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vertx.grpc.server.ServiceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bidirectional Session RPC: one call carries subscriptions, commands and controls in,
 * frames and acknowledgements out. Each subscription is a {@link Subscriber} under the same
 * back-pressure rules as Watch, writing through a {@link FrameWriter} that tags its frames
 * with the subscription id; when the transport is full, all of them wait for one drain.
 * Every request is acknowledged with its request id, and a failed request (status code and
 * message in the ack) leaves the session open. Ending or cancelling the call, or a failed
 * write, releases every subscription. Handlers run on the call's event loop and never block.
 */
final class SessionService {
    /** A subscription relayed from the member that holds its run: its Watch call there, null until it is open. */
    private static final class Relay {
        io.vertx.grpc.client.GrpcClientRequest<WatchRequest, WatchResponse> call;
        final UnreadMessages unread;

        Relay(long maxUnread) {
            unread = new UnreadMessages(maxUnread);
        }

        void cancel() {
            if (call != null) call.cancel();
        }
    }

    private final Vertx vertx;
    private final SimulationRegistry registry;
    private final StreamLimits limits;
    private final SimulationGrpcService unary;
    private final RequestMessages messages;
    private final Access access;

    SessionService(
            Vertx vertx,
            SimulationRegistry registry,
            StreamLimits limits,
            SimulationGrpcService unary,
            RequestMessages messages,
            Access access) {
        this.vertx = vertx;
        this.registry = registry;
        this.limits = limits;
        this.access = access;
        this.unary = unary;
        this.messages = messages;
    }

    void bind(ServiceBuilder b) {
        b.bind(
                ServiceMethod.server(
                        SimulationGrpcService.NAME,
                        "Session",
                        ProtobufEncoder.encoder(),
                        GrpcMessageDecoder.decoder(SessionRequest.getDefaultInstance())),
                this::open);
    }

    private void open(GrpcServerRequest<SessionRequest, SessionResponse> req) {
        Caller caller;
        try {
            caller = unary.caller(req.headers().get("authorization"));
        } catch (ApiException e) {
            SimulationGrpcService.fail(req.response(), e);
            return;
        }
        io.vertx.core.http.HttpServerRequest raw = RawStreams.current(); // while being dispatched
        Session s = new Session(
                req.response(),
                vertx.getOrCreateContext(),
                caller,
                raw,
                req.connection(),
                raw == null ? "a session" : access.client(raw),
                req.headers());
        req.response().writeHead();
        // Decoded in arrival order (a gzip message inflates on a worker); one that does not decode ends the call with
        // its status.
        Future<?>[] inbound = {Future.succeededFuture()};
        req.messageHandler(m -> inbound[0] = inbound[0]
                .transform(ignored -> messages.decode(m, SessionRequest.getDefaultInstance()))
                .andThen(ar -> {
                    if (ar.succeeded()) s.onRequest(ar.result());
                    else s.fail(ar.cause());
                }));
        req.invalidMessageHandler(invalid -> s.fail(ApiException.invalid(
                invalid instanceof io.vertx.grpc.common.MessageSizeOverflowException o
                        ? "a session message is " + o.messageSize() + " bytes, over this server's limit per message"
                        : "a session message could not be read")));
        // Half-closed by the client: answer every request still in flight, then end.
        req.endHandler(v -> inbound[0].onComplete(ar -> s.halfClosed()));
        req.exceptionHandler(t -> s.closeAll());
        req.errorHandler(err -> s.closeAll()); // the client cancelled or reset the call
        req.response().exceptionHandler(t -> s.closeAll());
    }

    /** The state of one session call; confined to its event loop except {@code subscriptions}. */
    private final class Session {
        private final GrpcServerResponse<SessionRequest, SessionResponse> response;
        private final Context context;
        private final Map<Long, Subscriber> subscriptions = new ConcurrentHashMap<>();
        private final List<Runnable> drainWaiters = new ArrayList<>();
        private boolean closed;
        private boolean halfClosed;
        private int unanswered; // commands and controls not acknowledged yet

        private final Caller caller;
        private final io.vertx.core.http.HttpServerRequest raw; // null: reset with CANCEL
        private final io.vertx.core.http.HttpConnection connection;
        private final String client; // whose request rate its messages count against
        private final io.vertx.core.MultiMap headers; // the call's, for commands routed to another member

        Session(
                GrpcServerResponse<SessionRequest, SessionResponse> response,
                Context context,
                Caller caller,
                io.vertx.core.http.HttpServerRequest raw,
                io.vertx.core.http.HttpConnection connection,
                String client,
                io.vertx.core.MultiMap headers) {
            this.headers = headers;
            this.caller = caller;
            this.raw = raw;
            this.connection = connection;
            this.client = client;
            this.response = response;
            this.context = context;
        }

        void onRequest(SessionRequest r) {
            if (closed) return;
            long id = r.getRequestId();
            // A read is flow control, not a request: never counted against the client's rate.
            long wait =
                    limits.rates() == null || r.hasRead() ? 0 : limits.rates().admit(client);
            if (wait > 0) {
                ack(
                        id,
                        0,
                        new ApiException(
                                io.vertx.grpc.common.GrpcStatus.RESOURCE_EXHAUSTED,
                                limits.rates().refusal(client, wait)));
                return;
            }
            try {
                switch (r.getKindCase()) {
                    case SUBSCRIBE -> subscribe(id, r);
                    case UNSUBSCRIBE -> {
                        var relay = relayed.remove(r.getUnsubscribe());
                        if (relay != null) {
                            limits.perConnection().close(connection);
                            relay.cancel();
                            ack(id, 0, null);
                            return;
                        }
                        Subscriber sub = subscriptions.remove(r.getUnsubscribe());
                        if (sub == null)
                            throw ApiException.notFound("no subscription " + r.getUnsubscribe() + " in this session");
                        sub.close();
                        ack(id, 0, null);
                    }
                    case COMMAND ->
                        steer(
                                id,
                                "ApplyCommand",
                                r.getCommand().getId(),
                                r.getCommand(),
                                () -> unary.applyCommand(r.getCommand()),
                                a -> a.getEffectiveStep());
                    case CONTROL ->
                        steer(
                                id,
                                "Control",
                                r.getControl().getId(),
                                r.getControl(),
                                () -> unary.control(r.getControl()),
                                a -> a.getEffectiveStep());
                    case READ -> read(r.getRead()); // acknowledged only when refused
                    case KIND_NOT_SET ->
                        throw ApiException.invalid(
                                "request needs one of subscribe, unsubscribe, command, control, read");
                }
            } catch (RuntimeException e) {
                ack(id, 0, e);
            }
        }

        /**
         * True when run {@code runId} is held by another cluster member: its commands and controls go there (whose
         * answer checks who owns the run), with this session's authorization.
         */
        private boolean elsewhere(String runId) {
            return unary.routing() != null
                    && !runId.isEmpty()
                    && !registry.has(runId)
                    && !ClusterRouting.local(unary.routing(), headers);
        }

        private void steeringRole() {
            if (!caller.role().allows(Caller.Role.STEER))
                throw new ApiException(
                        io.vertx.grpc.common.GrpcStatus.PERMISSION_DENIED,
                        "commands and controls change runs; the token of '" + caller.owner()
                                + "' is read-only (role read)");
        }

        /**
         * A command or control ({@code method} with {@code request}) to run {@code runId}: applied here, or by the
         * member that holds the run; acknowledged with the step it took effect at.
         */
        private <Resp extends com.google.protobuf.Message> void steer(
                long id,
                String method,
                String runId,
                com.google.protobuf.Message request,
                java.util.function.Supplier<Future<Resp>> here,
                java.util.function.Function<Resp, Long> step) {
            if (elsewhere(runId)) {
                steeringRole();
                answer(id, unary.routing().unary(method, request, headers, here).map(step));
            } else {
                steering(runId);
                answer(id, here.get().map(step));
            }
        }

        /** Commands and controls change runs: a steer or admin token, on the caller's own run. */
        private void steering(String runId) {
            steeringRole();
            unary.requireOwner(caller, runId);
        }

        /** Subscriptions relayed from the member that holds their run, by subscription id. */
        private final Map<Long, Relay> relayed = new ConcurrentHashMap<>();
        /** Each local subscription's messages sent and read, by subscription id. */
        private final Map<Long, UnreadMessages> unread = new ConcurrentHashMap<>();
        /** Ids of subscriptions that have ended: a read of one is late, not wrong. Event loop only. */
        private final java.util.Set<Long> ended = new java.util.HashSet<>();

        /** The client says how many frames messages of a subscription it has read. */
        private void read(io.eiscope.api.v1.SessionRead r) {
            long sub = r.getSubscriptionId();
            Relay relay = relayed.get(sub);
            UnreadMessages u = relay != null ? relay.unread : unread.get(sub);
            if (u == null) {
                if (ended.contains(sub)) return; // it ended while the read was on its way
                throw ApiException.notFound("read names no subscription " + sub + " of this session");
            }
            if (!u.limited())
                throw ApiException.invalid("subscription " + sub + " was made without max_unread_messages; reads are"
                        + " for subscriptions that set it");
            u.read(sub, r.getMessages());
        }

        /**
         * A subscription to a run another member holds: a Watch of it there, whose frames come into this session under
         * the subscription's id at the pace the session's stream takes them. Acknowledged with the run's step first.
         */
        private void subscribeElsewhere(long id, WatchRequest w) {
            ClusterRouting routing = unary.routing();
            Relay relay = new Relay(w.getMaxUnreadMessages());
            relayed.put(id, relay);
            limits.perConnection().open(connection);
            Runnable release = () -> {
                if (relayed.remove(id) != null) {
                    limits.perConnection().close(connection);
                    ended.add(id);
                }
            };
            GetSimulationRequest get =
                    GetSimulationRequest.newBuilder().setId(w.getId()).build();
            long[] step = {0};
            routing.<GetSimulationResponse>unary(
                            "GetSimulation",
                            get,
                            headers,
                            () -> Future.failedFuture(ApiException.notFound(
                                    "no simulation '" + w.getId() + "'; ListSimulations shows the existing ids")))
                    .compose(s -> {
                        step[0] = s.getSimulation().getStep();
                        return routing.ownerOfRun(w.getId());
                    })
                    .compose(to -> to == null
                            ? Future.failedFuture(ApiException.notFound("no simulation '" + w.getId() + "'"))
                            : routing.peers()
                                    .<WatchRequest, WatchResponse>open(
                                            to, "Watch", WatchResponse.getDefaultInstance(), headers))
                    .compose(call -> {
                        if (closed || relayed.get(id) != relay) {
                            call.cancel();
                            return Future.failedFuture(ApiException.invalid("unsubscribed"));
                        }
                        relay.call = call;
                        // The frames' handlers are set as the answer arrives, not a hop later (see PeerCalls.unary).
                        // The unread limit is kept here, where the client's reads arrive.
                        return call.send(w.toBuilder().clearMaxUnreadMessages().build())
                                .andThen(sent -> {
                                    if (sent.failed()) return;
                                    var frames = sent.result();
                                    ack(id, step[0], null); // before the first frames of this subscription
                                    frames.handler(batch -> {
                                        if (closed) return;
                                        relay.unread.wrote();
                                        response.write(SessionResponse.newBuilder()
                                                .setFrames(SessionFrames.newBuilder()
                                                        .setSubscriptionId(id)
                                                        .addAllFrames(batch.getFramesList()))
                                                .build());
                                        if (response.writeQueueFull() || relay.unread.full()) {
                                            frames.pause();
                                            resumeWhenRoom(relay, frames);
                                        }
                                    });
                                    // The owner ended the Watch (the run was deleted there): so ends the subscription.
                                    Runnable ended = () -> {
                                        boolean open = relayed.get(id) == relay;
                                        release.run();
                                        if (open) end(id, "the run's stream ended on the member that holds it");
                                    };
                                    frames.endHandler(v -> ended.run());
                                    frames.exceptionHandler(t -> ended.run());
                                });
                    })
                    .onFailure(t -> {
                        release.run();
                        ack(id, 0, t);
                    });
        }

        /** Resumes a relayed subscription's frames once the transport has room and the client has read enough. */
        private void resumeWhenRoom(Relay relay, io.vertx.core.streams.ReadStream<?> frames) {
            if (closed || !relayed.containsValue(relay)) return;
            if (response.writeQueueFull()) awaitDrain(() -> resumeWhenRoom(relay, frames));
            else if (relay.unread.full()) relay.unread.onRoom(() -> resumeWhenRoom(relay, frames));
            else frames.resume();
        }

        private void subscribe(long id, SessionRequest r) {
            if (subscriptions.containsKey(id) || relayed.containsKey(id))
                throw ApiException.invalid("request_id " + id + " already names a subscription");
            if (elsewhere(r.getSubscribe().getId())) {
                if (r.getSubscribe().hasFromStep())
                    throw ApiException.invalid(
                            "from_step is for Watch only; in a session, read the history with GetHistory, then subscribe");
                subscribeElsewhere(id, r.getSubscribe());
                return;
            }
            unary.requireOwner(caller, r.getSubscribe().getId());
            SimulationRegistry.Entry e = registry.get(r.getSubscribe().getId());
            if (r.getSubscribe().hasFromStep())
                throw ApiException.invalid(
                        "from_step is for Watch only; in a session, read the history with GetHistory, then subscribe");
            WatchFilter filter = unary.filterFor(e, r.getSubscribe());
            Subscriber[] holder = new Subscriber[1];
            UnreadMessages u = new UnreadMessages(r.getSubscribe().getMaxUnreadMessages());
            limits.perConnection().open(connection); // from here on, closing the subscriber releases it
            holder[0] = new Subscriber(
                    filter,
                    new Tagged(id, u),
                    context,
                    vertx,
                    limits.queueFrames(),
                    limits.stalledReaderMillis(),
                    limits.maxLagMillis(),
                    () -> {
                        subscriptions.remove(id, holder[0]);
                        context.runOnContext(v -> {
                            unread.remove(id, u);
                            ended.add(id);
                        });
                        e.streams().unsubscribe(holder[0]);
                        limits.perConnection().close(connection);
                    });
            subscriptions.put(id, holder[0]);
            unread.put(id, u);
            ack(id, e.runner().step(), null); // before the first frames of this subscription
            e.streams().subscribe(holder[0]);
        }

        private void answer(long id, Future<Long> step) {
            unanswered++;
            step.onComplete(ar -> {
                unanswered--;
                ack(id, ar.succeeded() ? ar.result() : 0, ar.failed() ? ar.cause() : null);
                if (halfClosed) halfClosed();
            });
        }

        /** The client sent its last request: once each is acknowledged, the subscriptions close and the call ends. */
        void halfClosed() {
            halfClosed = true;
            if (unanswered > 0 || closed) return;
            closeAll();
            response.end().onFailure(err -> {});
        }

        /** Ends the call with the status {@code cause} maps to (a message that does not decode, say). */
        void fail(Throwable cause) {
            if (closed) return;
            closeAll();
            SimulationGrpcService.fail(response, cause);
        }

        /** Tells the client that the server ended subscription {@code id}. */
        private void end(long id, String reason) {
            if (closed) return;
            response.write(SessionResponse.newBuilder()
                            .setEnded(io.eiscope.api.v1.SessionEnded.newBuilder()
                                    .setSubscriptionId(id)
                                    .setReason(reason))
                            .build())
                    .onFailure(err -> closeAll());
        }

        private void ack(long id, long step, Throwable error) {
            if (closed) return;
            SessionAck.Builder a = SessionAck.newBuilder().setRequestId(id).setEffectiveStep(step);
            if (error != null) {
                ApiException e = ApiException.from(error);
                a.setCode(e.status().code).setMessage(e.getMessage());
            }
            response.write(SessionResponse.newBuilder().setAck(a).build()).onFailure(err -> closeAll());
        }

        void closeAll() {
            if (closed) return;
            closed = true;
            for (Subscriber sub : List.copyOf(subscriptions.values())) sub.close();
            subscriptions.clear();
            unread.clear();
            for (var relay : List.copyOf(relayed.values())) {
                limits.perConnection().close(connection);
                relay.cancel();
            }
            relayed.clear();
        }

        private void awaitDrain(Runnable action) {
            drainWaiters.add(action);
            if (drainWaiters.size() > 1) return;
            response.drainHandler(v -> {
                response.drainHandler(null);
                List<Runnable> waiting = List.copyOf(drainWaiters);
                drainWaiters.clear();
                waiting.forEach(Runnable::run);
            });
        }

        /** One subscription's output on the shared response. */
        private final class Tagged implements FrameWriter {
            private final long subscriptionId;
            private final UnreadMessages reads;

            Tagged(long subscriptionId, UnreadMessages reads) {
                this.subscriptionId = subscriptionId;
                this.reads = reads;
            }

            /** Full while the transport is, or while the client has max_unread_messages it has not said it read. */
            @Override
            public boolean writeQueueFull() {
                return response.writeQueueFull() || reads.full();
            }

            @Override
            public Future<Void> write(WatchResponse batch) {
                if (closed) return Future.failedFuture("session closed");
                reads.wrote();
                // The batch's frames are their shared encodings (EncodedFrame): moved as they are into the session's
                // message.
                return response.write(SessionResponse.newBuilder()
                        .setFrames(SessionFrames.newBuilder()
                                .setSubscriptionId(subscriptionId)
                                .setUnknownFields(EncodedFrame.refiled(batch, SessionFrames.FRAMES_FIELD_NUMBER)))
                        .build());
            }

            @Override
            public void onDrain(Runnable action) {
                if (response.writeQueueFull()) awaitDrain(action); // then the pump looks at the reads again
                else if (reads.full()) reads.onRoom(action);
                else action.run();
            }

            @Override
            public void end() {
                subscriptions.remove(subscriptionId); // the simulation was deleted; the session goes on
                Session.this.end(subscriptionId, "the run was deleted, or the server is stopping");
            }

            @Override
            public void abort(String why) {
                // The whole session's stream is what the client does not read: it goes, with every subscription on it.
                if (closed) return;
                org.slf4j.LoggerFactory.getLogger(SessionService.class)
                        .atWarn()
                        .addKeyValue("stream", "Session")
                        .addKeyValue("client", client)
                        .log("disconnected a stalled reader: it {}", why);
                closeAll();
                if (raw != null) RawStreams.resetForExcess(raw);
                else response.cancel();
            }
        }
    }
}

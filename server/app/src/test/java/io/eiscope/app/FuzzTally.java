package io.eiscope.app;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.eiscope.api.v1.SessionAck;
import io.eiscope.api.v1.SessionResponse;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fuzz's answers, judged and counted: each offender (method, mutated field, value, and what
 * was wrong: INTERNAL or UNKNOWN, no status within the deadline, an error without a description,
 * a session request left unacknowledged) and the statuses by method. Used on one thread.
 */
final class FuzzTally {
    /** One fuzzed call: the requests sent and what was mutated in them. */
    record Call(MethodDescriptor method, List<Message> requests, String path, String value) {}

    /** A call whose answer is wrong, and how. */
    record Offender(Call call, String problem) {
        @Override
        public String toString() {
            return call.method().getName() + " " + call.path() + " = " + call.value() + ": " + problem;
        }
    }

    final List<Offender> offenders = new ArrayList<>();
    /** Method -> status (or "accepted stream": read a little, then cancelled) -> calls. */
    final Map<String, Map<String, Integer>> codes = new TreeMap<>();
    /** Method -> time its calls took, housekeeping included. */
    final Map<String, Long> millis = new TreeMap<>();

    void judge(Call c, RawCalls.Answer a) throws InvalidProtocolBufferException {
        Status s = a.status();
        codes.computeIfAbsent(c.method().getName(), k -> new TreeMap<>())
                .merge(s == null ? "accepted stream" : s.getCode().name(), 1, Integer::sum);
        if (s == null) {
            if (!c.method().isServerStreaming())
                offenders.add(new Offender(c, "headers but no status within the deadline"));
            return;
        }
        if (a.silent()) offenders.add(new Offender(c, "no status within " + RawCalls.DEADLINE_SECONDS + " s"));
        else if (s.getCode() == Status.Code.INTERNAL || s.getCode() == Status.Code.UNKNOWN)
            offenders.add(new Offender(c, s.toString()));
        else if (!s.isOk() && (s.getDescription() == null || s.getDescription().isBlank()))
            offenders.add(new Offender(c, s.getCode() + " without a description"));
        if (c.method().isClientStreaming()) judgeSession(c, s, a.messages());
    }

    /** Every request of a session that ended OK is acknowledged, none with INTERNAL or UNKNOWN, every refusal with a message. */
    private void judgeSession(Call c, Status s, List<byte[]> messages) throws InvalidProtocolBufferException {
        List<SessionAck> acks = new ArrayList<>();
        for (byte[] b : messages) {
            SessionResponse r = SessionResponse.parseFrom(b);
            if (r.hasAck()) acks.add(r.getAck());
        }
        for (SessionAck ack : acks) {
            if (ack.getCode() == Status.Code.INTERNAL.value() || ack.getCode() == Status.Code.UNKNOWN.value())
                offenders.add(new Offender(
                        c,
                        "the ack of request " + ack.getRequestId() + ": code " + ack.getCode() + " "
                                + ack.getMessage()));
            else if (ack.getCode() != 0 && ack.getMessage().isBlank())
                offenders.add(new Offender(c, "ack code " + ack.getCode() + " without a message"));
        }
        if (s.isOk() && acks.size() != c.requests().size())
            offenders.add(new Offender(
                    c,
                    "the session ended OK with " + acks.size() + " acknowledgements of "
                            + c.requests().size() + " requests"));
    }

    int calls() {
        return codes.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToInt(Integer::intValue)
                .sum();
    }

    /** Calls by status, over all methods. */
    Map<String, Integer> totals() {
        Map<String, Integer> total = new TreeMap<>();
        codes.values().forEach(m -> m.forEach((code, n) -> total.merge(code, n, Integer::sum)));
        return total;
    }

    /** Fails naming the first 40 offenders, if any. */
    void assertNoOffender(long seed) {
        if (offenders.isEmpty()) return;
        throw new AssertionError(offenders.size() + " calls were answered INTERNAL or UNKNOWN, not within "
                + RawCalls.DEADLINE_SECONDS + " s, or without a description (seed " + seed + "):\n  "
                + String.join(
                        "\n  ",
                        offenders.stream().limit(40).map(Offender::toString).toList()));
    }
}

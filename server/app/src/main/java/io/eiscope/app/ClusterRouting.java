package io.eiscope.app;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.ListSimulationsResponse;
import io.eiscope.api.v1.ListSweepsRequest;
import io.eiscope.api.v1.ListSweepsResponse;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.Sweep;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Where a call of the simulation service is answered in a cluster: a call that names a run or sweep goes to its owning
 * member, a creation to the least loaded member, a list to every member (merged here); the rest, and calls another
 * member routed here, are answered here.
 */
final class ClusterRouting {
    private final ClusterMember member;
    private final Map<String, Message> responses = new ConcurrentHashMap<>();

    ClusterRouting(ClusterMember member) {
        this.member = member;
    }

    /** True when the call must be answered here whatever it names (a member routed it, or there is no cluster). */
    static boolean local(ClusterRouting routing, MultiMap headers) {
        return routing == null || routing.member.peers().routed(headers);
    }

    /**
     * The answer to unary {@code method} with request {@code r}: from the member that should answer it, or from
     * {@code here} when that is this one.
     */
    <Resp extends Message> Future<Resp> unary(String method, Message r, MultiMap headers, Supplier<Future<Resp>> here) {
        switch (method) {
            case "CreateSimulation", "CreateSweep" -> {
                SocketAddress to = member.placement(1);
                return to == null ? here.get() : forward(to, method, r, headers);
            }
            case "ListSimulations" -> {
                return cast(listSimulations((ListSimulationsRequest) r, headers, here));
            }
            case "ListSweeps" -> {
                return cast(listSweeps((ListSweepsRequest) r, headers, here));
            }
            default -> {}
        }
        String key = key(r);
        if (key == null || member.holds(key)) return here.get();
        return member.ownerOf(key).compose(to -> to == null ? here.get() : forward(to, method, r, headers));
    }

    @SuppressWarnings("unchecked")
    private <Resp extends Message> Future<Resp> forward(SocketAddress to, String method, Message r, MultiMap headers) {
        return (Future<Resp>) member.peers().unary(to, method, r, response(method), headers);
    }

    /** Relays server-stream {@code method} from the owner of the run {@code r} names, or runs {@code here}. */
    <Resp extends Message> void stream(String method, Message r, GrpcServerRequest<?, Resp> in, Runnable here) {
        String key = key(r);
        if (key == null || member.holds(key)) {
            here.run();
            return;
        }
        member.ownerOf(key).onComplete(ar -> {
            if (ar.failed()) SimulationGrpcService.fail(in.response(), ar.cause());
            else if (ar.result() == null) here.run();
            else {
                @SuppressWarnings("unchecked")
                Resp prototype = (Resp) response(method);
                member.peers().stream(ar.result(), method, r, prototype, in, in.response());
            }
        });
    }

    /** The member that holds run {@code id}: null for this one (or none: NOT_FOUND here). */
    Future<SocketAddress> ownerOfRun(String id) {
        return member.ownerOf(ClusterMember.run(id));
    }

    /** True when a member of this cluster routed the call (it carries the cluster's secret). */
    boolean routedByMember(MultiMap headers) {
        return member.peers().routed(headers);
    }

    PeerCalls peers() {
        return member.peers();
    }

    /** "run:ID" for a request with a non-empty {@code id}, "sweep:ID" for one with a {@code sweep_id}, else null. */
    private static String key(Message r) {
        Descriptors.Descriptor d = r.getDescriptorForType();
        for (String field : new String[] {"id", "sweep_id"}) {
            Descriptors.FieldDescriptor f = d.findFieldByName(field);
            if (f == null || f.getJavaType() != Descriptors.FieldDescriptor.JavaType.STRING) continue;
            String v = (String) r.getField(f);
            if (v.isEmpty()) return null;
            return field.equals("id") ? ClusterMember.run(v) : ClusterMember.sweep(v);
        }
        return null;
    }

    /** The default instance of {@code method}'s answer type (the generated class of its descriptor). */
    private Message response(String method) {
        return responses.computeIfAbsent(method, m -> {
            Descriptors.Descriptor out = io.eiscope.api.v1.SimulationServiceProto.getDescriptor()
                    .findServiceByName("SimulationService")
                    .findMethodByName(m)
                    .getOutputType();
            try {
                return (Message) Class.forName("io.eiscope.api.v1." + out.getName())
                        .getMethod("getDefaultInstance")
                        .invoke(null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("no generated class for " + out.getFullName(), e);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> Future<T> cast(Future<?> f) {
        return (Future<T>) f;
    }

    /**
     * One page of every member's runs, oldest first: each member's page after the token, merged, cut to the page
     * size; the next token is the last one sent, as on one server.
     */
    private <Resp extends Message> Future<ListSimulationsResponse> listSimulations(
            ListSimulationsRequest r, MultiMap headers, Supplier<Future<Resp>> here) {
        List<Future<ListSimulationsResponse>> parts = new ArrayList<>();
        parts.add(here.get().map(m -> (ListSimulationsResponse) m));
        for (SocketAddress to : member.others())
            parts.add(member.peers()
                    .unary(to, "ListSimulations", r, ListSimulationsResponse.getDefaultInstance(), headers));
        return Future.all(parts).map(all -> {
            List<Simulation> merged = new ArrayList<>();
            boolean more = false;
            for (int i = 0; i < all.size(); i++) {
                ListSimulationsResponse p = all.resultAt(i);
                merged.addAll(p.getSimulationsList());
                more |= !p.getNextPageToken().isEmpty();
            }
            merged.sort(
                    Comparator.comparingLong(Simulation::getCreatedUnixMillis).thenComparing(Simulation::getId));
            int size = r.getPageSize() == 0
                    ? SimulationGrpcService.MAX_PAGE_SIZE
                    : Math.min(r.getPageSize(), SimulationGrpcService.MAX_PAGE_SIZE);
            ListSimulationsResponse.Builder out = ListSimulationsResponse.newBuilder();
            out.addAllSimulations(merged.subList(0, Math.min(size, merged.size())));
            if (merged.size() > size || more) {
                Simulation last = out.getSimulations(out.getSimulationsCount() - 1);
                out.setNextPageToken(last.getCreatedUnixMillis() + "/" + last.getId());
            }
            return out.build();
        });
    }

    private <Resp extends Message> Future<ListSweepsResponse> listSweeps(
            ListSweepsRequest r, MultiMap headers, Supplier<Future<Resp>> here) {
        List<Future<ListSweepsResponse>> parts = new ArrayList<>();
        parts.add(here.get().map(m -> (ListSweepsResponse) m));
        for (SocketAddress to : member.others())
            parts.add(member.peers().unary(to, "ListSweeps", r, ListSweepsResponse.getDefaultInstance(), headers));
        return Future.all(parts).map(all -> {
            List<Sweep> merged = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) merged.addAll(((ListSweepsResponse) all.resultAt(i)).getSweepsList());
            merged.sort(Comparator.comparingLong(Sweep::getCreatedUnixMillis).thenComparing(Sweep::getId));
            return ListSweepsResponse.newBuilder().addAllSweeps(merged).build();
        });
    }
}

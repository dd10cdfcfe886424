package io.eiscope.app;

import io.eiscope.api.v1.ControlSweepRequest;
import io.eiscope.api.v1.ControlSweepResponse;
import io.eiscope.api.v1.CreateSweepRequest;
import io.eiscope.api.v1.CreateSweepResponse;
import io.eiscope.api.v1.GetSweepRequest;
import io.eiscope.api.v1.GetSweepResponse;
import io.eiscope.api.v1.GetSweepResultsRequest;
import io.eiscope.api.v1.ListSweepsRequest;
import io.eiscope.api.v1.ListSweepsResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.ServiceBuilder;

/** The sweep rpcs of eiscope.v1.SimulationService (see {@link Sweeps}); the record is read and written on workers. */
final class SweepGrpcService {
    private final Vertx vertx;
    private final Sweeps sweeps;
    private final SimulationRegistry registry;

    SweepGrpcService(Vertx vertx, Sweeps sweeps, SimulationRegistry registry) {
        this.vertx = vertx;
        this.sweeps = sweeps;
        this.registry = registry;
    }

    void bind(ServiceBuilder b, SimulationGrpcService service) {
        service.unaryAs(b, "CreateSweep", CreateSweepRequest.getDefaultInstance(), (caller, r) -> {
            if (!r.hasSpec()) throw ApiException.invalid("spec is required");
            return vertx.executeBlocking(() -> sweeps.create(r.getSpec(), caller.owner()), false)
                    .map(l -> CreateSweepResponse.newBuilder()
                            .setSweep(sweeps.toProto(l, true))
                            .build());
        });
        service.unaryAs(
                b,
                "GetSweep",
                GetSweepRequest.getDefaultInstance(),
                (caller, r) -> Future.succeededFuture(GetSweepResponse.newBuilder()
                        .setSweep(sweeps.toProto(sweeps.get(r.getSweepId(), caller), true))
                        .build()));
        service.unaryAs(b, "ListSweeps", ListSweepsRequest.getDefaultInstance(), (caller, r) -> {
            ListSweepsResponse.Builder out = ListSweepsResponse.newBuilder();
            sweeps.list(caller).forEach(l -> out.addSweeps(sweeps.toProto(l, false)));
            return Future.succeededFuture(out.build());
        });
        service.unaryAs(
                b,
                "ControlSweep",
                ControlSweepRequest.getDefaultInstance(),
                (caller, r) -> sweeps.control(sweeps.get(r.getSweepId(), caller), r.getAction())
                        .map(l -> ControlSweepResponse.newBuilder()
                                .setSweep(sweeps.toProto(l, true))
                                .build()));
        service.unaryAs(b, "GetSweepResults", GetSweepResultsRequest.getDefaultInstance(), (caller, r) -> {
            Sweeps.Live l = sweeps.get(r.getSweepId(), caller);
            var metrics = SweepResults.metrics(r.getMetricsList());
            return vertx.executeBlocking(
                    () -> {
                        registry.archive().recorder().flush().join(); // read your writes, as GetHistory does
                        return SweepResults.of(
                                sweeps.toProto(l, true),
                                metrics,
                                registry.archive().store());
                    },
                    false);
        });
    }
}

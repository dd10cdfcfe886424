package io.eiscope.app;

import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.ControlResponse;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.CreateSimulationResponse;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.UpdateRunRequest;
import io.eiscope.api.v1.UpdateRunResponse;
import io.eiscope.engine.sim.SimulationState;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A cluster member's sweep runs: each new run goes to the least loaded member (made there on the sweep owner's
 * behalf), and is played, paused and followed wherever it is, by the states the members publish of their runs.
 */
final class ClusterSweepRuns implements SweepRuns {
    /** How long making a run on another member may take. */
    static final long CREATE_SECONDS = 60;

    private final SweepRuns.Local local;
    private final SimulationRegistry registry;
    private final ClusterMember member;

    ClusterSweepRuns(SimulationRegistry registry, ClusterMember member) {
        this.registry = registry;
        this.local = new SweepRuns.Local(registry);
        this.member = member;
    }

    @Override
    public SimulationState state(String id) {
        if (id == null || id.isEmpty()) return null;
        if (registry.has(id)) return local.state(id);
        ClusterMember.RunState s = member.runState(id);
        return s == null ? null : s.state();
    }

    @Override
    public long step(String id) {
        if (registry.has(id)) return local.step(id);
        ClusterMember.RunState s = member.runState(id);
        return s == null ? 0 : s.step();
    }

    @Override
    public CompletionStage<Long> play(String id) {
        return registry.has(id) ? local.play(id) : control(id, ControlAction.CONTROL_ACTION_PLAY);
    }

    @Override
    public CompletionStage<Long> pause(String id) {
        return registry.has(id) ? local.pause(id) : control(id, ControlAction.CONTROL_ACTION_PAUSE);
    }

    private CompletionStage<Long> control(String id, ControlAction action) {
        ControlRequest r =
                ControlRequest.newBuilder().setId(id).setAction(action).build();
        return member.ownerOf(ClusterMember.run(id))
                .compose(to -> to == null
                        ? Future.failedFuture(ApiException.notFound("no simulation '" + id + "'"))
                        : member.peers()
                                .unary(to, "Control", r, ControlResponse.getDefaultInstance(), onBehalf(""))
                                .map(ControlResponse::getEffectiveStep))
                .toCompletionStage();
    }

    @Override
    public String create(SimulationSpec spec, String preset, String owner, List<String> tags) {
        SocketAddress to = member.placement(1);
        if (to == null) return local.create(spec, preset, owner, tags);
        // The spec is whole (the point's values applied): the run is made from it, its preset kept by the sweep's
        // point.
        MultiMap as = onBehalf(owner);
        try {
            String id = member.peers()
                    .unary(
                            to,
                            "CreateSimulation",
                            CreateSimulationRequest.newBuilder().setSpec(spec).build(),
                            CreateSimulationResponse.getDefaultInstance(),
                            as)
                    .map(c -> c.getSimulation().getId())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(CREATE_SECONDS, TimeUnit.SECONDS);
            member.peers()
                    .unary(
                            to,
                            "UpdateRun",
                            UpdateRunRequest.newBuilder()
                                    .setId(id)
                                    .addAllTags(tags)
                                    .build(),
                            UpdateRunResponse.getDefaultInstance(),
                            as)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(CREATE_SECONDS, TimeUnit.SECONDS);
            member.madeElsewhere(id);
            return id;
        } catch (java.util.concurrent.ExecutionException e) {
            throw ApiException.from(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ApiException(
                    io.vertx.grpc.common.GrpcStatus.RESOURCE_EXHAUSTED,
                    "the member at " + to + " did not make the run within " + CREATE_SECONDS
                            + " s; trying again later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(io.vertx.grpc.common.GrpcStatus.UNAVAILABLE, "interrupted while making a run");
        }
    }

    /** Headers of a call a member makes for a sweep: on behalf of the sweep's owner. */
    private static MultiMap onBehalf(String owner) {
        return MultiMap.caseInsensitiveMultiMap().set(PeerCalls.ON_BEHALF_OF, owner);
    }
}

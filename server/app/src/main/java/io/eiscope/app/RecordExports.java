package io.eiscope.app;

import io.eiscope.store.CheckpointRecord;
import io.eiscope.store.SeriesData;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Plain-HTTP downloads of the run record, for browsers and curl:
 * <ul>
 *   <li>{@code GET /api/runs/ID/scalars.csv[?observables=loss,accuracy&layers=layer0.W]}: every
 *       recorded scalar as tidy CSV ({@code step,wall_time_unix_nanos,observable,layer,value});</li>
 *   <li>{@code GET /api/runs/ID/checkpoints/STEP.npz} (or {@code latest.npz}): a checkpoint as
 *       the .npz file NumPy reads.</li>
 * </ul>
 * Store reads run on workers. Errors answer 404 or 400 with a line that says what to fix.
 */
final class RecordExports {
    private RecordExports() {}

    static void mount(Router router, Vertx vertx, SimulationRegistry registry, Access access) {
        mount(router, vertx, registry, access, null);
    }

    /** ... in a cluster ({@code member} not null): a run another member holds is answered by a redirect to it. */
    static void mount(Router router, Vertx vertx, SimulationRegistry registry, Access access, ClusterMember member) {
        if (member != null)
            router.get("/api/runs/:id/*").handler(ctx -> {
                String id = ctx.pathParam("id");
                if (registry.has(id)) {
                    ctx.next();
                    return;
                }
                member.ownerOf(ClusterMember.run(id)).onComplete(ar -> {
                    if (ar.failed())
                        error(ctx, 503, ApiException.from(ar.cause()).getMessage());
                    else if (ar.result() == null) ctx.next();
                    else
                        ctx.response()
                                .setStatusCode(307)
                                .putHeader(
                                        "location",
                                        "http://" + ar.result().host() + ":"
                                                + ar.result().port()
                                                + ctx.request().uri())
                                .end();
                });
            });
        router.get("/api/runs/:id/scalars.csv").handler(ctx -> {
            SimulationRegistry.Entry e = entry(ctx, registry, access);
            if (e == null) return;
            Set<String> observables = list(ctx.request().getParam("observables"));
            Set<String> layers = list(ctx.request().getParam("layers"));
            vertx.executeBlocking(
                            () -> {
                                registry.archive()
                                        .recorder()
                                        .flush()
                                        .join(); // read your writes: every point published before the request
                                return csv(registry.archive()
                                        .store()
                                        .history(e.runner().id(), observables, layers, 0, 0, 0));
                            },
                            false)
                    .onSuccess(body -> ctx.response()
                            .putHeader("content-type", "text/csv; charset=utf-8")
                            .putHeader(
                                    "content-disposition",
                                    "attachment; filename=\"" + e.runner().id() + "-scalars.csv\"")
                            .end(body))
                    .onFailure(err -> error(ctx, 500, "could not read the record: " + err.getMessage()));
        });
        router.get("/api/runs/:id/checkpoints/:file").handler(ctx -> {
            SimulationRegistry.Entry e = entry(ctx, registry, access);
            if (e == null) return;
            String file = ctx.pathParam("file");
            if (!file.matches("(latest|\\d+)\\.npz")) {
                error(ctx, 400, "ask for STEP.npz (a step from ListCheckpoints) or latest.npz, got '" + file + "'");
                return;
            }
            String step = file.substring(0, file.length() - 4);
            vertx.executeBlocking(
                            () -> {
                                List<CheckpointRecord> all = registry.archive()
                                        .store()
                                        .checkpoints(e.runner().id());
                                CheckpointRecord c = step.equals("latest")
                                        ? (all.isEmpty() ? null : all.get(all.size() - 1))
                                        : all.stream()
                                                .filter(r -> r.step() == Long.parseLong(step))
                                                .findFirst()
                                                .orElse(null);
                                if (c == null) return null;
                                return Buffer.buffer(
                                        registry.archive().checkpoints().bytes(c));
                            },
                            false)
                    .onSuccess(body -> {
                        if (body == null) {
                            error(
                                    ctx,
                                    404,
                                    "run " + e.runner().id() + " has no checkpoint " + file
                                            + "; GET ListCheckpoints for the steps it has");
                            return;
                        }
                        ctx.response()
                                .putHeader("content-type", "application/octet-stream")
                                .putHeader(
                                        "content-disposition",
                                        "attachment; filename=\"" + e.runner().id() + "-" + file + "\"")
                                .end(body);
                    })
                    .onFailure(err -> error(ctx, 500, "could not read the checkpoint: " + err.getMessage()));
        });
    }

    /** The run the path names, if the caller (token in an Authorization header or ?token=) may read it; else answered. */
    private static SimulationRegistry.Entry entry(RoutingContext ctx, SimulationRegistry registry, Access access) {
        Caller caller = access.caller(
                ctx.request().getHeader("authorization"), ctx.request().getParam("token"));
        if (caller == null) {
            error(
                    ctx,
                    401,
                    "this server needs a token: send 'Authorization: Bearer <token>' or add ?token=<token> to the URL");
            return null;
        }
        SimulationRegistry.Entry e;
        try {
            e = registry.get(ctx.pathParam("id"));
        } catch (ApiException ex) {
            error(ctx, 404, ex.getMessage());
            return null;
        }
        if (!caller.owns(e.meta().owner())) {
            error(
                    ctx,
                    403,
                    "run " + e.runner().id() + " belongs to '" + e.meta().owner()
                            + "'; only its owner and admins may read it");
            return null;
        }
        return e;
    }

    private static Set<String> list(String param) {
        if (param == null || param.isEmpty()) return Set.of();
        return Set.copyOf(Arrays.asList(param.split(",")));
    }

    static String csv(List<SeriesData> series) {
        StringBuilder b = new StringBuilder("step,wall_time_unix_nanos,observable,layer,value\n");
        for (SeriesData s : series) {
            for (int i = 0; i < s.size(); i++) {
                b.append(s.steps()[i])
                        .append(',')
                        .append(s.wallNanos()[i])
                        .append(',')
                        .append(s.observable())
                        .append(',')
                        .append(s.layer())
                        .append(',')
                        .append(s.values()[i])
                        .append('\n');
            }
        }
        return b.toString();
    }

    private static void error(RoutingContext ctx, int status, String message) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "text/plain; charset=utf-8")
                .end("eiscope: " + message + "\n");
    }
}

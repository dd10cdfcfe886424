package io.eiscope.app;

import io.eiscope.engine.sim.SimulationState;
import io.eiscope.engine.tensor.IntraOp;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's metrics in Prometheus' text format at {@code GET /metrics} (Micrometer): runs by
 * state, training steps, watch streams and their dropped and merged frames, the record's
 * write-behind queue, the reconstruction cache, gRPC calls by method and status with their
 * latency, and the JVM (heap, direct buffers, GC, threads, CPU). With authentication on, a token
 * is needed (Prometheus sends one with {@code authorization: bearer_token}).
 */
final class ServerMetrics {
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    ServerMetrics(SimulationRegistry registry) {
        new JvmMemoryMetrics().bindTo(meters); // heap, non-heap and buffer pools (direct memory)
        new JvmGcMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ClassLoaderMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        for (SimulationState s : SimulationState.values()) {
            Gauge.builder(
                            "eiscope_runs",
                            registry,
                            r -> r.list().stream()
                                    .filter(e -> e.runner().state() == s)
                                    .count())
                    .tag("state", s.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Runs in each state")
                    .register(meters);
        }
        FunctionCounter.builder(
                        "eiscope_training_steps",
                        registry,
                        r -> r.retiredSteps()
                                + r.list().stream()
                                        .mapToLong(e -> e.runner().trainedSteps())
                                        .sum())
                .description("Training steps taken by all runs since the server started (replays not counted)")
                .register(meters);
        Gauge.builder(
                        "eiscope_watch_streams",
                        registry,
                        r -> r.list().stream()
                                .mapToInt(e -> e.streams().subscriberCount())
                                .sum())
                .description("Open Watch streams and session subscriptions")
                .register(meters);
        FunctionCounter.builder("eiscope_frames_dropped", Subscriber.DROPPED, LongAdder::sum)
                .description("Latest-wins frames (tensors, histograms) replaced before a slow reader took them")
                .register(meters);
        FunctionCounter.builder("eiscope_frames_merged", Subscriber.MERGED, LongAdder::sum)
                .description("Scalar samples merged into newer ones for a slow reader (counted in the frames)")
                .register(meters);
        Gauge.builder("eiscope_workers", registry, r -> r.admission().slots())
                .description("Runs that may play at once (--workers); more wait queued")
                .register(meters);
        FunctionTimer.builder(
                        "eiscope_queue_wait",
                        registry,
                        r -> r.admission().completedWaits(),
                        r -> r.admission().waitedNanos(),
                        TimeUnit.NANOSECONDS)
                .description("Time runs spent queued for a slot, counted when they leave the queue (started, paused or"
                        + " deleted); eiscope_runs{state=\"queued\"} counts those waiting now")
                .register(meters);
        Gauge.builder("eiscope_spare_cores", IntraOp::spareCores)
                .description("Cores no playing run uses, lent to the playing runs' large matrix products")
                .register(meters);
        Gauge.builder("eiscope_cores_used_elsewhere", IntraOp::coresUsedElsewhere)
                .description("Cores the rest of the machine used over the last quarter second: other programs, and this"
                        + " server's threads that do not lend (event loops, analysis, GC); a core they keep more than"
                        + " half busy is not lent")
                .register(meters);
        FunctionCounter.builder("eiscope_product_halves_lent", IntraOp.class, c -> IntraOp.helpedHalves())
                .description("Halves of matrix products computed on a spare core")
                .register(meters);
        FunctionCounter.builder("eiscope_product_halves_taken_back", IntraOp.class, c -> IntraOp.takenBackHalves())
                .description("Halves lent to a spare core that their run computed itself, no core being free in time")
                .register(meters);
        FunctionCounter.builder("eiscope_product_lending_backoffs", IntraOp.class, c -> IntraOp.backOffs())
                .description("Times lending stopped for a moment because a spare core computed its half twice as late"
                        + " as the run did its own (the core was busy with other work)")
                .register(meters);
        Gauge.builder("eiscope_runs_estimated_memory_bytes", registry, SimulationRegistry::reservedBytes)
                .description("The runs' memory by their estimates, held against --memory-budget-mb")
                .register(meters);
        Gauge.builder(
                        "eiscope_record_queue_points",
                        registry,
                        r -> r.archive().recorder().queued())
                .description("Scalar points waiting to be written to the run record")
                .register(meters);
        Gauge.builder(
                        "eiscope_reconstruction_cache_bytes",
                        registry,
                        r -> r.timeTravel().cache().bytes())
                .description("Memory held by cached reconstructions of past steps")
                .register(meters);
    }

    /** The limits' own counters: stalled readers disconnected, requests refused for their rate, connections holding streams. */
    void bindLimits(StreamLimits limits) {
        FunctionCounter.builder("eiscope_stalled_readers_disconnected", Subscriber.STALLED, LongAdder::sum)
                .description(
                        "Watch streams and sessions reset because their client took nothing for --stalled-reader-seconds")
                .register(meters);
        FunctionCounter.builder("eiscope_requests_refused_for_rate", EiscopeServer.RATE_REFUSED, LongAdder::sum)
                .description("gRPC requests refused RESOURCE_EXHAUSTED by --max-requests-per-second")
                .register(meters);
        Gauge.builder("eiscope_connections_with_streams", limits.perConnection(), ConnectionStreams::connections)
                .description("Connections holding at least one watch stream or session subscription")
                .register(meters);
    }

    /** Sweeps by state, and their runs playing now. */
    void bindSweeps(Sweeps sweeps) {
        for (io.eiscope.api.v1.SweepState s : io.eiscope.api.v1.SweepState.values()) {
            if (s == io.eiscope.api.v1.SweepState.UNRECOGNIZED
                    || s == io.eiscope.api.v1.SweepState.SWEEP_STATE_UNSPECIFIED) continue;
            Gauge.builder("eiscope_sweeps", sweeps, x -> x.count(s))
                    .tag("state", s.name().substring("SWEEP_STATE_".length()).toLowerCase(java.util.Locale.ROOT))
                    .description("Sweeps in each state")
                    .register(meters);
        }
    }

    /** Records one finished gRPC call. */
    void call(String method, int status, long nanos) {
        Timer.builder("eiscope_grpc_server_calls")
                .tag("method", method)
                .tag("code", Integer.toString(status))
                .description("gRPC calls of eiscope.v1.SimulationService by method and status code")
                .register(meters)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    String scrape() {
        return meters.scrape();
    }

    void mount(Router router, Access access) {
        router.get("/metrics").handler(ctx -> {
            if (access.caller(
                            ctx.request().getHeader("authorization"),
                            ctx.request().getParam("token"))
                    == null) {
                ctx.response()
                        .setStatusCode(401)
                        .putHeader("content-type", "text/plain; charset=utf-8")
                        .end("this server needs a token for /metrics: send 'Authorization: Bearer <token>'\n");
                return;
            }
            ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(scrape());
        });
    }
}

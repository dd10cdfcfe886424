package io.eiscope.app;

import io.eiscope.engine.sim.CheckpointSink;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.tensor.Exp;
import io.eiscope.engine.tensor.OffHeapDescent;
import io.eiscope.store.Recorder;
import io.eiscope.store.RunStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One eiscope server: native gRPC (h2c), gRPC-Web (binary and text) and the web UI's static
 * files on one port, plus the standard health and reflection services.
 */
public final class EiscopeServer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EiscopeServer.class);

    /** Stream resets one connection may send per window before Netty's rapid-reset guard closes it. */
    static final int RST_FRAMES_PER_WINDOW = 6_000;

    static final int RST_WINDOW_SECONDS = 30;

    private final ServerOptions options;
    private Vertx vertx;
    private ClusterMember member; // null: a server on its own
    private com.hazelcast.core.HazelcastInstance hazelcast;
    private SimulationRegistry registry;
    private Sweeps sweeps;
    private HttpServer http;

    private volatile String generatedToken;
    private volatile Path tlsCertificate;

    /** The certificate served over TLS (given or generated), or null without TLS. */
    public Path tlsCertificate() {
        return tlsCertificate;
    }

    public EiscopeServer(ServerOptions options) {
        this.options = options;
    }

    public SimulationRegistry registry() {
        return registry;
    }

    /** The admin token generated at this start (the token file did not exist), or null. */
    public String generatedToken() {
        return generatedToken;
    }

    /** Binds the port; the future fails when it is taken. Returns the bound port. */
    public Future<Integer> start() {
        if (options.cluster() == null) vertx = Vertx.vertx();
        else {
            ClusterSetup.Joined joined = ClusterSetup.join(options.cluster());
            vertx = joined.vertx();
            hazelcast = joined.hazelcast();
            member = new ClusterMember(vertx, hazelcast, options.cluster().host(), options.maxMessageBytes());
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        RunArchive archive = new RunArchive(
                RunStore.open(options.dataDir(), options.store(), member != null),
                Recorder.DEFAULT_CAPACITY,
                Recorder.DEFAULT_FLUSH_MILLIS,
                options.keepCheckpoints(),
                new CheckpointSink.Policy(
                        options.checkpointEverySteps(), options.checkpointEverySeconds() * 1_000_000_000L),
                options.diskBudgetMb() * (1L << 20));
        registry = new SimulationRegistry(
                Catalogue.standard(),
                EngineContext.of(options.datasetsDir()),
                threads,
                archive,
                options.replayCacheMb() << 20);
        registry.setMaxRunsPerOwner(options.maxRunsPerOwner());
        registry.setWorkers(options.workers());
        registry.setMemoryBudgetBytes(options.memoryBudgetMb() << 20);
        int recovered = member == null ? registry.recoverAll() : 0; // a member takes its share once it listens
        if (recovered > 0)
            LOG.atInfo()
                    .addKeyValue("runs", recovered)
                    .addKeyValue("data_dir", options.dataDir())
                    .addKeyValue("store", options.store())
                    .log("recovered the record's runs");
        Tokens tokens = options.auth() == ServerOptions.Auth.TOKEN ? Tokens.loadOrCreate(options.tokensFile()) : null;
        generatedToken = tokens == null ? null : tokens.generated();
        Access access = Access.of(options, tokens);
        GrpcServer grpc =
                GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(options.maxMessageBytes()));
        sweeps = new Sweeps(vertx, registry, threads);
        int sweepsBack = sweeps.start(member == null); // after the runs: a sweep plays the runs it had made
        if (sweepsBack > 0) LOG.atInfo().addKeyValue("sweeps", sweepsBack).log("recovered the record's sweeps");
        ServerMetrics metrics = new ServerMetrics(registry);
        metrics.bindSweeps(sweeps);
        StreamLimits limits = StreamLimits.of(options);
        metrics.bindLimits(limits);
        grpc.addService(new SimulationGrpcService(
                        vertx,
                        registry,
                        limits,
                        options.maxMessageBytes(),
                        access,
                        metrics,
                        sweeps,
                        member == null ? null : new ClusterRouting(member))
                .build());
        grpc.addService(HealthService.create(vertx)
                .register("", () -> Future.succeededFuture(true))
                .register(SimulationGrpcService.NAME, () -> Future.succeededFuture(true)));
        grpc.addService(ReflectionService.v1());

        Router router = Router.router(vertx);
        RecordExports.mount(router, vertx, registry, access, member);
        metrics.mount(router, access);
        String webRoot = options.webRoot().toAbsolutePath().normalize().toString();
        if (Files.isRegularFile(options.webRoot().resolve("index.html"))) {
            router.route()
                    .handler(
                            StaticHandler.create(FileSystemAccess.ROOT, webRoot).setCachingEnabled(false));
        } else {
            LOG.warn("no web UI in {} (run ./eiscope build); serving gRPC only", webRoot);
            router.route("/")
                    .handler(ctx -> ctx.response()
                            .putHeader("content-type", "text/plain")
                            .end("eiscope: the web UI is not built in " + webRoot + "; run ./eiscope build\n"));
        }
        if (!Exp.inLanes()) {
            LOG.info("the update loops run one element at a time: started with java --add-modules jdk.incubator.vector"
                    + " (as ./eiscope does), exponentiated gradient's steps run 1.3 to 5 times faster and Dale's-law"
                    + " SGD's up to 1.2 times, and on AVX-512 machines products of 28 to 32 rows with weights of"
                    + " 128+ a side about 25 times, with the same weights");
        }
        if (!OffHeapDescent.available()) {
            LOG.info("SGD, heavy ball and Adam update the weights through heap copies: on JDK 22 or later (./eiscope"
                    + " finds one under /usr/lib/jvm, or EISCOPE_JDK22), with a build that found it, they update them in"
                    + " place, and a batch-1 step runs 1.4 to 3 times faster, with the same weights");
        }

        // Netty's rapid-reset guard stays on, sized for clients that open and cancel a watch per notebook cell:
        // a sustained 200 cancellations a second on one connection (the default, 200 per 30 s, cut such clients off).
        HttpServerOptions httpOptions = new HttpServerOptions()
                .setHost(options.host())
                .setPort(options.port())
                .setHttp2RstFloodMaxRstFramePerWindow(RST_FRAMES_PER_WINDOW)
                .setHttp2RstFloodWindowDuration(RST_WINDOW_SECONDS)
                .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
        if (options.tls()) {
            // gRPC, gRPC-Web and the page on the one port, HTTP/2 negotiated by ALPN.
            Path cert = options.tlsCert(), key = options.tlsKey();
            if (options.tlsSelfSigned()) {
                var generated = SelfSignedTls.ensure(options.dataDir().resolve("tls"), options.allowedHosts());
                cert = generated.cert();
                key = generated.key();
                LOG.atInfo()
                        .addKeyValue("certificate", cert)
                        .addKeyValue("sha256", SelfSignedTls.fingerprint(cert))
                        .log("TLS with a self-signed certificate");
            }
            tlsCertificate = cert;
            httpOptions
                    .setSsl(true)
                    .setUseAlpn(true)
                    .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                            .setCertPath(cert.toString())
                            .setKeyPath(key.toString()));
        }
        http = vertx.createHttpServer(httpOptions);
        http.requestHandler(req -> {
            if (access.refusedHost(req)) return;
            if (isGrpc(req)) {
                // A call another member routed here was let in by that member (a member's own calls for a sweep carry
                // no token): it carries the cluster's secret, which only members have.
                boolean routed = member != null && member.peers().routed(req.headers());
                if (!RequestMessages.refusedEncoding(req)
                        && (routed || !access.refusedGrpc(req))
                        && (routed || !refusedRate(req, access, limits.rates())))
                    RawStreams.dispatch(reflectionV1alphaAsV1(req), grpc::handle);
            } else {
                router.handle(req);
            }
        });
        return http.listen().map(HttpServer::actualPort).compose(port -> {
            if (member != null)
                return vertx.executeBlocking(
                        () -> {
                            int taken = member.join(registry, sweeps, port);
                            LOG.atInfo()
                                    .addKeyValue("member", member.id())
                                    .addKeyValue("runs_taken", taken)
                                    .log("joined the cluster");
                            return port;
                        },
                        false);
            if (!options.demo() || recovered > 0) return Future.succeededFuture(port);
            return vertx.executeBlocking(() -> {
                var preset = registry.catalogue().preset("mlp-fashion-mnist").orElseThrow();
                var e = registry.create(preset.config(), preset.name());
                e.runner().play().join(); // accepted by the run before the server says it is up
                return port;
            });
        });
    }

    /** Refuses (RESOURCE_EXHAUSTED) a gRPC request over its client's request rate: true when it was refused. */
    private static boolean refusedRate(HttpServerRequest req, Access access, RequestRates rates) {
        if (rates == null) return false;
        String client = access.client(req);
        long wait = rates.admit(client);
        if (wait == 0) return false;
        RATE_REFUSED.increment();
        TrailersOnly.answer(req, io.vertx.grpc.common.GrpcStatus.RESOURCE_EXHAUSTED, rates.refusal(client, wait));
        return true;
    }

    /** gRPC requests refused for their client's rate, for /metrics. */
    static final java.util.concurrent.atomic.LongAdder RATE_REFUSED = new java.util.concurrent.atomic.LongAdder();

    static final String REFLECTION_V1ALPHA = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

    /**
     * Serves reflection v1alpha (what older clients, Python's grpc_reflection among them, speak) with
     * the v1 service: the two have the same messages, only the service name differs.
     */
    private static HttpServerRequest reflectionV1alphaAsV1(HttpServerRequest req) {
        if (!req.path().equals(REFLECTION_V1ALPHA)) return req;
        String v1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
        return new io.vertx.core.internal.http.HttpServerRequestWrapper(
                (io.vertx.core.internal.http.HttpServerRequestInternal) req) {
            @Override
            public String path() {
                return v1;
            }

            @Override
            public String uri() {
                return v1;
            }
        };
    }

    private static boolean isGrpc(HttpServerRequest req) {
        String type = req.getHeader("content-type");
        return HttpMethod.POST.equals(req.method()) && type != null && type.startsWith("application/grpc");
    }

    /** Stops every simulation and closes the server; waits up to 10 s. Idempotent. */
    public void close() {
        if (sweeps != null) sweeps.close(); // first: it must not play runs while they are checkpointed and stopped
        if (member != null) member.close();
        if (registry != null) registry.close();
        if (vertx == null) return;
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("shutdown did not complete cleanly: {}", e.toString());
        }
    }
}

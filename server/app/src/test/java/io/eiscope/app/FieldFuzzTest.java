package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Message;
import io.eiscope.api.v1.Catalogue;
import io.eiscope.api.v1.ComponentInfo;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.DeleteSimulationRequest;
import io.eiscope.api.v1.GetCatalogueRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.SaveCheckpointRequest;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceProto;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.engine.sim.SimulationState;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A bounded field-level fuzz of every method of eiscope.v1.SimulationService, over real gRPC to a
 * server on 127.0.0.1: valid requests naming real runs ({@link ValidRequests}) are mutated field
 * by field through their descriptors ({@link FieldMutator}), streams read a little and are then
 * cancelled, sessions get mutated requests mid-stream. Every call must get a status within its
 * deadline, never INTERNAL or UNKNOWN, and a description with every error; afterwards the server
 * answers well-formed calls, holds no subscription, and its heap and direct memory are back near
 * where they were. The seed is printed; {@code -Deiscope.fuzz.seed=N} replays a run,
 * {@code =random} draws a new one.
 */
class FieldFuzzTest {
    static final long SEED = "random".equals(System.getProperty("eiscope.fuzz.seed"))
            ? new Random().nextLong()
            : Long.getLong("eiscope.fuzz.seed", 12);
    /** Calls in flight at once (the machine has two cores; most of a call's time is waiting). */
    static final int CONCURRENCY = 4;
    /** Calls per method, except those named in {@link #CALLS}. */
    static final int DEFAULT_CALLS = 90;
    /** Multiplies every method's calls, for a longer hunt by hand ({@code -Deiscope.fuzz.scale=10}). */
    static final int SCALE = Integer.getInteger("eiscope.fuzz.scale", 1);

    static final Map<String, Integer> CALLS = Map.of(
            "ApplyCommand",
            300,
            "Session",
            150,
            "CreateSimulation",
            150,
            "Watch",
            100,
            "Control",
            100,
            "GetCatalogue",
            20,
            "DeleteSimulation",
            50);
    static final long HEAP_GROWTH_BOUND = 64L << 20, DIRECT_GROWTH_BOUND = 32L << 20;
    static final long PAST_STEP = 10;

    static LiveServer live;
    static String run;
    static volatile String victim;
    static ValidRequests valid;
    static List<String> words;

    @BeforeAll
    static void start() throws Exception {
        live = LiveServer.start();
        run = create(1);
        live.stepTo(run, 2 * PAST_STEP);
        Simulation info = live.stub()
                .getSimulation(GetSimulationRequest.newBuilder().setId(run).build())
                .getSimulation();
        Catalogue catalogue = live.stub()
                .getCatalogue(GetCatalogueRequest.getDefaultInstance())
                .getCatalogue();
        long checkpoint = live.stub()
                .saveCheckpoint(SaveCheckpointRequest.newBuilder().setId(run).build())
                .getCheckpoint()
                .getStep();
        victim = create(2);
        valid = new ValidRequests(run, () -> victim, info, catalogue, PAST_STEP, checkpoint);
        String deleted = create(3);
        live.stub()
                .deleteSimulation(
                        DeleteSimulationRequest.newBuilder().setId(deleted).build());
        words = new ArrayList<>(List.of(deleted, "sim-00000000", "eg", "sgd", "loss"));
        words.addAll(info.getLayersList());
        info.getParametersList().forEach(p -> words.add(p.getName()));
        catalogue.getObservablesList().forEach(o -> words.add(o.getName()));
        catalogue.getPresetsList().forEach(p -> words.add(p.getName()));
        for (var kinds : List.of(
                catalogue.getModelsList(),
                catalogue.getLearningRulesList(),
                catalogue.getTasksList(),
                catalogue.getInitialisationsList())) {
            for (ComponentInfo c : kinds) {
                words.add(c.getKind());
                c.getParamsList().forEach(p -> {
                    words.add(p.getName());
                    words.addAll(p.getChoicesList());
                });
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    static String create(long seed) {
        return live.stub()
                .createSimulation(CreateSimulationRequest.newBuilder()
                        .setSpec(ValidRequests.tiny(seed))
                        .build())
                .getSimulation()
                .getId();
    }

    private final Random random = new Random(SEED);
    private final FieldMutator mutator = new FieldMutator(random, () -> {
        List<String> w = new ArrayList<>(words);
        w.add(victim);
        return w;
    });
    private final FuzzTally tally = new FuzzTally();
    private final ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);

    @AfterEach
    void stopCalling() {
        pool.shutdownNow();
    }

    @Test
    void everyMethodAnswersFieldMutationsWithAStatusNeverInternalAndGivesItsMemoryBack() throws Exception {
        List<MethodDescriptor> methods = SimulationServiceProto.getDescriptor()
                .findServiceByName("SimulationService")
                .getMethods();
        assertThat(methods).hasSizeGreaterThan(20);
        System.out.println("FieldFuzzTest seed " + SEED + " (-Deiscope.fuzz.seed=" + SEED + " replays it)");
        for (MethodDescriptor m : methods) valid.of(m).forEach(mutator::learn);
        for (MethodDescriptor m : methods) fuzz(m, 3); // warm-up: classes, caches, buffer pools
        int warmUp = tally.calls();
        deleteAllBut(run);
        HeapGauge.Reading before = HeapGauge.settled();
        long start = System.nanoTime();
        List<String> logged = loggedWhile(() -> {
            for (MethodDescriptor m : methods) fuzz(m, SCALE * CALLS.getOrDefault(m.getName(), DEFAULT_CALLS));
            return null;
        });
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        deleteAllBut(run);
        assertNoSubscriptionLeft();
        HeapGauge.Reading after = HeapGauge.settled(before.heap() + HEAP_GROWTH_BOUND / 4);
        System.out.printf(
                "FieldFuzzTest: %d calls to %d methods in %d s (and %d to warm up); statuses %s%n  memory before: %s%n"
                        + "  memory after:  %s (%.1f MiB of it past steps of the run kept for time travel)%n",
                tally.calls() - warmUp,
                methods.size(),
                seconds,
                warmUp,
                tally.totals(),
                before,
                after,
                live.server.registry().timeTravel().cache().bytes() / 1048576.0);
        tally.codes.forEach(
                (method, c) -> System.out.println("  " + method + " " + c + " in " + tally.millis.get(method) + " ms"));
        assertThat(tally.codes).as("every method was called").hasSameSizeAs(methods);
        tally.assertNoOffender(SEED);
        assertThat(logged)
                .as(
                        "what the server logged while fuzzed, ERROR from any logger and WARN from its own (a client's request must not"
                                + " make it fail inside)")
                .isEmpty();
        assertStillServing();
        assertThat(after.heap() - before.heap())
                .as("heap growth: before %s, after %s", before, after)
                .isLessThan(HEAP_GROWTH_BOUND);
        assertThat(after.direct() - before.direct())
                .as("direct buffers: before %s, after %s", before, after)
                .isLessThan(DIRECT_GROWTH_BOUND);
    }

    /** Runs {@code work}; what was logged meanwhile at ERROR by any logger, or at WARN by the server's own. */
    private static List<String> loggedWhile(java.util.concurrent.Callable<Void> work) throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        try {
            work.call();
        } finally {
            root.detachAppender(log);
        }
        return log.list.stream()
                .filter(e -> e.getLevel()
                        .isGreaterOrEqual(e.getLoggerName().startsWith("io.eiscope") ? Level.WARN : Level.ERROR))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage() + " "
                        + e.getKeyValuePairs())
                .toList();
    }

    @Test
    void aRefusalEchoingALongValueReachesTheClientWithItsStatus() {
        // Found by the fuzz: a 10,000-character name in the status message overflowed the client's header limit
        // (INTERNAL, reset).
        var watch = org.junit.jupiter.api.Assertions.assertThrows(
                io.grpc.StatusRuntimeException.class,
                () -> live.stub()
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .watch(WatchRequest.newBuilder()
                                .setId(run)
                                .addObservables("x".repeat(10_000))
                                .build())
                        .hasNext());
        assertThat(watch.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(watch.getStatus().getDescription())
                .startsWith("unknown observable 'xxx")
                .contains(" characters cut ...] ")
                .endsWith("]");
        var preset = org.junit.jupiter.api.Assertions.assertThrows(
                io.grpc.StatusRuntimeException.class,
                () -> live.stub()
                        .createSimulation(CreateSimulationRequest.newBuilder()
                                .setPreset("ü☃".repeat(5_000))
                                .build()));
        assertThat(preset.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(preset.getStatus().getDescription())
                .startsWith("unknown preset 'ü☃")
                .contains("mlp-fashion-mnist");
    }

    /** {@code n} mutated calls of {@code m}, {@link #CONCURRENCY} at a time, with housekeeping between rounds. */
    private void fuzz(MethodDescriptor m, int n) throws Exception {
        io.grpc.MethodDescriptor<byte[], byte[]> method = RawCalls.method(m);
        boolean endless = m.getName()
                .equals("Watch"); // the stream that never ends by itself (a session ends once its requests are
        // answered)
        long start = System.nanoTime();
        for (int done = 0; done < n; ) {
            List<FuzzTally.Call> round = new ArrayList<>();
            for (; round.size() < CONCURRENCY && done < n; done++) round.add(plan(m));
            List<Future<RawCalls.Answer>> answers = new ArrayList<>();
            for (FuzzTally.Call c : round) {
                List<byte[]> bytes =
                        c.requests().stream().map(Message::toByteArray).toList();
                answers.add(pool.submit(() -> RawCalls.call(
                        live.channel,
                        method,
                        bytes,
                        endless ? 3 : Integer.MAX_VALUE,
                        endless ? 200 : RawCalls.DEADLINE_SECONDS * 1000)));
            }
            for (int i = 0; i < round.size(); i++)
                tally.judge(round.get(i), answers.get(i).get(RawCalls.DEADLINE_SECONDS + 10, TimeUnit.SECONDS));
            housekeeping();
        }
        tally.millis.merge(m.getName(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Long::sum);
    }

    /** A mutation of one of {@code m}'s valid requests; for a session, a valid subscription then one to four mutated requests. */
    private FuzzTally.Call plan(MethodDescriptor m) {
        List<Message> bases = valid.of(m);
        if (!m.isClientStreaming()) {
            FieldMutator.Mutation x = mutator.mutate(bases.get(random.nextInt(bases.size())));
            return new FuzzTally.Call(m, List.of(x.message()), x.path(), x.value());
        }
        List<Message> requests = new ArrayList<>(List.of(bases.get(0)));
        List<String> paths = new ArrayList<>(), values = new ArrayList<>();
        for (int k = 1 + random.nextInt(4); k > 0; k--) {
            FieldMutator.Mutation x = mutator.mutate(bases.get(random.nextInt(bases.size())));
            requests.add(x.message());
            paths.add("#" + requests.size() + " " + x.path());
            values.add(x.value());
        }
        return new FuzzTally.Call(m, requests, String.join(", ", paths), String.join(", ", values));
    }

    /** Deletes the runs the fuzz made beyond a few; replaces the victim when it is gone or no longer steerable. */
    private static void housekeeping() {
        var registry = live.server.registry();
        if (registry.list().size() > 12) deleteAllBut(run, victim);
        SimulationRegistry.Entry v = registry.list().stream()
                .filter(e -> e.runner().id().equals(victim))
                .findFirst()
                .orElse(null);
        SimulationState state = v == null ? null : v.runner().state();
        if (state == SimulationState.PAUSED || state == SimulationState.RUNNING) return;
        if (v != null) delete(victim);
        victim = create(2);
    }

    private static void deleteAllBut(String... kept) {
        List<String> keep = List.of(kept);
        for (SimulationRegistry.Entry e : live.server.registry().list()) {
            if (!keep.contains(e.runner().id())) delete(e.runner().id());
        }
    }

    private static void delete(String id) {
        try {
            live.stub()
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .deleteSimulation(
                            DeleteSimulationRequest.newBuilder().setId(id).build());
        } catch (io.grpc.StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) throw e; // deleted meanwhile
        }
    }

    /** Every Watch stream was cancelled and every session ended: no subscription may be left (a moment to notice the last cancel). */
    private static void assertNoSubscriptionLeft() {
        int open = 0;
        for (int i = 0; i < 50; i++) {
            open = live.server.registry().list().stream()
                    .mapToInt(e -> e.streams().subscriberCount())
                    .sum();
            if (open == 0) return;
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
        }
        assertThat(open)
                .as("subscriptions still open after every stream was cancelled")
                .isZero();
    }

    private static void assertStillServing() throws Exception {
        assertThat(live.stub()
                        .getSimulation(
                                GetSimulationRequest.newBuilder().setId(run).build())
                        .getSimulation()
                        .getId())
                .isEqualTo(run);
        assertThat(live.stub()
                        .listSimulations(ListSimulationsRequest.getDefaultInstance())
                        .getSimulationsList())
                .extracting(Simulation::getId)
                .contains(run);
        io.grpc.MethodDescriptor<byte[], byte[]> health = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("grpc.health.v1.Health/Check")
                .setRequestMarshaller(AuthGrpcTest.BYTES)
                .setResponseMarshaller(AuthGrpcTest.BYTES)
                .build();
        assertThat(RawCalls.call(live.channel, health, List.of(new byte[0]), Integer.MAX_VALUE, 10_000)
                        .status()
                        .getCode())
                .isEqualTo(Status.Code.OK);
        // HTTP/1.1 as a scraper asks, with a deadline: the JDK client's default h2c upgrade on this server hung once in
        // CI after the fuzz (the test then waited forever instead of failing).
        HttpResponse<String> metrics = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(java.time.Duration.ofSeconds(10))
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + live.port + "/metrics"))
                                .timeout(java.time.Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("eiscope_grpc_server_calls");
    }
}

package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.DeleteSimulationRequest;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetEventsRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Admission over real gRPC on 127.0.0.1: a server started with --workers 2 plays two runs at a time; a third
 * waits QUEUED with its position, starts first come first served when a playing run pauses, leaves the queue
 * when paused or deleted, takes steering at once while it waits; /metrics counts the queue; a server that stops
 * pauses its queued runs, saying so, and they come back PAUSED.
 */
class AdmissionGrpcTest {

    static String create(SimulationServiceGrpc.SimulationServiceBlockingStub stub, long seed) {
        return stub.createSimulation(CreateSimulationRequest.newBuilder()
                        .setSpec(SteeringGrpcTest.dann(seed))
                        .build())
                .getSimulation()
                .getId();
    }

    static Simulation control(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id, ControlAction a) {
        return stub.control(ControlRequest.newBuilder().setId(id).setAction(a).build())
                .getSimulation();
    }

    static Simulation get(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id) {
        return stub.getSimulation(GetSimulationRequest.newBuilder().setId(id).build())
                .getSimulation();
    }

    /** Reads {@code states} until the event of {@code state}; fails after the watch's deadline. */
    static Frame awaitState(Iterator<WatchResponse> states, SimulationState state) {
        return awaitState(states, state, "");
    }

    /** ... whose message starts with {@code prefix}. */
    static Frame awaitState(Iterator<WatchResponse> states, SimulationState state, String prefix) {
        while (true) {
            for (Frame f : states.next().getFramesList())
                if (f.getEvent().getState() == state
                        && f.getEvent().getMessage().startsWith(prefix)) return f;
        }
    }

    static Iterator<WatchResponse> watchStates(SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id) {
        return stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                .watch(WatchRequest.newBuilder()
                        .setId(id)
                        .addObservables("state")
                        .build());
    }

    @Test
    void aThirdRunOnTwoWorkersQueuesAtPositionOneAndStartsWhenTheFirstPauses() throws Exception {
        try (LiveServer live = LiveServer.start(o -> o.withWorkers(2))) {
            var stub = live.stub();
            String a = create(stub, 1), b = create(stub, 2), c = create(stub, 3), d = create(stub, 4);
            assertThat(control(stub, a, ControlAction.CONTROL_ACTION_PLAY).getState())
                    .isEqualTo(SimulationState.SIMULATION_STATE_RUNNING);
            assertThat(control(stub, b, ControlAction.CONTROL_ACTION_PLAY).getState())
                    .isEqualTo(SimulationState.SIMULATION_STATE_RUNNING);
            Simulation third = control(stub, c, ControlAction.CONTROL_ACTION_PLAY);
            assertThat(third.getState()).isEqualTo(SimulationState.SIMULATION_STATE_QUEUED);
            assertThat(third.getQueuePosition()).isEqualTo(1);
            assertThat(third.getStatusMessage())
                    .startsWith("queued at position 1: the server plays at most 2 runs at a time (--workers)");
            assertThat(control(stub, d, ControlAction.CONTROL_ACTION_PLAY).getQueuePosition())
                    .isEqualTo(2);
            Map<String, Integer> listed = new HashMap<>();
            for (Simulation s : stub.listSimulations(ListSimulationsRequest.getDefaultInstance())
                    .getSimulationsList()) listed.put(s.getId(), s.getQueuePosition());
            assertThat(listed).isEqualTo(Map.of(a, 0, b, 0, c, 1, d, 2));

            // Steering a queued run takes effect at once, at its step, and it stays queued.
            long at = stub.applyCommand(ApplyCommandRequest.newBuilder()
                            .setId(c)
                            .setCommand(SteeringGrpcTest.lr(0.02))
                            .build())
                    .getEffectiveStep();
            assertThat(at).isZero();
            assertThat(get(stub, c).getState()).isEqualTo(SimulationState.SIMULATION_STATE_QUEUED);

            String body = metrics(live);
            assertThat(MetricsTest.value(body, "eiscope_runs{state=\"queued\"}"))
                    .isEqualTo(2);
            assertThat(MetricsTest.value(body, "eiscope_workers")).isEqualTo(2);

            Iterator<WatchResponse> states = watchStates(stub, c);
            awaitState(states, SimulationState.SIMULATION_STATE_QUEUED); // the current state first
            control(stub, a, ControlAction.CONTROL_ACTION_PAUSE);
            Frame started = awaitState(states, SimulationState.SIMULATION_STATE_RUNNING);
            assertThat(started.getEvent().getMessage()).matches("playing \\(after \\d+\\.\\d s in the queue\\)");
            assertThat(get(stub, d).getQueuePosition()).as("d moved up").isEqualTo(1);
            assertThat(get(stub, c).getQueuePosition()).isZero();

            // Pausing a queued run takes it out of the queue; deleting a playing one hands its slot on.
            Simulation paused = control(stub, d, ControlAction.CONTROL_ACTION_PAUSE);
            assertThat(paused.getState()).isEqualTo(SimulationState.SIMULATION_STATE_PAUSED);
            assertThat(paused.getStatusMessage()).startsWith("paused; it left the queue at position 1");
            assertThat(control(stub, a, ControlAction.CONTROL_ACTION_PLAY).getQueuePosition())
                    .isEqualTo(1);
            Iterator<WatchResponse> aStates = watchStates(stub, a);
            awaitState(aStates, SimulationState.SIMULATION_STATE_QUEUED);
            stub.deleteSimulation(DeleteSimulationRequest.newBuilder().setId(b).build());
            awaitState(aStates, SimulationState.SIMULATION_STATE_RUNNING);

            // Deleting a queued run takes it out of the queue too: d queues behind nothing, e behind d.
            assertThat(control(stub, d, ControlAction.CONTROL_ACTION_PLAY).getQueuePosition())
                    .isEqualTo(1);
            String e = create(stub, 5);
            assertThat(control(stub, e, ControlAction.CONTROL_ACTION_PLAY).getQueuePosition())
                    .isEqualTo(2);
            stub.deleteSimulation(DeleteSimulationRequest.newBuilder().setId(d).build());
            assertThat(get(stub, e).getQueuePosition()).isEqualTo(1);

            body = metrics(live);
            assertThat(MetricsTest.value(body, "eiscope_runs{state=\"queued\"}"))
                    .isEqualTo(1);
            // c and a were admitted, d left twice (paused, deleted): four waits over.
            assertThat(MetricsTest.value(body, "eiscope_queue_wait_seconds_count"))
                    .isEqualTo(4);
            assertThat(MetricsTest.value(body, "eiscope_queue_wait_seconds_sum"))
                    .isPositive();
        }
    }

    @Test
    void aQueuedRunComesBackPausedAfterARestartAndItsEventsSayItLeftTheQueue() throws Exception {
        Path data = Files.createTempDirectory("eiscope-admission");
        String a, b;
        try (LiveServer live = LiveServer.start(o -> o.withWorkers(1).withDataDir(data))) {
            var stub = live.stub();
            a = create(stub, 1);
            b = create(stub, 2);
            control(stub, a, ControlAction.CONTROL_ACTION_PLAY);
            assertThat(control(stub, b, ControlAction.CONTROL_ACTION_PLAY).getState())
                    .isEqualTo(SimulationState.SIMULATION_STATE_QUEUED);
        }
        try (LiveServer live = LiveServer.start(o -> o.withWorkers(1).withDataDir(data))) {
            var stub = live.stub();
            Iterator<WatchResponse> states = watchStates(stub, b);
            awaitState(states, SimulationState.SIMULATION_STATE_PAUSED, "recovered after a restart at step 0");
            assertThat(get(stub, b).getQueuePosition()).isZero();
            // What happened to it is in its events: queued, then paused by the shutdown, out of the queue.
            List<String> recorded =
                    stub.getEvents(GetEventsRequest.newBuilder().setId(b).build()).getEventsList().stream()
                            .map(ev -> ev.getState().name() + " " + ev.getMessage())
                            .toList();
            assertThat(recorded)
                    .anyMatch(ev -> ev.startsWith("SIMULATION_STATE_QUEUED queued at position 1"))
                    .anyMatch(ev -> ev.startsWith("SIMULATION_STATE_PAUSED paused: the server is stopping; it left the"
                            + " queue at position 1"));
            // Both back paused: the queue is empty, so the queued run plays at once when told to.
            assertThat(control(stub, b, ControlAction.CONTROL_ACTION_PLAY).getState())
                    .isEqualTo(SimulationState.SIMULATION_STATE_RUNNING);
            assertThat(control(stub, a, ControlAction.CONTROL_ACTION_PLAY).getQueuePosition())
                    .isEqualTo(1);
        }
    }

    static String metrics(LiveServer live) throws Exception {
        HttpResponse<String> r = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + live.port + "/metrics"))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}

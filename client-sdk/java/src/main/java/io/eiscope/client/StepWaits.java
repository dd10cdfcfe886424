package io.eiscope.client;

import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationState;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** The waiting calls of {@link EiscopeClient}, which watch a run's state instead of polling it. Stateless. */
final class StepWaits {
    private StepWaits() {}

    /** See {@link EiscopeClient#waitForStep}. */
    static Simulation waitForStep(
            EiscopeClient client,
            SimulationServiceGrpc.SimulationServiceBlockingStub stub,
            String id,
            long step,
            Duration timeout)
            throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String goal = "step " + step + " not reached within " + timeout;
        Simulation s = watchUntil(client, stub, id, step, deadline, goal, r -> r.getStep() >= step || !running(r));
        if (s != null && running(s) && s.getStep() == step) {
            // Exactly there and still running: about to pause there (runUntil, step n), or playing on? The next frame
            // tells.
            s = watchUntil(client, stub, id, 1, deadline, goal, r -> r.getStep() > step || !running(r));
        }
        return s != null ? s : client.get(id); // null: the stream ended, so deleted (NOT_FOUND), or as it stands
    }

    private static boolean running(Simulation s) {
        return underWay(s.getState());
    }

    /** Told to run: playing, or QUEUED for a slot on a busy server (it starts by itself). */
    static boolean underWay(SimulationState s) {
        return s == SimulationState.SIMULATION_STATE_RUNNING || s == SimulationState.SIMULATION_STATE_QUEUED;
    }

    /**
     * Reads the run after each frame of a watch of its state changes and its loss every
     * {@code everySteps} steps until {@code done} holds; null if the stream ended first.
     *
     * @throws TimeoutException saying {@code goal} and what it last saw, at {@code deadlineNanos}
     */
    private static Simulation watchUntil(
            EiscopeClient client,
            SimulationServiceGrpc.SimulationServiceBlockingStub stub,
            String id,
            long everySteps,
            long deadlineNanos,
            String goal,
            Predicate<Simulation> done)
            throws TimeoutException {
        WatchRequest request = WatchRequest.newBuilder()
                .setId(id)
                .addObservables("state")
                .addObservables("loss")
                .setEverySteps((int) Math.min(Math.max(everySteps, 1), Integer.MAX_VALUE))
                .build();
        Simulation[] seen = new Simulation[1];
        Context.CancellableContext ctx = Context.current().withCancellation();
        try {
            return ctx.call(() -> {
                // The first frames are the current values: the watch stands before the first check.
                long left = Math.max(deadlineNanos - System.nanoTime(), 1);
                for (Iterator<WatchResponse> it = stub.withDeadlineAfter(left, TimeUnit.NANOSECONDS)
                                .watch(request);
                        it.hasNext(); ) {
                    it.next();
                    seen[0] = client.get(id);
                    if (done.test(seen[0])) return seen[0];
                }
                return null;
            });
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) throw e;
            throw new TimeoutException("simulation " + id + ": " + goal + "; "
                    + (seen[0] == null
                            ? "no frame received"
                            : "last seen " + seen[0].getState() + " at step " + seen[0].getStep()));
        } catch (TimeoutException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            ctx.cancel(null);
        }
    }

    /**
     * Whether {@code f} is the state event of the stop the run is in now: a state other than
     * RUNNING or QUEUED at the run's current step or later (a recorded one of an earlier stop is not).
     */
    static boolean stoppedAt(EiscopeClient client, String id, Frame f) {
        if (!f.hasEvent()
                || !f.getObservable().equals("state")
                || underWay(f.getEvent().getState())) return false;
        Simulation s;
        try {
            s = client.get(id);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return true;
            throw e;
        }
        return !underWay(s.getState()) && s.getStep() <= f.getStep();
    }
}

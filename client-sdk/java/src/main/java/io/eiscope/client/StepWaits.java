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

/** The waiting calls of {@link EiscopeClient}, which watch a run's state instead of polling it. Stateless. */
final class StepWaits {
    private StepWaits() {}

    /** See {@link EiscopeClient#waitForStep}. */
    static Simulation waitForStep(EiscopeClient client, SimulationServiceGrpc.SimulationServiceBlockingStub stub, String id,
            long step, Duration timeout) throws TimeoutException {
        // State changes, and the loss at multiples of `step`: a frame arrives when the step is reached or the run stops.
        WatchRequest request = WatchRequest.newBuilder().setId(id).addObservables("state").addObservables("loss")
                .setEverySteps((int) Math.min(Math.max(step, 1), Integer.MAX_VALUE)).build();
        Simulation[] seen = new Simulation[1];
        Context.CancellableContext ctx = Context.current().withCancellation();
        try {
            return ctx.call(() -> {
                // The first frames are the current values: the watch stands before the first check.
                for (Iterator<WatchResponse> it = stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS).watch(request);
                        it.hasNext();) {
                    it.next();
                    seen[0] = client.get(id);
                    if (seen[0].getStep() >= step || seen[0].getState() != SimulationState.SIMULATION_STATE_RUNNING) return seen[0];
                }
                return client.get(id); // the stream ended: deleted (NOT_FOUND), or as it stands
            });
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) throw e;
            throw new TimeoutException("simulation " + id + ": step " + step + " not reached within " + timeout + "; "
                    + (seen[0] == null ? "no frame received" : "last seen " + seen[0].getState() + " at step " + seen[0].getStep()));
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
     * RUNNING at the run's current step or later (a recorded one of an earlier stop is not).
     */
    static boolean stoppedAt(EiscopeClient client, String id, Frame f) {
        if (!f.hasEvent() || !f.getObservable().equals("state") || f.getEvent().getState() == SimulationState.SIMULATION_STATE_RUNNING)
            return false;
        Simulation s;
        try {
            s = client.get(id);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return true;
            throw e;
        }
        return s.getState() != SimulationState.SIMULATION_STATE_RUNNING && s.getStep() <= f.getStep();
    }
}

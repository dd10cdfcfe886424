package io.eiscope.engine.sim;

import java.util.concurrent.CompletableFuture;

/**
 * When a runner takes checkpoints, and the capture itself: a copy of the simulation's whole
 * state plus the standing watchpoints, handed to the {@link CheckpointSink}. Interval
 * checkpoints ({@link CheckpointSink.Policy}) are skipped while the previous one is still being
 * written, so a slow disk never queues copies; once it is written, the next capture fills its
 * arrays instead of allocating. Confined to the simulation's thread, except {@link #configure}.
 */
final class Checkpointing {
    private volatile CheckpointSink sink = CheckpointSink.NONE;
    private volatile CheckpointSink.Policy policy = CheckpointSink.Policy.NEVER;
    private long lastStep = -1; // -1: none in this run
    private long lastNanos = System.nanoTime();
    private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
    private StateDict lastCaptured;

    void configure(CheckpointSink sink, CheckpointSink.Policy policy) {
        this.sink = sink;
        this.policy = policy;
    }

    boolean enabled() {
        return sink != CheckpointSink.NONE;
    }

    /** The step of the latest capture (-1: none since the run started or was reset). */
    long lastStep() {
        return lastStep;
    }

    /** The run is at {@code step} without a capture (restored from one, or reset: -1). */
    void at(long step) {
        lastStep = step;
    }

    /** The future of the latest capture's write. */
    CompletableFuture<?> inFlight() {
        return inFlight;
    }

    /** True when the policy asks for an interval checkpoint at the simulation's step. */
    boolean due(long step) {
        CheckpointSink.Policy p = policy;
        if (!inFlight.isDone() || step == lastStep) return false;
        boolean bySteps = p.everySteps() > 0 && step - Math.max(0, lastStep) >= p.everySteps();
        boolean byTime = p.everyNanos() > 0 && System.nanoTime() - lastNanos >= p.everyNanos();
        return bySteps || byTime;
    }

    /** Copies the state of {@code sim} (and {@code watchpoints}) now and hands it to the sink; the write's future. */
    CompletableFuture<?> capture(
            Simulation sim, Watchpoints watchpoints, int logLength, String reason, boolean pinned) {
        StateDict state = sim.stateDict(inFlight.isDone() ? lastCaptured : null); // no reuse while one is being written
        lastCaptured = state;
        watchpoints.save(state, SimulationRunner.RUNNER_WATCHPOINTS);
        lastStep = sim.step();
        lastNanos = System.nanoTime();
        inFlight = sink.write(sim.step(), logLength, reason, pinned, state);
        return inFlight;
    }
}

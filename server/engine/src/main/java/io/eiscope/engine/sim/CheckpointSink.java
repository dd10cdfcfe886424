package io.eiscope.engine.sim;

import java.util.concurrent.CompletableFuture;

/**
 * Where a runner hands the checkpoints it captures: a full copy of the run's state
 * ({@link Simulation#stateDict()} plus the runner's watchpoints), taken on the simulation's
 * thread at a step boundary. An implementation writes it elsewhere (never on the calling
 * thread) and completes the future when it is durable.
 */
public interface CheckpointSink {
    /**
     * Writes a checkpoint of the run at {@code step}; the future completes when it is durable.
     *
     * @param logLength entries of the intervention log applied before the state was captured
     * @param reason    "interval", "pause", "shutdown" or "request"
     */
    CompletableFuture<?> write(long step, int logLength, String reason, boolean pinned, StateDict state);

    /** Takes no checkpoints. */
    CheckpointSink NONE = (step, logLength, reason, pinned, state) -> CompletableFuture.completedFuture(null);

    /**
     * When a runner takes checkpoints by itself: every {@code everySteps} steps or
     * {@code everyNanos} of running, whichever comes first (0 turns either off), and when it
     * stops running (pause, budget, divergence, watchpoint).
     */
    record Policy(long everySteps, long everyNanos) {
        public static final long DEFAULT_EVERY_STEPS = 10_000;
        public static final long DEFAULT_EVERY_NANOS = 30_000_000_000L;
        public static final Policy DEFAULT = new Policy(DEFAULT_EVERY_STEPS, DEFAULT_EVERY_NANOS);
        public static final Policy NEVER = new Policy(0, 0);

        public Policy {
            if (everySteps < 0)
                throw new IllegalArgumentException("checkpoint every_steps must be >= 0 (0: off), got " + everySteps);
            if (everyNanos < 0)
                throw new IllegalArgumentException("checkpoint interval must be >= 0 (0: off), got " + everyNanos);
        }
    }
}

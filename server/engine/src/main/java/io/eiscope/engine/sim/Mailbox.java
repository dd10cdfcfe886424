package io.eiscope.engine.sim;

import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The actor mechanics of a {@link SimulationRunner}: a queue of commands and the slices that
 * apply them and step the simulation on a shared executor.
 *
 * <p>A slice (at most {@code sliceNanos}, at least one step when running) repeats: apply the
 * pending commands in arrival order, then one step if the owner is running; then it yields
 * the thread. With a control executor, a command that arrives while the simulation waits for
 * its slice is applied at once on a control thread instead of waiting for the turn. Either
 * holds one lock, so exactly one thread at a time touches the simulation, always at a step
 * boundary. Thread-safe.
 */
final class Mailbox {

    /** What a slice drives; called with the lock held. */
    interface Owner {
        boolean running();

        void stepOnce();

        /** A step threw: the owner records the failure (it stops running). */
        void failed(Throwable t);
    }

    private final Executor executor;
    private final Executor control; // null: commands wait for the next slice
    private final long sliceNanos;
    private final Owner owner;
    private final ReentrantLock turn = new ReentrantLock();
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    Mailbox(Executor executor, Executor control, long sliceNanos, Owner owner) {
        this.executor = executor;
        this.control = control;
        this.sliceNanos = sliceNanos;
        this.owner = owner;
    }

    /** Queues {@code action}; the future completes with its result (or error) where it runs. */
    <T> CompletableFuture<T> submit(Callable<T> action) {
        CompletableFuture<T> done = new CompletableFuture<>();
        queue.add(() -> {
            try {
                done.complete(action.call());
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        schedule();
        express();
        return done;
    }

    private void express() {
        if (control == null) return;
        try {
            control.execute(this::runCommands);
        } catch (RejectedExecutionException shuttingDown) {
            // the slice applies it
        }
    }

    private void schedule() {
        if (!scheduled.compareAndSet(false, true)) return;
        try {
            executor.execute(this::runSlice);
        } catch (RejectedExecutionException shuttingDown) {
            scheduled.set(false); // the server is shutting down: nothing will run any more
        }
    }

    /** Applies pending commands now if no slice holds the turn; a running slice applies them at its next boundary. */
    private void runCommands() {
        if (!turn.tryLock()) return;
        try {
            drain();
        } finally {
            turn.unlock();
        }
        if (owner.running()) schedule();
        if (!queue.isEmpty()) express(); // arrived between the last poll and the unlock
    }

    private void drain() {
        Runnable command;
        while ((command = queue.poll()) != null) command.run(); // each completes its own future
    }

    private void runSlice() {
        long deadline = System.nanoTime() + sliceNanos;
        turn.lock(); // a control thread holds it only briefly
        try {
            do {
                drain();
                if (!owner.running()) break;
                owner.stepOnce();
            } while (System.nanoTime() < deadline);
        } catch (Throwable t) {
            owner.failed(t);
        } finally {
            turn.unlock();
            scheduled.set(false);
            // A command that arrived after the slice's last drain, while its express attempt
            // found the lock taken, must not wait for the simulation's next turn.
            if (!queue.isEmpty()) express();
            if (owner.running() || !queue.isEmpty()) schedule();
        }
    }
}

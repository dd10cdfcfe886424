package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A spare core that another program keeps busy is not lent ({@link MachineLoad}, {@link IntraOp#available}): the
 * others' cores are the machine's busy time less this process's, read from {@code /proc/stat}.
 */
class MachineLoadTest {
    @AfterEach
    void noMoreSpareCores() {
        IntraOp.setSpareCores(0);
    }

    @Test
    void ticksAreSummedFromTheCpuLineAndCoresCountedFromItsPerCoreLines() {
        long[] t = MachineLoad.parse(List.of(
                "cpu  100 20 30 400 50 6 7 8 0 0",
                "cpu0 50 10 15 200 25 3 3 4 0 0",
                "cpu1 50 10 15 200 25 3 4 4 0 0",
                "intr 12345"));
        // busy: user + nice + system + irq + softirq + steal = 100+20+30+6+7+8; all adds idle 400 and iowait 50
        assertThat(t).containsExactly(171, 621, 2);
        assertThatThrownBy(() -> MachineLoad.parse(List.of("intr 1 2 3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpu line");
    }

    @Test
    void othersAreTheBusyCoresLessThisProcesssOwn() {
        long[] before = {1_000, 10_000, 2}, after = {1_150, 10_200, 2};
        // 150 of 200 ticks busy on 2 cores: 1.5 cores busy over 0.1 s, of which this process used 0.05 s = 0.5 core
        assertThat(MachineLoad.otherCores(before, after, 50_000_000L, 100_000_000L))
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(MachineLoad.otherCores(before, after, 200_000_000L, 100_000_000L))
                .as("never below 0 (the two clocks are read a moment apart)")
                .isZero();
        assertThat(MachineLoad.otherCores(before, before, 0, 100_000_000L)).isZero();
    }

    /** A run's training thread: it asks whether it may lend (so its core is its own), then keeps its core busy. */
    static Thread trainingThread(AtomicBoolean spin) {
        Thread t = new Thread(() -> {
            IntraOp.lends();
            while (spin.get()) Thread.onSpinWait();
        });
        t.start();
        return t;
    }

    @Test
    void anotherProgramSpinningOnTheSpareCoreStopsTheLendingUntilItEnds() throws Exception {
        assertThat(MachineLoad.machineTicks())
                .as("/proc/stat is read on the test machines")
                .isNotNull();
        assertThat(IntraOp.HELPERS).as("the test machines have 2 cores").isPositive();
        IntraOp.setSpareCores(1);
        AtomicBoolean spin = new AtomicBoolean(true);
        Thread training = trainingThread(spin);
        try {
            assertThat(MachineLoad.awaitWindows(2, Duration.ofSeconds(10).toNanos()))
                    .as("two whole windows with the training thread busy")
                    .isTrue();
            assertThat(within(Duration.ofSeconds(20), () -> IntraOp.available() == 1))
                    .as(
                            "a core lent beside a busy training thread on a quiet machine (others: %s cores)",
                            IntraOp.coresUsedElsewhere())
                    .isTrue();
            assertThat(IntraOp.coresUsedElsewhere())
                    .as("the training thread's own core is not taken by others")
                    .isLessThan(0.5);
            Process spinner = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
            try {
                assertThat(within(Duration.ofSeconds(10), () -> IntraOp.available() == 0))
                        .as("the spinner seen as another program's core: %s", IntraOp.coresUsedElsewhere())
                        .isTrue();
                assertThat(IntraOp.lends()).isFalse();
            } finally {
                spinner.destroyForcibly().waitFor();
            }
            assertThat(within(Duration.ofSeconds(10), () -> IntraOp.available() == 1))
                    .as("lent again")
                    .isTrue();
        } finally {
            spin.set(false);
            training.join();
        }
    }

    @Test
    void aBusyThreadOfThisProcessThatDoesNotLendTakesTheSpareCoreToo() throws Exception {
        IntraOp.setSpareCores(1);
        AtomicBoolean spin = new AtomicBoolean(true);
        Thread training = trainingThread(spin);
        // an event loop, an analysis task, or a run too small to split: busy, and not lending
        Thread other = new Thread(() -> {
            while (spin.get()) Thread.onSpinWait();
        });
        other.start();
        try {
            assertThat(within(Duration.ofSeconds(10), () -> IntraOp.available() == 0))
                    .as("this process's other busy thread counts: %s cores elsewhere", IntraOp.coresUsedElsewhere())
                    .isTrue();
        } finally {
            spin.set(false);
            training.join();
            other.join();
        }
    }

    /** Whether {@code condition} holds, checked after each sampling window, within {@code limit}. */
    static boolean within(Duration limit, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) return false;
            MachineLoad.awaitWindows(1, left);
        }
        return true;
    }
}

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

    @Test
    void anotherProgramSpinningOnTheSpareCoreStopsTheLendingUntilItEnds() throws Exception {
        assertThat(MachineLoad.machineTicks())
                .as("/proc/stat is read on the test machines")
                .isNotNull();
        assertThat(IntraOp.HELPERS).as("the test machines have 2 cores").isPositive();
        IntraOp.setSpareCores(1);
        assertThat(within(Duration.ofSeconds(20), IntraOp::lends))
                .as("lends on a quiet machine")
                .isTrue();
        Process spinner = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try {
            assertThat(within(Duration.ofSeconds(10), () -> IntraOp.otherProgramsCores() > 0.7))
                    .as("the spinner seen as another program's core: %s", IntraOp.otherProgramsCores())
                    .isTrue();
            assertThat(IntraOp.available()).isZero();
            assertThat(IntraOp.lends()).isFalse();
        } finally {
            spinner.destroyForcibly().waitFor();
        }
        assertThat(within(Duration.ofSeconds(10), IntraOp::lends))
                .as("lends again")
                .isTrue();
    }

    @Test
    void thisProcesssOwnBusyThreadsAreNotOthers() throws Exception {
        IntraOp.setSpareCores(1);
        AtomicBoolean spin = new AtomicBoolean(true);
        Thread own = new Thread(() -> {
            while (spin.get()) Thread.onSpinWait();
        });
        own.start();
        try {
            Thread.sleep(3 * MachineLoad.WINDOW_NANOS / 1_000_000); // whole windows with the thread spinning
            assertThat(IntraOp.otherProgramsCores())
                    .as("a core this process keeps busy itself")
                    .isLessThan(0.5);
            assertThat(IntraOp.available()).isEqualTo(1);
        } finally {
            spin.set(false);
            own.join();
        }
    }

    /** Whether {@code condition} holds within {@code limit}, polled every 50 ms. */
    static boolean within(Duration limit, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(50);
        }
        return true;
    }
}

package io.eiscope.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.IntConsumer;

/** The lanes' allocation check: the Vector API boxes its vectors wherever C2 has not intrinsified an operation. */
final class LanesAllocation {
    private LanesAllocation() {}

    /** Runs {@code chunk} 20,000 times (with the call's index) to warm up, then asserts 1,000 more allocate under 1 KB. */
    static void assertWarmChunksAllocateNothing(IntConsumer chunk) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) chunk.accept(i);
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1000; i++) chunk.accept(i);
        assertThat(threads.getCurrentThreadAllocatedBytes() - before)
                .as("bytes allocated by 1000 chunks")
                .isLessThan(1024);
    }
}

package io.eiscope.app;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;

/**
 * The memory an in-process server holds, read in the test JVM after full collections: the heap
 * in use after the last GC (from {@code com.sun.management}'s GC information, per heap pool),
 * and the JDK's direct buffers (Netty's among them: here it allocates them with cleaners, which
 * the JDK counts).
 */
final class HeapGauge {
    /** Bytes in use. */
    record Reading(long heap, long direct) {
        @Override
        public String toString() {
            return String.format("heap %.1f MiB, direct buffers %.1f MiB", heap / 1048576.0, direct / 1048576.0);
        }
    }

    private HeapGauge() {}

    /**
     * Collects until the heap in use after a GC is at most {@code heapBound}, at most 10 times
     * with a tenth of a second between (a call or a write finishing on another thread may hold
     * memory for a moment); the last reading.
     */
    static Reading settled(long heapBound) {
        Reading r = read();
        for (int i = 1; i < 10 && r.heap() > heapBound; i++) {
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            r = read();
        }
        return r;
    }

    /** After three collections. */
    static Reading settled() {
        read();
        read();
        return read();
    }

    private static Reading read() {
        System.gc();
        return new Reading(heapAfterLastGc(), directBuffers());
    }

    private static long heapAfterLastGc() {
        com.sun.management.GcInfo last = null;
        for (var gc : ManagementFactory.getPlatformMXBeans(com.sun.management.GarbageCollectorMXBean.class)) {
            com.sun.management.GcInfo info = gc.getLastGcInfo();
            if (info != null && (last == null || info.getEndTime() > last.getEndTime())) last = info;
        }
        if (last == null)
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long used = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            var after = last.getMemoryUsageAfterGc().get(pool.getName());
            if (pool.getType() == MemoryType.HEAP && after != null) used += after.getUsed();
        }
        return used;
    }

    private static long directBuffers() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
    }
}

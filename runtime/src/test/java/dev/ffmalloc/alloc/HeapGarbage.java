package dev.ffmalloc.alloc;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Counts the bytes the current thread allocates on the Java heap while it runs a piece of code, through HotSpot's
 * per-thread allocation counter: a check that an allocator's hot path makes no garbage. It counts bytes, it does not
 * time anything.
 */
public final class HeapGarbage {

    /** Slack for the counter's granularity; a path that makes garbage makes far more over many operations. */
    private static final long SLACK_BYTES = 1024;

    /** Measured runs; the JVM itself now and then allocates a few KiB on the thread (compilation, deoptimization). */
    private static final int RUNS = 3;

    private HeapGarbage() {
    }

    /**
     * Runs {@code warmUp} once, then {@code measured} {@value #RUNS} times, and asserts that at least one measured
     * run allocated (almost) nothing on the Java heap: garbage made per operation shows in every run, a one-off
     * allocation by the JVM in one run only. Skips the test on a JVM without the counter.
     */
    public static void assertNoGarbage(final String what, final Runnable warmUp, final Runnable measured) {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "this JVM does not count allocated bytes per thread");
        warmUp.run();
        long fewest = Long.MAX_VALUE;
        for (int run = 0; run < RUNS; run++) {
            final long before = threads.getCurrentThreadAllocatedBytes();
            measured.run();
            fewest = Math.min(fewest, threads.getCurrentThreadAllocatedBytes() - before);
        }
        final long allocated = fewest;
        assertTrue(allocated <= SLACK_BYTES, () -> what + " allocated at least " + allocated
            + " bytes on the Java heap in every run");
    }
}

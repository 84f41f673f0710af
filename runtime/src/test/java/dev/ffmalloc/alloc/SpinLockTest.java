package dev.ffmalloc.alloc;

import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.tlsf.Tlsf;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SpinLockTest {

    private static final int THREADS = 4;
    private static final int INCREMENTS = 200_000;

    /** A plain, unsynchronized counter: only the lock keeps increments from being lost. */
    private long counter;

    @Test
    void noIncrementIsLostUnderContention() throws Exception {
        final SpinLock lock = new SpinLock();
        final CyclicBarrier start = new CyclicBarrier(THREADS);
        final Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            threads[t] = new Thread(() -> {
                await(start);
                for (int i = 0; i < INCREMENTS; i++) {
                    lock.lock();
                    try {
                        counter++;
                    } finally {
                        lock.unlock();
                    }
                }
            });
            threads[t].start();
        }
        for (final Thread thread : threads) {
            thread.join();
        }
        assertEquals((long) THREADS * INCREMENTS, counter);
        assertFalse(lock.isLocked());
    }

    @Test
    void isLockedWhileHeld() {
        final SpinLock lock = new SpinLock();
        lock.lock();
        assertTrue(lock.isLocked());
        lock.unlock();
        assertFalse(lock.isLocked());
    }

    /**
     * Threads contending for one LockedAllocator (more of them than cores, so owners get preempted and waiters wait
     * long) make no garbage, where ReentrantLock's wait queue would allocate a node per blocked wait.
     */
    @Test
    void aContendedLockedAllocatorMakesNoGarbage() throws Exception {
        final com.sun.management.ThreadMXBean beans =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(beans.isThreadAllocatedMemorySupported() && beans.isThreadAllocatedMemoryEnabled(),
            "this JVM does not count allocated bytes per thread");
        try (Arena arena = Arena.ofShared()) {
            final NativeMemory memory = NativeMemory.allocate(arena, 1 << 20);
            final Tlsf tlsf = new Tlsf(memory);
            tlsf.addPool(memory.baseAddress(), memory.byteSize());
            final LockedAllocator shared = new LockedAllocator(tlsf);
            final long[] fewestBytes = new long[THREADS];
            final CyclicBarrier start = new CyclicBarrier(THREADS);
            final Thread[] threads = new Thread[THREADS];
            for (int t = 0; t < THREADS; t++) {
                final int index = t;
                threads[t] = new Thread(() -> {
                    pairs(shared, 200_000);
                    await(start);
                    long fewest = Long.MAX_VALUE;
                    for (int run = 0; run < 3; run++) {
                        final long before = beans.getCurrentThreadAllocatedBytes();
                        pairs(shared, 200_000);
                        fewest = Math.min(fewest, beans.getCurrentThreadAllocatedBytes() - before);
                    }
                    fewestBytes[index] = fewest;
                });
                threads[t].start();
            }
            for (final Thread thread : threads) {
                thread.join();
            }
            for (final long bytes : fewestBytes) {
                assertTrue(bytes <= 1024, "bytes allocated by the threads: " + java.util.Arrays.toString(fewestBytes));
            }
            assertEquals(0, shared.stats().liveBlocks());
            shared.checkIntegrity();
        }
    }

    private static void pairs(final Allocator allocator, final int count) {
        for (int i = 0; i < count; i++) {
            allocator.free(allocator.allocate(64, 8));
        }
    }

    private static void await(final CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }
}

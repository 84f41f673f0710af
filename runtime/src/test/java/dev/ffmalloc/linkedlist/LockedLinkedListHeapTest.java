package dev.ffmalloc.linkedlist;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.BlockPattern;
import dev.ffmalloc.alloc.LockedAllocator;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed 004's {@code LockedHeap}: several threads hammer one {@code new LockedAllocator(heap)}, each with its own
 * blocks and patterns, while one of them also grows the heap through {@link LockedAllocator#withLock}. Afterwards
 * the heap must check out intact with statistics that add up to what the threads did.
 */
final class LockedLinkedListHeapTest {

    private static final long SEED = 0x10C_4EDL;
    private static final int THREADS = 4;
    private static final int OPERATIONS_PER_THREAD = 100_000;
    private static final long INITIAL_BYTES = 256 * 1024;
    private static final long EXTENSION_BYTES = 4096;
    private static final int EXTENSIONS = 32;

    @Test
    void threadsSharingALockedHeapLeaveItIntactWithCorrectStatistics() throws InterruptedException {
        System.out.println("LockedLinkedListHeapTest seed=0x" + Long.toHexString(SEED));
        try (Arena arena = Arena.ofShared()) {
            final NativeMemory memory = NativeMemory.allocate(arena, INITIAL_BYTES + EXTENSIONS * EXTENSION_BYTES);
            final LinkedListHeap heap = new LinkedListHeap(memory, memory.baseAddress(), INITIAL_BYTES);
            final LockedAllocator locked = new LockedAllocator(heap);
            final AllocatorStats empty = locked.stats();
            final long[] allocations = new long[THREADS];
            final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            final CountDownLatch start = new CountDownLatch(1);
            final Thread[] threads = new Thread[THREADS];
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                threads[t] = new Thread(() -> {
                    try {
                        start.await();
                        allocations[thread] = hammer(locked, memory, thread);
                    } catch (final Throwable e) {
                        failures.add(e);
                    }
                }, "hammer-" + t);
                threads[t].start();
            }
            start.countDown();
            for (final Thread thread : threads) {
                thread.join();
            }
            assertTrue(failures.isEmpty(), () -> "a thread failed: " + failures.peek());

            long total = 0;
            for (final long count : allocations) {
                total += count;
            }
            final long heapBytes = INITIAL_BYTES + EXTENSIONS * EXTENSION_BYTES;
            assertEquals(new AllocatorStats(heapBytes, 0, heapBytes, locked.stats().peakBytesInUse(), 0, total,
                total), locked.stats());
            assertTrue(locked.stats().peakBytesInUse() > 0, "nothing was ever in use");
            assertEquals(empty.bytesFree() + EXTENSIONS * EXTENSION_BYTES, locked.stats().bytesFree());
            assertEquals(heapBytes - LinkedListLayout.HEADER_BYTES, locked.maxAllocationSize(),
                "everything merged back into one hole");
            locked.checkIntegrity();
        }
    }

    /**
     * Runs random allocations and frees of this thread's own blocks, checking each block's pattern when it is
     * freed; thread 0 also extends the heap now and then. Frees everything at the end.
     *
     * @return how many allocations succeeded
     */
    private static long hammer(final LockedAllocator locked, final NativeMemory memory, final int thread) {
        final SplittableRandom random = new SplittableRandom(SEED + thread);
        final long[] live = new long[256];
        final long[] sizes = new long[256];
        final long[] ids = new long[256];
        int liveCount = 0;
        long allocations = 0;
        long nextId = (long) thread << 40;
        for (int op = 0; op < OPERATIONS_PER_THREAD; op++) {
            if (thread == 0 && op % (OPERATIONS_PER_THREAD / EXTENSIONS) == 0) {
                locked.withLock(LinkedListHeap.class, heap -> heap.extend(EXTENSION_BYTES));
            }
            if (liveCount > 0 && (random.nextBoolean() || liveCount == live.length)) {
                final int slot = random.nextInt(liveCount);
                BlockPattern.check(memory, live[slot], sizes[slot], ids[slot]);
                locked.free(live[slot]);
                liveCount--;
                live[slot] = live[liveCount];
                sizes[slot] = sizes[liveCount];
                ids[slot] = ids[liveCount];
            } else {
                final long size = random.nextLong(0, 1025);
                final long address = locked.tryAllocate(size, 1L << random.nextInt(8));
                if (address != Allocator.NO_BLOCK) {
                    BlockPattern.write(memory, address, size, nextId);
                    live[liveCount] = address;
                    sizes[liveCount] = size;
                    ids[liveCount++] = nextId++;
                    allocations++;
                }
            }
        }
        for (int slot = 0; slot < liveCount; slot++) {
            BlockPattern.check(memory, live[slot], sizes[slot], ids[slot]);
            locked.free(live[slot]);
        }
        return allocations;
    }
}

package dev.ffmalloc.alloc;

import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The promises of {@link Allocator} that hold for every allocator that frees any block, checked on a heap of real
 * native memory (which {@code x86sim}'s subclasses map into virtual memory). One small subclass per allocator and
 * configuration supplies {@link #newAllocator}; the subclass adds the tests of what only its allocator does. Seed
 * 004's heap tests run through {@link HeapSelfTests}, the code the simulated kernel runs at boot.
 *
 * <p>Every test ends with {@link Allocator#checkIntegrity()}.
 */
public abstract class AllocatorConformanceTest {

    /** Seed of the randomized tests; printed by each so a failure can be replayed. */
    protected static final long SEED = 0x5EED_0F_F0_0DL;

    protected Arena arena;

    /** @return a fresh allocator managing (about) all of {@code heap} */
    protected abstract Allocator newAllocator(NativeMemory heap);

    /** @return the size of the heap each test gets */
    protected long heapBytes() {
        return 1 << 20;
    }

    /** @return the largest block the random tests ask for */
    protected long maxRandomSize() {
        return 2048;
    }

    /** @return the largest alignment the tests ask for */
    protected long maxTestAlignment() {
        return 4096;
    }

    /** @return how many operations the differential test runs */
    protected int randomOperations() {
        return 1_000_000;
    }

    /** @return an address inside the heap that no block can start at, or 0 if the allocator has none */
    protected long addressThatIsNeverABlockStart(final NativeMemory heap) {
        return 0;
    }

    protected NativeMemory heap;
    protected Allocator allocator;

    @BeforeEach
    final void openHeap() {
        arena = Arena.ofConfined();
        heap = NativeMemory.allocate(arena, heapBytes());
        allocator = newAllocator(heap);
    }

    @AfterEach
    final void closeHeap() {
        arena.close();
    }

    // ------------------------------------------------------------------------------------------------ allocation

    @Test
    void allocatesAlignedDistinctBlocksInsideTheHeap() {
        final ShadowHeap model = new ShadowHeap(heap.baseAddress(), heap.endAddress());
        long id = 0;
        for (long alignment = 1; alignment <= maxTestAlignment(); alignment <<= 1) {
            for (final long size : new long[] {1, 7, 8, 16, 24, 100, 256}) {
                final long address = allocator.allocate(size, alignment);
                model.allocated(address, size, alignment, id);
                assertTrue(allocator.usableSize(address) >= size, "usable size below the size asked for");
                BlockPattern.write(allocator.memory(), address, size, id++);
            }
        }
        for (final ShadowHeap.Block block : model.blocks()) {
            BlockPattern.check(allocator.memory(), block.address(), block.byteSize(), block.id());
        }
        assertEquals(model.liveBlocks(), allocator.stats().liveBlocks());
        allocator.checkIntegrity();
    }

    @Test
    void sizeZeroReturnsADistinctBlockThatMustBeFreed() {
        final long first = allocator.allocate(0, 8);
        final long second = allocator.allocate(0, 8);
        assertNotEquals(first, second);
        assertTrue(allocator.usableSize(first) >= 1, "a 0-byte block has at least one usable byte");
        assertEquals(2, allocator.stats().liveBlocks());
        allocator.free(first);
        allocator.free(second);
        assertEquals(0, allocator.stats().liveBlocks());
        allocator.checkIntegrity();
    }

    @Test
    void freeingEverythingReturnsTheHeapToItsFirstState() {
        final AllocatorStats empty = allocator.stats();
        final List<Long> addresses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            addresses.add(allocator.allocate(16 + i * 8L, 8));
        }
        for (int i = 0; i < addresses.size(); i += 2) {
            allocator.free(addresses.get(i));
        }
        for (int i = 1; i < addresses.size(); i += 2) {
            allocator.free(addresses.get(i));
        }
        final AllocatorStats after = allocator.stats();
        assertEquals(empty.bytesFree(), after.bytesFree(), "free bytes after freeing everything");
        assertEquals(0, after.bytesInUse());
        assertEquals(200, after.allocations());
        assertEquals(200, after.frees());
        allocator.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------------------ bad input

    @Test
    void rejectsANegativeSize() {
        assertRejected(IllegalArgumentException.class, "size is negative: byteSize=-1",
            () -> allocator.tryAllocate(-1, 8));
    }

    @Test
    void rejectsAnAlignmentThatIsNotAPowerOfTwo() {
        for (final long alignment : new long[] {0, 3, 24, -16}) {
            assertRejected(IllegalArgumentException.class,
                "alignment is not a power of two: byteAlignment=" + alignment,
                () -> allocator.allocate(64, alignment));
        }
    }

    @Test
    void rejectsASizeNoHeapCouldHold() {
        final long maxByteSize = allocator.maxAllocationSize();
        final long tooLarge = maxByteSize + 1;
        assertRejected(IllegalArgumentException.class,
            "size is larger than this heap could ever hold: byteSize=" + tooLarge + ", maxByteSize=" + maxByteSize,
            () -> allocator.tryAllocate(tooLarge, 8));
        assertRejected(IllegalArgumentException.class,
            "size is larger than this heap could ever hold: byteSize=" + Long.MAX_VALUE + ", maxByteSize="
                + maxByteSize,
            () -> allocator.allocate(Long.MAX_VALUE, 8));
    }

    @Test
    void rejectsAFreeOfAnAddressOutsideTheHeap() {
        allocator.allocate(64, 8);
        for (final long address : new long[] {heap.endAddress() + 4096, 8, -4096}) {
            assertRejected(IllegalArgumentException.class,
                "address was never handed out by this allocator: addr=0x" + Long.toHexString(address),
                () -> allocator.free(address));
        }
    }

    @Test
    void rejectsADoubleFree() {
        final long kept = allocator.allocate(64, 8);
        final long address = allocator.allocate(64, 8);
        final long next = allocator.allocate(64, 8);
        allocator.free(address);
        assertRejectedMentioning(RuntimeException.class, "0x" + Long.toHexString(address),
            () -> allocator.free(address));
        allocator.free(kept);
        allocator.free(next);
        allocator.checkIntegrity();
    }

    @Test
    void rejectsAnInteriorPointer() {
        final long address = allocator.allocate(256, 16);
        for (final long inside : new long[] {address + 16, address + 8, address + 128, address + 1}) {
            assertRejectedMentioning(IllegalArgumentException.class, "0x" + Long.toHexString(inside),
                () -> allocator.free(inside));
        }
        allocator.free(address);
        allocator.checkIntegrity();
    }

    @Test
    void rejectsAFreeOfAnAddressInsideTheHeapThatWasNeverHandedOut() {
        final long neverABlock = addressThatIsNeverABlockStart(heap);
        final long address = neverABlock != 0 ? neverABlock : heap.endAddress() - 64 - 8;
        assertRejectedMentioning(RuntimeException.class, "0x" + Long.toHexString(address),
            () -> allocator.free(address));
    }

    @Test
    void reportsExhaustionWithoutChangingTheHeap() {
        final List<Long> addresses = new ArrayList<>();
        long address;
        while ((address = allocator.tryAllocate(1024, 8)) != Allocator.NO_BLOCK) {
            addresses.add(address);
        }
        assertTrue(addresses.size() > 0, "the heap held no 1 KiB block at all");
        final AllocatorStats full = allocator.stats();
        assertEquals(Allocator.NO_BLOCK, allocator.tryAllocate(1024, 8));
        final OutOfMemoryException thrown = assertThrows(OutOfMemoryException.class,
            () -> allocator.allocate(1024, 8));
        assertTrue(thrown.getMessage().startsWith("out of memory: byteSize=1024, byteAlignment=8"),
            thrown.getMessage());
        assertEquals(full, allocator.stats());
        allocator.checkIntegrity();
        for (final long block : addresses) {
            allocator.free(block);
        }
        assertEquals(0, allocator.stats().liveBlocks());
        allocator.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------- seed 004's heap tests

    @Test
    void simpleAllocationsHoldTheirValues() {
        final String report = HeapSelfTests.simpleAllocation(allocator);
        assertTrue(report.matches("simple allocation: boxes at 0x[0-9a-f]+, 0x[0-9a-f]+ hold 41 and 13"), report);
        assertEquals(0, allocator.stats().liveBlocks());
        allocator.checkIntegrity();
    }

    @Test
    void aLargeVectorGrownByReallocationSumsToTheTriangularNumber() {
        final long n = Math.min(1000, largestVectorElements());
        assertEquals("large vector: " + n + " longs sum to " + n * (n + 1) / 2 + " = n(n+1)/2",
            HeapSelfTests.largeVector(allocator, n));
        assertEquals(0, allocator.stats().liveBlocks());
        allocator.checkIntegrity();
    }

    /** @return how many 8-byte elements the vector test may grow to (its peak holds 1.5x the final capacity) */
    protected long largestVectorElements() {
        return Long.highestOneBit(allocator.maxAllocationSize() / 2 / Long.BYTES);
    }

    @Test
    void manyAllocationsInARowPassOnlyIfFreedMemoryIsReused() {
        final long rounds = 4 * heapBytes() / 64;
        assertEquals("many allocations: " + rounds + " x 64 B (" + 4 * heapBytes()
            + " bytes) allocated and freed in a row", HeapSelfTests.manyAllocations(allocator, rounds, 64));
        assertEquals(0, allocator.stats().liveBlocks());
        allocator.checkIntegrity();
    }

    // ---------------------------------------------------------------------------------------- differential test

    @Test
    void randomOperationsAgreeWithTheShadowModel() {
        System.out.println(getClass().getSimpleName() + ".randomOperationsAgreeWithTheShadowModel seed=0x"
            + Long.toHexString(SEED));
        runRandomOperations(new SplittableRandom(SEED), randomOperations());
        allocator.checkIntegrity();
    }

    /**
     * Runs {@code operations} random allocate, free and reallocate calls, mirrored in a {@link ShadowHeap}, checking
     * block contents on every free, statistics on the way, and integrity every so often. Frees every block at the
     * end.
     */
    protected final void runRandomOperations(final SplittableRandom random, final int operations) {
        final ShadowHeap model = new ShadowHeap(heap.baseAddress(), heap.endAddress());
        final Memory memory = allocator.memory();
        final long[] live = new long[4096];
        int liveCount = 0;
        long nextId = 1_000_000;
        final long baseLiveBlocks = allocator.stats().liveBlocks();
        final long baseAllocations = allocator.stats().allocations();
        final long baseFrees = allocator.stats().frees();
        long allocations = 0;
        long frees = 0;
        for (int op = 0; op < operations; op++) {
            final int choice = random.nextInt(100);
            if (liveCount > 0 && (choice < 45 || liveCount == live.length)) {
                final int slot = random.nextInt(liveCount);
                final long address = live[slot];
                final ShadowHeap.Block block = model.freed(address);
                BlockPattern.check(memory, address, block.byteSize(), block.id());
                allocator.free(address);
                frees++;
                live[slot] = live[--liveCount];
            } else if (liveCount > 0 && choice < 50) {
                final int slot = random.nextInt(liveCount);
                final long address = live[slot];
                final ShadowHeap.Block block = model.get(address);
                final long newSize = randomSize(random);
                final long moved = reallocateOrNoBlock(address, newSize);
                if (moved != Allocator.NO_BLOCK) {
                    model.freed(address);
                    BlockPattern.checkKept(memory, moved, block.byteSize(), newSize, block.id());
                    model.allocated(moved, newSize, 8, nextId);
                    BlockPattern.write(memory, moved, newSize, nextId++);
                    live[slot] = moved;
                }
            } else {
                final long size = randomSize(random);
                final long alignment = random.nextInt(10) == 0 ? 1L << random.nextInt(1, 13) : 8;
                final long address = allocator.tryAllocate(size, Math.min(alignment, maxTestAlignment()));
                if (address != Allocator.NO_BLOCK) {
                    model.allocated(address, size, Math.min(alignment, maxTestAlignment()), nextId);
                    assertTrue(allocator.usableSize(address) >= size, "usable size below the size asked for");
                    BlockPattern.write(memory, address, size, nextId++);
                    live[liveCount++] = address;
                    allocations++;
                }
            }
            if ((op & 0x3FFF) == 0) {
                checkStatistics(model, baseLiveBlocks, baseAllocations + allocations, baseFrees + frees);
                allocator.checkIntegrity();
            }
        }
        for (int slot = 0; slot < liveCount; slot++) {
            final ShadowHeap.Block block = model.freed(live[slot]);
            BlockPattern.check(memory, live[slot], block.byteSize(), block.id());
            allocator.free(live[slot]);
        }
        assertEquals(baseLiveBlocks, allocator.stats().liveBlocks());
    }

    private long reallocateOrNoBlock(final long address, final long newByteSize) {
        try {
            return allocator.reallocate(address, newByteSize, 8);
        } catch (final OutOfMemoryException e) {
            return Allocator.NO_BLOCK;
        }
    }

    private long randomSize(final SplittableRandom random) {
        final int kind = random.nextInt(100);
        if (kind < 60) {
            return random.nextLong(0, 129);
        }
        if (kind < 95) {
            return random.nextLong(0, Math.min(1025, maxRandomSize() + 1));
        }
        return random.nextLong(0, maxRandomSize() + 1);
    }

    private void checkStatistics(final ShadowHeap model, final long baseLiveBlocks, final long allocations,
                                 final long frees) {
        final AllocatorStats stats = allocator.stats();
        assertEquals(baseLiveBlocks + model.liveBlocks(), stats.liveBlocks(), "live blocks");
        assertTrue(stats.frees() >= frees, "frees counted");
        assertTrue(stats.allocations() >= allocations, "allocations counted");
        assertEquals(stats.allocations() - stats.frees(), stats.liveBlocks(), "allocations - frees = live");
        assertTrue(stats.bytesInUse() >= model.requestedBytes(), "bytes in use below the bytes asked for");
        assertTrue(stats.bytesInUse() + stats.bytesFree() <= stats.heapBytes(), "in use + free > heap: " + stats);
        assertTrue(stats.peakBytesInUse() >= stats.bytesInUse(), "peak below current");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * Asserts that {@code call} throws {@code type} with exactly {@code message}, and that the allocator is exactly
     * as it was: same statistics, integrity intact, and a short random run afterwards still correct.
     */
    protected final <T extends Throwable> void assertRejected(final Class<T> type, final String message,
                                                             final Runnable call) {
        final AllocatorStats before = allocator.stats();
        final T thrown = assertThrows(type, call::run);
        assertEquals(message, thrown.getMessage());
        assertHeapUnchanged(before);
    }

    /** Like {@link #assertRejected} for messages that name an address among allocator-specific detail. */
    protected final <T extends Throwable> void assertRejectedMentioning(final Class<T> type, final String fragment,
                                                                       final Runnable call) {
        final AllocatorStats before = allocator.stats();
        final T thrown = assertThrows(type, call::run);
        assertTrue(thrown.getMessage().contains(fragment),
            () -> "message '" + thrown.getMessage() + "' does not name " + fragment);
        assertHeapUnchanged(before);
    }

    private void assertHeapUnchanged(final AllocatorStats before) {
        assertEquals(before, allocator.stats(), "statistics changed by rejected input");
        allocator.checkIntegrity();
        runRandomOperations(new SplittableRandom(SEED ^ 1), 2_000);
        allocator.checkIntegrity();
    }
}

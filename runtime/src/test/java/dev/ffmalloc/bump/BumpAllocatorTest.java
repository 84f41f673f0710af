package dev.ffmalloc.bump;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.BlockPattern;
import dev.ffmalloc.alloc.HeapGarbage;
import dev.ffmalloc.alloc.HeapSelfTests;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.alloc.ShadowHeap;
import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of {@link BumpAllocator} on native memory. Expected addresses are computed here from the rule "a block
 * starts at the first multiple of its alignment at or above the top", never read back from the allocator.
 */
final class BumpAllocatorTest {

    private static final long SEED = 0xB0_4D_5EEDL;
    private static final long HEAP_BYTES = 64 * 1024;

    private Arena arena;
    private NativeMemory heap;
    private BumpAllocator bump;
    private long start;

    @BeforeEach
    void openHeap() {
        arena = Arena.ofConfined();
        heap = NativeMemory.allocate(arena, HEAP_BYTES);
        bump = new BumpAllocator(heap);
        start = heap.baseAddress();
    }

    @AfterEach
    void closeHeap() {
        arena.close();
    }

    private static long alignUp(final long address, final long alignment) {
        return (address + alignment - 1) / alignment * alignment;
    }

    // ------------------------------------------------------------------------------------------------ allocation

    @Test
    void carvesEachBlockAtTheFirstAlignedAddressAboveTheTop() {
        long top = start;
        final long[][] requests = {{1, 1}, {8, 8}, {3, 1}, {24, 16}, {100, 64}, {1, 4096}, {7, 2}, {0, 1}};
        for (final long[] request : requests) {
            final long expected = alignUp(top, request[1]);
            assertEquals(expected, bump.allocate(request[0], request[1]), "block of " + request[0] + " bytes");
            top = expected + Math.max(request[0], 1);
            assertEquals(top - start, bump.usedBytes());
            assertEquals(heap.endAddress() - top, bump.remainingBytes());
        }
        assertEquals(requests.length, bump.stats().liveBlocks());
        bump.checkIntegrity();
    }

    @Test
    void sizeZeroTakesOneByte() {
        final long first = bump.allocate(0, 1);
        final long second = bump.allocate(0, 1);
        assertEquals(start, first);
        assertEquals(start + 1, second);
        assertEquals(1, bump.usableSize(second));
        assertEquals(2, bump.usedBytes());
        bump.checkIntegrity();
    }

    @Test
    void statisticsCountPaddingAsInUseAndTheRemainderAsFree() {
        bump.allocate(1, 1);
        bump.allocate(16, 16);
        final AllocatorStats stats = bump.stats();
        assertEquals(new AllocatorStats(HEAP_BYTES, 32, HEAP_BYTES - 32, 32, 2, 2, 0), stats);
        bump.free(start + 16);
        assertEquals(new AllocatorStats(HEAP_BYTES, 1, HEAP_BYTES - 1, 32, 1, 2, 1), bump.stats());
        bump.checkIntegrity();
    }

    @Test
    void usableSizeOfTheLastBlockReachesTheTop() {
        bump.allocate(5, 1);
        final long address = bump.allocate(10, 8);
        assertEquals(10, bump.usableSize(address));
        bump.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------------------ free

    @Test
    void freeOfTheLastBlockRollsTheTopBackPastItsPadding() {
        bump.allocate(3, 1);
        final long address = bump.allocate(64, 256);
        assertEquals(alignUp(start + 3, 256), address);
        bump.free(address);
        assertEquals(3, bump.usedBytes());
        assertEquals(start + 3, bump.allocate(1, 1), "the next block starts where the freed one's padding did");
        bump.checkIntegrity();
    }

    @Test
    void allocateFreePairsRunForeverInPlace() {
        final BumpAllocator small = new BumpAllocator(heap, start, start + 128);
        for (int i = 0; i < 100_000; i++) {
            final long address = small.allocate(64, 8);
            assertEquals(start, address);
            small.free(address);
        }
        assertEquals(0, small.usedBytes());
        assertEquals(100_000, small.stats().frees());
        small.checkIntegrity();
    }

    @Test
    void allocateAndFreeMakeNoGarbage() {
        final BumpAllocator small = new BumpAllocator(heap, start, start + 4096);
        final Runnable pairs = () -> {
            for (int i = 0; i < 100_000; i++) {
                small.free(small.tryAllocate(64, 8));
                small.free(small.allocate(i & 255, 1L << (i & 7)));
            }
        };
        HeapGarbage.assertNoGarbage("bump allocate/free", pairs, pairs);
        small.checkIntegrity();
    }

    @Test
    void rejectsAFreeOfAnEarlierBlock() {
        final long earlier = bump.allocate(32, 8);
        final long last = bump.allocate(32, 8);
        assertRejected(IllegalArgumentException.class, "address is not the last block allocated, the only one a "
            + "bump allocator can free: addr=" + hex(earlier) + ", lastBlockAddr=" + hex(last),
            () -> bump.free(earlier));
        bump.free(last);
        assertRejected(IllegalArgumentException.class, "address is not the last block allocated, the only one a "
            + "bump allocator can free: addr=" + hex(earlier) + ", lastBlockAddr=0x0",
            () -> bump.free(earlier));
        bump.checkIntegrity();
    }

    @Test
    void rejectsADoubleFree() {
        bump.allocate(32, 8);
        final long address = bump.allocate(32, 8);
        bump.free(address);
        assertRejected(IllegalStateException.class, "block is already free: addr=" + hex(address),
            () -> bump.free(address));
        assertEquals(address, bump.allocate(32, 8), "the freed block's place is reused");
        bump.free(address);
        assertRejected(IllegalStateException.class, "block is already free: addr=" + hex(address),
            () -> bump.free(address));
    }

    @Test
    void aFreedBlockCoveredByANewerOneIsNoLongerADoubleFree() {
        bump.allocate(3, 1);
        final long freed = bump.allocate(16, 16);
        bump.free(freed);
        final long cover = bump.allocate(64, 1);
        assertEquals(start + 3, cover);
        assertRejected(IllegalArgumentException.class, "address points inside a block: addr=" + hex(freed)
            + ", blockAddr=" + hex(cover), () -> bump.free(freed));
        bump.free(cover);
        bump.checkIntegrity();
    }

    @Test
    void rejectsAnInteriorPointerOfTheLastBlock() {
        final long address = bump.allocate(100, 8);
        for (final long inside : new long[] {address + 1, address + 8, address + 99}) {
            assertRejected(IllegalArgumentException.class, "address points inside a block: addr=" + hex(inside)
                + ", blockAddr=" + hex(address), () -> bump.free(inside));
        }
        bump.free(address);
        bump.checkIntegrity();
    }

    @Test
    void rejectsAddressesThatWereNeverHandedOut() {
        final long address = bump.allocate(100, 8);
        for (final long never : new long[] {address + 100, address + 4096, heap.endAddress(), start - 16, 0, -8}) {
            assertRejected(IllegalArgumentException.class,
                "address was never handed out by this allocator: addr=" + hex(never), () -> bump.free(never));
        }
        bump.free(address);
        bump.checkIntegrity();
    }

    @Test
    void usableSizeAndReallocateOfAnEarlierBlockAreRejectedLikeItsFree() {
        final long earlier = bump.allocate(32, 8);
        final long last = bump.allocate(32, 8);
        final String message = "address is not the last block allocated, the only one a bump allocator can free: "
            + "addr=" + hex(earlier) + ", lastBlockAddr=" + hex(last);
        assertRejected(IllegalArgumentException.class, message, () -> bump.usableSize(earlier));
        assertRejected(IllegalArgumentException.class, message, () -> bump.reallocate(earlier, 64, 8));
        bump.free(last);
        assertRejected(IllegalStateException.class, "block is already free: addr=" + hex(last),
            () -> bump.reallocate(last, 64, 8));
    }

    // ------------------------------------------------------------------------------------------------ bad requests

    @Test
    void rejectsBadRequests() {
        bump.allocate(8, 8);
        assertRejected(IllegalArgumentException.class, "size is negative: byteSize=-1",
            () -> bump.tryAllocate(-1, 8));
        for (final long alignment : new long[] {0, 3, 24, -16, Long.MIN_VALUE}) {
            assertRejected(IllegalArgumentException.class, "alignment is not a power of two: byteAlignment="
                + alignment, () -> bump.tryAllocate(8, alignment));
        }
        assertRejected(IllegalArgumentException.class, "size is larger than this heap could ever hold: byteSize="
            + (HEAP_BYTES + 1) + ", maxByteSize=" + HEAP_BYTES, () -> bump.tryAllocate(HEAP_BYTES + 1, 1));
        assertRejected(IllegalArgumentException.class, "size is negative: byteSize=-5",
            () -> bump.reallocate(start, -5, 8));
    }

    @Test
    void reportsExhaustionWithoutChangingAnything() {
        bump.allocate(50, 1);
        final long last = bump.allocate(HEAP_BYTES - 150, 1);
        assertEquals(Allocator.NO_BLOCK, bump.tryAllocate(101, 1));
        assertEquals(Allocator.NO_BLOCK, bump.tryAllocate(1, 1L << 62), "an alignment beyond the range");
        assertRejected(OutOfMemoryException.class, "out of memory: byteSize=101, byteAlignment=1, bytesFree=100",
            () -> bump.allocate(101, 1));
        assertRejected(OutOfMemoryException.class, "out of memory: byteSize=" + (HEAP_BYTES - 49)
            + ", byteAlignment=1, bytesFree=100", () -> bump.reallocate(last, HEAP_BYTES - 49, 1));
        assertEquals(heap.endAddress() - 100, bump.allocate(100, 1), "exactly the remainder still fits");
        assertEquals(0, bump.remainingBytes());
        bump.checkIntegrity();
    }

    @Test
    void rejectsARangeThatEndsBeforeItStartsOrContainsAddressZero() {
        final IllegalArgumentException backwards = assertThrows(IllegalArgumentException.class,
            () -> new BumpAllocator(heap, start + 16, start));
        assertEquals("range ends before it starts: startAddr=" + hex(start + 16) + ", endAddr=" + hex(start),
            backwards.getMessage());
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> new BumpAllocator(heap, -4096, 4096));
        assertEquals("range contains address 0, which means no block: startAddr=0xfffffffffffff000, endAddr=0x1000",
            zero.getMessage());
        final IllegalArgumentException top = assertThrows(IllegalArgumentException.class,
            () -> new BumpAllocator(heap, -4096, 0));
        assertEquals("range reaches the end of the address space, and its end would be address 0, which means no"
            + " block: startAddr=0xfffffffffffff000, endAddr=0x0", top.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BumpAllocator(heap, Long.MIN_VALUE, 0));
        // Empty, but its hand-off would be a range at 0, which reads as no block.
        assertEquals("range starts at address 0, which means no block: startAddr=0x0, endAddr=0x0",
            assertThrows(IllegalArgumentException.class, () -> new BumpAllocator(heap, 0, 0)).getMessage());
    }

    // ------------------------------------------------------------------------------------------------ reallocate

    @Test
    void reallocateGrowsAndShrinksTheLastBlockInPlace() {
        bump.allocate(10, 1);
        final long address = bump.allocate(16, 16);
        BlockPattern.write(heap, address, 16, 7);
        assertEquals(address, bump.reallocate(address, 1000, 16));
        BlockPattern.check(heap, address, 16, 7);
        assertEquals(address + 1000 - start, bump.usedBytes());
        assertEquals(address, bump.reallocate(address, 4, 8));
        assertEquals(address + 4 - start, bump.usedBytes());
        assertEquals(4, bump.usableSize(address));
        assertEquals(2, bump.stats().liveBlocks());
        bump.free(address);
        assertEquals(10, bump.usedBytes(), "free after a resize still rolls back to the top before the block");
        bump.checkIntegrity();
    }

    @Test
    void reallocateToALargerAlignmentMovesTheBlockUpWithItsContents() {
        bump.allocate(24, 1);
        final long address = bump.allocate(40, 8);
        assertEquals(start + 24, address);
        BlockPattern.write(heap, address, 40, 11);
        final long moved = bump.reallocate(address, 80, 64);
        assertEquals(start + 64, moved);
        BlockPattern.check(heap, moved, 40, 11);
        assertEquals(moved + 80 - start, bump.usedBytes());
        bump.free(moved);
        assertEquals(24, bump.usedBytes());
        bump.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------------------ hand-off

    @Test
    void handOffReturnsTheRemainderAboveTheTop() {
        final long address = bump.allocate(1000, 8);
        BlockPattern.write(heap, address, 1000, 3);
        bump.checkIntegrity();
        final FreeRange rest = bump.handOff();
        assertEquals(new FreeRange(start + 1000, HEAP_BYTES - 1000), rest);
        assertEquals(heap.endAddress(), rest.endAddress());
        assertFalse(rest.isEmpty());
        assertTrue(bump.isRetired());
        BlockPattern.check(heap, address, 1000, 3);
    }

    @Test
    void handOffOfAFreshAllocatorGivesTheWholeRangeAndOfAFullOneNothing() {
        bump.checkIntegrity();
        assertEquals(new FreeRange(start, HEAP_BYTES), bump.handOff());
        final BumpAllocator full = new BumpAllocator(heap);
        full.allocate(HEAP_BYTES, 1);
        full.checkIntegrity();
        final FreeRange rest = full.handOff();
        assertTrue(rest.isEmpty());
        assertEquals(heap.endAddress(), rest.address());
    }

    @Test
    void everyMethodThrowsAfterTheHandOff() {
        final long address = bump.allocate(64, 8);
        bump.checkIntegrity();
        bump.handOff();
        final String message = "allocator was handed off and may not be used again: allocator=BumpAllocator["
            + hex(start) + ", " + hex(heap.endAddress()) + ")";
        final List<Executable> calls = List.of(
            () -> bump.allocate(8, 8), () -> bump.allocate(8), () -> bump.tryAllocate(8, 8),
            () -> bump.tryAllocate(-1, 3), () -> bump.free(address), () -> bump.free(0),
            () -> bump.reallocate(address, 128, 8), () -> bump.usableSize(address), () -> bump.handOff(),
            () -> bump.stats(), () -> bump.usedBytes(), () -> bump.remainingBytes(), () -> bump.maxAllocationSize(),
            () -> bump.memory(), () -> bump.checkIntegrity());
        for (final Executable call : calls) {
            final IllegalStateException thrown = assertThrows(IllegalStateException.class, call::execute);
            assertEquals(message, thrown.getMessage());
        }
        assertTrue(bump.isRetired());
    }

    // ------------------------------------------------------------------------------------------------ out-of-band

    @Test
    void neverTouchesTheMemoryItManages() {
        final long base = 0x10_0000;
        final BumpAllocator untouched = new BumpAllocator(new UntouchableMemory(), base, base + 0x10_0000);
        final long first = untouched.allocate(4096, 4096);
        final long second = untouched.allocate(100, 8);
        assertEquals(second, untouched.reallocate(second, 200, 8));
        untouched.free(second);
        assertThrows(IllegalArgumentException.class, () -> untouched.free(first + 8));
        untouched.checkIntegrity();
        assertEquals(new FreeRange(base + 4096, 0x10_0000 - 4096), untouched.handOff());
    }

    @Test
    void worksOnHigherHalfAddresses() {
        final long base = 0xFFFF_8000_0000_0000L;
        final BumpAllocator higher = new BumpAllocator(new UntouchableMemory(), base, base + 0x20_0000);
        assertEquals(base, higher.allocate(24, 8));
        assertEquals(base + 4096, higher.allocate(8, 4096));
        assertEquals(base + 0x20_0000 - (base + 4096 + 8), higher.remainingBytes());
        assertEquals(Allocator.NO_BLOCK, higher.tryAllocate(0x20_0000, 1));
        higher.checkIntegrity();
        assertEquals(new FreeRange(base + 4096 + 8, 0x20_0000 - 4096 - 8), higher.handOff());
    }

    // ------------------------------------------------------------------------------------- seed 004's heap tests

    /** Seed 004's simple test frees the first box while the second is live: a bump allocator must refuse. */
    @Test
    void simpleAllocationsHoldTheirValuesButTheFirstBoxCannotBeFreed() {
        final long first = start;
        final long second = start + 8;
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> HeapSelfTests.simpleAllocation(bump));
        assertEquals("address is not the last block allocated, the only one a bump allocator can free: addr="
            + hex(first) + ", lastBlockAddr=" + hex(second), thrown.getMessage());
        assertEquals(41, heap.getLong(first));
        assertEquals(13, heap.getLong(second));
        assertEquals(16, bump.usedBytes());
        bump.checkIntegrity();
    }

    @Test
    void aLargeVectorGrownByReallocationSumsToTheTriangularNumber() {
        assertEquals("large vector: 4000 longs sum to 8002000 = n(n+1)/2", HeapSelfTests.largeVector(bump, 4000));
        assertEquals(4096 * Long.BYTES, bump.stats().peakBytesInUse(), "the last block grew in place");
        assertEquals(0, bump.usedBytes());
        bump.checkIntegrity();
    }

    /** The loop passes on the reuse of the last block; the long-lived box, no longer the last, stays. */
    @Test
    void manyAllocationsInARowPassOnlyIfFreedMemoryIsReusedButTheLongLivedBoxStays() {
        final long rounds = 4 * HEAP_BYTES / 64;
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> HeapSelfTests.manyAllocations(bump, rounds, 64));
        assertEquals("address is not the last block allocated, the only one a bump allocator can free: addr="
            + hex(start) + ", lastBlockAddr=0x0", thrown.getMessage());
        assertEquals(rounds + 1, bump.stats().allocations());
        assertEquals(1, heap.getLong(start));
        assertEquals(8, bump.usedBytes());
        bump.checkIntegrity();
    }

    // ---------------------------------------------------------------------------------------- differential test

    /**
     * One million random allocations (random sizes and alignments), frees and reallocations of the last block, and
     * frees of other blocks that must be rejected, mirrored in a {@link ShadowHeap} and a model top. The allocator
     * is replaced by a fresh one over the same memory when it runs out and now and then.
     */
    @Test
    void randomOperationsAgreeWithTheModel() {
        System.out.println("BumpAllocatorTest.randomOperationsAgreeWithTheModel seed=0x" + Long.toHexString(SEED));
        final SplittableRandom random = new SplittableRandom(SEED);
        final Model model = new Model();
        long resets = 0;
        for (int op = 0; op < 1_000_000; op++) {
            final int choice = random.nextInt(100);
            if (choice < 55) {
                if (!model.allocate(random) || random.nextInt(20_000) == 0) {
                    model.reset();
                    resets++;
                }
            } else if (choice < 85) {
                model.freeLast();
            } else if (choice < 97) {
                model.reallocateLast(random);
            } else {
                model.freeAnyOther(random);
            }
            model.checkFigures();
            if ((op & 0xFFF) == 0) {
                model.allocator.checkIntegrity();
            }
        }
        model.checkAllBlocks();
        model.allocator.checkIntegrity();
        assertTrue(resets > 10, "the run exhausted the allocator too rarely: resets=" + resets);
    }

    /** The state the bump rule predicts, beside the allocator under test. */
    private final class Model {

        BumpAllocator allocator = new BumpAllocator(heap);
        ShadowHeap shadow = new ShadowHeap(heap.baseAddress(), heap.endAddress());
        long top = start;
        long lastBlock = Allocator.NO_BLOCK;
        long topBeforeLast;
        long lastSize;
        long lastId;
        long nextId;

        boolean allocate(final SplittableRandom random) {
            final long size = random.nextInt(10) == 0 ? random.nextLong(0, 4097) : random.nextLong(0, 129);
            final long alignment = 1L << random.nextInt(random.nextInt(10) == 0 ? 13 : 5);
            final long expected = alignUp(top, alignment);
            final long address = allocator.tryAllocate(size, alignment);
            if (expected + Math.max(size, 1) > heap.endAddress()) {
                assertEquals(Allocator.NO_BLOCK, address, "a block that does not fit");
                return false;
            }
            assertEquals(expected, address, "block address");
            shadow.allocated(address, size, alignment, nextId);
            BlockPattern.write(heap, address, size, nextId);
            topBeforeLast = top;
            top = address + Math.max(size, 1);
            lastBlock = address;
            lastSize = size;
            lastId = nextId++;
            return true;
        }

        void freeLast() {
            if (lastBlock == Allocator.NO_BLOCK) {
                return;
            }
            final ShadowHeap.Block block = shadow.freed(lastBlock);
            BlockPattern.check(heap, lastBlock, block.byteSize(), block.id());
            allocator.free(lastBlock);
            top = topBeforeLast;
            lastBlock = Allocator.NO_BLOCK;
        }

        void reallocateLast(final SplittableRandom random) {
            if (lastBlock == Allocator.NO_BLOCK) {
                return;
            }
            final long size = random.nextLong(0, 513);
            final long alignment = 1L << random.nextInt(8);
            final long expected = alignUp(lastBlock, alignment);
            if (expected + Math.max(size, 1) > heap.endAddress()) {
                assertThrows(OutOfMemoryException.class, () -> allocator.reallocate(lastBlock, size, alignment));
                return;
            }
            final long moved = allocator.reallocate(lastBlock, size, alignment);
            assertEquals(expected, moved, "reallocated block address");
            shadow.freed(lastBlock);
            BlockPattern.checkKept(heap, moved, lastSize, size, lastId);
            shadow.allocated(moved, size, alignment, nextId);
            BlockPattern.write(heap, moved, size, nextId);
            lastBlock = moved;
            lastSize = size;
            lastId = nextId++;
            top = moved + Math.max(size, 1);
        }

        void freeAnyOther(final SplittableRandom random) {
            final long address = start + random.nextLong(HEAP_BYTES + 64) - 32;
            if (address == lastBlock) {
                return;
            }
            final AllocatorStats before = allocator.stats();
            assertThrows(RuntimeException.class, () -> allocator.free(address));
            assertEquals(before, allocator.stats());
        }

        void checkFigures() {
            assertEquals(top - start, allocator.usedBytes());
            assertEquals(heap.endAddress() - top, allocator.remainingBytes());
            assertEquals(shadow.liveBlocks(), allocator.stats().liveBlocks());
        }

        void checkAllBlocks() {
            for (final ShadowHeap.Block block : shadow.blocks()) {
                BlockPattern.check(heap, block.address(), block.byteSize(), block.id());
            }
        }

        void reset() {
            checkAllBlocks();
            allocator.checkIntegrity();
            assertEquals(new FreeRange(top, heap.endAddress() - top), allocator.handOff());
            allocator = new BumpAllocator(heap);
            shadow = new ShadowHeap(heap.baseAddress(), heap.endAddress());
            top = start;
            lastBlock = Allocator.NO_BLOCK;
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static String hex(final long value) {
        return "0x" + Long.toHexString(value);
    }

    /** Asserts that {@code call} throws {@code type} with exactly {@code message} and changes no figure. */
    private <T extends Throwable> void assertRejected(final Class<T> type, final String message,
                                                      final Executable call) {
        final AllocatorStats before = bump.stats();
        final long used = bump.usedBytes();
        final T thrown = assertThrows(type, call::execute);
        assertEquals(message, thrown.getMessage());
        assertEquals(before, bump.stats(), "statistics changed by rejected input");
        assertEquals(used, bump.usedBytes(), "top moved by rejected input");
        bump.checkIntegrity();
    }
}

package dev.ffmalloc.buddy;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static dev.ffmalloc.buddy.BuddyTestSupport.frames;
import static dev.ffmalloc.buddy.BuddyTestSupport.perOrder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Splitting on allocate and merging on free, followed order by order. */
final class BuddyAllocatorSplitMergeTest {

    private static final long FRAME = 4096;
    /** One 4 MiB order-10 block at 4 MiB. */
    private static final long BLOCK = 4L << 20;

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private BuddyAllocator oneMaxBlock() {
        final BuddyAllocator buddy = frames(arena, BLOCK, BLOCK, BuddyConfig.PAGE_FRAMES).buddy();
        buddy.addFreeRange(BLOCK, BLOCK);
        assertArrayEquals(perOrder(10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), buddy.freeBlocksPerOrder());
        return buddy;
    }

    @Test
    void allocateOrder0SplitsTheMaxBlockLeavingOneFreeBlockPerLowerOrder() {
        final BuddyAllocator buddy = oneMaxBlock();
        final long first = buddy.allocateOrder(0);
        assertEquals(BLOCK, first, "the lowest half is kept at every split");
        assertArrayEquals(perOrder(10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0), buddy.freeBlocksPerOrder());
        final long second = buddy.allocateOrder(0);
        assertEquals(BLOCK + FRAME, second, "the buddy of the first frame");
        assertArrayEquals(perOrder(10, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0), buddy.freeBlocksPerOrder());
        assertEquals(2, buddy.stats().liveBlocks());
        assertEquals(2 * FRAME, buddy.stats().bytesInUse());
        buddy.checkIntegrity();
    }

    @Test
    void freeingTheLowerThenTheUpperBuddyMergesBackToTheMaxBlock() {
        final BuddyAllocator buddy = oneMaxBlock();
        final long lower = buddy.allocateOrder(0);
        final long upper = buddy.allocateOrder(0);
        buddy.free(lower);
        assertArrayEquals(perOrder(10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0), buddy.freeBlocksPerOrder(),
            "the lower frame cannot merge while its buddy is used");
        buddy.free(upper);
        assertArrayEquals(perOrder(10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), buddy.freeBlocksPerOrder());
        assertEquals(BLOCK, buddy.freeBytes());
        buddy.checkIntegrity();
    }

    @Test
    void freeingTheUpperThenTheLowerBuddyMergesBackToTheMaxBlock() {
        final BuddyAllocator buddy = oneMaxBlock();
        final long lower = buddy.allocateOrder(0);
        final long upper = buddy.allocateOrder(0);
        buddy.free(upper);
        buddy.free(lower);
        assertArrayEquals(perOrder(10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), buddy.freeBlocksPerOrder());
        buddy.checkIntegrity();
    }

    @Test
    void aBlockDoesNotMergeWithAFreeNeighbourThatIsNotItsBuddy() {
        final BuddyAllocator buddy = oneMaxBlock();
        final long frame0 = buddy.allocateOrder(0);
        final long frame1 = buddy.allocateOrder(0);
        final long frames23 = buddy.allocateOrder(1);
        assertEquals(BLOCK + 2 * FRAME, frames23);
        buddy.free(frame1);
        // Frame 1 and frames 2-3 are free and adjacent, but frame 1's buddy is frame 0 (used): no merge.
        assertArrayEquals(perOrder(10, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0), buddy.freeBlocksPerOrder());
        buddy.free(frames23);
        assertArrayEquals(perOrder(10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0), buddy.freeBlocksPerOrder());
        buddy.free(frame0);
        assertArrayEquals(perOrder(10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), buddy.freeBlocksPerOrder());
        buddy.checkIntegrity();
    }

    @Test
    void theSmallestSufficientFreeBlockIsSplitNotALargerOne() {
        final BuddyAllocator buddy = oneMaxBlock();
        buddy.allocateOrder(3); // leaves one free block of each order 3..9
        final long order5 = buddy.allocateOrder(5);
        assertEquals(BLOCK + 32 * FRAME, order5, "the free order-5 block, not a split of order 6 and above");
        assertArrayEquals(perOrder(10, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0), buddy.freeBlocksPerOrder());
        buddy.checkIntegrity();
    }

    @Test
    void exhaustingEveryOrderReturnsNoBlockAndTheExceptionNamesTheOrderSize() {
        final BuddyAllocator buddy = oneMaxBlock();
        for (int frame = 0; frame < 1024; frame++) {
            assertEquals(BLOCK + frame * FRAME, buddy.tryAllocateOrder(0), "frames come out in address order");
        }
        assertEquals(Allocator.NO_BLOCK, buddy.tryAllocateOrder(0));
        BuddyTestSupport.assertRejected(buddy, OutOfMemoryException.class,
            "out of memory: byteSize=8192, byteAlignment=8192, bytesFree=0", () -> buddy.allocateOrder(1));
        for (int frame = 1023; frame >= 0; frame--) {
            buddy.free(BLOCK + frame * FRAME);
        }
        assertArrayEquals(perOrder(10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), buddy.freeBlocksPerOrder());
        buddy.checkIntegrity();
    }

    @Test
    void anAlignmentAboveTheSizeRaisesTheOrder() {
        final BuddyAllocator buddy = oneMaxBlock();
        final long address = buddy.allocate(100, 64 * 1024);
        assertEquals(0, address % (64 * 1024));
        assertEquals(4, buddy.orderOf(address), "64 KiB = 16 frames = order 4");
        assertEquals(64 * 1024, buddy.usableSize(address));
        assertEquals(0, buddy.orderOf(buddy.allocate(0, 1)), "size 0 is served as 1 byte: one frame");
        buddy.checkIntegrity();
    }

    /** A 64 KiB in-band heap at a 64 KiB boundary: table, then free blocks of 4, 8, 16 and 32 KiB. */
    private BuddyAllocator smallHeap(final NativeMemory memory) {
        return BuddyAllocator.inBand(memory, memory.baseAddress(), memory.byteSize(), BuddyConfig.BYTE_HEAP);
    }

    @Test
    void reallocateShrinksAndGrowsInPlaceThroughFreeUpperBuddies() {
        final NativeMemory memory = new NativeMemory(arena.allocate(64 << 10, 64 << 10));
        final BuddyAllocator buddy = smallHeap(memory);
        final long block = buddy.allocate(32 << 10, 16); // the whole order-11 block at +32 KiB
        assertEquals(memory.baseAddress() + (32 << 10), block);
        memory.setLong(block, 0x1234_5678_9ABCL);
        assertEquals(block, buddy.reallocate(block, 5000, 16), "shrinks in place to 8 KiB (order 9)");
        assertEquals(9, buddy.orderOf(block));
        assertArrayEquals(perOrder(20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 0), buddy.freeBlocksPerOrder(),
            "the upper 16 KiB at +48 KiB and 8 KiB at +40 KiB are freed beside the initial carving's blocks");
        assertEquals(8 << 10, buddy.stats().bytesInUse());
        assertEquals(block, buddy.reallocate(block, 16 << 10, 16), "grows in place into the free 8 KiB at +40 KiB");
        assertEquals(10, buddy.orderOf(block));
        assertArrayEquals(perOrder(20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0), buddy.freeBlocksPerOrder());
        assertEquals(0x1234_5678_9ABCL, memory.getLong(block), "contents stay put");
        final long upper = buddy.allocate(16 << 10, 16);
        assertEquals(memory.baseAddress() + (48 << 10), upper, "free lists are LIFO: the half freed last");
        BuddyTestSupport.assertRejected(buddy, OutOfMemoryException.class,
            "out of memory: byteSize=32768, byteAlignment=16, bytesFree=28672",
            () -> buddy.reallocate(block, 32 << 10, 16));
        assertEquals(0x1234_5678_9ABCL, memory.getLong(block), "the old block is untouched");
        buddy.free(upper);
        assertEquals(block, buddy.reallocate(block, 32 << 10, 16), "grows in place again once +48 KiB is free");
        buddy.free(block);
        assertArrayEquals(perOrder(20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1), buddy.freeBlocksPerOrder());
        buddy.checkIntegrity();
    }

    @Test
    void reallocateMovesWhenTheUpperBuddyIsUsedOrTheBlockIsAnUpperHalf() {
        final NativeMemory memory = new NativeMemory(arena.allocate(64 << 10, 64 << 10));
        final BuddyAllocator buddy = smallHeap(memory);
        final long lower = buddy.allocate(16, 16);
        final long upper = buddy.allocate(16, 16);
        assertEquals(memory.baseAddress() + 4096, lower, "split from the 4 KiB block after the table");
        assertEquals(lower + 16, upper);
        memory.setLong(lower, 41);
        memory.setLong(upper, 13);
        final long movedLower = buddy.reallocate(lower, 32, 16);
        assertEquals(lower + 32, movedLower, "the free 32-byte block left by the first split");
        assertEquals(41, memory.getLong(movedLower));
        final long movedUpper = buddy.reallocate(upper, 20, 16);
        assertEquals(lower + 64, movedUpper, "an upper half cannot grow in place even beside a free block");
        assertEquals(13, memory.getLong(movedUpper));
        assertEquals(2, buddy.stats().liveBlocks());
        assertEquals(64, buddy.stats().bytesInUse());
        buddy.checkIntegrity();
    }
}

package dev.ffmalloc.buddy;

import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static dev.ffmalloc.buddy.BuddyTestSupport.frames;
import static dev.ffmalloc.buddy.BuddyTestSupport.perOrder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BuddyAllocator#addFreeRange}: ranges that are not power-of-two sized or aligned are carved as Linux's
 * {@code memblock_free_all} carves them. Expectations are worked by hand or computed by {@link CarvingRule}.
 */
final class BuddyAllocatorCarvingTest {

    private static final BuddyConfig FRAMES = BuddyConfig.PAGE_FRAMES;
    private static final long FRAME = 4096;

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @Test
    void theLow639KibRangeLosesFrameZeroAndCarvesIntoDescendingThenAscendingOrders() {
        final BuddyAllocator buddy = frames(arena, 0, 1 << 20, FRAMES).buddy();
        buddy.addFreeRange(0, 0x9FC00);
        // Frames 1..158 (0x9FC00 rounds down to frame 159; frame 0 is address 0, never managed), by hand:
        // 1:o0 2:o1 4:o2 8:o3 16:o4 32:o5 64:o6 128:o4 144:o3 152:o2 156:o1 158:o0.
        assertArrayEquals(perOrder(10, 2, 2, 2, 2, 2, 1, 1), buddy.freeBlocksPerOrder());
        assertEquals(158 * FRAME, buddy.freeBytes());
        assertEquals(64 * FRAME, buddy.maxAllocationSize());
        buddy.checkIntegrity();
    }

    @Test
    void aLinuxLikeMapGivesTheCountsTheCarvingRulePredicts() {
        // The QEMU i440FX map scaled to a 1 GiB span: 639 KiB of low memory, the ISA hole, then RAM from 1 MiB to
        // just below the end with a firmware reservation at the top.
        final BuddyAllocator buddy = frames(arena, 0, 1L << 30, FRAMES).buddy();
        buddy.addFreeRange(0, 0x9FC00);
        buddy.addFreeRange(0x100000, 0x3FFDC000 - 0x100000);
        // The high range by hand: frames 256 (o8), 512 (o9), 254 blocks of o10 from 1024 to 261120, then
        // 512 + 256 + 128 + 64 + 16 + 8 + 4 frames up to 0x3FFDC.
        final long[] expected = perOrder(10, 2, 2, 2 + 1, 2 + 1, 2 + 1, 1, 1 + 1, 1, 1 + 1, 1 + 1, 254);
        assertArrayEquals(expected, buddy.freeBlocksPerOrder());
        final long[] ruled = new long[11];
        CarvingRule.carve(1, 0x9F, 10, ruled);
        CarvingRule.carve(0x100, 0x3FFDC, 10, ruled);
        assertArrayEquals(ruled, buddy.freeBlocksPerOrder());
        assertEquals((0x9F - 1 + 0x3FFDC - 0x100) * FRAME, buddy.stats().bytesFree());
        assertEquals(4L << 20, buddy.maxAllocationSize());
        buddy.checkIntegrity();
    }

    @Test
    void rangesAreRoundedInwardToWholeFrames() {
        final BuddyAllocator buddy = frames(arena, 0x100000, 1 << 20, FRAMES).buddy();
        buddy.addFreeRange(0x100001, 3 * FRAME - 2);
        // [0x100001, 0x102fff) holds whole frames 0x101 only.
        assertArrayEquals(perOrder(10, 1), buddy.freeBlocksPerOrder());
        buddy.addFreeRange(0x104000, FRAME - 1);
        assertArrayEquals(perOrder(10, 1), buddy.freeBlocksPerOrder(), "less than a frame adds nothing");
        assertEquals(FRAME, buddy.managedBytes());
        buddy.checkIntegrity();
    }

    @Test
    void adjacentRangesAddedApartMergeThroughTheFreePath() {
        final BuddyAllocator buddy = frames(arena, 0x100000, 1 << 20, FRAMES).buddy();
        buddy.addFreeRange(0x100000, 3 * FRAME);
        assertArrayEquals(perOrder(10, 1, 1), buddy.freeBlocksPerOrder(), "frames 0x100-0x101 o1, 0x102 o0");
        buddy.addFreeRange(0x103000, 5 * FRAME);
        // Frame 0x103 merges with 0x102, then with 0x100; 0x104 (o2) merges with that: one o3 block.
        assertArrayEquals(perOrder(10, 0, 0, 0, 1), buddy.freeBlocksPerOrder());
        assertEquals(8 * FRAME, buddy.maxAllocationSize());
        buddy.checkIntegrity();
    }

    @Test
    void theLargestPossibleBlockGrowsOnlyWhenAWholeAlignedWindowBecomesManaged() {
        final BuddyAllocator buddy = frames(arena, 0, 16 << 20, FRAMES).buddy();
        assertEquals(0, buddy.maxAllocationSize(), "nothing managed yet");
        buddy.addFreeRange(0x100000, 3 << 20);
        assertEquals(2 << 20, buddy.maxAllocationSize(), "[1 MiB, 4 MiB) holds the 2 MiB block at 2 MiB");
        buddy.addFreeRange(0x400000, 3 << 20);
        assertEquals(2 << 20, buddy.maxAllocationSize(), "[1 MiB, 7 MiB) holds no aligned 4 MiB window");
        buddy.addFreeRange(0x700000, 1 << 20);
        assertEquals(4 << 20, buddy.maxAllocationSize(), "[4 MiB, 8 MiB) is now wholly managed");
        assertEquals(4 << 20, buddy.allocateOrder(10));
        buddy.checkIntegrity();
    }

    @Test
    void randomSeparateRangesGiveTheCountsTheCarvingRulePredicts() {
        final long seed = 0xCA4E_5EEDL;
        System.out.println("randomSeparateRangesGiveTheCountsTheCarvingRulePredicts seed=0x" + Long.toHexString(seed));
        final SplittableRandom random = new SplittableRandom(seed);
        final long spanFrames = 1 << 18;
        final BuddyAllocator buddy = frames(arena, 0, spanFrames * FRAME, FRAMES).buddy();
        final long[] expected = new long[11];
        long frame = 1;
        while (true) {
            final long startByte = frame * FRAME + random.nextLong(FRAME);
            final long byteSize = random.nextLong(1, random.nextBoolean() ? 64 * FRAME : 8192 * FRAME);
            final long endFrame = (startByte + byteSize) / FRAME;
            if (endFrame >= spanFrames) {
                break;
            }
            buddy.addFreeRange(startByte, byteSize);
            CarvingRule.carve((startByte + FRAME - 1) / FRAME, endFrame, 10, expected);
            frame = endFrame + 1 + random.nextLong(3); // at least one frame of hole: ranges never touch
        }
        assertArrayEquals(expected, buddy.freeBlocksPerOrder());
        buddy.checkIntegrity();
    }

    @Test
    void inBandHeapCarvesItsSpanAfterTheStateTable() {
        final long spanBytes = 64 << 10;
        final NativeMemory memory = new NativeMemory(arena.allocate(spanBytes, spanBytes));
        final BuddyAllocator buddy = BuddyAllocator.inBand(memory, memory.baseAddress(), spanBytes,
            BuddyConfig.BYTE_HEAP);
        // 4096 blocks of 16 bytes: a 4 KiB table, then 4 KiB (o8), 8 KiB (o9), 16 KiB (o10), 32 KiB (o11).
        assertArrayEquals(perOrder(20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1), buddy.freeBlocksPerOrder());
        assertEquals(spanBytes, buddy.stats().heapBytes(), "the table counts in the heap, as metadata");
        assertEquals(spanBytes - 4096, buddy.stats().bytesFree());
        assertEquals(32 << 10, buddy.maxAllocationSize());
        buddy.checkIntegrity();
    }

    @Test
    void theClassJavadocFrameAllocatorExampleRuns() {
        final long physBytes = 8L << 30;
        final long tableBytes = BuddyAllocator.frameTableBytes(physBytes, BuddyConfig.PAGE_FRAMES);
        assertEquals(24L << 20, tableBytes, "2 Mi frames of 12 bytes");
        final NativeMemory table = NativeMemory.allocate(arena, tableBytes);
        final BuddyAllocator frames = BuddyAllocator.outOfBand(null, table, table.baseAddress(), 0, physBytes,
            BuddyConfig.PAGE_FRAMES);
        frames.addFreeRange(0x0, 0x9FC00);
        frames.addFreeRange(0x100000, 0xBFFDC000L - 0x100000);
        final long physAddr = frames.allocateOrder(0);
        final long hugeAddr = frames.allocateOrder(9);
        assertEquals(0, physAddr % FRAME);
        assertEquals(0, hugeAddr % (2 << 20), "an order-9 block is 2 MiB-aligned");
        assertTrue(physAddr >= FRAME && physAddr < 0x9F000 || physAddr >= 0x100000 && physAddr < 0xBFFDC000L);
        assertTrue(hugeAddr >= 0x100000 && hugeAddr + (2 << 20) <= 0xBFFDC000L);
        frames.free(physAddr);
        frames.free(hugeAddr);
        assertEquals((0x9F - 1 + 0xBFFDC - 0x100) * FRAME, frames.freeBytes());
        frames.checkIntegrity();
    }
}

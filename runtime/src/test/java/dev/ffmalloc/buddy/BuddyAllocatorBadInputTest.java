package dev.ffmalloc.buddy;

import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.ffmalloc.buddy.BuddyTestSupport.assertRejected;
import static dev.ffmalloc.buddy.BuddyTestSupport.frames;
import static dev.ffmalloc.buddy.BuddyTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every bad input the buddy allocator detects, with its exact message, leaving the allocator as it was. The frame
 * allocator manages {@code [4 MiB, 12 MiB)} of a 16 MiB span at 0, so {@code [0, 4 MiB)} and {@code [12, 16 MiB)}
 * are in the span but not managed.
 */
final class BuddyAllocatorBadInputTest {

    private static final long FRAME = 4096;
    private static final long MANAGED = 4L << 20;

    private final Arena arena = Arena.ofConfined();
    private final BuddyAllocator buddy = frames(arena, 0, 16L << 20, BuddyConfig.PAGE_FRAMES).buddy();

    BuddyAllocatorBadInputTest() {
        buddy.addFreeRange(MANAGED, 2 * MANAGED);
    }

    @AfterEach
    void closeArena() {
        arena.close();
    }

    // -------------------------------------------------------------------------------------------------- free

    @Test
    void freeOutsideTheSpan() {
        buddy.allocateOrder(0);
        for (final long address : new long[] {16L << 20, -FRAME, Long.MIN_VALUE}) {
            assertRejected(buddy, IllegalArgumentException.class,
                "address was never handed out by this allocator: addr=" + hex(address), () -> buddy.free(address));
        }
    }

    @Test
    void freeOfABlockInTheSpanThatWasNeverManaged() {
        for (final long address : new long[] {FRAME, MANAGED - FRAME, 3 * MANAGED, 3 * MANAGED + 8}) {
            assertRejected(buddy, IllegalArgumentException.class,
                "address was never handed out by this allocator: addr=" + hex(address), () -> buddy.free(address));
        }
    }

    @Test
    void doubleFreeOfABlockThatStayedAlone() {
        final long kept = buddy.allocateOrder(0);
        final long freed = buddy.allocateOrder(0);
        buddy.free(freed);
        assertRejected(buddy, IllegalStateException.class, "block is already free: addr=" + hex(freed),
            () -> buddy.free(freed));
        buddy.free(kept);
    }

    @Test
    void doubleFreeOfABlockThatMergedIntoItsLowerBuddy() {
        final long lower = buddy.allocateOrder(0);
        final long upper = buddy.allocateOrder(0);
        buddy.free(upper);
        buddy.free(lower);
        assertRejected(buddy, IllegalStateException.class,
            "address lies inside a free block (a double free, or never a block start): addr=" + hex(upper)
                + ", blockAddr=" + hex(lower), () -> buddy.free(upper));
        assertRejected(buddy, IllegalStateException.class, "block is already free: addr=" + hex(lower),
            () -> buddy.free(lower));
    }

    @Test
    void interiorPointersAlignedToAFrameOrNot() {
        final long block = buddy.allocateOrder(3);
        for (final long inside : new long[] {block + FRAME, block + 7 * FRAME, block + 1, block + 8 * FRAME - 1}) {
            assertRejected(buddy, IllegalArgumentException.class,
                "address points inside a block: addr=" + hex(inside) + ", blockAddr=" + hex(block),
                () -> buddy.free(inside));
            assertRejected(buddy, IllegalArgumentException.class,
                "address points inside a block: addr=" + hex(inside) + ", blockAddr=" + hex(block),
                () -> buddy.usableSize(inside));
        }
        buddy.free(block);
    }

    @Test
    void pointerInsideAFreeBlockThatWasNeverABlockStart() {
        final long address = MANAGED + 5 * FRAME + 16;
        assertRejected(buddy, IllegalStateException.class,
            "address lies inside a free block (a double free, or never a block start): addr=" + hex(address)
                + ", blockAddr=" + hex(MANAGED), () -> buddy.free(address));
    }

    // ------------------------------------------------------------------------------------------- allocation

    @Test
    void orderOutOfRange() {
        for (final int order : new int[] {-1, 11, Integer.MAX_VALUE}) {
            assertRejected(buddy, IllegalArgumentException.class,
                "order is out of range: order=" + order + ", maxOrder=10", () -> buddy.tryAllocateOrder(order));
            assertRejected(buddy, IllegalArgumentException.class,
                "order is out of range: order=" + order + ", maxOrder=10", () -> buddy.allocateOrder(order));
            assertRejected(buddy, IllegalArgumentException.class,
                "order is out of range: order=" + order + ", maxOrder=10", () -> buddy.freeBlocks(order));
        }
    }

    @Test
    void alignmentAboveTheLargestBlock() {
        assertRejected(buddy, IllegalArgumentException.class,
            "alignment is larger than this allocator supports: byteAlignment=8388608, maxByteAlignment=4194304",
            () -> buddy.tryAllocate(1, 8L << 20));
    }

    /** An in-band heap never grows: an alignment above its largest possible block is refused, as that size is. */
    @Test
    void alignmentAboveTheLargestBlockTheHeapCanEverHave() {
        // Aligned to 1 MiB: the largest window wholly managed is then the second 512 KiB (the table is in the first).
        final NativeMemory ram = new NativeMemory(arena.allocate(1 << 20, 1 << 20));
        final BuddyAllocator heap = BuddyAllocator.inBand(ram, ram.baseAddress(), ram.byteSize(),
            BuddyConfig.BYTE_HEAP);
        assertEquals(512 << 10, heap.maxAllocationSize());
        final long block = heap.allocate(16, 16);
        assertRejected(heap, IllegalArgumentException.class,
            "alignment is larger than this allocator supports: byteAlignment=1048576, maxByteAlignment=524288",
            () -> heap.tryAllocate(16, 1 << 20));
        assertRejected(heap, IllegalArgumentException.class,
            "alignment is larger than this allocator supports: byteAlignment=1048576, maxByteAlignment=524288",
            () -> heap.reallocate(block, 16, 1 << 20));
        heap.free(block);
        heap.checkIntegrity();
    }

    /** A frame allocator may still be given memory: an alignment its configuration allows is no room until then. */
    @Test
    void anOutOfBandAlignmentAboveTheBlocksManagedSoFarIsNoRoom() {
        final BuddyAllocator frames = frames(arena, 0, 16L << 20, BuddyConfig.PAGE_FRAMES).buddy();
        frames.addFreeRange(4 << 20, 1 << 20);
        assertEquals(1 << 20, frames.maxAllocationSize());
        assertEquals(0, frames.tryAllocate(FRAME, 2 << 20), "a 2 MiB block is not possible yet");
        frames.addFreeRange(6 << 20, 2 << 20);
        assertEquals(6 << 20, frames.tryAllocate(FRAME, 2 << 20));
        frames.checkIntegrity();
    }

    /** A span past its memory is refused by name before anything is written, in unchecked memory too. */
    @Test
    void inBandSpanPastItsMemory() {
        final MemorySegment twoPages = arena.allocate(2 * FRAME, FRAME);
        final NativeMemory firstPage = new NativeMemory(twoPages.asSlice(0, FRAME));
        twoPages.asSlice(FRAME).fill((byte) 0x5A);
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> BuddyAllocator.inBand(firstPage, firstPage.baseAddress(), 2 * FRAME, BuddyConfig.BYTE_HEAP));
        assertEquals("range is not in the memory: addr=" + hex(firstPage.baseAddress()) + ", byteSize=8192, memory="
            + firstPage, thrown.getMessage());
        assertEquals(0x5A5A5A5A5A5A5A5AL, twoPages.get(ValueLayout.JAVA_LONG, FRAME), "the next page was written");
        assertEquals(0, twoPages.get(ValueLayout.JAVA_LONG, 0), "the span's own page was written");
    }

    @Test
    void anyRequestBeforeAnythingIsManaged() {
        final BuddyAllocator empty = frames(arena, 0, 1 << 20, BuddyConfig.PAGE_FRAMES).buddy();
        assertRejected(empty, IllegalArgumentException.class,
            "size is larger than this heap could ever hold: byteSize=1, maxByteSize=0", () -> empty.allocate(1));
        assertEquals(0, empty.tryAllocate(0, 1), "a 0-byte request is a 1-byte one, which nothing can hold yet");
    }

    // ------------------------------------------------------------------------------------------ adding memory

    @Test
    void rangeOutsideTheSpan() {
        final String span = ", spanAddr=0x0, spanEnd=0x1000000";
        assertRejected(buddy, IllegalArgumentException.class,
            "range lies outside the span: addr=0xff0000, byteSize=131072" + span,
            () -> buddy.addFreeRange(0xFF0000, 0x20000));
        assertRejected(buddy, IllegalArgumentException.class,
            "range lies outside the span: addr=0x1000000, byteSize=4096" + span,
            () -> buddy.addFreeRange(16L << 20, FRAME));
        assertRejected(buddy, IllegalArgumentException.class,
            "range lies outside the span: addr=0xfffffffffffff000, byteSize=8192" + span,
            () -> buddy.addFreeRange(-FRAME, 2 * FRAME));
        assertRejected(buddy, IllegalArgumentException.class,
            "range lies outside the span: addr=0x1000, byteSize=9223372036854775807" + span,
            () -> buddy.addFreeRange(FRAME, Long.MAX_VALUE));
    }

    @Test
    void rangeWithANegativeSize() {
        assertRejected(buddy, IllegalArgumentException.class, "range size is negative: addr=0x1000, byteSize=-1",
            () -> buddy.addFreeRange(FRAME, -1));
    }

    @Test
    void rangeOverlappingFreeOrUsedMemory() {
        final long used = buddy.allocateOrder(0);
        assertEquals(2 * MANAGED, used, "free lists are LIFO: the order-10 block carved last is split");
        assertRejected(buddy, IllegalArgumentException.class,
            "range overlaps memory already managed: addr=0x3ff000, byteSize=8192, minBlockAddr=0x400000, "
                + "state=free order 10", () -> buddy.addFreeRange(MANAGED - FRAME, 2 * FRAME));
        assertRejected(buddy, IllegalArgumentException.class,
            "range overlaps memory already managed: addr=0x800000, byteSize=4096, minBlockAddr=0x800000, "
                + "state=used order 0", () -> buddy.addFreeRange(used, FRAME));
        assertRejected(buddy, IllegalArgumentException.class,
            "range overlaps memory already managed: addr=0xbfe800, byteSize=8192, minBlockAddr=0xbff000, "
                + "state=inside", () -> buddy.addFreeRange(3 * MANAGED - FRAME - 2048, 2 * FRAME));
        assertRejected(buddy, IllegalArgumentException.class,
            "range overlaps memory already managed: addr=0x801000, byteSize=4096, minBlockAddr=0x801000, "
                + "state=free order 0", () -> buddy.addFreeRange(used + FRAME, FRAME));
    }

    // --------------------------------------------------------------------------------------------- in-band

    @Test
    void inBandHeapDetectsTheSameMistakesAndGuardsItsTable() {
        final long spanBytes = 64 << 10;
        final NativeMemory memory = new NativeMemory(arena.allocate(spanBytes, spanBytes));
        final long table = memory.baseAddress();
        final BuddyAllocator heap = BuddyAllocator.inBand(memory, table, spanBytes, BuddyConfig.BYTE_HEAP);
        final long block = heap.allocate(100, 16);
        assertEquals(table + 4096, block, "the first block after the 4 KiB table");
        assertEquals(3, heap.orderOf(block), "100 bytes take a 128-byte block");
        assertRejected(heap, IllegalArgumentException.class,
            "address was never handed out by this allocator: addr=" + hex(table + 64), () -> heap.free(table + 64));
        assertRejected(heap, IllegalArgumentException.class,
            "address points inside a block: addr=" + hex(block + 16) + ", blockAddr=" + hex(block),
            () -> heap.free(block + 16));
        assertRejected(heap, IllegalArgumentException.class,
            "range overlaps the in-band state table: addr=" + hex(table) + ", byteSize=4096, tableAddr=" + hex(table)
                + ", tableBytes=4096", () -> heap.addFreeRange(table, 4096));
        heap.free(block);
        assertRejected(heap, IllegalStateException.class, "block is already free: addr=" + hex(block),
            () -> heap.free(block));
        assertRejected(heap, IllegalStateException.class, "block is already free: addr=" + hex(block),
            () -> heap.usableSize(block));
    }

    // ------------------------------------------------------------------------------------------ construction

    @Test
    void outOfBandWithoutBlockMemoryCannotCopy() {
        final long block = buddy.allocateOrder(0);
        final String message = "out-of-band buddy allocator was given no block memory: spanAddr=0x0, "
            + "spanByteSize=16777216";
        assertRejected(buddy, UnsupportedOperationException.class, message, buddy::memory);
        assertRejected(buddy, UnsupportedOperationException.class, message, () -> buddy.reallocate(block, 1, 1));
    }

    @Test
    void badSpans() {
        final NativeMemory table = NativeMemory.allocate(arena, 4096);
        final BuddyConfig config = BuddyConfig.PAGE_FRAMES;
        assertFactoryRejects("span address is not a multiple of the minimum block size: spanAddr=0x800, "
                + "minBlockSize=4096",
            () -> BuddyAllocator.outOfBand(null, table, table.baseAddress(), 2048, 8192, config));
        assertFactoryRejects("span is smaller than one minimum block: spanByteSize=4095, minBlockSize=4096",
            () -> BuddyAllocator.outOfBand(null, table, table.baseAddress(), 0, 4095, config));
        assertFactoryRejects("span runs past the end of the address space: spanAddr=0xfffffffffffff000, "
            + "spanByteSize=4096", () -> BuddyAllocator.outOfBand(null, table, table.baseAddress(), -4096, 4096,
            config));
        assertFactoryRejects("frame table address is not 4-byte aligned: tableAddr=" + hex(table.baseAddress() + 2),
            () -> BuddyAllocator.outOfBand(null, table, table.baseAddress() + 2, 0, 8192, config));
        assertFactoryRejects("frame table overlaps the span it describes: tableAddr=" + hex(table.baseAddress())
                + ", tableBytes=12, spanAddr=" + hex(table.baseAddress()) + ", spanByteSize=4096",
            () -> BuddyAllocator.outOfBand(table, table, table.baseAddress(), table.baseAddress(), 4096, config));
        assertFactoryRejects("span leaves no room for blocks after its state table: spanByteSize=16, tableBytes=16",
            () -> BuddyAllocator.inBand(table, table.baseAddress(), 16, BuddyConfig.BYTE_HEAP));
        assertFactoryRejects("span size is negative: spanByteSize=-1", () -> BuddyAllocator.frameTableBytes(-1,
            config));
    }

    private static void assertFactoryRejects(final String message, final Runnable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call::run).getMessage());
    }
}

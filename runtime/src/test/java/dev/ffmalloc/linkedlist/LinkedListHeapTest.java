package dev.ffmalloc.linkedlist;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.BlockPattern;
import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.alloc.HeapGarbage;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.alloc.ShadowHeap;
import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.memory.ShiftedMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The rules of {@link LinkedListHeap} one by one, on native memory: the heap covers a 16 KiB prefix of a 64 KiB
 * segment, so that {@code extend} has memory to grow into. Expected addresses and block lists are worked out here
 * from the documented layout (16-byte header, sizes rounded to 16), never read back from the heap.
 */
final class LinkedListHeapTest {

    private static final long SEGMENT_BYTES = 64 * 1024;
    private static final long HEAP_BYTES = 16 * 1024;
    private static final long GROWTH_SEED = 0x6_20_3EEDL;

    private Arena arena;
    private NativeMemory memory;
    private LinkedListHeap heap;
    private long base;

    @BeforeEach
    void openHeap() {
        arena = Arena.ofConfined();
        memory = NativeMemory.allocate(arena, SEGMENT_BYTES);
        base = memory.baseAddress();
        heap = new LinkedListHeap(memory, base, HEAP_BYTES);
    }

    @AfterEach
    void closeHeap() {
        arena.close();
    }

    /** A block as {@link LinkedListHeap#forEachBlock} reports it. */
    private record Block(long addr, long bytes, boolean used) {
    }

    private static Block used(final long addr, final long bytes) {
        return new Block(addr, bytes, true);
    }

    private static Block hole(final long addr, final long bytes) {
        return new Block(addr, bytes, false);
    }

    private List<Block> blocks() {
        final List<Block> blocks = new ArrayList<>();
        heap.forEachBlock((blockAddr, blockBytes, isUsed) -> blocks.add(new Block(blockAddr, blockBytes, isUsed)));
        return blocks;
    }

    // ------------------------------------------------------------------------------------------------ first fit

    @Test
    void firstFitTakesTheLowestHoleThatHoldsTheBlock() {
        final long a = heap.allocate(48);
        final long b = heap.allocate(240);
        heap.allocate(48);
        heap.allocate(48);
        assertEquals(base + 16, a);
        assertEquals(base + 64 + 16, b);
        heap.free(b);
        assertEquals(base + 64 + 16, heap.allocate(100), "the freed hole is the lowest that fits");
        assertEquals(base + 448 + 16, heap.allocate(200), "224 bytes do not fit in the 128 left: the tail serves");
        assertEquals(base + 192 + 16, heap.allocate(100), "128 bytes fit the hole exactly");
        assertEquals(List.of(used(base, 64), used(base + 64, 128), used(base + 192, 128), used(base + 320, 64),
            used(base + 384, 64), used(base + 448, 224), hole(base + 672, HEAP_BYTES - 672)), blocks());
        heap.checkIntegrity();
    }

    @Test
    void alignmentPaddingBecomesAHoleAndServesLaterBlocks() {
        final long aligned = heap.allocate(8, 256);
        assertEquals(base + 256, aligned);
        assertEquals(List.of(hole(base, 240), used(base + 240, 32), hole(base + 272, HEAP_BYTES - 272)), blocks());
        assertEquals(base + 16, heap.allocate(8, 16), "the padding hole is the first fit");
        assertEquals(base + 4096, heap.allocate(8, 4096));
        assertEquals(Allocator.NO_BLOCK, heap.tryAllocate(8, 1L << 62), "an alignment no hole can meet");
        assertEquals(List.of(used(base, 32), hole(base + 32, 208), used(base + 240, 32), hole(base + 272, 3808),
            used(base + 4080, 32), hole(base + 4112, HEAP_BYTES - 4112)), blocks());
        heap.checkIntegrity();
    }

    @Test
    void theSmallestFrontPaddingIsAMinimumBlockHoleThatMergesBack() {
        final long aligned = heap.allocate(16, 32);
        assertEquals(base + 32, aligned, "the first payload position, base + 16, is not 32-aligned");
        assertEquals(List.of(hole(base, LinkedListLayout.MIN_BLOCK_SIZE), used(base + 16, 32),
            hole(base + 48, HEAP_BYTES - 48)), blocks());
        assertEquals(base + 48 + 16, heap.allocate(1), "a 16-byte hole holds no used block: the next hole serves");
        heap.free(aligned);
        assertEquals(List.of(hole(base, 48), used(base + 48, 32), hole(base + 80, HEAP_BYTES - 80)), blocks());
        heap.checkIntegrity();
    }

    @Test
    void backRemainderIsSplitOffAsAHole() {
        heap.allocate(1);
        assertEquals(List.of(used(base, 32), hole(base + 32, HEAP_BYTES - 32)), blocks());
        assertEquals(new AllocatorStats(HEAP_BYTES, 32, HEAP_BYTES - 32, 32, 1, 1, 0), heap.stats());
        heap.checkIntegrity();
    }

    @Test
    void allocateFreeAndReallocateMakeNoGarbage() {
        final long[] live = new long[64];
        final Runnable churn = () -> {
            for (int i = 0; i < 100_000; i++) {
                final int slot = i & 63;
                if (live[slot] != 0) {
                    heap.free(live[slot]);
                }
                live[slot] = heap.allocate((i * 37) & 127, 1L << (i & 7));
                live[slot] = heap.reallocate(live[slot], (i * 11) & 255, 16);
            }
        };
        HeapGarbage.assertNoGarbage("linked-list allocate/free/reallocate", churn, churn);
        heap.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------------------ merging

    @Test
    void aFreedBlockMergesWithThePreviousHole() {
        final long[] blocks = fourBlocksOf64Bytes();
        heap.free(blocks[0]);
        heap.free(blocks[1]);
        assertEquals(List.of(hole(base, 128), used(base + 128, 64), used(base + 192, 64),
            hole(base + 256, HEAP_BYTES - 256)), blocks());
        heap.checkIntegrity();
    }

    @Test
    void aFreedBlockMergesWithTheNextHole() {
        final long[] blocks = fourBlocksOf64Bytes();
        heap.free(blocks[1]);
        heap.free(blocks[0]);
        assertEquals(List.of(hole(base, 128), used(base + 128, 64), used(base + 192, 64),
            hole(base + 256, HEAP_BYTES - 256)), blocks());
        heap.checkIntegrity();
    }

    @Test
    void aFreedBlockMergesWithBothNeighbours() {
        final long[] blocks = fourBlocksOf64Bytes();
        heap.free(blocks[0]);
        heap.free(blocks[2]);
        heap.free(blocks[1]);
        assertEquals(List.of(hole(base, 192), used(base + 192, 64), hole(base + 256, HEAP_BYTES - 256)), blocks());
        heap.free(blocks[3]);
        assertEquals(List.of(hole(base, HEAP_BYTES)), blocks());
        assertEquals(HEAP_BYTES - 16, heap.usableSize(heap.allocate(HEAP_BYTES - 16)), "the whole heap is one hole");
        heap.checkIntegrity();
    }

    /** @return four 64-byte blocks at the start of the heap: payloads base+16, +80, +144, +208 */
    private long[] fourBlocksOf64Bytes() {
        final long[] payloads = new long[4];
        for (int i = 0; i < 4; i++) {
            payloads[i] = heap.allocate(48);
            assertEquals(base + 64L * i + 16, payloads[i]);
        }
        return payloads;
    }

    // ------------------------------------------------------------------------------------------------ extend

    @Test
    void extendGrowsTheHeapAtItsEnd() {
        final long first = heap.allocate(HEAP_BYTES - 16);
        assertEquals(Allocator.NO_BLOCK, heap.tryAllocate(1, 8));
        heap.extend(4096);
        assertEquals(base + HEAP_BYTES + 4096, heap.heapEndAddress());
        final long second = heap.allocate(100);
        assertEquals(base + HEAP_BYTES + 16, second);
        heap.free(first);
        assertEquals(List.of(hole(base, HEAP_BYTES), used(base + HEAP_BYTES, 128),
            hole(base + HEAP_BYTES + 128, 4096 - 128)), blocks());
        heap.extend(32);
        assertEquals(List.of(hole(base, HEAP_BYTES), used(base + HEAP_BYTES, 128),
            hole(base + HEAP_BYTES + 128, 4096 - 128 + 32)), blocks(), "the hole at the end grows, no new hole");
        assertEquals(HEAP_BYTES + 4096 + 32, heap.stats().heapBytes());
        assertEquals(HEAP_BYTES + 4096 + 32 - 16, heap.maxAllocationSize());
        assertEquals(1, heap.regionCount());
        heap.checkIntegrity();
    }

    @Test
    void extendRejectsSizesThatAreNotPositiveMultiplesOfTheGranularity() {
        for (final long byteSize : new long[] {0, 8, -16, 4097}) {
            assertRejected(IllegalArgumentException.class, "extension is not a positive multiple of the "
                + "granularity: byteSize=" + byteSize + ", granularity=16", () -> heap.extend(byteSize));
        }
        final LinkedListHeap empty = LinkedListHeap.empty(memory);
        final IllegalStateException noRegion = assertThrows(IllegalStateException.class, () -> empty.extend(4096));
        assertEquals("heap has no region", noRegion.getMessage());
        empty.checkIntegrity();
        heap.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------------------ regions

    @Test
    void discontiguousRegionsServeAllocationsAndNeverShareABlock() {
        final LinkedListHeap regions = LinkedListHeap.empty(memory);
        heap = regions;
        assertEquals(Allocator.NO_BLOCK, regions.tryAllocate(0, 8), "an empty heap has nothing");
        assertEquals(0, regions.maxAllocationSize());
        regions.addRegion(base + 4096, 2048);
        regions.addRegion(base, 2048);
        assertEquals(2, regions.regionCount());
        assertEquals(base, regions.regionStartAddress(0));
        assertEquals(base + 4096 + 2048, regions.regionEndAddress(1));
        assertEquals(List.of(hole(base, 2048), hole(base + 4096, 2048)), blocks(), "holes of two regions stay apart");
        assertEquals(base + 16, regions.allocate(2000), "the lower region first");
        assertEquals(base + 4096 + 16, regions.allocate(1000), "then the other region");
        assertEquals(Allocator.NO_BLOCK, regions.tryAllocate(1500, 8), "1024 + 32 bytes are free, but apart");
        assertEquals(2048 - 16, regions.maxAllocationSize());
        regions.checkIntegrity();
    }

    @Test
    void aRegionThatTouchesOthersMergesWithThem() {
        final LinkedListHeap regions = LinkedListHeap.empty(memory);
        heap = regions;
        regions.addRegion(base + 2048, 1024);
        regions.addRegion(base, 1024);
        final long kept = regions.allocate(100);
        regions.addRegion(base + 1024, 1024);
        assertEquals(1, regions.regionCount());
        assertEquals(base + 3072, regions.heapEndAddress());
        assertEquals(List.of(used(base, 128), hole(base + 128, 3072 - 128)), blocks());
        assertEquals(base + 128 + 16, regions.allocate(2500), "a block may span what were three regions");
        regions.free(kept);
        regions.addRegion(base + 3072, 1024 - 5);
        assertEquals(1, regions.regionCount(), "touching from above");
        assertEquals(base + 4080, regions.heapEndAddress(), "odd end trimmed down to the granularity");
        regions.checkIntegrity();
    }

    @Test
    void aRegionJustBelowAnotherMergesWithIt() {
        final LinkedListHeap regions = LinkedListHeap.empty(memory);
        heap = regions;
        regions.addRegion(base + 1024, 1024);
        regions.addRegion(base + 8, 1016);
        assertEquals(1, regions.regionCount());
        assertEquals(base + 16, regions.regionStartAddress(0));
        assertEquals(List.of(hole(base + 16, 2048 - 16)), blocks());
        regions.checkIntegrity();
    }

    @Test
    void addRegionRejectsBadRanges() {
        assertRejected(IllegalArgumentException.class, "region overlaps the heap: addr=" + hex(base + 512)
            + ", byteSize=1024, regionStart=" + hex(base) + ", regionEnd=" + hex(base + HEAP_BYTES),
            () -> heap.addRegion(base + 512, 1024));
        assertRejected(IllegalArgumentException.class, "region overlaps the heap: addr=" + hex(base - 4096)
            + ", byteSize=8192, regionStart=" + hex(base) + ", regionEnd=" + hex(base + HEAP_BYTES),
            () -> heap.addRegion(base - 4096, 8192));
        assertRejected(IllegalArgumentException.class, "region size is not positive: addr=" + hex(base + HEAP_BYTES)
            + ", byteSize=0", () -> heap.addRegion(base + HEAP_BYTES, 0));
        assertRejected(IllegalArgumentException.class, "region holds no whole block: addr="
            + hex(base + HEAP_BYTES + 1) + ", byteSize=30, minBlockSize=16, granularity=16",
            () -> heap.addRegion(base + HEAP_BYTES + 1, 30));
        assertRejected(IllegalArgumentException.class, "range passes the end of the address space: addr="
            + hex(Long.MAX_VALUE - 100) + ", byteSize=200", () -> heap.addRegion(Long.MAX_VALUE - 100, 200));
        assertRejected(IllegalArgumentException.class, "range contains address 0, which means no block: addr="
            + hex(-4096) + ", byteSize=8192", () -> heap.addRegion(-4096, 8192));
        // An end at the top of the address space wraps to 0, which the hole list reads as "no block".
        assertRejected(IllegalArgumentException.class, "range reaches the end of the address space, and its end would be address 0, which means no block: addr="
            + hex(-4096) + ", byteSize=4096", () -> heap.addRegion(-4096, 4096));
        // Bytes that rounding to 16 would drop still overlap the heap.
        assertRejected(IllegalArgumentException.class, "region overlaps the heap: addr=" + hex(base + HEAP_BYTES - 8)
            + ", byteSize=264, regionStart=" + hex(base) + ", regionEnd=" + hex(base + HEAP_BYTES),
            () -> heap.addRegion(base + HEAP_BYTES - 8, 264));
        assertEquals(1, heap.regionCount());
        heap.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------------------ reallocate

    @Test
    void reallocateShrinksInPlaceAndGivesTheTailBack() {
        final long a = heap.allocate(48);
        heap.allocate(48);
        BlockPattern.write(memory, a, 48, 1);
        assertEquals(a, heap.reallocate(a, 16, 16));
        BlockPattern.checkKept(memory, a, 48, 16, 1);
        assertEquals(List.of(used(base, 32), hole(base + 32, 32), used(base + 64, 64),
            hole(base + 128, HEAP_BYTES - 128)), blocks());
        assertEquals(16, heap.usableSize(a));
        heap.checkIntegrity();
    }

    @Test
    void reallocateGrowsInPlaceIntoTheFollowingHole() {
        final long a = heap.allocate(16);
        final long b = heap.allocate(48);
        heap.allocate(48);
        heap.free(b);
        BlockPattern.write(memory, a, 16, 2);
        assertEquals(a, heap.reallocate(a, 40, 16), "32 + 64 bytes hold a 64-byte block");
        assertEquals(List.of(used(base, 64), hole(base + 64, 32), used(base + 96, 64),
            hole(base + 160, HEAP_BYTES - 160)), blocks());
        assertEquals(a, heap.reallocate(a, 80, 16), "and then the whole hole");
        assertEquals(List.of(used(base, 96), used(base + 96, 64), hole(base + 160, HEAP_BYTES - 160)), blocks());
        BlockPattern.check(memory, a, 16, 2);
        assertEquals(new AllocatorStats(HEAP_BYTES, 160, HEAP_BYTES - 160, 160, 2, 3, 1), heap.stats());
        heap.checkIntegrity();
    }

    @Test
    void reallocateMovesWhenTheNextBlockIsUsedOrTheAlignmentIsNotMet() {
        final long a = heap.allocate(48);
        heap.allocate(48);
        BlockPattern.write(memory, a, 48, 3);
        final long moved = heap.reallocate(a, 200, 16);
        assertEquals(base + 128 + 16, moved, "the next block is used: moved to the first fit");
        BlockPattern.check(memory, moved, 48, 3);
        assertEquals(List.of(hole(base, 64), used(base + 64, 64), used(base + 128, 224),
            hole(base + 352, HEAP_BYTES - 352)), blocks());
        final long realigned = heap.reallocate(moved, 200, 4096);
        assertEquals(base + 4096, realigned);
        BlockPattern.check(memory, realigned, 48, 3);
        assertEquals(2, heap.stats().liveBlocks());
        heap.checkIntegrity();
    }

    @Test
    void reallocateThatCannotFitLeavesTheBlockAlone() {
        final long a = heap.allocate(48);
        heap.allocate(48);
        BlockPattern.write(memory, a, 48, 4);
        assertRejected(OutOfMemoryException.class, "out of memory: byteSize=16300, byteAlignment=16, bytesFree="
            + (HEAP_BYTES - 128), () -> heap.reallocate(a, 16300, 16));
        BlockPattern.check(memory, a, 48, 4);
        assertEquals(48, heap.usableSize(a));
        heap.checkIntegrity();
    }

    /**
     * Random allocations, frees and reallocations mirrored in a {@link ShadowHeap}, on a heap that starts at 4 KiB
     * and is extended by one page whenever an allocation fails, until it fills the segment.
     */
    @Test
    void randomOperationsOnAGrowingHeapAgreeWithTheShadowModel() {
        System.out.println("LinkedListHeapTest.randomOperationsOnAGrowingHeapAgreeWithTheShadowModel seed=0x"
            + Long.toHexString(GROWTH_SEED));
        final SplittableRandom random = new SplittableRandom(GROWTH_SEED);
        heap = new LinkedListHeap(memory, base, 4096);
        final ShadowHeap model = new ShadowHeap(base, base + SEGMENT_BYTES);
        final long[] live = new long[160];
        int liveCount = 0;
        long nextId = 0;
        for (int op = 0; op < 200_000; op++) {
            if (liveCount > 0 && (random.nextInt(100) < 45 || liveCount == live.length)) {
                final int slot = random.nextInt(liveCount);
                final ShadowHeap.Block block = model.get(live[slot]);
                BlockPattern.check(memory, block.address(), block.byteSize(), block.id());
                if (random.nextInt(4) == 0) {
                    final long newSize = random.nextLong(0, 600);
                    final long moved = reallocateGrowingTheHeap(live[slot], newSize);
                    if (moved != Allocator.NO_BLOCK) {
                        model.freed(live[slot]);
                        BlockPattern.checkKept(memory, moved, block.byteSize(), newSize, block.id());
                        model.allocated(moved, newSize, 16, nextId);
                        BlockPattern.write(memory, moved, newSize, nextId++);
                        live[slot] = moved;
                    }
                } else {
                    model.freed(live[slot]);
                    heap.free(live[slot]);
                    live[slot] = live[--liveCount];
                }
            } else {
                final long size = random.nextLong(0, 600);
                final long alignment = 1L << random.nextInt(9);
                long address = heap.tryAllocate(size, alignment);
                while (address == Allocator.NO_BLOCK && heap.heapEndAddress() < memory.endAddress()) {
                    heap.extend(NativeMemory.PAGE_SIZE);
                    address = heap.tryAllocate(size, alignment);
                }
                if (address != Allocator.NO_BLOCK) {
                    model.allocated(address, size, alignment, nextId);
                    BlockPattern.write(memory, address, size, nextId++);
                    live[liveCount++] = address;
                }
            }
            if ((op & 0xFFF) == 0) {
                assertEquals(model.liveBlocks(), heap.stats().liveBlocks());
                heap.checkIntegrity();
            }
        }
        assertEquals(memory.endAddress(), heap.heapEndAddress(), "the heap grew to the end of the segment");
        for (int slot = 0; slot < liveCount; slot++) {
            final ShadowHeap.Block block = model.freed(live[slot]);
            BlockPattern.check(memory, block.address(), block.byteSize(), block.id());
            heap.free(live[slot]);
        }
        assertEquals(List.of(hole(base, SEGMENT_BYTES)), blocks());
        heap.checkIntegrity();
    }

    /** @return the reallocated block, extending the heap as needed, or {@link Allocator#NO_BLOCK} once it is full */
    private long reallocateGrowingTheHeap(final long address, final long newByteSize) {
        while (true) {
            try {
                return heap.reallocate(address, newByteSize, 16);
            } catch (final OutOfMemoryException e) {
                if (heap.heapEndAddress() == memory.endAddress()) {
                    return Allocator.NO_BLOCK;
                }
                heap.extend(NativeMemory.PAGE_SIZE);
            }
        }
    }

    /** Memory that ends at the top of the address space: an end address of 0 is refused, growth included. */
    @Test
    void aRegionOrGrowthReachingTheTopOfTheAddressSpaceIsRefusedChangingNothing() {
        final ShiftedMemory top = new ShiftedMemory(memory, -SEGMENT_BYTES);
        heap = new LinkedListHeap(top, -SEGMENT_BYTES, SEGMENT_BYTES / 2);
        final var stats = heap.stats();
        assertRejected(IllegalArgumentException.class, "range reaches the end of the address space, and its end would be address 0, which means no block: addr="
            + hex(-SEGMENT_BYTES / 2) + ", byteSize=" + SEGMENT_BYTES / 2, () -> heap.extend(SEGMENT_BYTES / 2));
        assertRejected(IllegalArgumentException.class, "range reaches the end of the address space, and its end would be address 0, which means no block: addr="
            + hex(-SEGMENT_BYTES / 2) + ", byteSize=" + SEGMENT_BYTES / 2,
            () -> heap.addRegion(-SEGMENT_BYTES / 2, SEGMENT_BYTES / 2));
        assertEquals(stats, heap.stats());
        heap.extend(SEGMENT_BYTES / 2 - 4096);
        heap.free(heap.allocate(100));
        heap.checkIntegrity();
    }

    /** A range past the end of the memory is refused before the heap changes, in unchecked memory too. */
    @Test
    void aRegionOrGrowthPastTheMemoryChangesNothing() {
        heap = new LinkedListHeap(memory, base, HEAP_BYTES);
        final var stats = heap.stats();
        final List<Block> blocks = blocks();
        assertEquals("range is not in the memory: addr=0x" + Long.toHexString(base + HEAP_BYTES) + ", byteSize="
            + SEGMENT_BYTES + ", memory=" + memory,
            assertThrows(IllegalArgumentException.class, () -> heap.extend(SEGMENT_BYTES)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> heap.addRegion(base + HEAP_BYTES + 4096, SEGMENT_BYTES));
        assertEquals(stats, heap.stats());
        assertEquals(blocks, blocks());
        assertEquals(1, heap.regionCount());
        assertEquals(base + HEAP_BYTES, heap.heapEndAddress());
        heap.checkIntegrity();
    }

    /**
     * A heap in the higher half, as the simulated kernel's: addresses are negative {@code long}s, two regions lie
     * apart, and random operations still agree with the shadow model.
     */
    @Test
    void worksOnHigherHalfAddresses() {
        System.out.println("LinkedListHeapTest.worksOnHigherHalfAddresses seed=0x" + Long.toHexString(GROWTH_SEED));
        final long virtualBase = 0xFFFF_C000_0000_0000L;
        final ShiftedMemory higherHalf = new ShiftedMemory(memory, virtualBase);
        heap = LinkedListHeap.empty(higherHalf);
        heap.addRegion(virtualBase + SEGMENT_BYTES / 2, SEGMENT_BYTES / 2);
        heap.addRegion(virtualBase, SEGMENT_BYTES / 4);
        final long first = heap.allocate(100, 64);
        assertEquals(virtualBase + 64, first);
        heap.free(first);
        assertRejected(IllegalStateException.class, "block is already free: addr=" + hex(first),
            () -> heap.free(first));
        final SplittableRandom random = new SplittableRandom(GROWTH_SEED);
        final ShadowHeap model = new ShadowHeap(virtualBase, virtualBase + SEGMENT_BYTES);
        final long[] live = new long[128];
        int liveCount = 0;
        for (int op = 0; op < 100_000; op++) {
            if (liveCount > 0 && (random.nextBoolean() || liveCount == live.length)) {
                final int slot = random.nextInt(liveCount);
                final ShadowHeap.Block block = model.freed(live[slot]);
                BlockPattern.check(higherHalf, block.address(), block.byteSize(), block.id());
                heap.free(live[slot]);
                live[slot] = live[--liveCount];
            } else {
                final long size = random.nextLong(0, 700);
                final long alignment = 1L << random.nextInt(10);
                final long address = heap.tryAllocate(size, alignment);
                if (address != Allocator.NO_BLOCK) {
                    model.allocated(address, size, alignment, op);
                    BlockPattern.write(higherHalf, address, size, op);
                    live[liveCount++] = address;
                }
            }
        }
        assertEquals(model.liveBlocks(), heap.stats().liveBlocks());
        heap.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------------------ bad frees

    @Test
    void rejectsEachKindOfBadAddressWithItsOwnMessage() {
        final long a = heap.allocate(100);
        final long b = heap.allocate(100);
        heap.allocate(100);
        final long outside = base + HEAP_BYTES + 16;
        assertRejected(IllegalArgumentException.class, "address was never handed out by this allocator: addr="
            + hex(outside), () -> heap.free(outside));
        for (final long inside : new long[] {a + 8, a + 16, a + 1, a + 111}) {
            assertRejected(IllegalArgumentException.class, "address points inside a block: addr=" + hex(inside)
                + ", blockAddr=" + hex(a), () -> heap.free(inside));
        }
        for (final long header : new long[] {b - 16, b - 8, b - 1}) {
            assertRejected(IllegalArgumentException.class, "address is not the start of a block: addr="
                + hex(header), () -> heap.free(header));
        }
        heap.checkIntegrity();
    }

    @Test
    void rejectsADoubleFreeAloneOrMergedIntoANeighbour() {
        final long a = heap.allocate(100);
        final long b = heap.allocate(100);
        heap.allocate(100);
        heap.free(b);
        assertRejected(IllegalStateException.class, "block is already free: addr=" + hex(b), () -> heap.free(b));
        heap.free(a);
        assertRejected(IllegalStateException.class, "block is already free: addr=" + hex(b), () -> heap.free(b));
        assertRejected(IllegalStateException.class, "block is already free: addr=" + hex(a), () -> heap.free(a));
        assertRejected(IllegalStateException.class, "block is already free: addr=" + hex(a),
            () -> heap.usableSize(a));
        assertRejected(IllegalStateException.class, "block is already free: addr=" + hex(b),
            () -> heap.reallocate(b, 10, 16));
        assertRejected(IllegalArgumentException.class, "address is not the start of a block: addr=" + hex(base),
            () -> heap.free(base));
        heap.checkIntegrity();
    }

    @Test
    void aFreedBlockCoveredByANewerBlockIsAnInteriorPointerNotABlock() {
        heap.allocate(48);
        final long x = heap.allocate(48);
        final long y = heap.allocate(48);
        heap.allocate(48);
        heap.free(x);
        heap.free(y); // merges into x's hole: y's header lies inside the hole, its check word erased
        final long cover = heap.allocate(100);
        assertEquals(x, cover);
        assertRejected(IllegalArgumentException.class, "address points inside a block: addr=" + hex(y)
            + ", blockAddr=" + hex(cover), () -> heap.free(y));
        heap.free(cover);
        heap.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------------------ integrity

    @Test
    void checkIntegrityNamesADamagedUsedHeader() {
        final long a = heap.allocate(48);
        heap.allocate(48);
        memory.setLong(a - 8, 123);
        final HeapCorruptionException thrown = assertThrows(HeapCorruptionException.class, heap::checkIntegrity);
        assertEquals("heap corrupted: used block header is damaged or the block overruns the next hole or its "
            + "region's end: sizeWord=0x41, checkWord=0x7b, limitAddr=" + hex(base + 128) + ", addr=" + hex(base),
            thrown.getMessage());
        assertEquals(base, thrown.address());
    }

    @Test
    void checkIntegrityNamesADamagedHole() {
        heap.allocate(48);
        memory.setLong(base + 64, 8);
        final HeapCorruptionException thrown = assertThrows(HeapCorruptionException.class, heap::checkIntegrity);
        assertEquals("heap corrupted: hole size word is not a multiple of the granularity between the minimum "
            + "block and its region's end: sizeWord=0x8, addr=" + hex(base + 64), thrown.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static String hex(final long value) {
        return "0x" + Long.toHexString(value);
    }

    /** Asserts that {@code call} throws {@code type} with exactly {@code message} and leaves the heap as it was. */
    private <T extends Throwable> void assertRejected(final Class<T> type, final String message,
                                                      final Executable call) {
        final AllocatorStats before = heap.stats();
        final List<Block> blocksBefore = blocks();
        final T thrown = assertThrows(type, call::execute);
        assertEquals(message, thrown.getMessage());
        assertEquals(before, heap.stats(), "statistics changed by rejected input");
        assertEquals(blocksBefore, blocks(), "blocks changed by rejected input");
        heap.checkIntegrity();
    }
}

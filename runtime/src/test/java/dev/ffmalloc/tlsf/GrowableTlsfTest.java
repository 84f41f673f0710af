package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.BlockPattern;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.alloc.ShadowHeap;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GrowableTlsf}: growth (adjacent and not), its sizes, trim, the peak footprint and exhaustion. */
final class GrowableTlsfTest {

    private static final long UNIT = NativeMemory.PAGE_SIZE;
    private static final long GROWTH = GrowableTlsf.DEFAULT_MIN_GROWTH_BYTES;
    /** Blocks of 1000 bytes take 1024; a 64 KiB pool holds 63 of them. */
    private static final int BLOCKS_PER_POOL = 63;

    private Arena arena;
    private NativeMemory region;

    @BeforeEach
    void openRegion() {
        arena = Arena.ofConfined();
        region = NativeMemory.allocate(arena, 1 << 20);
    }

    @AfterEach
    void closeRegion() {
        arena.close();
    }

    @Test
    void growsFromNothingByTheLeastGrowthIntoOnePool() {
        final ArenaPoolSource source = new ArenaPoolSource(region, UNIT);
        final GrowableTlsf heap = new GrowableTlsf(source);
        assertEquals(0, heap.stats().heapBytes());
        assertEquals(0, heap.footprintBytes());
        assertEquals(region.baseAddress() + 16, heap.allocate(1000));
        assertEquals(GROWTH, heap.footprintBytes());
        for (int block = 1; block < BLOCKS_PER_POOL; block++) {
            heap.allocate(1000);
        }
        assertEquals(GROWTH, heap.footprintBytes());
        assertEquals(region.baseAddress() + BLOCKS_PER_POOL * 1024 + 16, heap.allocate(1000),
            "the pool grew in place: its free tail of 1008 bytes merged with the new memory");
        assertEquals(2 * GROWTH, heap.footprintBytes());
        assertEquals(2 * GROWTH, heap.peakFootprintBytes());
        assertEquals(2 * GROWTH, source.obtainedBytes());
        assertEquals(1, heap.poolCount());
        assertEquals(2 * GROWTH, heap.poolByteSize(0));
        heap.checkIntegrity();
    }

    @Test
    void aRequestAboveTheLeastGrowthObtainsWhatItNeeds() {
        final GrowableTlsf heap = new GrowableTlsf(new ArenaPoolSource(region, UNIT));
        final long block = heap.allocate(200_000);
        // Block 200016, pool 200032, rounded up to 49 pages.
        assertEquals(49 * UNIT, heap.footprintBytes());
        assertTrue(heap.usableSize(block) >= 200_000);
        final long aligned = heap.allocate(100, 4096);
        assertEquals(0, aligned % 4096);
        heap.checkIntegrity();
    }

    @Test
    void trimGivesWholeFreePoolsBackAndKeepsThePeak() {
        final SpacedPoolSource source = new SpacedPoolSource(region, UNIT);
        final GrowableTlsf heap = new GrowableTlsf(source, TlsfConfig.DEFAULT, 0, GROWTH);
        final List<Long> blocks = new ArrayList<>();
        for (int block = 0; block < 3 * BLOCKS_PER_POOL; block++) {
            blocks.add(heap.allocate(1000));
        }
        assertEquals(3, heap.poolCount());
        assertEquals(3 * GROWTH, heap.footprintBytes());
        final long middleAddr = heap.poolAddress(1);
        for (final long block : blocks) {
            if (block >= middleAddr && block < middleAddr + GROWTH) {
                heap.free(block);
            }
        }
        assertEquals(0, new GrowableTlsf(new SpacedPoolSource(region, UNIT)).trim(), "nothing to trim");
        assertEquals(GROWTH, heap.trim());
        assertEquals(1, source.released.size());
        assertEquals(middleAddr, source.released.get(0)[0]);
        assertEquals(GROWTH, source.released.get(0)[1]);
        assertEquals(2, heap.poolCount());
        assertEquals(2 * GROWTH, heap.footprintBytes());
        assertEquals(2 * GROWTH, heap.stats().heapBytes());
        assertEquals(3 * GROWTH, heap.peakFootprintBytes());
        assertEquals(0, heap.trim(), "the other pools hold used blocks");
        heap.checkIntegrity();

        for (final long block : blocks) {
            if (block < middleAddr || block >= middleAddr + GROWTH) {
                heap.free(block);
            }
        }
        assertEquals(2 * GROWTH, heap.trim());
        assertEquals(0, heap.poolCount());
        assertEquals(0, heap.footprintBytes());
        assertEquals(new AllocatorStats(0, 0, 0, 63L * 3 * 1024, 0, 189, 189), heap.stats());
        assertEquals(3 * GROWTH, heap.peakFootprintBytes());
        heap.allocate(1000);
        assertEquals(GROWTH, heap.footprintBytes());
        heap.checkIntegrity();
    }

    @Test
    void trimAfterAdjacentGrowthReturnsEverythingAndTheSourceReusesIt() {
        final ArenaPoolSource source = new ArenaPoolSource(region, UNIT);
        final GrowableTlsf heap = new GrowableTlsf(source, TlsfConfig.DEFAULT, 0, GROWTH);
        final List<Long> blocks = new ArrayList<>();
        for (int block = 0; block < 3 * BLOCKS_PER_POOL; block++) {
            blocks.add(heap.allocate(1000));
        }
        assertEquals(3 * GROWTH, heap.footprintBytes());
        assertEquals(1, heap.poolCount());
        for (final long block : blocks) {
            heap.free(block);
        }
        assertEquals(3 * GROWTH, heap.trim());
        assertEquals(0, source.obtainedBytes());
        assertEquals(region.baseAddress() + 16, heap.allocate(1000), "the source handed out its first unit again");
        heap.checkIntegrity();
    }

    @Test
    void trimCutsTheFreeTailOfAPoolAtAUnitBoundary() {
        final ArenaPoolSource source = new ArenaPoolSource(region, UNIT);
        final GrowableTlsf heap = new GrowableTlsf(source, TlsfConfig.DEFAULT, 0, GROWTH);
        final long base = region.baseAddress();
        final List<Long> blocks = new ArrayList<>();
        for (int block = 0; block < 3 * BLOCKS_PER_POOL; block++) {
            blocks.add(heap.allocate(1000));
        }
        assertEquals(3 * GROWTH, heap.footprintBytes());
        for (final long block : blocks.subList(64, blocks.size())) {
            heap.free(block);
        }
        // 64 blocks of 1024 end at base + 64 KiB; the pool keeps the next unit: a free block of 4080 and the
        // sentinel, and gives the rest back.
        assertEquals(3 * GROWTH - GROWTH - UNIT, heap.trim());
        assertEquals(GROWTH + UNIT, heap.footprintBytes());
        assertEquals(GROWTH + UNIT, source.obtainedBytes());
        assertEquals(GROWTH + UNIT, heap.stats().heapBytes());
        assertEquals(3 * GROWTH, heap.peakFootprintBytes());
        assertEquals(1, heap.poolCount());
        final List<TlsfBlocks.Block> tail = new ArrayList<>();
        heap.forEachBlock(0, (blockAddr, blockSize, used) -> tail.add(new TlsfBlocks.Block(blockAddr, blockSize,
            used)));
        assertEquals(new TlsfBlocks.Block(base + 64 * 1024, UNIT - 16, false), tail.get(tail.size() - 1));
        assertEquals(0, heap.trim(), "nothing left to cut");
        heap.checkIntegrity();

        // All free now: the whole pool goes back, and the heap grows again from the source's first unit.
        for (final long block : blocks.subList(0, 64)) {
            heap.free(block);
        }
        assertEquals(GROWTH + UNIT, heap.trim());
        assertEquals(0, heap.footprintBytes());
        assertEquals(base + 16, heap.allocate(1000));
        heap.checkIntegrity();
    }

    @Test
    void trimKeepsNoFreeBlockWhenTheLastUsedBlockEndsAtAUnitBoundary() {
        final ArenaPoolSource source = new ArenaPoolSource(region, UNIT);
        final GrowableTlsf heap = new GrowableTlsf(source, TlsfConfig.DEFAULT, 0, GROWTH);
        final long base = region.baseAddress();
        // Block [base, base + 4080): the sentinel fits right after it in the first unit.
        assertEquals(base + 16, heap.allocate(4064));
        assertEquals(GROWTH - UNIT, heap.trim());
        assertEquals(UNIT, heap.footprintBytes());
        final List<TlsfBlocks.Block> blocks = new ArrayList<>();
        heap.forEachBlock(0, (blockAddr, blockSize, used) -> blocks.add(new TlsfBlocks.Block(blockAddr, blockSize,
            used)));
        assertEquals(List.of(new TlsfBlocks.Block(base, 4080, true)), blocks);
        assertEquals(0, heap.tlsfStats().freeBlocks());
        heap.checkIntegrity();
        final long next = heap.allocate(100);
        assertEquals(base + 4096, next, "growth is adjacent again: the old sentinel became a free block");
        heap.checkIntegrity();
    }

    @Test
    void anEmptySourceMeansNoBlockAndNoChange() {
        final NativeMemory small = NativeMemory.allocate(arena, 2 * GROWTH);
        final GrowableTlsf heap = new GrowableTlsf(new ArenaPoolSource(small, UNIT));
        int blocks = 0;
        while (heap.tryAllocate(1000, 16) != Allocator.NO_BLOCK) {
            blocks++;
        }
        assertEquals(2 * BLOCKS_PER_POOL + 1, blocks, "the pools merged, so the seam holds one more block");
        final AllocatorStats full = heap.stats();
        assertEquals(2 * GROWTH, heap.footprintBytes());
        assertEquals(Allocator.NO_BLOCK, heap.tryAllocate(1000, 16));
        assertEquals(Allocator.NO_BLOCK, heap.tryAllocate(10, 4096));
        assertEquals(full, heap.stats());
        assertEquals(2 * GROWTH, heap.maxAllocationSize() + 32);
        heap.checkIntegrity();
    }

    /**
     * With pools of at most 128 KiB (FLLEN 12), growth that follows a full 64 KiB pool grows it to its limit and
     * starts a new pool with the rest, too small for the request: a second growth extends that new pool.
     */
    @Test
    void growthCutByTheLargestPoolGrowsAgainUntilTheRequestFits() {
        final TlsfConfig smallPools = new TlsfConfig(12, 32, QuickListConfig.OFF);
        final ArenaPoolSource source = new ArenaPoolSource(region, UNIT);
        final GrowableTlsf heap = new GrowableTlsf(source, smallPools, 0, GROWTH);
        assertEquals(128 * 1024 - 32, heap.maxAllocationSize());
        heap.allocate(GROWTH - 32);
        assertEquals(GROWTH, heap.footprintBytes());
        final long block = heap.allocate(100_000);
        TlsfBlocks.fill(heap.memory(), block, 100_000, 11);
        // Each growth obtains 25 pages (block 100016 and sentinel): the first grows the pool to 128 KiB and leaves
        // 36 KiB for a new pool, the second grows that one to 128 KiB, which holds the block.
        assertEquals(GROWTH + 2 * 25 * UNIT, heap.footprintBytes());
        assertEquals(3, heap.poolCount());
        assertEquals(128 * 1024, heap.poolByteSize(1));
        assertTrue(block > heap.poolAddress(1) && block < heap.poolAddress(2));
        TlsfBlocks.check(heap.memory(), block, 100_000, 11);
        heap.checkIntegrity();
    }

    /**
     * With pools of at most 2 KiB (FLLEN 6) and 4 KiB units, every range becomes two pools: trim gives them back
     * together, since neither is a whole unit alone, and no memory is lost between the heap and the source.
     */
    @Test
    void trimGivesBackFreePoolsSmallerThanAUnitTogether() {
        final TlsfConfig tinyPools = new TlsfConfig(6, 32, QuickListConfig.OFF);
        final ArenaPoolSource source = new ArenaPoolSource(region, UNIT);
        final GrowableTlsf heap = new GrowableTlsf(source, tinyPools, 0, UNIT);
        for (int round = 0; round < 100; round++) {
            final long block = heap.allocate(1000);
            assertEquals(2, heap.poolCount());
            heap.free(block);
            assertEquals(UNIT, heap.trim());
            assertEquals(0, heap.poolCount());
            assertEquals(0, heap.footprintBytes());
            assertEquals(0, source.obtainedBytes());
            heap.checkIntegrity();
        }
        // A free pool that shares its unit with a used one stays in the heap, whole.
        final long first = heap.allocate(1000);
        final long second = heap.allocate(1000);
        assertEquals(2, heap.poolCount());
        heap.free(second);
        assertEquals(0, heap.trim());
        assertEquals(2, heap.poolCount());
        assertEquals(UNIT, heap.footprintBytes());
        assertEquals(UNIT, heap.stats().heapBytes());
        heap.free(first);
        assertEquals(UNIT, heap.trim());
        assertEquals(0, source.obtainedBytes());
        heap.checkIntegrity();
    }

    @Test
    void sizesBeyondTheSourceAreOutOfMemoryNotAnOverflow() {
        final ArenaPoolSource source = new ArenaPoolSource(region, UNIT);
        assertThrows(OutOfMemoryException.class,
            () -> new GrowableTlsf(source, TlsfConfig.DEFAULT, Long.MAX_VALUE, GROWTH));
        final GrowableTlsf heap = new GrowableTlsf(source, TlsfConfig.DEFAULT, 0, Long.MAX_VALUE);
        assertTrue(heap.allocate(1000) != Allocator.NO_BLOCK);
        assertEquals(region.byteSize(), heap.footprintBytes(), "the least growth is at most the whole source");
        heap.checkIntegrity();
    }

    @Test
    void reallocateGrowsTheHeapWhenTheBlockMustMove() {
        final GrowableTlsf heap = new GrowableTlsf(new ArenaPoolSource(region, UNIT), TlsfConfig.DEFAULT, GROWTH,
            GROWTH);
        final Memory memory = heap.memory();
        final long block = heap.allocate(1000);
        heap.allocate(1000);
        TlsfBlocks.fill(memory, block, 1000, 9);
        final long moved = heap.reallocate(block, 100_000, 16);
        TlsfBlocks.check(memory, moved, 1000, 9);
        assertTrue(heap.footprintBytes() > GROWTH);
        assertEquals(2, heap.stats().liveBlocks());
        heap.checkIntegrity();
    }

    @Test
    void reallocateOfTheLastBlockGrowsInPlaceIntoNewAdjacentMemory() {
        final GrowableTlsf heap = new GrowableTlsf(new ArenaPoolSource(region, UNIT), TlsfConfig.DEFAULT, GROWTH,
            GROWTH);
        final Memory memory = heap.memory();
        final long block = heap.allocate(60_000);
        TlsfBlocks.fill(memory, block, 60_000, 10);
        assertEquals(block, heap.reallocate(block, 100_000, 16));
        TlsfBlocks.check(memory, block, 60_000, 10);
        // Block 100016 and sentinel: 100032 bytes, 25 pages obtained right after the first 64 KiB.
        assertEquals(GROWTH + 25 * UNIT, heap.footprintBytes());
        assertEquals(1, heap.poolCount());
        assertEquals(1, heap.stats().liveBlocks());
        heap.checkIntegrity();
    }

    @Test
    void randomOperationsWithTrimsInBetweenAgreeWithTheShadowModel() {
        final long seed = 0x6_7E55L;
        System.out.println("GrowableTlsfTest.randomOperationsWithTrimsInBetween seed=0x" + Long.toHexString(seed));
        final ArenaPoolSource source = new ArenaPoolSource(region, UNIT);
        final GrowableTlsf heap = new GrowableTlsf(source, new TlsfConfig(16, 16), 0, 4 * UNIT);
        final Memory memory = heap.memory();
        final ShadowHeap model = new ShadowHeap(region.baseAddress(), region.endAddress());
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] live = new long[1024];
        int liveCount = 0;
        long trimmed = 0;
        for (int op = 0; op < 200_000; op++) {
            // Phases of growth and of shrinking, so that trims find free tails.
            final boolean shrinking = (op / 5_000) % 2 == 1;
            if (liveCount > 0 && (random.nextInt(100) < (shrinking ? 70 : 40) || liveCount == live.length)) {
                final int slot = random.nextInt(liveCount);
                final ShadowHeap.Block block = model.freed(live[slot]);
                BlockPattern.check(memory, block.address(), block.byteSize(), block.id());
                heap.free(live[slot]);
                live[slot] = live[--liveCount];
            } else {
                final long size = random.nextLong(0, 3000);
                final long alignment = 1L << random.nextInt(3, 8);
                final long address = heap.tryAllocate(size, alignment);
                if (address != Allocator.NO_BLOCK) {
                    model.allocated(address, size, alignment, op);
                    BlockPattern.write(memory, address, size, op);
                    live[liveCount++] = address;
                }
            }
            if (op % 997 == 0) {
                trimmed += heap.trim();
                assertEquals(source.obtainedBytes(), heap.footprintBytes());
                heap.checkIntegrity();
            }
        }
        assertTrue(trimmed > 0, "trim gave memory back");
        for (int slot = 0; slot < liveCount; slot++) {
            heap.free(live[slot]);
        }
        heap.trim();
        assertEquals(0, heap.footprintBytes());
        assertEquals(0, source.obtainedBytes());
        heap.checkIntegrity();
    }

    /** A source that leaves a unit free after every range, so no two ranges are adjacent; it records releases. */
    private static final class SpacedPoolSource implements TlsfPoolSource {
        private final NativeMemory region;
        private final long unitBytes;
        private long topAddr;
        final List<long[]> released = new ArrayList<>();

        SpacedPoolSource(final NativeMemory region, final long unitBytes) {
            this.region = region;
            this.unitBytes = unitBytes;
            this.topAddr = region.baseAddress();
        }

        @Override
        public Memory memory() {
            return region;
        }

        @Override
        public long unitBytes() {
            return unitBytes;
        }

        @Override
        public long capacityBytes() {
            return region.byteSize();
        }

        @Override
        public long obtain(final long byteSize) {
            if (region.endAddress() - topAddr < byteSize) {
                return NO_MEMORY;
            }
            final long addr = topAddr;
            topAddr += byteSize + unitBytes;
            return addr;
        }

        @Override
        public void release(final long addr, final long byteSize) {
            released.add(new long[] {addr, byteSize});
        }
    }
}

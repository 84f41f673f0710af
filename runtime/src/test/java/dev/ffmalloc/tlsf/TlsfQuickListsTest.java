package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.memory.ShiftedMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quick lists of {@link Tlsf}: what is parked and what is not, that a parked block is still caught on a second
 * free, that parked blocks never make an allocation fail or a trim keep memory, and how they count in the
 * statistics and the integrity check.
 */
final class TlsfQuickListsTest {

    private static final long POOL = 64 * 1024;
    /** Depth 4, requests up to 1 KiB, 8 KiB in all. */
    private static final QuickListConfig QUICK = new QuickListConfig(4, 1024, 8 * 1024);

    private Arena arena;
    private NativeMemory heap;
    private long base;
    private Tlsf tlsf;

    @BeforeEach
    void openHeap() {
        arena = Arena.ofConfined();
        heap = NativeMemory.allocate(arena, 1 << 20);
        base = heap.baseAddress();
        tlsf = new Tlsf(heap, TlsfConfig.DEFAULT.withQuickLists(QUICK));
        assertEquals(POOL, tlsf.addPool(base, POOL));
    }

    @AfterEach
    void closeHeap() {
        arena.close();
    }

    @Test
    void aFreedBlockWaitsUnmergedAndComesBackLastInFirstOut() {
        final long first = tlsf.allocate(100);
        final long second = tlsf.allocate(100);
        final long guard = tlsf.allocate(100);
        tlsf.free(first);
        tlsf.free(second);
        // Both parked: reported free, but neither merged with the other nor went to the free lists.
        final List<TlsfBlocks.Block> blocks = TlsfBlocks.of(tlsf, 0);
        assertEquals(new TlsfBlocks.Block(first - 16, 128, false), blocks.get(0));
        assertEquals(new TlsfBlocks.Block(second - 16, 128, false), blocks.get(1));
        assertEquals(new TlsfBlocks.Block(guard - 16, 128, true), blocks.get(2));
        assertEquals(4, blocks.size(), "the two parked blocks, the guard and the free tail");
        assertEquals(2, tlsf.tlsfStats().parkedBlocks());
        assertEquals(1, tlsf.tlsfStats().freeBlocks());
        tlsf.checkIntegrity();
        // Any request of the same block size (97 to 112 bytes) takes the last one parked first.
        assertEquals(second, tlsf.allocate(112));
        assertEquals(first, tlsf.allocate(97));
        assertEquals(0, tlsf.tlsfStats().parkedBlocks());
        tlsf.checkIntegrity();
    }

    @Test
    void aSecondFreeOfAParkedBlockIsRejectedAndChangesNothing() {
        final long block = tlsf.allocate(100);
        tlsf.free(block);
        final AllocatorStats before = tlsf.stats();
        final String message = "block is already free: addr=0x" + Long.toHexString(block);
        assertEquals(message, assertThrows(IllegalStateException.class, () -> tlsf.free(block)).getMessage());
        assertEquals(message, assertThrows(IllegalStateException.class, () -> tlsf.usableSize(block)).getMessage());
        assertEquals(message, assertThrows(IllegalStateException.class,
            () -> tlsf.reallocate(block, 50, 16)).getMessage());
        assertEquals(before, tlsf.stats());
        assertEquals(1, tlsf.tlsfStats().parkedBlocks());
        tlsf.checkIntegrity();
        assertEquals(block, tlsf.allocate(100), "still parked, and handed out once");
        tlsf.free(block);
        tlsf.checkIntegrity();
    }

    /** The W1 pattern: once warm, an allocate/free pair at one size reads and writes no memory of the heap. */
    @Test
    void anAllocateFreePairAtOneSizeTouchesNoMemoryOnceWarm() {
        final CountingMemory counting = new CountingMemory(heap);
        final Tlsf counted = new Tlsf(counting, TlsfConfig.DEFAULT.withQuickLists(QUICK));
        counted.addPool(base, POOL);
        final long first = counted.allocate(64);
        counted.free(first);
        counting.takeCount();
        for (int pair = 0; pair < 1000; pair++) {
            final long block = counted.allocate(64);
            assertEquals(first, block, "the front block comes back");
            counted.free(block);
        }
        assertEquals(0, counting.takeCount(), "accesses to the heap's memory by 1000 warm pairs");
        assertEquals(1001, counted.stats().allocations());
        assertEquals(1001, counted.stats().frees());
        counted.checkIntegrity();
    }

    /** The last block handed out is parked untouched in the front slot, if it is empty; other frees flag theirs. */
    @Test
    void theLastBlockHandedOutIsParkedWithoutItsFlagInTheFrontSlot() {
        final long older = tlsf.allocate(100);
        final long last = tlsf.allocate(100);
        final long lastWord = heap.getLong(last - 16);
        tlsf.free(last);
        assertEquals(lastWord, heap.getLong(last - 16), "the front block's size word is untouched");
        tlsf.free(older);
        assertTrue((heap.getLong(older - 16) & TlsfLayout.SIZE_QUICK) != 0, "the other block is flagged");
        assertEquals(2, tlsf.tlsfStats().parkedBlocks());
        final List<TlsfBlocks.Block> blocks = TlsfBlocks.of(tlsf, 0);
        assertEquals(new TlsfBlocks.Block(older - 16, 128, false), blocks.get(0));
        assertEquals(new TlsfBlocks.Block(last - 16, 128, false), blocks.get(1), "reported free, as parked blocks");
        tlsf.checkIntegrity();
        // The front slot first, then the list.
        assertEquals(last, tlsf.allocate(100));
        assertEquals(older, tlsf.allocate(100));
        assertEquals(0, tlsf.tlsfStats().parkedBlocks());
        tlsf.checkIntegrity();
    }

    /** A block reallocated in place is no longer known unchanged: its free reads and flags its size word. */
    @Test
    void aReallocatedBlockIsFreedThroughItsSizeWord() {
        final long block = tlsf.allocate(100);
        assertEquals(block, tlsf.reallocate(block, 200, 16), "grown in place into the free tail");
        tlsf.free(block);
        assertTrue((heap.getLong(block - 16) & TlsfLayout.SIZE_QUICK) != 0, "parked in its list, flagged");
        assertEquals(1, tlsf.tlsfStats().parkedBlocks());
        tlsf.checkIntegrity();
    }

    @Test
    void theIntegrityCheckFindsAFrontBlockFlaggedQuick() {
        final long live = tlsf.allocate(100);
        final long liveWord = heap.getLong(live - 16);
        tlsf.free(live);
        heap.setLong(live - 16, liveWord | TlsfLayout.SIZE_QUICK);
        assertTrue(assertThrows(HeapCorruptionException.class, tlsf::checkIntegrity).getMessage()
            .contains("a parked block is used, flagged quick (but the front one)"));
        heap.setLong(live - 16, liveWord);
        tlsf.checkIntegrity();
    }

    /** No block, 0, is never the remembered block: its free is refused whatever was allocated before. */
    @Test
    void aFreeOfNoBlockIsRefusedAndChangesNothing() {
        for (final QuickListConfig quick : new QuickListConfig[] {QUICK, QuickListConfig.OFF}) {
            final Tlsf fresh = new Tlsf(heap, TlsfConfig.DEFAULT.withQuickLists(quick));
            fresh.addPool(base, POOL);
            assertNoBlockFreeRefused(fresh);
            // A reallocation forgets the block it resized.
            fresh.reallocate(fresh.allocate(100), 50, 16);
            assertNoBlockFreeRefused(fresh);
            final long next = fresh.tryAllocate(100, 16);
            assertTrue(next != 0, "a real block, not address 0");
            fresh.free(next);
            assertNoBlockFreeRefused(fresh);
            fresh.checkIntegrity();
        }
    }

    private static void assertNoBlockFreeRefused(final Tlsf heap) {
        final AllocatorStats before = heap.stats();
        final long parked = heap.tlsfStats().parkedBlocks();
        assertThrows(IllegalArgumentException.class, () -> heap.free(Tlsf.NO_BLOCK));
        assertEquals(before, heap.stats());
        assertEquals(parked, heap.tlsfStats().parkedBlocks());
        heap.checkIntegrity();
    }

    /** A heap at address 0 (flat physical RAM): its first block is a block like any other, parked or live. */
    @Test
    void aBlockAtAddressZeroIsParkedAndTakenBackLikeAnyOther() {
        final Tlsf atZero = new Tlsf(new ShiftedMemory(heap, 0), TlsfConfig.DEFAULT.withQuickLists(QUICK));
        atZero.addPool(0, POOL);
        final long first = atZero.allocate(100);
        assertEquals(16, first, "the block at address 0");
        final long second = atZero.allocate(100);
        atZero.checkIntegrity();
        atZero.free(first);    // not the last one handed out: checked, and parked in its list
        atZero.checkIntegrity();
        assertEquals(first, atZero.allocate(100), "the block at 0 comes back from its list");
        atZero.free(second);   // the last one handed out: the front slot
        atZero.free(first);
        atZero.checkIntegrity();
        assertEquals(first, atZero.allocate(100));
        assertEquals(second, atZero.allocate(100));
        atZero.free(second);
        atZero.free(first);
        assertEquals(2, atZero.tlsfStats().parkedBlocks());
        atZero.checkIntegrity();
    }

    /** With its list full, a second free of a parked block must not reach the free lists. */
    @Test
    void aSecondFreeOfAParkedBlockIsRejectedWhenItsListIsFull() {
        final long[] blocks = freeBlocksOf128Bytes(QUICK.depth());
        assertEquals(QUICK.depth(), tlsf.tlsfStats().parkedBlocks());
        final AllocatorStats before = tlsf.stats();
        final List<TlsfBlocks.Block> blocksBefore = TlsfBlocks.of(tlsf, 0);
        for (final long block : blocks) {
            assertEquals("block is already free: addr=0x" + Long.toHexString(block),
                assertThrows(IllegalStateException.class, () -> tlsf.free(block)).getMessage());
        }
        assertEquals(before, tlsf.stats());
        assertEquals(blocksBefore, TlsfBlocks.of(tlsf, 0));
        assertEquals(QUICK.depth(), tlsf.tlsfStats().parkedBlocks());
        tlsf.checkIntegrity();
    }

    /** Allocates {@code count} blocks of 128 bytes and a guard after them, then frees the {@code count} blocks. */
    private long[] freeBlocksOf128Bytes(final int count) {
        final long[] blocks = new long[count];
        for (int i = 0; i < count; i++) {
            blocks[i] = tlsf.allocate(100);
        }
        tlsf.allocate(100);
        for (final long block : blocks) {
            tlsf.free(block);
        }
        return blocks;
    }

    @Test
    void aListHoldsAtMostItsDepth() {
        final long[] blocks = freeBlocksOf128Bytes(QUICK.depth() + 1);
        assertEquals(QUICK.depth(), tlsf.tlsfStats().parkedBlocks());
        // The last went to the free lists: a free block of its own between a parked block and the guard.
        assertEquals(new TlsfBlocks.Block(blocks[QUICK.depth()] - 16, 128, false),
            TlsfBlocks.at(tlsf, blocks[QUICK.depth()] - 16));
        assertEquals(2, tlsf.tlsfStats().freeBlocks());
        tlsf.checkIntegrity();
    }

    @Test
    void theListsHoldAtMostTheirBytes() {
        // Ten blocks of ten different sizes, 1024 bytes down to 880: each has a list of its own.
        final List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            blocks.add(tlsf.allocate(1008 - 16L * i));
        }
        tlsf.allocate(100);
        long expectedParked = 0;
        for (final long block : blocks) {
            final long blockSize = tlsf.usableSize(block) + 16;
            if (expectedParked + blockSize <= QUICK.maxBytes()) {
                expectedParked += blockSize;
            }
            tlsf.free(block);
        }
        assertEquals(1024 + 1008 + 992 + 976 + 960 + 944 + 928 + 912, expectedParked, "8 of the 10 fit in 8 KiB");
        assertEquals(expectedParked, tlsf.tlsfStats().parkedBytes());
        assertEquals(8, tlsf.tlsfStats().parkedBlocks());
        tlsf.checkIntegrity();
    }

    @Test
    void aSmallHeapParksAtMostAnEighthOfItself() {
        final Tlsf small = new Tlsf(heap, TlsfConfig.DEFAULT.withQuickLists(QUICK));
        assertEquals(16 * 1024, small.addPool(base + POOL, 16 * 1024));
        final long[] blocks = new long[4];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = small.allocate(1000);
        }
        small.allocate(100);
        for (final long block : blocks) {
            small.free(block);
        }
        assertEquals(2, small.tlsfStats().parkedBlocks(), "2 KiB, an eighth of 16 KiB, holds two 1-KiB blocks");
        assertEquals(2048, small.tlsfStats().parkedBytes());
        small.checkIntegrity();
    }

    @Test
    void largeRequestsAndPaddedBlocksAreNeverParked() {
        final long padded = tlsf.allocate(100, 32);
        assertEquals(base + 32, padded, "16 bytes of padding after the first header");
        final long large = tlsf.allocate(QUICK.maxRequestSize() + 1);
        final long atTheLimit = tlsf.allocate(QUICK.maxRequestSize());
        tlsf.allocate(100);
        tlsf.free(padded);
        tlsf.free(large);
        assertEquals(0, tlsf.tlsfStats().parkedBlocks());
        tlsf.free(atTheLimit);
        assertEquals(1, tlsf.tlsfStats().parkedBlocks());
        tlsf.checkIntegrity();
    }

    @Test
    void anAllocationThatFindsNoFitTakesTheParkedBlocksBackFirst() {
        final List<Long> blocks = new ArrayList<>();
        long block;
        while ((block = tlsf.tryAllocate(1000, 16)) != 0) {
            blocks.add(block);
        }
        for (final long each : blocks) {
            tlsf.free(each);
        }
        // The last block handed out goes to the front slot, the others to its list, up to the depth.
        assertEquals(QUICK.depth() + 1, tlsf.tlsfStats().parkedBlocks());
        // The whole pool in one block: only after the parked blocks merge back.
        final long whole = tlsf.allocate(tlsf.maxAllocationSize());
        assertEquals(base + 16, whole);
        assertEquals(0, tlsf.tlsfStats().parkedBlocks());
        tlsf.checkIntegrity();
        tlsf.free(whole);
        tlsf.checkIntegrity();
    }

    /**
     * A reallocation that could grow in place but for a parked neighbour: the block fits nowhere else, so the parked
     * blocks merge back and the in-place paths run again (forward into the next block, then down into the previous).
     */
    @Test
    void aParkedNeighbourNeverMakesAReallocationFail() {
        final long block = tlsf.allocate(20_000);
        final long next = tlsf.allocate(1000);
        heap.setLong(block, 42);
        tlsf.free(next);
        assertEquals(1, tlsf.tlsfStats().parkedBlocks());
        assertEquals(block, tlsf.reallocate(block, POOL - 16 - 16 - 64, 16), "grown in place over the parked block");
        assertEquals(42, heap.getLong(block));
        assertEquals(0, tlsf.tlsfStats().parkedBlocks());
        tlsf.checkIntegrity();
        tlsf.free(block);
        tlsf.checkIntegrity();

        final long prev = tlsf.allocate(1000);
        final long moving = tlsf.allocate(POOL - 16 - 1024 - 16 - 2048);
        heap.setLong(moving, 43);
        tlsf.free(prev);
        assertEquals(1, tlsf.tlsfStats().parkedBlocks());
        // Too big for the block and its free next block (2048 bytes): only with the parked block before it.
        assertEquals(prev, tlsf.reallocate(moving, POOL - 16 - 16 - 32, 16), "moved down over the parked block");
        assertEquals(43, heap.getLong(prev));
        assertEquals(0, tlsf.tlsfStats().parkedBlocks());
        tlsf.checkIntegrity();
    }

    @Test
    void aParkedNeighbourNeverMakesAGrowableHeapGrow() {
        final ArenaPoolSource source = ArenaPoolSource.reserve(arena, 1 << 20);
        final GrowableTlsf growable = new GrowableTlsf(source, TlsfConfig.DEFAULT.withQuickLists(QUICK), POOL,
            NativeMemory.PAGE_SIZE);
        final long block = growable.allocate(20_000);
        final long next = growable.allocate(1000);
        growable.free(next);
        assertEquals(1, growable.tlsfStats().parkedBlocks());
        assertEquals(block, growable.reallocate(block, POOL - 16 - 16 - 64, 16));
        assertEquals(POOL, growable.footprintBytes(), "no growth: the parked block was the room needed");
        growable.checkIntegrity();
    }

    @Test
    void noFitMergesParkedBlocksLargestFirstAndStopsAtTheFirstFit() {
        // A reserve too large to park, then pairs of 528- and 1024-byte blocks and 32-byte ones fill the pool.
        final long reserve = tlsf.allocate(4000);
        final List<Long> small = new ArrayList<>();
        final List<Long> large = new ArrayList<>();
        while (true) {
            final long smallBlock = tlsf.tryAllocate(500, 16);
            final long largeBlock = tlsf.tryAllocate(1000, 16);
            if (smallBlock == 0 || largeBlock == 0) {
                break;
            }
            small.add(smallBlock);
            large.add(largeBlock);
        }
        while (tlsf.tryAllocate(16, 16) != 0) {
            // fill what is left
        }
        // The reserve in the free lists makes room to park two blocks; taken again, nothing but them is free.
        tlsf.free(reserve);
        tlsf.free(small.get(3));
        tlsf.free(large.get(3));
        assertEquals(reserve, tlsf.allocate(4000));
        assertEquals(2, tlsf.tlsfStats().parkedBlocks());
        assertEquals(0, tlsf.tlsfStats().freeBlocks());
        // 700 bytes: only the parked 1 KiB block can serve it, and only it goes back to the free lists.
        assertEquals(large.get(3), tlsf.allocate(700));
        assertEquals(1, tlsf.tlsfStats().parkedBlocks());
        assertEquals(small.get(3), tlsf.allocate(500), "the small block is still parked");
        tlsf.checkIntegrity();
        // The free lists hold the 304 bytes split off the 1 KiB block: too few to park a 528-byte block beside...
        tlsf.free(small.get(5));
        assertEquals(0, tlsf.tlsfStats().parkedBlocks());
        // ... but 832 are enough for one. Nothing parked or free can hold 2000 bytes: the parked block goes back,
        // and the request fails.
        tlsf.free(small.get(7));
        assertEquals(1, tlsf.tlsfStats().parkedBlocks());
        assertEquals(0, tlsf.tryAllocate(2000, 16));
        assertEquals(0, tlsf.tlsfStats().parkedBlocks());
        assertEquals(3, tlsf.tlsfStats().freeBlocks(), "the 304 bytes and the two small blocks");
        tlsf.checkIntegrity();
    }

    @Test
    void theListsNeverHoldMoreThanTheFreeLists() {
        final long[] blocks = new long[4];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = tlsf.allocate(1000);
        }
        // Fill the pool: the free lists are empty.
        while (tlsf.tryAllocate(16, 16) != 0) {
            // fill what is left
        }
        // Four neighbouring 1 KiB blocks. With 0 bytes in the free lists nothing is parked; 1 KiB there lets
        // 1 KiB be parked; the next goes to the free lists (merged with the first), and 2 KiB there lets 2 KiB be.
        tlsf.free(blocks[0]);
        assertEquals(0, tlsf.tlsfStats().parkedBlocks());
        tlsf.free(blocks[2]);
        assertEquals(1, tlsf.tlsfStats().parkedBlocks());
        tlsf.free(blocks[1]);
        assertEquals(1, tlsf.tlsfStats().parkedBlocks(), "2 KiB parked would be more than the 1 KiB free");
        assertEquals(1, tlsf.tlsfStats().freeBlocks(), "the first two merged");
        tlsf.free(blocks[3]);
        assertEquals(2, tlsf.tlsfStats().parkedBlocks(), "2 KiB parked, 2 KiB free");
        assertEquals(2048, tlsf.tlsfStats().parkedBytes());
        tlsf.checkIntegrity();
    }

    @Test
    void parkedBlocksCountAsFreeInTheStatistics() {
        final long tail = tlsf.allocate(100);
        tlsf.allocate(200);
        tlsf.free(tail);
        final AllocatorStats stats = tlsf.stats();
        assertEquals(224, stats.bytesInUse(), "only the block of 200 bytes is in use, 224 with header and rounding");
        assertEquals(POOL - 16 - 224, stats.bytesFree(), "the parked 128 bytes count as free (16: the sentinel)");
        assertEquals(1, stats.liveBlocks());
        final TlsfStats tlsfStats = tlsf.tlsfStats();
        assertEquals(128, tlsfStats.parkedBytes());
        final long tailBlock = POOL - 16 - 128 - 224;
        assertEquals(tailBlock, tlsfStats.largestFreeBlock());
        assertEquals(1.0 - (double) tailBlock / (tailBlock + 128), tlsfStats.fragmentation(), 1e-12);
    }

    @Test
    void quickAllocationsCountTheAllocationsServedFromTheListsAndNothingElse() {
        final long small = tlsf.allocate(100);
        final long large = tlsf.allocate(300);
        tlsf.allocate(100);
        tlsf.free(small);
        tlsf.free(large);
        assertEquals(small, tlsf.allocate(100));
        assertEquals(1, tlsf.tlsfStats().quickAllocations());
        tlsf.allocate(200);
        assertEquals(1, tlsf.tlsfStats().quickAllocations(), "no 200-byte block was parked");
        // Nothing can serve this: the parked 300-byte block goes back to the free lists, which is no allocation.
        assertEquals(0, tlsf.tryAllocate(tlsf.maxAllocationSize(), 16));
        assertEquals(0, tlsf.tlsfStats().parkedBlocks());
        assertEquals(1, tlsf.tlsfStats().quickAllocations());
        assertEquals(5, tlsf.stats().allocations());
        tlsf.checkIntegrity();
    }

    @Test
    void theIntegrityCheckFindsAParkedBlockWithoutItsFlagAndAFlaggedBlockNotParked() {
        final long parked = tlsf.allocate(100);
        final long live = tlsf.allocate(100);
        tlsf.free(parked);
        final long parkedWord = heap.getLong(parked - 16);
        heap.setLong(parked - 16, parkedWord & ~TlsfLayout.SIZE_QUICK);
        assertTrue(assertThrows(HeapCorruptionException.class, tlsf::checkIntegrity).getMessage()
            .contains("a parked block is used, flagged quick (but the front one) and of its list's size 128"));
        heap.setLong(parked - 16, parkedWord);
        tlsf.checkIntegrity();

        final long liveWord = heap.getLong(live - 16);
        heap.setLong(live - 16, liveWord | TlsfLayout.SIZE_QUICK);
        assertTrue(assertThrows(HeapCorruptionException.class, tlsf::checkIntegrity).getMessage()
            .contains("every block flagged quick, and the front one, is parked"));
        heap.setLong(live - 16, liveWord);
        tlsf.checkIntegrity();
    }

    @Test
    void trimTakesTheParkedBlocksBackAndReleasesEverything() {
        final GrowableTlsf growable = new GrowableTlsf(new ArenaPoolSource(heap, NativeMemory.PAGE_SIZE),
            TlsfConfig.DEFAULT.withQuickLists(QUICK), 0, NativeMemory.PAGE_SIZE);
        final long[] blocks = new long[20];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = growable.allocate(100 + 50L * i);
        }
        for (final long block : blocks) {
            growable.free(block);
        }
        assertTrue(growable.tlsfStats().parkedBlocks() > 0);
        growable.trim();
        assertEquals(0, growable.tlsfStats().parkedBlocks());
        assertEquals(0, growable.footprintBytes());
        assertEquals(0, growable.poolCount());
        growable.checkIntegrity();
    }

    @Test
    void quickListsOffParkNothing() {
        final Tlsf pure = new Tlsf(heap, TlsfConfig.DEFAULT.withQuickLists(QuickListConfig.OFF));
        assertEquals(POOL, pure.addPool(base + POOL, POOL));
        final long block = pure.allocate(100);
        pure.allocate(100);
        pure.free(block);
        assertEquals(0, pure.tlsfStats().parkedBlocks());
        assertFalse(QuickListConfig.OFF.enabled());
        pure.checkIntegrity();
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertEquals(new QuickListConfig(8, 4096, 8L << 20), QuickListConfig.DEFAULT);
        assertEquals(QuickListConfig.DEFAULT, TlsfConfig.DEFAULT.quickLists());
        assertEquals(4096 + 16, QuickListConfig.DEFAULT.maxBlockSize());
        assertTrue(QuickListConfig.DEFAULT.enabled());
    }

    @Test
    void badLimitsAreRejectedNamingThem() {
        assertEquals("quick list depth is out of range: depth=-1, min=0, max=64",
            assertThrows(IllegalArgumentException.class, () -> new QuickListConfig(-1, 64, 1024)).getMessage());
        assertEquals("quick list depth is out of range: depth=65, min=0, max=64",
            assertThrows(IllegalArgumentException.class, () -> new QuickListConfig(65, 64, 1024)).getMessage());
        assertEquals("quick list maxRequestSize is out of range: maxRequestSize=0, min=1, max=65536",
            assertThrows(IllegalArgumentException.class, () -> new QuickListConfig(8, 0, 1024)).getMessage());
        assertEquals("quick list maxRequestSize is out of range: maxRequestSize=65537, min=1, max=65536",
            assertThrows(IllegalArgumentException.class, () -> new QuickListConfig(8, 65537, 1024)).getMessage());
        assertEquals("quick list maxBytes is out of range: maxBytes=-1, min=0, max=9223372036854775807",
            assertThrows(IllegalArgumentException.class, () -> new QuickListConfig(8, 64, -1)).getMessage());
        assertThrows(NullPointerException.class, () -> new TlsfConfig(32, 32, null));
    }
}

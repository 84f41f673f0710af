package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.tlsf.TlsfBlocks.Block;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only {@link Tlsf} does: block layout as the iterator shows it, each reallocation path forced, alignment
 * overhead, pools (random order, split, grown in place), statistics, bad input and corruption. Expected layouts are
 * worked out by hand from the documented rules: block = request + 16-byte header rounded up to 16, at least 32;
 * remainders of 32 bytes or more are split off; a pool ends with a 16-byte sentinel.
 */
final class TlsfTest {

    /**
     * These tests watch the TLSF mechanics (splitting, merging, lists) block by block, so every free must reach
     * them at once: quick lists have tests of their own ({@link TlsfQuickListsTest}).
     */
    static final TlsfConfig NO_QUICK_LISTS = TlsfConfig.DEFAULT.withQuickLists(QuickListConfig.OFF);

    private static final long SEED = 0x7157_7E57L;
    private static final long POOL = 64 * 1024;

    private Arena arena;
    private NativeMemory heap;
    private Memory memory;
    private long base;
    private Tlsf tlsf;

    @BeforeEach
    void openHeap() {
        arena = Arena.ofConfined();
        heap = NativeMemory.allocate(arena, 1 << 20);
        memory = heap;
        base = heap.baseAddress();
        tlsf = new Tlsf(heap, NO_QUICK_LISTS);
    }

    @AfterEach
    void closeHeap() {
        arena.close();
    }

    private void addOnePool() {
        assertEquals(POOL, tlsf.addPool(base, POOL));
    }

    // ------------------------------------------------------------------------------------ iteration and stats

    @Test
    void blockIterationReportsEveryBlockInAddressOrder() {
        addOnePool();
        final long first = tlsf.allocate(100);
        final long second = tlsf.allocate(16);
        final long third = tlsf.allocate(1000);
        assertEquals(base + 16, first);
        assertEquals(base + 144, second);
        assertEquals(base + 176, third);
        tlsf.free(second);
        assertEquals(List.of(new Block(base, 128, true), new Block(base + 128, 32, false),
            new Block(base + 160, 1024, true), new Block(base + 1184, POOL - 16 - 1184, false)),
            TlsfBlocks.of(tlsf, 0));

        final TlsfStats stats = tlsf.tlsfStats();
        assertEquals(1, stats.pools());
        assertEquals(2, stats.freeBlocks());
        assertEquals(POOL - 16 - 1184, stats.largestFreeBlock());
        assertEquals(POOL - 16 - 1184 + 32, stats.heap().bytesFree());
        assertEquals(128 + 1024, stats.heap().bytesInUse());
        assertEquals(POOL, stats.heap().heapBytes());
        assertEquals(1.0 - (POOL - 16.0 - 1184) / (POOL - 16.0 - 1184 + 32), stats.fragmentation(), 1e-12);
        assertEquals(112, tlsf.usableSize(first));
        tlsf.checkIntegrity();
    }

    @Test
    void anEmptyPoolIsOneFreeBlockWithNoFragmentation() {
        addOnePool();
        assertEquals(List.of(new Block(base, POOL - 16, false)), TlsfBlocks.of(tlsf, 0));
        final TlsfStats stats = tlsf.tlsfStats();
        assertEquals(0.0, stats.fragmentation());
        assertEquals(POOL - 16, stats.largestFreeBlock());
        assertEquals(POOL - 32, tlsf.maxAllocationSize());
        final long whole = tlsf.allocate(POOL - 32, 16);
        assertEquals(base + 16, whole);
        assertEquals(0.0, tlsf.tlsfStats().fragmentation());
        assertEquals(0, tlsf.tlsfStats().largestFreeBlock());
        tlsf.free(whole);
        tlsf.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------ reallocation paths

    @Test
    void reallocateShrinksInPlaceAndFreesTheTail() {
        addOnePool();
        final long block = tlsf.allocate(1000);
        tlsf.allocate(64);
        TlsfBlocks.fill(memory, block, 1000, 1);
        assertEquals(block, tlsf.reallocate(block, 200, 16));
        TlsfBlocks.check(memory, block, 200, 1);
        assertEquals(List.of(new Block(base, 224, true), new Block(base + 224, 800, false),
            new Block(base + 1024, 80, true), new Block(base + 1104, POOL - 16 - 1104, false)),
            TlsfBlocks.of(tlsf, 0));
        assertEquals(224 + 80, tlsf.stats().bytesInUse());
        tlsf.checkIntegrity();
    }

    @Test
    void reallocateShrinkMergesTheTailWithAFreeNextBlock() {
        addOnePool();
        final long block = tlsf.allocate(1000);
        TlsfBlocks.fill(memory, block, 1000, 2);
        assertEquals(block, tlsf.reallocate(block, 200, 16));
        TlsfBlocks.check(memory, block, 200, 2);
        assertEquals(List.of(new Block(base, 224, true), new Block(base + 224, POOL - 16 - 224, false)),
            TlsfBlocks.of(tlsf, 0));
        tlsf.checkIntegrity();
    }

    @Test
    void reallocateGrowsIntoAFreeNextBlock() {
        addOnePool();
        final long block = tlsf.allocate(200);
        final long next = tlsf.allocate(300);
        tlsf.allocate(64);
        tlsf.free(next);
        TlsfBlocks.fill(memory, block, 200, 3);
        assertEquals(block, tlsf.reallocate(block, 400, 16));
        TlsfBlocks.check(memory, block, 200, 3);
        assertEquals(List.of(new Block(base, 416, true), new Block(base + 416, 128, false),
            new Block(base + 544, 80, true), new Block(base + 624, POOL - 16 - 624, false)), TlsfBlocks.of(tlsf, 0));
        assertEquals(416 + 80, tlsf.stats().bytesInUse());
        tlsf.checkIntegrity();
    }

    @Test
    void reallocateMovesDownIntoAFreePreviousBlock() {
        addOnePool();
        final long prev = tlsf.allocate(300);
        final long block = tlsf.allocate(200);
        tlsf.allocate(64);
        tlsf.free(prev);
        TlsfBlocks.fill(memory, block, 200, 4);
        assertEquals(base + 16, tlsf.reallocate(block, 400, 16));
        TlsfBlocks.check(memory, base + 16, 200, 4);
        assertEquals(List.of(new Block(base, 416, true), new Block(base + 416, 128, false),
            new Block(base + 544, 80, true), new Block(base + 624, POOL - 16 - 624, false)), TlsfBlocks.of(tlsf, 0));
        tlsf.checkIntegrity();
    }

    @Test
    void reallocateMovesDownAcrossBothFreeNeighbours() {
        addOnePool();
        final long prev = tlsf.allocate(200);
        final long block = tlsf.allocate(200);
        final long next = tlsf.allocate(200);
        tlsf.allocate(64);
        tlsf.free(prev);
        tlsf.free(next);
        TlsfBlocks.fill(memory, block, 200, 5);
        // 576 bytes are needed: more than the block and either neighbour, less than all three (672).
        assertEquals(base + 16, tlsf.reallocate(block, 550, 16));
        TlsfBlocks.check(memory, base + 16, 200, 5);
        assertEquals(List.of(new Block(base, 576, true), new Block(base + 576, 96, false),
            new Block(base + 672, 80, true), new Block(base + 752, POOL - 16 - 752, false)), TlsfBlocks.of(tlsf, 0));
        tlsf.checkIntegrity();
    }

    @Test
    void reallocateCopiesWhenNeitherNeighbourHelps() {
        addOnePool();
        final long block = tlsf.allocate(200);
        tlsf.allocate(64);
        TlsfBlocks.fill(memory, block, 200, 6);
        final long moved = tlsf.reallocate(block, 1000, 16);
        assertEquals(base + 320, moved);
        TlsfBlocks.check(memory, moved, 200, 6);
        assertEquals(List.of(new Block(base, 224, false), new Block(base + 224, 80, true),
            new Block(base + 304, 1024, true), new Block(base + 1328, POOL - 16 - 1328, false)),
            TlsfBlocks.of(tlsf, 0));
        assertEquals(2, tlsf.stats().liveBlocks());
        tlsf.checkIntegrity();
    }

    @Test
    void reallocateMovesABlockThatLacksTheNewAlignment() {
        addOnePool();
        final long block = tlsf.allocate(100, 16);
        TlsfBlocks.fill(memory, block, 100, 7);
        final long moved = tlsf.reallocate(block, 100, 4096);
        assertNotEquals(block, moved);
        assertEquals(0, moved % 4096);
        TlsfBlocks.check(memory, moved, 100, 7);
        assertEquals(1, tlsf.stats().liveBlocks());
        tlsf.checkIntegrity();
    }

    @Test
    void reallocateThatCannotFitLeavesTheBlockAndTheHeapAsTheyWere() {
        assertEquals(4096, tlsf.addPool(base, 4096));
        final long block = tlsf.allocate(1000);
        tlsf.allocate(1000);
        tlsf.allocate(1000);
        TlsfBlocks.fill(memory, block, 1000, 8);
        final List<Block> before = TlsfBlocks.of(tlsf, 0);
        final var statsBefore = tlsf.stats();
        final OutOfMemoryException thrown = assertThrows(OutOfMemoryException.class,
            () -> tlsf.reallocate(block, 2000, 16));
        assertEquals("out of memory: byteSize=2000, byteAlignment=16, bytesFree=1008", thrown.getMessage());
        assertEquals(before, TlsfBlocks.of(tlsf, 0));
        assertEquals(statsBefore, tlsf.stats());
        TlsfBlocks.check(memory, block, 1000, 8);
        tlsf.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------ alignment

    @Test
    void alignedBlocksWasteAtMostAlignmentLessGranularity() {
        System.out.println("TlsfTest.alignedBlocksWasteAtMostAlignmentLessGranularity seed=0x"
            + Long.toHexString(SEED));
        assertEquals(1 << 20, tlsf.addPool(base, 1 << 20));
        final SplittableRandom random = new SplittableRandom(SEED);
        final Map<Long, long[]> live = new TreeMap<>();
        int padded = 0;
        int unpadded = 0;
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 100; i++) {
                final long alignment = random.nextBoolean() ? 16 : 1L << random.nextInt(5, 13);
                final long size = random.nextLong(0, 300);
                final long payload = tlsf.allocate(size, alignment);
                assertEquals(0, payload % alignment, "alignment " + alignment);
                live.put(payload, new long[] {size, alignment});
            }
            final TreeMap<Long, Block> blocks = new TreeMap<>();
            for (final Block block : TlsfBlocks.of(tlsf, 0)) {
                blocks.put(block.addr(), block);
            }
            for (final Map.Entry<Long, long[]> entry : live.entrySet()) {
                final long payload = entry.getKey();
                final long size = entry.getValue()[0];
                final long alignment = entry.getValue()[1];
                final Block block = blocks.floorEntry(payload - 1).getValue();
                assertTrue(block.used(), "payload 0x" + Long.toHexString(payload) + " lies in a used block");
                final long padding = payload - block.addr() - TlsfLayout.HEADER_SIZE;
                assertTrue(padding == 0 || padding <= alignment - TlsfLayout.GRANULARITY,
                    "padding " + padding + " for alignment " + alignment);
                assertTrue(padding == 0 || padding == TlsfLayout.PAD_SIZE, "a larger gap went back to the lists");
                assertTrue(payload + Math.max(size, 1) <= block.addr() + block.size(), "payload fits its block");
                assertEquals(block.addr() + block.size() - payload, tlsf.usableSize(payload));
                // The block is the request, the padding, and at most 16 bytes of remainder too small to split.
                assertTrue(block.size() <= TlsfLayout.blockSizeFor(size) + padding + 16, "block " + block);
                if (alignment > 16) {
                    if (padding != 0) {
                        padded++;
                    } else {
                        unpadded++;
                    }
                }
            }
            final List<Long> addresses = new ArrayList<>(live.keySet());
            Collections.shuffle(addresses, new Random(random.nextLong()));
            for (final long payload : addresses.subList(0, addresses.size() / 2)) {
                tlsf.free(payload);
                live.remove(payload);
            }
            tlsf.checkIntegrity();
        }
        assertTrue(padded > 0 && unpadded > 0, "both kinds of aligned block occurred: padded=" + padded
            + ", unpadded=" + unpadded);
        for (final long payload : live.keySet()) {
            tlsf.free(payload);
        }
        assertEquals(List.of(new Block(base, (1 << 20) - 16, false)), TlsfBlocks.of(tlsf, 0));
        tlsf.checkIntegrity();
    }

    @Test
    void aSixteenByteGapStaysInTheBlockBehindAPaddingWord() {
        addOnePool();
        // The first block's payload is at base + 16, an odd multiple of 16 when base is page-aligned: a
        // 32-aligned request right at the start needs a 16-byte gap.
        final long payload = tlsf.allocate(40, 32);
        assertEquals(base + 32, payload);
        // 40 bytes need a block of 64; the gap makes it 80.
        assertEquals(List.of(new Block(base, 80, true), new Block(base + 80, POOL - 16 - 80, false)),
            TlsfBlocks.of(tlsf, 0));
        assertEquals(48, tlsf.usableSize(payload));
        tlsf.free(payload);
        assertEquals(List.of(new Block(base, POOL - 16, false)), TlsfBlocks.of(tlsf, 0));
        tlsf.checkIntegrity();
    }

    @Test
    void aLargerGapBecomesAFreeBlock() {
        addOnePool();
        final long payload = tlsf.allocate(100, 4096);
        assertEquals(base + 4096, payload);
        assertEquals(List.of(new Block(base, 4080, false), new Block(base + 4080, 128, true),
            new Block(base + 4208, POOL - 16 - 4208, false)), TlsfBlocks.of(tlsf, 0));
        tlsf.free(payload);
        assertEquals(List.of(new Block(base, POOL - 16, false)), TlsfBlocks.of(tlsf, 0));
        tlsf.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------ pools

    @Test
    void poolsAddedInRandomOrderAreAllUsed() {
        System.out.println("TlsfTest.poolsAddedInRandomOrderAreAllUsed seed=0x" + Long.toHexString(SEED));
        final SplittableRandom random = new SplittableRandom(SEED);
        // Sixteen ranges of 32 KiB with 32 KiB gaps between them, starting 3 bytes in: the heap trims them to 16.
        final List<Long> starts = new ArrayList<>();
        for (int range = 0; range < 16; range++) {
            starts.add(base + range * 65536L);
        }
        Collections.shuffle(starts, new Random(random.nextLong()));
        for (final long start : starts) {
            assertEquals(32768 - 16, tlsf.addPool(start + 3, 32768 - 3));
        }
        assertEquals(16, tlsf.poolCount());
        for (int pool = 0; pool < 16; pool++) {
            assertEquals(base + pool * 65536L + 16, tlsf.poolAddress(pool));
            assertEquals(32768 - 16, tlsf.poolByteSize(pool));
        }
        final List<Long> blocks = new ArrayList<>();
        long payload;
        while ((payload = tlsf.tryAllocate(random.nextLong(1, 3000), 16)) != Tlsf.NO_BLOCK) {
            final long offset = (payload - base) % 65536;
            assertTrue(offset > 16 && offset < 32768, "block in a gap: 0x" + Long.toHexString(payload));
            blocks.add(payload);
        }
        assertTrue(blocks.size() > 16 * 10, "allocated " + blocks.size());
        final long[] perPool = new long[16];
        for (final long block : blocks) {
            perPool[(int) ((block - base) / 65536)]++;
        }
        for (final long count : perPool) {
            assertTrue(count > 0, "every pool served blocks");
        }
        Collections.shuffle(blocks, new Random(random.nextLong()));
        for (final long block : blocks) {
            tlsf.free(block);
        }
        assertEquals(16 * (32768 - 16 - 16L), tlsf.stats().bytesFree());
        assertEquals(16, tlsf.tlsfStats().freeBlocks());
        tlsf.checkIntegrity();
    }

    @Test
    void aPoolLargerThanTheLargestBlockIsSplitIntoSeveral() {
        // FLLEN 8: blocks up to 8176 bytes, pools up to 8192, requests up to 8160 bytes.
        final Tlsf small = new Tlsf(heap, new TlsfConfig(8, 32, QuickListConfig.OFF));
        assertEquals(5 * 8192 + 96, small.addPool(base, 5 * 8192 + 100));
        assertEquals(6, small.poolCount());
        final TreeSet<Long> expected = new TreeSet<>();
        for (int pool = 0; pool < 5; pool++) {
            assertEquals(base + pool * 8192L, small.poolAddress(pool));
            assertEquals(8192, small.poolByteSize(pool));
            expected.add(base + pool * 8192L + 16);
        }
        assertEquals(96, small.poolByteSize(5));
        assertEquals(8160, small.maxAllocationSize());
        final TreeSet<Long> wholePools = new TreeSet<>();
        for (int pool = 0; pool < 5; pool++) {
            wholePools.add(small.allocate(8160));
        }
        assertEquals(expected, wholePools);
        assertEquals(Tlsf.NO_BLOCK, small.tryAllocate(8160, 16));
        assertEquals(base + 5 * 8192 + 16, small.allocate(64));
        small.checkIntegrity();
    }

    @Test
    void anAdjacentRangeGrowsThePoolAndMergesItsFreeTail() {
        addOnePool();
        final long block = tlsf.allocate(1000);
        assertEquals(POOL, tlsf.addPool(base + POOL, POOL));
        assertEquals(1, tlsf.poolCount());
        assertEquals(2 * POOL, tlsf.poolByteSize(0));
        assertEquals(List.of(new Block(base, 1024, true), new Block(base + 1024, 2 * POOL - 16 - 1024, false)),
            TlsfBlocks.of(tlsf, 0));
        assertEquals(2 * POOL - 32, tlsf.maxAllocationSize());
        tlsf.free(block);
        assertEquals(List.of(new Block(base, 2 * POOL - 16, false)), TlsfBlocks.of(tlsf, 0));
        tlsf.checkIntegrity();
    }

    @Test
    void anAdjacentRangeAfterAUsedBlockBecomesAFreeBlockAtTheOldSentinel() {
        addOnePool();
        final long whole = tlsf.allocate(POOL - 32);
        assertEquals(4096, tlsf.addPool(base + POOL, 4096));
        assertEquals(List.of(new Block(base, POOL - 16, true), new Block(base + POOL - 16, 4096, false)),
            TlsfBlocks.of(tlsf, 0));
        assertEquals(base + POOL, tlsf.allocate(4000));
        tlsf.free(whole);
        tlsf.checkIntegrity();
    }

    @Test
    void growthStopsAtTheLargestPoolAndTheRestBecomesANewPool() {
        final Tlsf small = new Tlsf(heap, new TlsfConfig(8, 32, QuickListConfig.OFF));
        assertEquals(4096, small.addPool(base, 4096));
        assertEquals(8192, small.addPool(base + 4096, 8192));
        assertEquals(2, small.poolCount());
        assertEquals(8192, small.poolByteSize(0));
        assertEquals(base + 8192, small.poolAddress(1));
        assertEquals(4096, small.poolByteSize(1));
        small.checkIntegrity();
    }

    @Test
    void aRangeTooSmallForABlockIsNotUsed() {
        assertEquals(0, tlsf.addPool(base, 47));
        assertEquals(0, tlsf.addPool(base + 1, 48));
        assertEquals(0, tlsf.poolCount());
        assertEquals(0, tlsf.maxAllocationSize());
        assertEquals(48, tlsf.addPool(base, 48));
        assertEquals(0, tlsf.addPool(base + 48, 16));
        assertEquals(1, tlsf.poolCount());
        assertEquals(16, tlsf.maxAllocationSize());
        tlsf.checkIntegrity();
    }

    @Test
    void rejectsBadPoolsNamingThem() {
        addOnePool();
        assertMessage(IllegalArgumentException.class, "pool size must be positive: byteSize=0",
            () -> tlsf.addPool(base + 2 * POOL, 0));
        assertMessage(IllegalArgumentException.class, "pool overlaps a pool of this heap: addr=0x"
            + Long.toHexString(base + POOL - 16) + ", byteSize=4096, poolAddr=0x" + Long.toHexString(base)
            + ", poolByteSize=65536", () -> tlsf.addPool(base + POOL - 16, 4096));
        assertMessage(IllegalArgumentException.class, "pool overlaps a pool of this heap: addr=0x"
            + Long.toHexString(base - 4096) + ", byteSize=4112, poolAddr=0x" + Long.toHexString(base)
            + ", poolByteSize=65536", () -> tlsf.addPool(base - 4096, 4112));
        assertMessage(IllegalArgumentException.class,
            "pool wraps around the address space: addr=0xfffffffffffff000, byteSize=8192",
            () -> tlsf.addPool(-4096, 8192));
        // Ranges that overlap a pool only in bytes that rounding to 16 would drop are claims on the heap's memory too.
        assertMessage(IllegalArgumentException.class, "pool overlaps a pool of this heap: addr=0x"
            + Long.toHexString(base + POOL - 8) + ", byteSize=4096, poolAddr=0x" + Long.toHexString(base)
            + ", poolByteSize=65536", () -> tlsf.addPool(base + POOL - 8, 4096));
        assertMessage(IllegalArgumentException.class, "pool overlaps a pool of this heap: addr=0x"
            + Long.toHexString(base + 100) + ", byteSize=8, poolAddr=0x" + Long.toHexString(base)
            + ", poolByteSize=65536", () -> tlsf.addPool(base + 100, 8));
        assertEquals(1, tlsf.poolCount());
        assertEquals(POOL, tlsf.stats().heapBytes());
        tlsf.checkIntegrity();
    }

    /**
     * With pools of at most 128 KiB, the range would grow the pool and add new ones: it fails before either, in
     * unchecked memory too.
     */
    @Test
    void aRangeRunningPastTheMemoryChangesNothing() {
        final Tlsf smallPools = new Tlsf(heap, new TlsfConfig(12, 32, QuickListConfig.OFF));
        assertEquals(POOL, smallPools.addPool(base, POOL));
        final List<Block> before = TlsfBlocks.all(smallPools);
        final var stats = smallPools.stats();
        final long maxAllocationSize = smallPools.maxAllocationSize();
        assertEquals("range is not in the memory: addr=0x" + Long.toHexString(base + POOL) + ", byteSize="
            + heap.byteSize() + ", memory=" + heap, assertThrows(IllegalArgumentException.class,
                () -> smallPools.addPool(base + POOL, heap.byteSize())).getMessage());
        assertEquals(before, TlsfBlocks.all(smallPools));
        assertEquals(stats, smallPools.stats());
        assertEquals(maxAllocationSize, smallPools.maxAllocationSize());
        assertEquals(1, smallPools.poolCount());
        smallPools.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------ bad input

    @Test
    void rejectsBadAddressesWithExactMessagesAndChangesNothing() {
        addOnePool();
        assertEquals(4096, tlsf.addPool(base + 2 * POOL, 4096));
        final long kept = tlsf.allocate(100);
        final long freed = tlsf.allocate(100);
        final long aligned = tlsf.allocate(40, 32);
        tlsf.allocate(100);
        tlsf.free(freed);
        final List<Block> before = TlsfBlocks.all(tlsf);
        final var stats = tlsf.stats();

        assertMessage(IllegalArgumentException.class, "address was never handed out by this allocator: addr=0x"
            + Long.toHexString(base + POOL + 64), () -> tlsf.free(base + POOL + 64));
        assertMessage(IllegalArgumentException.class, "address was never handed out by this allocator: addr=0x"
            + Long.toHexString(base - 16), () -> tlsf.free(base - 16));
        assertMessage(IllegalStateException.class, "block is already free: addr=0x" + Long.toHexString(freed),
            () -> tlsf.free(freed));
        assertMessage(IllegalStateException.class, "block is already free: addr=0x" + Long.toHexString(freed),
            () -> tlsf.usableSize(freed));
        assertMessage(IllegalStateException.class, "block is already free: addr=0x" + Long.toHexString(freed),
            () -> tlsf.reallocate(freed, 10, 16));
        for (final long inside : new long[] {kept + 1, kept + 8, kept + 16, kept + 32, kept - 16, base,
            aligned - 16, aligned + 16, base + POOL - 16, base + 2 * POOL}) {
            assertMessage(IllegalArgumentException.class, "address is not the start of a block: addr=0x"
                + Long.toHexString(inside), () -> tlsf.free(inside));
        }
        assertEquals(before, TlsfBlocks.all(tlsf));
        assertEquals(stats, tlsf.stats());
        tlsf.checkIntegrity();
    }

    @Test
    void checkIntegrityFindsABrokenBackLink() {
        addOnePool();
        final long first = tlsf.allocate(100);
        tlsf.allocate(100);
        tlsf.checkIntegrity();
        memory.setLong(TlsfLayout.prevPhysAddr(first + 128 - 16), base + 16);
        final HeapCorruptionException thrown = assertThrows(HeapCorruptionException.class, tlsf::checkIntegrity);
        assertEquals("heap corrupted: back link names the previous block: prev=0x" + Long.toHexString(base)
            + ", addr=0x" + Long.toHexString(base + 128), thrown.getMessage());
    }

    @Test
    void aBlockMergedIntoItsFreePredecessorCannotBeFreedAgain() {
        addOnePool();
        final long prev = tlsf.allocate(100);
        final long block = tlsf.allocate(100);
        tlsf.allocate(100);
        tlsf.free(prev);
        tlsf.free(block);
        assertEquals(new Block(base, 256, false), TlsfBlocks.of(tlsf, 0).get(0));
        assertFreeRejectsANonBlockStartChangingNothing(block);
        tlsf.checkIntegrity();
    }

    /**
     * A block absorbed by a block freed before it: its old header lies inside the merged block, and inside the block
     * handed out there next. A small int its program stores over the header's low half must not make the old
     * address pass for a block start (the header keeps no tag to revive).
     */
    @Test
    void aBlockAbsorbedByAFreedPredecessorCannotBeFreedAgainEvenAfterAPartialStoreOverItsHeader() {
        addOnePool();
        final long prev = tlsf.allocate(100);
        final long block = tlsf.allocate(100);
        tlsf.allocate(100);
        tlsf.free(block);
        tlsf.free(prev);
        assertFreeRejectsANonBlockStartChangingNothing(block);
        final long whole = tlsf.allocate(240);
        assertEquals(prev, whole);
        memory.setInt(TlsfLayout.blockAddrOfPayload(block), 4097);
        assertFreeRejectsANonBlockStartChangingNothing(block);
        tlsf.checkIntegrity();
    }

    /** A pool taken out of the heap keeps no tagged header: its memory may come back inside another pool's block. */
    @Test
    void aPoolTakenOutLeavesNoHeaderForABlockThatCoversItLater() {
        assertEquals(8192, tlsf.addPool(base + 4096, 8192));
        assertEquals(8192, tlsf.removePoolIfFree(0));
        assertEquals(3 * 8192, tlsf.addPool(base, 3 * 8192));
        final long block = tlsf.allocate(16_000);
        assertEquals(base + 16, block, "the block covers the old pool's first header at base + 4096");
        memory.setInt(base + 4096, 4097);
        assertFreeRejectsANonBlockStartChangingNothing(base + 4096 + 16);
        tlsf.checkIntegrity();
    }

    @Test
    void theHeadersAReallocationGrowsOverCannotBeFreed() {
        addOnePool();
        final long block = tlsf.allocate(100);
        final long next = tlsf.allocate(100);
        tlsf.allocate(100);
        tlsf.free(next);
        assertEquals(block, tlsf.reallocate(block, 200, 16));
        memory.setInt(TlsfLayout.blockAddrOfPayload(next), 4097);
        assertFreeRejectsANonBlockStartChangingNothing(next);

        final long prev = tlsf.allocate(300);
        final long moving = tlsf.allocate(100);
        final long after = tlsf.allocate(100);
        tlsf.allocate(100);
        tlsf.free(prev);
        tlsf.free(after);
        assertEquals(prev, tlsf.reallocate(moving, 500, 16));
        memory.setInt(TlsfLayout.blockAddrOfPayload(after), 4097);
        assertFreeRejectsANonBlockStartChangingNothing(after);
        tlsf.checkIntegrity();
    }

    @Test
    void theOldAddressOfABlockThatMovedDownCannotBeFreed() {
        addOnePool();
        final long prev = tlsf.allocate(300);
        final long block = tlsf.allocate(200);
        tlsf.allocate(64);
        tlsf.free(prev);
        assertEquals(base + 16, tlsf.reallocate(block, 400, 16));
        assertFreeRejectsANonBlockStartChangingNothing(block);
        tlsf.checkIntegrity();
    }

    @Test
    void freeRejectsAHeaderWithoutTheAddressTagOfItsPlace() {
        addOnePool();
        final long block = tlsf.allocate(256);
        final long next = tlsf.allocate(64);
        // Inside the payload, headers that are right in every field but the tag: none, and another address's.
        final long fakeBlock = block + 64;
        for (final long forged : new long[] {64 | TlsfLayout.SIZE_USED,
            TlsfLayout.sizeWord(TlsfLayout.blockAddrOfPayload(next), 64, TlsfLayout.SIZE_USED)}) {
            memory.setLong(fakeBlock, forged);
            memory.setLong(TlsfLayout.prevPhysAddr(fakeBlock + 64), fakeBlock);
            assertFreeRejectsANonBlockStartChangingNothing(TlsfLayout.payloadAddr(fakeBlock));
        }
        tlsf.checkIntegrity();
    }

    private void assertFreeRejectsANonBlockStartChangingNothing(final long address) {
        final List<Block> before = TlsfBlocks.of(tlsf, 0);
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> tlsf.free(address));
        assertEquals("address is not the start of a block: addr=0x" + Long.toHexString(address), thrown.getMessage());
        assertEquals(before, TlsfBlocks.of(tlsf, 0));
    }

    @Test
    void checkIntegrityFindsASizeWordCarryingAnotherBlocksTag() {
        addOnePool();
        final long first = tlsf.allocate(100);
        final long second = tlsf.allocate(100);
        tlsf.checkIntegrity();
        memory.setLong(TlsfLayout.blockAddrOfPayload(second),
            memory.getLong(TlsfLayout.blockAddrOfPayload(first)));
        final HeapCorruptionException thrown = assertThrows(HeapCorruptionException.class, tlsf::checkIntegrity);
        assertTrue(thrown.getMessage().startsWith("heap corrupted: size word carries the block's address tag"),
            thrown.getMessage());
    }

    @Test
    void checkIntegrityFindsAFreeBlockInTheWrongList() {
        addOnePool();
        final long first = tlsf.allocate(100);
        tlsf.allocate(100);
        tlsf.free(first);
        tlsf.checkIntegrity();
        // Shrink the free block's size word to 96 and give the 32 bytes after it a used header: every physical
        // invariant holds, but the block sits in the list of 128-byte blocks.
        memory.setLong(base, TlsfLayout.sizeWord(base, 96, 0));
        memory.setLong(base + 96, TlsfLayout.sizeWord(base + 96, 32, TlsfLayout.SIZE_USED));
        memory.setLong(TlsfLayout.prevPhysAddr(base + 96), TlsfLayout.freePrevLink(base));
        memory.setLong(TlsfLayout.prevPhysAddr(base + 128), base + 96);
        final HeapCorruptionException thrown = assertThrows(HeapCorruptionException.class, tlsf::checkIntegrity);
        assertTrue(thrown.getMessage().startsWith("heap corrupted: a listed block is free and in list "),
            thrown.getMessage());
    }

    private static <T extends Throwable> void assertMessage(final Class<T> type, final String message,
                                                           final Runnable call) {
        assertEquals(message, assertThrows(type, call::run).getMessage());
    }
}

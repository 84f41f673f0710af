package dev.ffmalloc.slab;

import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;
import org.agrona.BitUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The slab cache's own behaviour: seed 001's scenarios in each configuration with a recording backend (which fails
 * on a function the configuration must not call and checks that everything comes back), preference for the fullest
 * partial slab, kept empty slabs, every kind of bad free, exhaustion, and a typed cache over a {@code StructLayout}.
 */
final class SlabCacheTest {

    private static final long SEED = 0x51AB_CAC4EL;
    private static final long HEAP_BYTES = 4 << 20;

    /** The three configurations of seed 001, the lookup ones with each page map, and masking with larger pages. */
    enum Setup {
        SMALL_ONE_PAGE(SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL), false),
        SMALL_FOUR_PAGES_AGRONA(SlabConfig.of(48, 8, 16384, 4096, ObjectSizeType.SMALL), false),
        SMALL_FOUR_PAGES_NATIVE(SlabConfig.of(48, 8, 16384, 4096, ObjectSizeType.SMALL), true),
        /** 16 KiB slabs that are the cache's pages: found by masking, never through the page map. */
        SMALL_ONE_16K_PAGE(SlabConfig.of(48, 8, 16384, 16384, ObjectSizeType.SMALL), false),
        LARGE_ONE_PAGE_AGRONA(SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.LARGE), false),
        LARGE_TWO_PAGES_NATIVE(SlabConfig.of(48, 8, 8192, 4096, ObjectSizeType.LARGE), true),
        /** 8060 objects per slab: 126 bitmap words, partial buckets far coarser than one per count. */
        SMALL_8060_OBJECTS_NATIVE(SlabConfig.of(8, 8, 65536, 4096, ObjectSizeType.SMALL), true);

        final SlabConfig config;
        final boolean nativeMap;

        Setup(final SlabConfig config, final boolean nativeMap) {
            this.config = config;
            this.nativeMap = nativeMap;
        }
    }

    private Arena arena;
    private NativeMemory heap;
    private final List<PageMap> pageMaps = new ArrayList<>();

    @BeforeEach
    void openHeap() {
        arena = Arena.ofConfined();
        heap = NativeMemory.allocate(arena, HEAP_BYTES);
    }

    @AfterEach
    void closeHeap() {
        pageMaps.forEach(PageMap::close);
        arena.close();
    }

    private RecordingSlabBackend backend(final Setup setup, final SlabConfig config) {
        final PageMap pageMap = setup.nativeMap ? new NativePageMap() : new AgronaPageMap();
        pageMaps.add(pageMap);
        return new RecordingSlabBackend(heap, config, pageMap);
    }

    // ------------------------------------------------------------------------------------- seed 001's scenarios

    @ParameterizedTest
    @EnumSource(Setup.class)
    void allocateOnly(final Setup setup) {
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        final long perSlab = setup.config.objectsPerSlab();
        final int count = (int) (3 * perSlab + 5);
        final Set<Long> addresses = new HashSet<>();
        final long[] inOrder = new long[count];
        for (int i = 0; i < count; i++) {
            final long objectAddr = cache.allocate();
            assertTrue(addresses.add(objectAddr), "address handed out twice: 0x" + Long.toHexString(objectAddr));
            assertEquals(0, objectAddr % cache.objectAlignment(), "object not aligned");
            heap.setLong(objectAddr + setup.config.objectSize() - Long.BYTES, i);
            inOrder[i] = objectAddr;
        }
        for (int i = 0; i < count; i++) {
            assertEquals(i, heap.getLong(inOrder[i] + setup.config.objectSize() - Long.BYTES), "object overwritten");
        }
        assertEquals(new SlabStats(count, 3, 1, 0, perSlab, 4 * bytesPerSlab(setup.config)), cache.slabStats());
        assertEquals(4, backend.slabsAllocated());
        assertEquals(setup.config.sizeType() == ObjectSizeType.LARGE ? 4 : 0, backend.slabInfosAllocated());
        assertEquals(setup.config.findsSlabInfoByMasking() ? 0 : 4 * pagesPerSlab(setup.config), backend.lookups(),
            "allocation looks up no page, but those of each new slab (is it already held?)");
        cache.checkIntegrity();
        cache.close();
        cache.checkIntegrity();
        backend.assertEverythingReturned();
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void allocateAndFreeInShuffledOrder(final Setup setup) {
        System.out.println("SlabCacheTest.allocateAndFreeInShuffledOrder seed=0x" + Long.toHexString(SEED));
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        final List<Long> addresses = new ArrayList<>();
        final int count = (int) (5 * setup.config.objectsPerSlab() + 7);
        for (int i = 0; i < count; i++) {
            addresses.add(cache.allocate());
        }
        Collections.shuffle(addresses, new Random(SEED));
        for (final long objectAddr : addresses) {
            cache.free(objectAddr);
        }
        // Everything freed: one empty slab kept (the default), the others given back.
        assertEquals(new SlabStats(0, 0, 0, 1, setup.config.objectsPerSlab(), bytesPerSlab(setup.config)),
            cache.slabStats());
        assertEquals(1, backend.liveSlabs());
        assertEquals(6, backend.slabsAllocated());
        assertEquals(setup.config.findsSlabInfoByMasking() ? 0 : count + 6 * pagesPerSlab(setup.config),
            backend.lookups(), "one lookup per free and per page of a new slab");
        cache.checkIntegrity();
        cache.close();
        backend.assertEverythingReturned();
        cache.checkIntegrity();
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void randomRoundsHandOutUniqueAddressesAndKeepTheStatistics(final Setup setup) {
        System.out.println("SlabCacheTest.randomRounds " + setup + " seed=0x" + Long.toHexString(SEED));
        final SplittableRandom random = new SplittableRandom(SEED);
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        final List<Long> live = new ArrayList<>();
        final Set<Long> liveSet = new HashSet<>();
        final long stride = setup.config.objectStride();
        for (int round = 0; round < 200; round++) {
            final int allocations = random.nextInt(0, 600);
            for (int i = 0; i < allocations; i++) {
                final long objectAddr = cache.allocate();
                assertTrue(liveSet.add(objectAddr), "live address handed out again: 0x" + Long.toHexString(objectAddr));
                live.add(objectAddr);
            }
            final int frees = random.nextInt(0, live.size() + 1);
            for (int i = 0; i < frees; i++) {
                final int slot = random.nextInt(live.size());
                final long objectAddr = live.get(slot);
                live.set(slot, live.get(live.size() - 1));
                live.remove(live.size() - 1);
                liveSet.remove(objectAddr);
                cache.free(objectAddr);
            }
            final SlabStats slabStats = cache.slabStats();
            final AllocatorStats stats = cache.stats();
            assertEquals(live.size(), slabStats.objectsInUse());
            assertEquals(live.size(), stats.liveBlocks());
            assertEquals(live.size() * stride, stats.bytesInUse());
            assertTrue(slabStats.slabs() * setup.config.objectsPerSlab() >= live.size(), "too few slabs");
            assertTrue(slabStats.emptySlabs() <= 1, "more empty slabs than kept");
            assertEquals(slabStats.slabs() * bytesPerSlab(setup.config), slabStats.bytesFromBackend());
            assertEquals(slabStats.slabs(), backend.liveSlabs());
            assertEquals((slabStats.slabs() * setup.config.objectsPerSlab() - live.size()) * stride, stats.bytesFree());
            cache.checkIntegrity();
        }
        for (final long objectAddr : live) {
            cache.free(objectAddr);
        }
        cache.checkIntegrity();
        cache.close();
        backend.assertEverythingReturned();
    }

    private static long pagesPerSlab(final SlabConfig config) {
        return config.slabSize() / config.pageSize();
    }

    private static long bytesPerSlab(final SlabConfig config) {
        return config.slabSize() + (config.sizeType() == ObjectSizeType.LARGE ? config.slabInfoSize() : 0);
    }

    // ------------------------------------------------------------------------------------- slab lists

    @ParameterizedTest
    @EnumSource(Setup.class)
    void allocationPrefersTheFullestPartialSlab(final Setup setup) {
        final SlabCache cache = new SlabCache(setup.config, backend(setup, setup.config));
        final int perSlab = (int) setup.config.objectsPerSlab();
        final long[] objects = new long[3 * perSlab];
        for (int i = 0; i < objects.length; i++) {
            objects[i] = cache.allocate();
        }
        // Slab A (objects 0..) loses 1 object, slab B half, slab C a quarter: A is fullest, then C, then B. The counts
        // differ by more than objectsPerSlab / 16, so their real buckets differ. The frees leave B and C in the bucket
        // of their first free (lazy buckets), above A: allocation must move them down before it picks A.
        final int quarter = perSlab / 4;
        final int half = perSlab / 2;
        cache.free(objects[0]);
        final Set<Long> fromB = new HashSet<>();
        for (int i = 0; i < half; i++) {
            cache.free(objects[perSlab + i]);
            fromB.add(objects[perSlab + i]);
        }
        final Set<Long> fromC = new HashSet<>();
        for (int i = 0; i < quarter; i++) {
            cache.free(objects[2 * perSlab + i]);
            fromC.add(objects[2 * perSlab + i]);
        }
        assertEquals(3, cache.slabStats().partialSlabs());
        assertEquals(objects[0], cache.allocate(), "the fullest slab (A) first");
        final Set<Long> next = new HashSet<>();
        for (int i = 0; i < quarter; i++) {
            next.add(cache.allocate());
        }
        assertEquals(fromC, next, "then C, fuller than B");
        next.clear();
        for (int i = 0; i < half; i++) {
            next.add(cache.allocate());
        }
        assertEquals(fromB, next, "then B");
        assertEquals(new SlabStats(3L * perSlab, 3, 0, 0, perSlab, 3 * bytesPerSlab(setup.config)),
            cache.slabStats());
        cache.checkIntegrity();
        cache.close();
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void allocationPrefersTheFullestPartialSlabAfterRandomFreesLeftBucketsStale(final Setup setup) {
        System.out.println("SlabCacheTest.allocationPrefersTheFullestPartialSlabAfterRandomFreesLeftBucketsStale "
            + setup + " seed=0x" + Long.toHexString(SEED));
        final SplittableRandom random = new SplittableRandom(SEED);
        final SlabConfig config = setup.config;
        final SlabCache cache = new SlabCache(config, backend(setup, config));
        final int perSlab = (int) config.objectsPerSlab();
        final int buckets = Math.min(perSlab, config.partialBuckets());
        final int slabs = 8;
        // Objects in use per slab (slabs are numbered by address from the heap base: the backend carves them in order).
        final int[] inUse = new int[slabs];
        final List<Long> live = new ArrayList<>();
        for (int i = 0; i < slabs * perSlab; i++) {
            final long objectAddr = cache.allocate();
            inUse[slabOf(objectAddr, config)]++;
            live.add(objectAddr);
        }
        for (int round = 0; round < 40; round++) {
            // Random frees: most slabs drop below the bucket they were put in when they left the full list.
            final int frees = random.nextInt(1, live.size() / 2 + 2);
            for (int i = 0; i < frees && !live.isEmpty(); i++) {
                final int slot = random.nextInt(live.size());
                final long objectAddr = live.get(slot);
                live.set(slot, live.get(live.size() - 1));
                live.remove(live.size() - 1);
                cache.free(objectAddr);
                inUse[slabOf(objectAddr, config)]--;
            }
            final int allocations = random.nextInt(1, perSlab + 1);
            for (int i = 0; i < allocations; i++) {
                int fullest = -1;
                for (final int count : inUse) {
                    if (count > 0 && count < perSlab) {
                        fullest = Math.max(fullest, count);
                    }
                }
                final long objectAddr = cache.allocate();
                final int slab = slabOf(objectAddr, config);
                if (fullest > 0) {
                    // Exact with one bucket per count, else within one bucket's width: objectsPerSlab / buckets.
                    final long shortBy = fullest - inUse[slab];
                    assertTrue(inUse[slab] > 0 && inUse[slab] < perSlab, "a partial slab exists, a partial one serves");
                    assertTrue(perSlab <= buckets ? shortBy == 0 : shortBy * buckets <= perSlab,
                        "allocated from a slab with " + inUse[slab] + " in use, the fullest has " + fullest);
                }
                inUse[slab]++;
                live.add(objectAddr);
            }
            assertEquals(live.size(), cache.slabStats().objectsInUse());
            cache.checkIntegrity();
        }
        cache.close();
    }

    /** @return the number of the object's slab, counted from the backend's first slab */
    private int slabOf(final long objectAddr, final SlabConfig config) {
        return (int) ((objectAddr - firstSlabAddr(config)) / config.slabSize());
    }

    /** @return where the recording backend's first slab lies: the heap's first page boundary */
    private long firstSlabAddr(final SlabConfig config) {
        return BitUtil.align(heap.baseAddress(), config.pageSize());
    }

    @Test
    void aFreeMovesASlabOnlyWhenItLeavesTheFullListOrEmpties() {
        final SlabConfig config = Setup.SMALL_ONE_PAGE.config;
        final SlabCache cache = new SlabCache(config, backend(Setup.SMALL_ONE_PAGE, config));
        final long[] objects = new long[84];
        for (int i = 0; i < objects.length; i++) {
            objects[i] = cache.allocate();
        }
        final long slabInfoAddr = objects[0] + config.slabInfoOffset();
        final long other = cache.allocate();
        assertEquals(SlabInfoLayout.LIST_FULL, listIndex(slabInfoAddr));
        cache.free(objects[0]);
        assertEquals(15, listIndex(slabInfoAddr), "full -> partial: 83 in use, bucket 83 * 16 / 84");
        for (int i = 1; i <= 40; i++) {
            cache.free(objects[i]);
            assertEquals(15, listIndex(slabInfoAddr), "a partial slab stays in its bucket on free");
        }
        cache.checkIntegrity();
        // 43 in use, real bucket 8; the other slab (1 in use) is in bucket 0. Allocation meets the stale slab first.
        assertEquals(objects[40], cache.allocate(), "the fullest slab, last freed object first");
        assertEquals(8, listIndex(slabInfoAddr), "moved down to its real bucket, 44 in use still in it");
        for (int i = 41; i < objects.length; i++) {
            cache.free(objects[i]);
        }
        cache.free(objects[40]);
        assertEquals(SlabInfoLayout.LIST_EMPTY, listIndex(slabInfoAddr), "emptied: kept as the empty slab");
        assertEquals(new SlabStats(1, 0, 1, 1, 84, 2 * 4096), cache.slabStats());
        cache.free(other);
        cache.checkIntegrity();
        cache.close();
    }

    private int listIndex(final long slabInfoAddr) {
        return heap.getInt(slabInfoAddr + SlabInfoLayout.LIST_INDEX_OFFSET);
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void aDoubleFreeInAStaleSlabIsRejectedAndChangesNothing(final Setup setup) {
        final SlabConfig config = setup.config;
        final RecordingSlabBackend backend = backend(setup, config);
        final SlabCache cache = new SlabCache(config, backend);
        final int perSlab = (int) config.objectsPerSlab();
        final long[] objects = new long[2 * perSlab];
        for (int i = 0; i < objects.length; i++) {
            objects[i] = cache.allocate();
        }
        // The first slab leaves the full list on its first free and stays in that bucket for the next ones.
        for (int i = 0; i < perSlab / 2; i++) {
            cache.free(objects[i]);
        }
        final long freed = objects[perSlab / 4];
        final long slabAddr = firstSlabAddr(config) + slabOf(freed, config) * config.slabSize();
        final byte[] before = heap.segment().asSlice(slabAddr - heap.baseAddress(), config.slabSize()).toArray(
            ValueLayout.JAVA_BYTE);
        final byte[] slabInfoBefore = slabInfoBytes(backend, freed, config);
        assertRejected(cache, IllegalStateException.class, "block is already free: addr=" + hex(freed),
            () -> cache.free(freed));
        assertTrue(Arrays.equals(before, heap.segment().asSlice(slabAddr - heap.baseAddress(),
            config.slabSize()).toArray(ValueLayout.JAVA_BYTE)), "slab bytes changed by a rejected free");
        assertTrue(Arrays.equals(slabInfoBefore, slabInfoBytes(backend, freed, config)),
            "SlabInfo bytes changed by a rejected free");
        // The free list is intact: the half freed comes back, last freed first, then nothing else of that slab.
        for (int i = perSlab / 2 - 1; i >= 0; i--) {
            assertEquals(objects[i], cache.allocate());
        }
        assertEquals(2L * perSlab, cache.slabStats().objectsInUse());
        cache.checkIntegrity();
        cache.close();
    }

    /** The bytes of the SlabInfo of the slab holding {@code objectAddr}, wherever the configuration keeps it. */
    private byte[] slabInfoBytes(final SlabBackend backend, final long objectAddr, final SlabConfig config) {
        final long slabAddr = firstSlabAddr(config) + slabOf(objectAddr, config) * config.slabSize();
        final long slabInfoAddr = config.sizeType() == ObjectSizeType.SMALL ? slabAddr + config.slabInfoOffset()
            : backend.slabInfoAddr(slabAddr);
        return heap.segment().asSlice(slabInfoAddr - heap.baseAddress(), config.slabInfoSize())
            .toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void aSlabOf8060ObjectsHasA126WordBitmap() {
        final SlabConfig config = Setup.SMALL_8060_OBJECTS_NATIVE.config;
        // 8060 * 8 + 48 + 126 * 8 = 65536; 8061 objects need 8 more bytes.
        assertEquals(8060, config.objectsPerSlab());
        assertEquals(65536 - 48 - 126 * 8, config.slabInfoOffset());
    }

    @Test
    void withOneBucketPerCountThePreferenceIsExact() {
        // 16 objects per slab and 16 buckets (the default): slabs one object apart sit in different buckets.
        final SlabConfig exact = SlabConfig.of(256, 16, 4096, 4096, ObjectSizeType.LARGE);
        assertEquals(16, exact.objectsPerSlab());
        final SlabCache cache = new SlabCache(exact, backend(Setup.LARGE_ONE_PAGE_AGRONA, exact));
        final long[] objects = new long[32];
        for (int i = 0; i < objects.length; i++) {
            objects[i] = cache.allocate();
        }
        cache.free(objects[16]);
        cache.free(objects[17]);
        cache.free(objects[0]);
        assertEquals(objects[0], cache.allocate(), "15 in use beats 14 in use");
        assertEquals(objects[17], cache.allocate(), "the first slab is full again: the second one, last freed first");
        cache.checkIntegrity();
        cache.close();
    }

    @Test
    void keepsTheConfiguredNumberOfEmptySlabs() {
        final SlabConfig config = Setup.SMALL_ONE_PAGE.config.withEmptySlabsKept(2);
        final RecordingSlabBackend backend = backend(Setup.SMALL_ONE_PAGE, config);
        final SlabCache cache = new SlabCache(config, backend);
        final List<Long> addresses = new ArrayList<>();
        for (int i = 0; i < 4 * config.objectsPerSlab(); i++) {
            addresses.add(cache.allocate());
        }
        addresses.forEach(cache::free);
        assertEquals(2, cache.slabStats().emptySlabs());
        assertEquals(2, backend.liveSlabs());
        assertEquals(2, backend.slabsFreed());
        cache.checkIntegrity();
        cache.close();
        backend.assertEverythingReturned();
    }

    @Test
    void aKeptEmptySlabStopsThrashingAtASlabBoundary() {
        assertEquals(2, backendSlabAllocationsAtABoundary(1), "default: one empty slab kept");
        assertEquals(2 + 100, backendSlabAllocationsAtABoundary(0), "none kept: a slab per allocation");
    }

    private long backendSlabAllocationsAtABoundary(final int emptySlabsKept) {
        final SlabConfig config = Setup.SMALL_FOUR_PAGES_NATIVE.config.withEmptySlabsKept(emptySlabsKept);
        final RecordingSlabBackend backend = backend(Setup.SMALL_FOUR_PAGES_NATIVE, config);
        final SlabCache cache = new SlabCache(config, backend);
        for (int i = 0; i < config.objectsPerSlab(); i++) {
            cache.allocate();
        }
        long objectAddr = cache.allocate();
        for (int i = 0; i < 100; i++) {
            cache.free(objectAddr);
            objectAddr = cache.allocate();
        }
        cache.checkIntegrity();
        cache.close();
        backend.assertEverythingReturned();
        return backend.slabsAllocated();
    }

    // ------------------------------------------------------------------------------------------ bad frees

    @ParameterizedTest
    @EnumSource(value = Setup.class, mode = EnumSource.Mode.EXCLUDE, names = "SMALL_8060_OBJECTS_NATIVE")
    void rejectsAddressesThatAreNotObjectsOfTheCache(final Setup setup) {
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        final long objectAddr = cache.allocate();
        final long secondAddr = cache.allocate();
        for (final long foreign : new long[] {0x10, -4096, heap.endAddress() + 8, backend.someFreeSlab() + 48}) {
            assertRejected(cache, IllegalArgumentException.class,
                "address was never handed out by this allocator: addr=" + hex(foreign), () -> cache.free(foreign));
        }
        for (final long inside : new long[] {secondAddr + 8, secondAddr + 1, secondAddr + 47}) {
            assertRejected(cache, IllegalArgumentException.class, "address points inside a block: addr="
                + hex(inside) + ", blockAddr=" + hex(secondAddr), () -> cache.free(inside));
        }
        cache.free(objectAddr);
        assertRejected(cache, IllegalStateException.class, "block is already free: addr=" + hex(objectAddr),
            () -> cache.free(objectAddr));
        assertRejected(cache, IllegalStateException.class, "block is already free: addr=" + hex(objectAddr),
            () -> cache.usableSize(objectAddr));
        cache.free(secondAddr);
        cache.checkIntegrity();
        cache.close();
        backend.assertEverythingReturned();
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"SMALL_ONE_PAGE", "SMALL_FOUR_PAGES_AGRONA"})
    void rejectsAnAddressInsideTheSlabInfo(final Setup setup) {
        final SlabCache cache = new SlabCache(setup.config, backend(setup, setup.config));
        final long slabAddr = cache.allocate();
        final long slabInfoAddr = slabAddr + setup.config.slabInfoOffset();
        for (final long inside : new long[] {slabInfoAddr, slabInfoAddr + 8, slabInfoAddr + 60}) {
            assertRejected(cache, IllegalArgumentException.class, "address is inside a SlabInfo, not an object: addr="
                + hex(inside) + ", slabInfoAddr=" + hex(slabInfoAddr), () -> cache.free(inside));
        }
        cache.close();
    }

    @Test
    void rejectsAnAddressPastTheLastObjectOfALargeSlab() {
        final Setup setup = Setup.LARGE_TWO_PAGES_NATIVE;
        final SlabCache cache = new SlabCache(setup.config, backend(setup, setup.config));
        final long slabAddr = cache.allocate();
        final long tail = slabAddr + 170 * 48;
        assertRejected(cache, IllegalArgumentException.class, "address is past the last object of its slab: addr="
            + hex(tail) + ", slabAddr=" + hex(slabAddr) + ", objectsPerSlab=170", () -> cache.free(tail));
        cache.close();
    }

    @Test
    void rejectsAnAddressInTheGapBetweenTheLastObjectAndTheSlabInfo() {
        // 40-byte objects: 100 * 40 + 64 = 4064 <= 4096, so bytes 4000..4031 belong to no object.
        final SlabConfig config = SlabConfig.of(40, 8, 4096, 4096, ObjectSizeType.SMALL);
        final SlabCache cache = new SlabCache(config, backend(Setup.SMALL_ONE_PAGE, config));
        assertEquals(100, config.objectsPerSlab());
        assertEquals(4032, config.slabInfoOffset());
        final long slabAddr = cache.allocate();
        assertRejected(cache, IllegalArgumentException.class, "address is past the last object of its slab: addr="
            + hex(slabAddr + 4000) + ", slabAddr=" + hex(slabAddr) + ", objectsPerSlab=100",
            () -> cache.free(slabAddr + 4000));
        cache.close();
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void rejectsAnAddressInASlabAlreadyGivenBack(final Setup setup) {
        final SlabConfig config = setup.config.withEmptySlabsKept(0);
        final SlabCache cache = new SlabCache(config, backend(setup, config));
        final int perSlab = (int) config.objectsPerSlab();
        final long[] objects = new long[3 * perSlab];
        for (int i = 0; i < objects.length; i++) {
            objects[i] = cache.allocate();
        }
        for (int i = perSlab; i < 2 * perSlab; i++) {
            cache.free(objects[i]);
        }
        // The middle slab went back to the backend; its first object lies between the two slabs still held.
        assertEquals(2, cache.slabStats().slabs());
        assertRejected(cache, IllegalArgumentException.class, "address was never handed out by this allocator: addr="
            + hex(objects[perSlab]), () -> cache.free(objects[perSlab]));
        cache.close();
    }

    @Test
    void rejectsAnObjectOfAnotherCacheSharingTheBackend() {
        final Setup setup = Setup.LARGE_TWO_PAGES_NATIVE;
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache mine = new SlabCache(setup.config, backend);
        final SlabCache theirs = new SlabCache(setup.config, backend);
        mine.allocate();
        final long theirObject = theirs.allocate();
        assertRejected(mine, IllegalArgumentException.class, "address was never handed out by this allocator: addr="
            + hex(theirObject), () -> mine.free(theirObject));
        theirs.free(theirObject);
        mine.close();
        theirs.close();
        backend.assertEverythingReturned();
    }

    @Test
    void aClosedCacheRejectsEveryOperation() {
        final SlabCache cache = new SlabCache(Setup.SMALL_ONE_PAGE.config, backend(Setup.SMALL_ONE_PAGE,
            Setup.SMALL_ONE_PAGE.config));
        final long objectAddr = cache.allocate();
        cache.close();
        cache.close();
        assertTrue(cache.isClosed());
        assertEquals(new SlabStats(0, 0, 0, 0, 84, 0), cache.slabStats());
        for (final Executable call : List.<Executable>of(cache::allocate, cache::tryAllocate,
            () -> cache.free(objectAddr))) {
            final IllegalStateException thrown = assertThrows(IllegalStateException.class, call);
            assertEquals("slab cache is closed: objectSize=48", thrown.getMessage());
        }
        cache.checkIntegrity();
    }

    // ------------------------------------------------------------------------------- the Allocator contract

    @Test
    void requestsAboveTheObjectSizeOrAlignmentAreRejected() {
        final SlabCache cache = new SlabCache(Setup.SMALL_ONE_PAGE.config, backend(Setup.SMALL_ONE_PAGE,
            Setup.SMALL_ONE_PAGE.config));
        assertEquals(16, cache.objectAlignment());
        assertRejected(cache, IllegalArgumentException.class,
            "size is larger than this heap could ever hold: byteSize=49, maxByteSize=48",
            () -> cache.tryAllocate(49, 8));
        assertRejected(cache, IllegalArgumentException.class,
            "alignment is larger than this allocator supports: byteAlignment=32, maxByteAlignment=16",
            () -> cache.tryAllocate(48, 32));
        final long objectAddr = cache.allocate(48, 16);
        assertEquals(objectAddr, cache.reallocate(objectAddr, 0, 8), "a cache never moves an object");
        assertEquals(48, cache.usableSize(objectAddr));
        cache.free(objectAddr);
        cache.checkIntegrity();
        cache.close();
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, mode = EnumSource.Mode.EXCLUDE, names = "SMALL_8060_OBJECTS_NATIVE")
    void reportsExhaustionWithoutChangingTheCache(final Setup setup) {
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        backend.limitSlabs(2);
        final List<Long> addresses = new ArrayList<>();
        for (int i = 0; i < 2 * setup.config.objectsPerSlab(); i++) {
            addresses.add(cache.allocate());
        }
        final AllocatorStats full = cache.stats();
        assertEquals(SlabCache.NO_BLOCK, cache.tryAllocate());
        final OutOfMemoryException thrown = assertThrows(OutOfMemoryException.class, cache::allocate);
        assertEquals("out of memory: byteSize=48, byteAlignment=16, bytesFree=0", thrown.getMessage());
        assertEquals(full, cache.stats());
        cache.checkIntegrity();
        addresses.forEach(cache::free);
        cache.close();
        backend.assertEverythingReturned();
    }

    @Test
    void aSlabWhoseSlabInfoCannotBeAllocatedGoesBack() {
        final Setup setup = Setup.LARGE_TWO_PAGES_NATIVE;
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        backend.refuseSlabInfos();
        assertEquals(SlabCache.NO_BLOCK, cache.tryAllocate());
        assertEquals(1, backend.slabsAllocated());
        assertEquals(0, backend.liveSlabs());
        assertEquals(new SlabStats(0, 0, 0, 0, 170, 0), cache.slabStats());
        cache.checkIntegrity();
        backend.assertEverythingReturned();
    }

    /** A backend call that throws while a slab is being made: everything the slab took goes back, nothing leaks. */
    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"LARGE_TWO_PAGES_NATIVE", "SMALL_FOUR_PAGES_AGRONA"})
    void aSlabWhosePageEntryCannotBeSavedGoesBackWithItsEntriesAndSlabInfo(final Setup setup) {
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        backend.failSavesAfter(1);
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, cache::tryAllocate);
        assertEquals("page map is full (a test's failure)", thrown.getMessage());
        assertEquals(0, backend.liveSlabs());
        assertEquals(new SlabStats(0, 0, 0, 0, setup.config.objectsPerSlab(), 0), cache.slabStats());
        cache.checkIntegrity();
        backend.assertEverythingReturned();
        backend.failSavesAfter(-1);
        cache.free(cache.allocate());
        cache.close();
        backend.assertEverythingReturned();
    }

    // ------------------------------------------------------------------------------------- misbehaving backends

    /** A backend that fails to take an emptied slab back: the free took effect, the cache is whole and usable. */
    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"SMALL_ONE_PAGE", "LARGE_TWO_PAGES_NATIVE", "SMALL_FOUR_PAGES_AGRONA"})
    void aSlabTheBackendCannotTakeBackLeavesTheCacheWhole(final Setup setup) {
        final SlabConfig config = setup.config.withEmptySlabsKept(0);
        final RecordingSlabBackend backend = backend(setup, config);
        final SlabCache cache = new SlabCache(config, backend);
        final long kept = cache.allocate();
        final long objectAddr = cache.allocate();
        cache.free(kept);
        heap.setLong(objectAddr, 42);
        backend.failFreeSlabs(1);
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> cache.free(objectAddr));
        assertEquals("cannot take the slab back (a test's failure)", thrown.getMessage());
        assertEquals(new SlabStats(0, 0, 0, 0, config.objectsPerSlab(), 0), cache.slabStats());
        cache.checkIntegrity();
        assertEquals(1, backend.liveSlabs(), "the slab the backend refused is the backend's");
        cache.free(cache.allocate());
        cache.close();
        assertEquals(1, backend.liveSlabs());
    }

    /** A close whose backend throws midway leaves the cache open with the rest of its slabs; a second close ends it. */
    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"SMALL_ONE_PAGE", "LARGE_TWO_PAGES_NATIVE"})
    void aCloseThatFailsMidwayCanBeCalledAgain(final Setup setup) {
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        final List<Long> objects = new ArrayList<>();
        for (long i = 0; i < 3 * setup.config.objectsPerSlab(); i++) {
            objects.add(cache.allocate());
        }
        backend.failFreeSlabs(1);
        assertThrows(IllegalStateException.class, cache::close);
        assertTrue(!cache.isClosed(), "a close that failed closed the cache");
        assertEquals(new SlabStats(2 * setup.config.objectsPerSlab(), 2, 0, 0, setup.config.objectsPerSlab(),
            2 * bytesPerSlab(setup.config)), cache.slabStats());
        cache.checkIntegrity();
        cache.close();
        assertTrue(cache.isClosed());
        assertEquals(new SlabStats(0, 0, 0, 0, setup.config.objectsPerSlab(), 0), cache.slabStats());
        cache.checkIntegrity();
        assertEquals(1, backend.liveSlabs(), "only the slab the backend refused is still out");
        assertEquals(3 * setup.config.objectsPerSlab(), objects.size());
    }

    @Test
    void aMisalignedSlabInfoIsRefusedByNameAndEverythingGoesBack() {
        final Setup setup = Setup.LARGE_TWO_PAGES_NATIVE;
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        backend.skewNextSlabInfo(4);
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, cache::tryAllocate);
        assertTrue(thrown.getMessage().startsWith("backend returned a SlabInfo not aligned to 8 bytes: slabInfoAddr="),
            thrown.getMessage());
        assertRefusedSlabWentBack(setup, cache, backend);
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"SMALL_ONE_PAGE", "SMALL_FOUR_PAGES_NATIVE"})
    void aSlabOutsideTheMemoryIsRefusedByNameAndGoesBack(final Setup setup) {
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        final long outside = BitUtil.align(heap.endAddress(), setup.config.pageSize());
        backend.handOutNextSlab(outside);
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, cache::tryAllocate);
        assertEquals("backend returned memory the cache cannot write: slabAddr=0x" + Long.toHexString(outside)
            + ", slabInfoAddr=0x" + Long.toHexString(outside + setup.config.slabInfoOffset()), thrown.getMessage());
        assertRefusedSlabWentBack(setup, cache, backend);
    }

    /** A slab whose first page is free but whose other pages belong to a held slab: refused, and kept. */
    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"SMALL_FOUR_PAGES_NATIVE", "LARGE_TWO_PAGES_NATIVE"})
    void aSlabOverlappingAHeldOnePastItsFirstPageIsRefused(final Setup setup) {
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        // The held slab starts one page into the region; the slab handed out next starts at the region's free first
        // page and runs into it.
        final long overlapping = heap.baseAddress();
        backend.handOutNextSlab(overlapping + setup.config.pageSize());
        final List<Long> objects = new ArrayList<>();
        for (long i = 0; i < setup.config.objectsPerSlab(); i++) {
            final long objectAddr = cache.allocate();
            heap.setLong(objectAddr, i);
            objects.add(objectAddr);
        }
        backend.handOutNextSlab(overlapping);
        assertRejected(cache, IllegalStateException.class, "backend returned a slab that a cache already holds: "
            + "slabAddr=0x" + Long.toHexString(overlapping), cache::tryAllocate);
        for (int i = 0; i < objects.size(); i++) {
            assertEquals(i, heap.getLong(objects.get(i)), "object overwritten");
        }
        objects.forEach(cache::free);
        cache.close();
        cache.checkIntegrity();
        assertEquals(1, backend.liveSlabs(), "only the refused slab, which the cache kept out of, is still out");
    }

    /** After a refused new slab: the cache holds nothing, the backend has everything back, and the cache still works. */
    private static void assertRefusedSlabWentBack(final Setup setup, final SlabCache cache,
                                                  final RecordingSlabBackend backend) {
        assertEquals(new SlabStats(0, 0, 0, 0, setup.config.objectsPerSlab(), 0), cache.slabStats());
        cache.checkIntegrity();
        backend.assertEverythingReturned();
        cache.free(cache.allocate());
        cache.close();
        backend.assertEverythingReturned();
    }

    /** A slab handed out while the cache holds it: refused, kept (it is in use), and every object keeps its data. */
    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"SMALL_ONE_PAGE", "SMALL_ONE_16K_PAGE", "SMALL_FOUR_PAGES_NATIVE",
        "LARGE_ONE_PAGE_AGRONA"})
    void aSlabTheCacheAlreadyHoldsIsRefusedAndKept(final Setup setup) {
        final RecordingSlabBackend backend = backend(setup, setup.config);
        final SlabCache cache = new SlabCache(setup.config, backend);
        final List<Long> objects = new ArrayList<>();
        for (long i = 0; i < setup.config.objectsPerSlab(); i++) {
            final long objectAddr = cache.allocate();
            heap.setLong(objectAddr, i);
            objects.add(objectAddr);
        }
        final long heldSlab = objects.getFirst(); // a fresh slab hands out its first object first
        backend.handOutNextSlab(heldSlab);
        assertRejected(cache, IllegalStateException.class, "backend returned a slab that a cache already holds: "
            + "slabAddr=0x" + Long.toHexString(heldSlab), cache::tryAllocate);
        for (int i = 0; i < objects.size(); i++) {
            assertEquals(i, heap.getLong(objects.get(i)), "object overwritten");
        }
        objects.forEach(cache::free);
        cache.checkIntegrity();
        cache.close();
        backend.assertEverythingReturned();
    }

    // ------------------------------------------------------------------------------------- backends

    /** A backend with only the two slab functions, enough for SMALL with slab == page and nothing else. */
    private final class SlabsOnlyBackend implements SlabBackend {
        private long nextSlabAddr;
        private final long misalignment;

        SlabsOnlyBackend(final long misalignment) {
            this.nextSlabAddr = heap.baseAddress();
            this.misalignment = misalignment;
        }

        @Override
        public Memory memory() {
            return heap;
        }

        @Override
        public long allocateSlab(final long slabSize, final long pageSize) {
            final long slabAddr = nextSlabAddr + misalignment;
            nextSlabAddr += 2 * slabSize;
            return slabAddr;
        }

        @Override
        public void freeSlab(final long slabAddr, final long slabSize, final long pageSize) {
        }
    }

    @Test
    void theOnePageSmallConfigurationNeedsOnlyTheSlabFunctions() {
        final SlabCache cache = new SlabCache(Setup.SMALL_ONE_PAGE.config, new SlabsOnlyBackend(0));
        final long objectAddr = cache.allocate();
        cache.free(objectAddr);
        cache.checkIntegrity();
        cache.close();
    }

    @Test
    void theOtherConfigurationsCallTheLookupAndSlabInfoFunctions() {
        // A new slab's first page is looked up before anything else (a slab already held is refused).
        for (final Setup setup : new Setup[] {Setup.SMALL_FOUR_PAGES_AGRONA, Setup.LARGE_ONE_PAGE_AGRONA}) {
            final UnsupportedOperationException lookup = assertThrows(UnsupportedOperationException.class,
                () -> new SlabCache(setup.config, new SlabsOnlyBackend(0)).allocate());
            assertEquals("slab backend does not implement this function: function=slabInfoAddr, backend="
                + SlabsOnlyBackend.class.getName(), lookup.getMessage());
        }
    }

    @Test
    void aSlabNotAlignedToThePageIsRefused() {
        final SlabCache cache = new SlabCache(Setup.SMALL_ONE_PAGE.config, new SlabsOnlyBackend(64));
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, cache::allocate);
        assertEquals("backend returned a slab not aligned to the page size: slabAddr=" + hex(heap.baseAddress() + 64)
            + ", pageSize=4096", thrown.getMessage());
        assertEquals(0, cache.slabStats().slabs());
        cache.checkIntegrity();
    }

    // ------------------------------------------------------------------------------------ typed cache

    @Test
    void aStructLayoutGivesATypedCacheReachedThroughVarHandles() {
        final StructLayout particle = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("id"),
            ValueLayout.JAVA_DOUBLE.withName("mass"),
            ValueLayout.JAVA_INT.withName("charge"),
            MemoryLayout.paddingLayout(4));
        final VarHandle idHandle = particle.varHandle(MemoryLayout.PathElement.groupElement("id"));
        final VarHandle massHandle = particle.varHandle(MemoryLayout.PathElement.groupElement("mass"));
        final VarHandle chargeHandle = particle.varHandle(MemoryLayout.PathElement.groupElement("charge"));
        final SlabConfig config = SlabConfig.ofLayout(particle, 8192, 4096, ObjectSizeType.LARGE);
        final RecordingSlabBackend backend = backend(Setup.LARGE_TWO_PAGES_NATIVE, config);
        final SlabCache particles = new SlabCache(config, backend);
        assertEquals(24, particles.objectSize());
        final long[] addresses = new long[1000];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = particles.allocate();
            final MemorySegment segment = particles.objectSegment(addresses[i]);
            idHandle.set(segment, 0L, (long) i);
            massHandle.set(segment, 0L, i * 1.5);
            chargeHandle.set(segment, 0L, -i);
        }
        for (int i = 0; i < addresses.length; i++) {
            final MemorySegment segment = particles.objectSegment(addresses[i]);
            assertEquals((long) i, (long) idHandle.get(segment, 0L));
            assertEquals(i * 1.5, (double) massHandle.get(segment, 0L));
            assertEquals(-i, (int) chargeHandle.get(segment, 0L));
            assertEquals(i * 1.5, heap.segment().get(ValueLayout.JAVA_DOUBLE, addresses[i] + 8 - heap.baseAddress()));
            particles.free(addresses[i]);
        }
        particles.checkIntegrity();
        particles.close();
        backend.assertEverythingReturned();
    }

    // ------------------------------------------------------------------------------------ integrity

    @Test
    void checkIntegrityFindsACorruptedFreeList() {
        final SlabCache cache = new SlabCache(Setup.SMALL_ONE_PAGE.config, backend(Setup.SMALL_ONE_PAGE,
            Setup.SMALL_ONE_PAGE.config));
        final long objectAddr = cache.allocate();
        final long nextFree = objectAddr + 48;
        // The first free object (index 1) links to index 84: one past the last object of the slab.
        heap.setLong(nextFree, 84);
        final HeapCorruptionException thrown = assertThrows(HeapCorruptionException.class, cache::checkIntegrity);
        assertEquals("heap corrupted: free-list link 84 names an object of the slab (0 to 83), addr="
            + hex(objectAddr + 4032), thrown.getMessage());
    }

    @Test
    void checkIntegrityFindsAWrongCountOfObjectsInUse() {
        final SlabCache cache = new SlabCache(Setup.SMALL_ONE_PAGE.config, backend(Setup.SMALL_ONE_PAGE,
            Setup.SMALL_ONE_PAGE.config));
        final long objectAddr = cache.allocate();
        cache.allocate();
        heap.setInt(objectAddr + 4032 + SlabInfoLayout.IN_USE_OFFSET, 3);
        final HeapCorruptionException thrown = assertThrows(HeapCorruptionException.class, cache::checkIntegrity);
        assertEquals("heap corrupted: bits set in the bitmap = objects in use (2 vs 3), addr="
            + hex(objectAddr + 4032), thrown.getMessage());
    }

    @Test
    void checkIntegrityFindsAPartialSlabAboveItsBucket() {
        final SlabCache cache = new SlabCache(Setup.SMALL_ONE_PAGE.config, backend(Setup.SMALL_ONE_PAGE,
            Setup.SMALL_ONE_PAGE.config));
        final long objectAddr = cache.allocate();
        final long slabInfoAddr = objectAddr + 4032;
        assertEquals(0, listIndex(slabInfoAddr), "1 in use: bucket 0");
        // A bucket may be stale upward only: a slab whose count is above its bucket would never be found first.
        heap.setInt(slabInfoAddr + SlabInfoLayout.IN_USE_OFFSET, 40);
        final HeapCorruptionException thrown = assertThrows(HeapCorruptionException.class, cache::checkIntegrity);
        assertEquals("heap corrupted: objects in use (40) of a slab in bucket 0 are partial, of that bucket or a lower "
            + "one, addr=" + hex(slabInfoAddr), thrown.getMessage());
    }

    // ------------------------------------------------------------------------------------ helpers

    private static String hex(final long value) {
        return "0x" + Long.toHexString(value);
    }

    /** Asserts the exact exception and that the cache is exactly as before: statistics and integrity. */
    private static <T extends Throwable> void assertRejected(final SlabCache cache, final Class<T> type,
                                                             final String message, final Executable call) {
        final SlabStats slabStats = cache.slabStats();
        final AllocatorStats stats = cache.stats();
        final T thrown = assertThrows(type, call);
        assertEquals(message, thrown.getMessage());
        assertEquals(slabStats, cache.slabStats(), "slab statistics changed by rejected input");
        assertEquals(stats, cache.stats(), "statistics changed by rejected input");
        cache.checkIntegrity();
    }
}

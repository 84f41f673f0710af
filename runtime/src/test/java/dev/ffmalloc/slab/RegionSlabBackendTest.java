package dev.ffmalloc.slab;

import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.memory.ShiftedMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The region backend: how it carves the region, exhaustion, and its checks. */
final class RegionSlabBackendTest {

    private Arena arena;
    private NativeMemory heap;
    private PageMap pageMap;

    @BeforeEach
    void open() {
        arena = Arena.ofConfined();
        heap = NativeMemory.allocate(arena, 64 * 1024);
        pageMap = new NativePageMap();
    }

    @AfterEach
    void close() {
        pageMap.close();
        arena.close();
    }

    @Test
    void aLargeCacheGetsSlabsThenSlabInfoSlotsFromTheRegionUntilItIsFull() {
        // 8 KiB slabs with 72-byte SlabInfos: 65536 / (8192 + 72) = 7 slabs, slots from 7 * 8192 on.
        final SlabConfig config = SlabConfig.of(48, 8, 8192, 4096, ObjectSizeType.LARGE);
        final RegionSlabBackend backend = new RegionSlabBackend(heap, heap.baseAddress(), heap.byteSize(), config,
            pageMap);
        assertEquals(7, backend.totalSlabs());
        assertEquals(heap.baseAddress(), backend.allocateSlab(8192, 4096));
        assertEquals(heap.baseAddress() + 8192, backend.allocateSlab(8192, 4096));
        assertEquals(heap.baseAddress() + 7 * 8192, backend.allocateSlabInfo(72));
        backend.freeSlab(heap.baseAddress(), 8192, 4096);
        assertEquals(heap.baseAddress(), backend.allocateSlab(8192, 4096), "last freed, first reused");

        final SlabCache cache = new SlabCache(config, new RegionSlabBackend(heap, heap.baseAddress(),
            heap.byteSize(), config, pageMap));
        final List<Long> objects = new ArrayList<>();
        long objectAddr;
        while ((objectAddr = cache.tryAllocate()) != SlabCache.NO_BLOCK) {
            objects.add(objectAddr);
        }
        assertEquals(7 * 170, objects.size());
        objects.forEach(cache::free);
        cache.checkIntegrity();
        cache.close();
        assertEquals(0, pageMap.size());
    }

    @Test
    void rejectsAnotherSlabShapeAndABadRegion() {
        final SlabConfig config = SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL);
        final RegionSlabBackend backend = new RegionSlabBackend(heap, heap.baseAddress(), heap.byteSize(), config,
            pageMap);
        assertEquals("slab shape differs from the region's: slabSize=8192, pageSize=4096, regionSlabSize=4096, "
            + "regionPageSize=4096", assertThrows(IllegalArgumentException.class,
            () -> backend.allocateSlab(8192, 4096)).getMessage());
        assertEquals("SlabInfo size differs from the region's: byteSize=64, regionSlabInfoSize=0",
            assertThrows(IllegalArgumentException.class, () -> backend.allocateSlabInfo(64)).getMessage());
        assertEquals("region must be page aligned and hold 1 to 2^31-1 slabs: regionAddr=0x"
            + Long.toHexString(heap.baseAddress() + 8) + ", regionBytes=8192, slabSize=4096, pageSize=4096",
            assertThrows(IllegalArgumentException.class,
                () -> new RegionSlabBackend(heap, heap.baseAddress() + 8, 8192, config, pageMap)).getMessage());
    }

    @Test
    void refusesASlabGivenBackTwiceOrNeverHandedOutAndChangesNothing() {
        final SlabConfig config = SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL);
        final RegionSlabBackend backend = new RegionSlabBackend(heap, heap.baseAddress(), heap.byteSize(), config,
            pageMap);
        final long first = backend.allocateSlab(4096, 4096);
        final long second = backend.allocateSlab(4096, 4096);
        backend.freeSlab(first, 4096, 4096);
        final int free = backend.freeSlabs();
        assertEquals("slab is already free: addr=0x" + Long.toHexString(first), assertThrows(
            IllegalArgumentException.class, () -> backend.freeSlab(first, 4096, 4096)).getMessage());
        final long lastFree = heap.baseAddress() + heap.byteSize() - 4096;
        assertEquals("slab is already free: addr=0x" + Long.toHexString(lastFree), assertThrows(
            IllegalArgumentException.class, () -> backend.freeSlab(lastFree, 4096, 4096)).getMessage());
        final long end = heap.baseAddress() + heap.byteSize();
        for (final long foreign : new long[] {second + 8, heap.baseAddress() - 4096, end, 0}) {
            assertEquals("slab address is not one of the region's slabs: addr=0x" + Long.toHexString(foreign)
                + ", first=0x" + Long.toHexString(heap.baseAddress()) + ", size=4096, count=16",
                assertThrows(IllegalArgumentException.class, () -> backend.freeSlab(foreign, 4096, 4096))
                    .getMessage());
        }
        assertEquals(free, backend.freeSlabs(), "a refused free changed the backend");
        // Every slab is handed out once before the region runs dry.
        final Set<Long> handedOut = new HashSet<>(Set.of(second));
        long slabAddr;
        while ((slabAddr = backend.allocateSlab(4096, 4096)) != SlabBackend.NO_MEMORY) {
            assertTrue(handedOut.add(slabAddr), "slab handed out twice: 0x" + Long.toHexString(slabAddr));
        }
        assertEquals(16, handedOut.size());
    }

    @Test
    void refusesASlabInfoSlotGivenBackTwice() {
        final SlabConfig config = SlabConfig.of(48, 8, 8192, 4096, ObjectSizeType.LARGE);
        final RegionSlabBackend backend = new RegionSlabBackend(heap, heap.baseAddress(), heap.byteSize(), config,
            pageMap);
        final long slot = backend.allocateSlabInfo(config.slabInfoSize());
        backend.freeSlabInfo(slot, config.slabInfoSize());
        assertEquals("SlabInfo is already free: addr=0x" + Long.toHexString(slot), assertThrows(
            IllegalArgumentException.class, () -> backend.freeSlabInfo(slot, config.slabInfoSize())).getMessage());
        assertEquals(slot, backend.allocateSlabInfo(config.slabInfoSize()));
    }

    @Test
    void refusesARegionOfNegativeSizeAtZeroOrPastTheTop() {
        final SlabConfig config = SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL);
        assertEquals("region must be page aligned and hold 1 to 2^31-1 slabs: regionAddr=0x"
            + Long.toHexString(heap.baseAddress()) + ", regionBytes=-8192, slabSize=4096, pageSize=4096",
            assertThrows(IllegalArgumentException.class,
                () -> new RegionSlabBackend(heap, heap.baseAddress(), -8192, config, pageMap)).getMessage());
        assertEquals("region must not start at address 0 nor pass the end of the address space: regionAddr=0x0, "
            + "regionBytes=8192", assertThrows(IllegalArgumentException.class,
                () -> new RegionSlabBackend(heap, 0, 8192, config, pageMap)).getMessage());
        assertEquals("region must not start at address 0 nor pass the end of the address space: regionAddr=0x"
            + Long.toHexString(-4096) + ", regionBytes=8192", assertThrows(IllegalArgumentException.class,
                () -> new RegionSlabBackend(heap, -4096, 8192, config, pageMap)).getMessage());
    }

    @Test
    void refusesARegionOutsideTheMemory() {
        final SlabConfig config = SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL);
        final IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
            () -> new RegionSlabBackend(heap, heap.baseAddress(), 2 * heap.byteSize(), config, pageMap));
        assertEquals("range is not in the memory: addr=0x" + Long.toHexString(heap.baseAddress()) + ", byteSize="
            + 2 * heap.byteSize() + ", memory=" + heap, outside.getMessage());
        // Memory of another segment is refused too, in unchecked memory as well (the check goes through copy).
        final NativeMemory other = NativeMemory.allocate(arena, 64 * 1024);
        assertThrows(IllegalArgumentException.class,
            () -> new RegionSlabBackend(heap, other.baseAddress(), other.byteSize(), config, pageMap));
    }

    /** Regions that end at the top of the address space, or cross 2^63, work in every configuration. */
    @ParameterizedTest
    @ValueSource(longs = {-64 * 1024, Long.MAX_VALUE - 32 * 1024 + 1})
    void aRegionAtTheTopOrAcrossTwoToTheSixtyThirdWorks(final long regionAddr) {
        for (final SlabConfig config : new SlabConfig[] {SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL),
            SlabConfig.of(48, 8, 16384, 4096, ObjectSizeType.SMALL),
            SlabConfig.of(48, 8, 8192, 4096, ObjectSizeType.LARGE)}) {
            final ShiftedMemory shifted = new ShiftedMemory(heap, regionAddr);
            try (PageMap pages = new NativePageMap()) {
                final RegionSlabBackend backend = new RegionSlabBackend(shifted, regionAddr, heap.byteSize(), config,
                    pages);
                final SlabCache cache = new SlabCache(config, backend);
                final List<Long> objects = new ArrayList<>();
                long objectAddr;
                while ((objectAddr = cache.tryAllocate()) != SlabCache.NO_BLOCK) {
                    shifted.setLong(objectAddr, objects.size());
                    objects.add(objectAddr);
                }
                assertEquals(backend.totalSlabs() * config.objectsPerSlab(), objects.size(), config.toString());
                for (int i = 0; i < objects.size(); i++) {
                    assertEquals(i, shifted.getLong(objects.get(i)));
                }
                cache.checkIntegrity();
                objects.forEach(cache::free);
                cache.close();
                cache.checkIntegrity();
                assertEquals(backend.totalSlabs(), backend.freeSlabs());
            }
        }
    }
}

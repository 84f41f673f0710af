package dev.ffmalloc.slab;

import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}

package dev.ffmalloc.slab;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;

/**
 * The shared allocator suite run on a slab cache, one small subclass per configuration. Objects are 2 KiB, because
 * the suite asks for blocks of up to 1608 bytes. The suite expects a heap whose free bytes return to their first value
 * once everything is freed, so these caches keep no empty slab ({@link SlabCacheTest} covers the default of one).
 * After each test the cache is closed and the backend must have every slab, SlabInfo and page entry back.
 */
abstract class SlabCacheConformanceTest extends AllocatorConformanceTest {

    static final long OBJECT_SIZE = 2048;

    private SlabCache cache;
    private PageMap pageMap;
    private RecordingSlabBackend recording;

    /** @return the configuration under test */
    abstract SlabConfig config();

    /** @return the page map the backend uses */
    abstract PageMap newPageMap();

    /** @return the backend; by default a recording backend over the whole heap */
    SlabBackend newBackend(final NativeMemory heap, final SlabConfig config, final PageMap pageMap) {
        recording = new RecordingSlabBackend(heap, config, pageMap);
        return recording;
    }

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final SlabConfig config = config().withEmptySlabsKept(0);
        pageMap = newPageMap();
        cache = new SlabCache(config, newBackend(heap, config, pageMap));
        return cache;
    }

    @Override
    protected long maxRandomSize() {
        return OBJECT_SIZE;
    }

    @Override
    protected long maxTestAlignment() {
        return cache.objectAlignment();
    }

    @AfterEach
    final void closeCacheAndCheckEverythingReturned() {
        cache.checkIntegrity();
        cache.close();
        cache.checkIntegrity();
        if (recording != null) {
            recording.assertEverythingReturned();
        }
        pageMap.close();
        closeBackend();
    }

    /** Runs after the cache is closed: closes and checks whatever the backend is made of. */
    void closeBackend() {
    }

    /** {@code SMALL}, slab == page: SlabInfo found by masking. */
    static final class SmallOnePage extends SlabCacheConformanceTest {
        @Override
        SlabConfig config() {
            return SlabConfig.of(OBJECT_SIZE, 8, 4096, 4096, ObjectSizeType.SMALL);
        }

        @Override
        PageMap newPageMap() {
            return new AgronaPageMap();
        }
    }

    /** {@code SMALL}, 16 KiB slab == 16 KiB page: SlabInfo found by masking with the larger page. */
    static final class SmallSixteenKibPage extends SlabCacheConformanceTest {
        @Override
        SlabConfig config() {
            return SlabConfig.of(OBJECT_SIZE, 8, 16384, 16384, ObjectSizeType.SMALL);
        }

        @Override
        PageMap newPageMap() {
            return new AgronaPageMap();
        }
    }

    /** {@code SMALL}, slab of 4 pages: SlabInfo found through the page entries, in Agrona's map. */
    static final class SmallFourPages extends SlabCacheConformanceTest {
        @Override
        SlabConfig config() {
            return SlabConfig.of(OBJECT_SIZE, 16, 16384, 4096, ObjectSizeType.SMALL);
        }

        @Override
        PageMap newPageMap() {
            return new AgronaPageMap();
        }
    }

    /** {@code LARGE}, slab of 2 pages, page entries in the native table. */
    static final class LargeTwoPages extends SlabCacheConformanceTest {
        @Override
        SlabConfig config() {
            return SlabConfig.of(OBJECT_SIZE, 64, 8192, 4096, ObjectSizeType.LARGE);
        }

        @Override
        PageMap newPageMap() {
            return new NativePageMap();
        }
    }

    /**
     * {@code LARGE} over the composed {@link AllocatorSlabBackend}: slabs from a slab cache of slab-sized objects and
     * SlabInfos from a slab cache of SlabInfo-sized objects (seed 001's suggestion), each over half of the heap.
     */
    static final class LargeOverAllocators extends SlabCacheConformanceTest {
        private SlabCache slabs;
        private SlabCache slabInfos;
        private RecordingSlabBackend slabsBackend;
        private RecordingSlabBackend slabInfosBackend;

        @Override
        SlabConfig config() {
            return SlabConfig.of(OBJECT_SIZE, 8, 8192, 4096, ObjectSizeType.LARGE);
        }

        @Override
        PageMap newPageMap() {
            return new NativePageMap();
        }

        @Override
        SlabBackend newBackend(final NativeMemory heap, final SlabConfig config, final PageMap pageMap) {
            final long half = heap.byteSize() / 2;
            final SlabConfig slabsConfig = SlabConfig.of(config.slabSize(), config.pageSize(), 65536,
                config.pageSize(), ObjectSizeType.LARGE);
            final SlabConfig slabInfosConfig = SlabConfig.of(config.slabInfoSize(), 8, 4096, 4096,
                ObjectSizeType.SMALL);
            slabsBackend = new RecordingSlabBackend(heap, heap.baseAddress(), half, slabsConfig, new AgronaPageMap());
            slabInfosBackend = new RecordingSlabBackend(heap, heap.baseAddress() + half, half, slabInfosConfig,
                new AgronaPageMap());
            slabs = new SlabCache(slabsConfig, slabsBackend);
            slabInfos = new SlabCache(slabInfosConfig, slabInfosBackend);
            return new AllocatorSlabBackend(slabs, slabInfos, pageMap);
        }

        @Override
        void closeBackend() {
            slabs.checkIntegrity();
            slabInfos.checkIntegrity();
            slabs.close();
            slabInfos.close();
            slabsBackend.assertEverythingReturned();
            slabInfosBackend.assertEverythingReturned();
        }
    }
}

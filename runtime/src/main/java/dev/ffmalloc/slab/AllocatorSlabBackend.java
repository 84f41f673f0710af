package dev.ffmalloc.slab;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.memory.Memory;

/**
 * A ready {@link SlabBackend} composed over allocators of the project: slabs are
 * {@code slabAllocator.tryAllocate(slabSize, pageSize)}, SlabInfos are {@code slabInfoAllocator.tryAllocate(byteSize,
 * 8)}, and the page-to-SlabInfo entries go to a {@link PageMap}. It implements every function, so it serves all three
 * configurations.
 *
 * <p>The two allocators may be the same (a buddy or TLSF heap) or differ, for example SlabInfos from a
 * {@link SlabCache} of SlabInfo-sized objects, as seed 001 suggests. Both must work in the same {@link Memory}.
 */
public final class AllocatorSlabBackend implements SlabBackend {

    private final Allocator slabAllocator;
    private final Allocator slabInfoAllocator;
    private final PageMap pageMap;

    /** Slabs and SlabInfos both from {@code allocator}. */
    public AllocatorSlabBackend(final Allocator allocator, final PageMap pageMap) {
        this(allocator, allocator, pageMap);
    }

    /**
     * @param slabAllocator     gives slabs; must support alignment to the page size
     * @param slabInfoAllocator gives SlabInfos ({@link ObjectSizeType#LARGE} only); same memory as the slabs
     * @param pageMap           holds the page-to-SlabInfo entries
     */
    public AllocatorSlabBackend(final Allocator slabAllocator, final Allocator slabInfoAllocator,
                                final PageMap pageMap) {
        if (slabAllocator.memory() != slabInfoAllocator.memory()) {
            throw new IllegalArgumentException("slab and SlabInfo allocators work in different memories: slabMemory="
                + slabAllocator.memory() + ", slabInfoMemory=" + slabInfoAllocator.memory());
        }
        this.slabAllocator = slabAllocator;
        this.slabInfoAllocator = slabInfoAllocator;
        this.pageMap = pageMap;
    }

    @Override
    public Memory memory() {
        return slabAllocator.memory();
    }

    @Override
    public long allocateSlab(final long slabSize, final long pageSize) {
        return slabAllocator.tryAllocate(slabSize, pageSize);
    }

    @Override
    public void freeSlab(final long slabAddr, final long slabSize, final long pageSize) {
        slabAllocator.free(slabAddr);
    }

    @Override
    public long allocateSlabInfo(final long byteSize) {
        return slabInfoAllocator.tryAllocate(byteSize, SlabInfoLayout.ALIGNMENT);
    }

    @Override
    public void freeSlabInfo(final long slabInfoAddr, final long byteSize) {
        slabInfoAllocator.free(slabInfoAddr);
    }

    @Override
    public void saveSlabInfoAddr(final long pageAddr, final long slabInfoAddr) {
        pageMap.put(pageAddr, slabInfoAddr);
    }

    @Override
    public long slabInfoAddr(final long pageAddr) {
        return pageMap.get(pageAddr);
    }

    @Override
    public void deleteSlabInfoAddr(final long pageAddr) {
        pageMap.remove(pageAddr);
    }

    /** @return the map holding the page-to-SlabInfo entries */
    public PageMap pageMap() {
        return pageMap;
    }
}

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
public final class AllocatorSlabBackend extends PageMapSlabBackend {

    private final Allocator slabAllocator;
    private final Allocator slabInfoAllocator;

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
        super(slabAllocator.memory(), pageMap);
        if (slabAllocator.memory() != slabInfoAllocator.memory()) {
            throw new IllegalArgumentException("slab and SlabInfo allocators work in different memories: slabMemory="
                + slabAllocator.memory() + ", slabInfoMemory=" + slabInfoAllocator.memory());
        }
        this.slabAllocator = slabAllocator;
        this.slabInfoAllocator = slabInfoAllocator;
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
}

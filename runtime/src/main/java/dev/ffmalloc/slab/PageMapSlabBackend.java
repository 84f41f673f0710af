package dev.ffmalloc.slab;

import dev.ffmalloc.memory.Memory;

/**
 * What the ready {@link SlabBackend}s share: the memory the slabs live in, and the page-to-SlabInfo entries kept in a
 * {@link PageMap}. Sealed to the two backends of this package, which differ only in where slabs and SlabInfos come
 * from.
 */
abstract sealed class PageMapSlabBackend implements SlabBackend permits AllocatorSlabBackend, RegionSlabBackend {

    private final Memory memory;
    private final PageMap pageMap;

    PageMapSlabBackend(final Memory memory, final PageMap pageMap) {
        this.memory = memory;
        this.pageMap = pageMap;
    }

    @Override
    public final Memory memory() {
        return memory;
    }

    @Override
    public final void saveSlabInfoAddr(final long pageAddr, final long slabInfoAddr) {
        pageMap.put(pageAddr, slabInfoAddr);
    }

    @Override
    public final long slabInfoAddr(final long pageAddr) {
        return pageMap.get(pageAddr);
    }

    @Override
    public final void deleteSlabInfoAddr(final long pageAddr) {
        pageMap.remove(pageAddr);
    }

    /** @return the map holding the page-to-SlabInfo entries */
    public final PageMap pageMap() {
        return pageMap;
    }
}

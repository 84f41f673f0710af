package dev.ffmalloc.slab;

/**
 * A snapshot of a {@link SlabCache}'s own statistics (its {@link dev.ffmalloc.alloc.AllocatorStats} has the
 * figures common to every allocator).
 *
 * @param objectsInUse     objects handed out and not freed
 * @param fullSlabs        slabs with every object in use
 * @param partialSlabs     slabs with some objects in use and some free
 * @param emptySlabs       slabs kept with no object in use
 * @param objectsPerSlab   objects one slab holds
 * @param bytesFromBackend bytes of slabs and out-of-slab SlabInfos the cache holds from its backend
 */
public record SlabStats(long objectsInUse, long fullSlabs, long partialSlabs, long emptySlabs, long objectsPerSlab,
                        long bytesFromBackend) {

    /** @return slabs in all three lists */
    public long slabs() {
        return fullSlabs + partialSlabs + emptySlabs;
    }
}

package dev.ffmalloc.slab;

import dev.ffmalloc.memory.Memory;

/**
 * Where a {@link SlabCache} gets its memory, with the functions of seed 001's {@code MemoryBackend}.
 *
 * <p>Which functions a cache calls depends on its configuration (seed 001's table), so a backend implements only
 * what its caches need; the others keep their default, which throws {@link UnsupportedOperationException}:
 * <table>
 *   <caption>Functions each configuration calls</caption>
 *   <tr><th>configuration</th><th>slab</th><th>SlabInfo address save/get/delete</th><th>SlabInfo</th></tr>
 *   <tr><td>{@code SMALL}, slab size == page size</td><td>yes</td><td>no</td><td>no</td></tr>
 *   <tr><td>{@code SMALL}, slab size &gt; page size</td><td>yes</td><td>yes</td><td>no</td></tr>
 *   <tr><td>{@code LARGE}</td><td>yes</td><td>yes</td><td>yes</td></tr>
 * </table>
 *
 * <p>The cache calls {@link #slabInfoAddr} on every free in the last two configurations: it must be fast and
 * allocate nothing on the Java heap (see {@link PageMap}). It also calls it for the first page of each new slab, and
 * refuses a slab that already has an entry: a backend that hands out a slab twice is caught before the cache writes
 * over live objects. (With slab size == page size, the cache checks a new slab for its own cookie instead.)
 */
public interface SlabBackend {

    /** What the allocating functions return when they have no memory left. */
    long NO_MEMORY = 0L;

    /** @return the memory the slabs and SlabInfos live in; the cache reads and writes them through it */
    Memory memory();

    /**
     * Allocates a slab.
     *
     * @param slabSize bytes of the slab, a multiple of {@code pageSize}
     * @param pageSize the alignment the slab must have
     * @return the slab's address, a multiple of {@code pageSize}, or {@link #NO_MEMORY}
     */
    long allocateSlab(long slabSize, long pageSize);

    /** Gives back a slab obtained from {@link #allocateSlab} with the same sizes. */
    void freeSlab(long slabAddr, long slabSize, long pageSize);

    /**
     * Allocates a SlabInfo outside any slab ({@link ObjectSizeType#LARGE} only).
     *
     * @param byteSize bytes of the SlabInfo, a multiple of 8
     * @return its address, 8-byte aligned, or {@link #NO_MEMORY}
     */
    default long allocateSlabInfo(final long byteSize) {
        throw unsupported("allocateSlabInfo");
    }

    /** Gives back a SlabInfo obtained from {@link #allocateSlabInfo} with the same size. */
    default void freeSlabInfo(final long slabInfoAddr, final long byteSize) {
        throw unsupported("freeSlabInfo");
    }

    /** Records that the page at {@code pageAddr} belongs to the slab described at {@code slabInfoAddr}. */
    default void saveSlabInfoAddr(final long pageAddr, final long slabInfoAddr) {
        throw unsupported("saveSlabInfoAddr");
    }

    /** @return the SlabInfo address saved for {@code pageAddr}, or 0 if none is */
    default long slabInfoAddr(final long pageAddr) {
        throw unsupported("slabInfoAddr");
    }

    /** Forgets the SlabInfo address saved for {@code pageAddr}. */
    default void deleteSlabInfoAddr(final long pageAddr) {
        throw unsupported("deleteSlabInfoAddr");
    }

    private UnsupportedOperationException unsupported(final String function) {
        return new UnsupportedOperationException("slab backend does not implement this function: function="
            + function + ", backend=" + getClass().getName());
    }
}

package dev.ffmalloc.tlsf;

import dev.ffmalloc.memory.Memory;

/**
 * Where a {@link GrowableTlsf} gets more memory when no free block fits, and where {@link GrowableTlsf#trim()}
 * gives it back: rlsf's {@code FlexSource}, reduced to what the heap needs.
 *
 * <p>A source hands out ranges of its {@link #memory()} in whole {@linkplain #unitBytes() units} (pages). It need not
 * say whether a range extends the previous one: when a range starts exactly where a pool of the heap ends, the heap
 * grows that pool in place ({@link Tlsf#addPool}), so a source that hands out consecutive addresses (a bump over a
 * reserved region, or fresh pages mapped after the last ones) gives one growing pool and no per-range overhead.
 *
 * <p>Implementations: {@link ArenaPoolSource} over native memory; in {@code x86sim}, a source that maps fresh pages
 * after the kernel heap's last mapped page and unmaps them on release.
 */
public interface TlsfPoolSource {

    /** What {@link #obtain} returns when it has no memory to give; no range ever starts at address 0. */
    long NO_MEMORY = 0L;

    /** @return the memory the ranges live in (the heap reads and writes its blocks through it) */
    Memory memory();

    /** @return the unit of every range's address and size: a power of two of at least 16 bytes, e.g. a page */
    long unitBytes();

    /** @return the most bytes this source can have handed out at once: an upper bound on any pool it feeds */
    long capacityBytes();

    /**
     * Hands out a range, preferably right after the range handed out last, so the heap can grow it in place.
     *
     * @param byteSize a positive multiple of {@link #unitBytes()}
     * @return the start of a range of exactly {@code byteSize} bytes, a multiple of {@link #unitBytes()}, that
     *         nothing else uses; or {@link #NO_MEMORY}
     */
    long obtain(long byteSize);

    /**
     * Takes back a range: whole units, all handed out by {@link #obtain} (possibly across several calls) and not
     * released since.
     *
     * @throws IllegalArgumentException if the range is not such a range
     */
    void release(long addr, long byteSize);
}

package dev.ffmalloc.slab;

/**
 * A map from a page address to the address of the SlabInfo of the slab holding that page: the lookup a
 * {@link SlabCache} makes on every free when it cannot find a SlabInfo by masking.
 *
 * <p>Keys are page addresses (multiples of a page size, never 0); values are SlabInfo addresses (never 0).
 * {@link #get} runs on the hot path: implementations allocate nothing on the Java heap there. Two implementations
 * exist so a benchmark can pick the faster: {@link AgronaPageMap} (Agrona's open-addressing map on the Java heap) and
 * {@link NativePageMap} (linear probing in native memory).
 */
public interface PageMap extends AutoCloseable {

    /** What {@link #get} returns for a page with no entry. */
    long MISSING = 0L;

    /**
     * Maps {@code pageAddr} to {@code slabInfoAddr}, replacing any previous entry.
     *
     * @throws IllegalArgumentException if either is 0 (see {@link #checkEntry})
     */
    void put(long pageAddr, long slabInfoAddr);

    /** @return the SlabInfo address of {@code pageAddr}, or {@link #MISSING} */
    long get(long pageAddr);

    /** Removes the entry of {@code pageAddr}, if any. */
    void remove(long pageAddr);

    /** @return how many entries the map holds */
    int size();

    /**
     * The rule every implementation applies in {@link #put}, with its one message: 0 is neither a page address nor a
     * SlabInfo address, since {@link #get} answers {@link #MISSING} (0) for a page with no entry.
     *
     * @throws IllegalArgumentException if {@code pageAddr} or {@code slabInfoAddr} is 0
     */
    static void checkEntry(final long pageAddr, final long slabInfoAddr) {
        if (pageAddr == 0 || slabInfoAddr == MISSING) {
            throw new IllegalArgumentException("page map entries are never 0: pageAddr=0x" + Long.toHexString(pageAddr)
                + ", slabInfoAddr=0x" + Long.toHexString(slabInfoAddr));
        }
    }

    /** Releases any memory the map holds outside the Java heap; the map may not be used afterwards. */
    @Override
    void close();
}

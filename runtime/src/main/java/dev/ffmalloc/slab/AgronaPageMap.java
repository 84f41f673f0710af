package dev.ffmalloc.slab;

import org.agrona.collections.Long2LongHashMap;

/** A {@link PageMap} over Agrona's {@link Long2LongHashMap}: primitive keys and values, no boxing on lookup. */
public final class AgronaPageMap implements PageMap {

    private static final int INITIAL_CAPACITY = 64;

    private final Long2LongHashMap entries = new Long2LongHashMap(INITIAL_CAPACITY, 0.5f, MISSING);

    /** An empty map, load factor 1/2 (as {@link NativePageMap}), growing from 64 slots. */
    public AgronaPageMap() {
    }

    @Override
    public void put(final long pageAddr, final long slabInfoAddr) {
        PageMap.checkEntry(pageAddr, slabInfoAddr);
        entries.put(pageAddr, slabInfoAddr);
    }

    @Override
    public long get(final long pageAddr) {
        return entries.get(pageAddr);
    }

    @Override
    public void remove(final long pageAddr) {
        entries.remove(pageAddr);
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public void close() {
        entries.clear();
    }
}

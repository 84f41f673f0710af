package dev.ffmalloc.slab;

/**
 * Where a slab keeps its {@code SlabInfo}, as in seed 001.
 *
 * <p>With {@link #SMALL} the SlabInfo sits inside the slab, after the last object: no extra allocation, but the bytes
 * it takes are lost to objects, so a 4 KiB slab of 2 KiB objects holds one object, not two. With {@link #LARGE} the
 * SlabInfo is allocated through the {@link SlabBackend} and the whole slab holds objects; the cache then finds the
 * SlabInfo of an object through the backend's page-to-SlabInfo entries.
 */
public enum ObjectSizeType {

    /** SlabInfo inside the slab; found by masking when the slab is one page, else through the page entries. */
    SMALL,

    /** SlabInfo allocated through the backend, outside the slab; found through the page entries. */
    LARGE
}

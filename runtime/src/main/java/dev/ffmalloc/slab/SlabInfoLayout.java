package dev.ffmalloc.slab;

import org.agrona.BitUtil;

/**
 * The layout of a SlabInfo: the header a {@link SlabCache} keeps for each slab, inside the slab
 * ({@link ObjectSizeType#SMALL}) or allocated through the backend ({@link ObjectSizeType#LARGE}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 previous SlabInfo in its list                 |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   next SlabInfo in its list                   |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     slab address (page aligned)               | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 first free object (0 = none)                  | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     objects in use                            | 32
 *  +---------------------------------------------------------------+
 *  |                     list index                                | 36
 *  +---------------------------------------------------------------+
 *  |                cache cookie XOR slab address                  | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          allocation bitmap: bit i set iff object i in use     | 48
 *  |                     ... ceil(objects / 64) words ...          |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Invariants: the free list holds exactly the objects whose bitmap bit is clear, and its length is
 * {@code objects per slab - objects in use}; the list index says which list the SlabInfo is linked into: the full
 * list iff every object is in use, the empty list iff none is, else a partial bucket at least as high as the one its
 * count belongs to (buckets are lazy, see {@link SlabCache}); the cookie word equals the owning cache's cookie XOR the slab
 * address while the slab belongs to the cache and is cleared when the slab goes back to the backend.
 */
public final class SlabInfoLayout {

    /** Address of the previous SlabInfo in the same list, 0 at the head. */
    public static final long PREV_OFFSET = 0;

    /** Address of the next SlabInfo in the same list, 0 at the tail. */
    public static final long NEXT_OFFSET = PREV_OFFSET + Long.BYTES;

    /** Address of the first byte of the slab; a multiple of the page size. */
    public static final long SLAB_ADDR_OFFSET = NEXT_OFFSET + Long.BYTES;

    /** Address of the first object on the slab's free list, 0 when the slab is full. */
    public static final long FREE_HEAD_OFFSET = SLAB_ADDR_OFFSET + Long.BYTES;

    /** Objects of the slab handed out and not freed (a 32-bit count). */
    public static final long IN_USE_OFFSET = FREE_HEAD_OFFSET + Long.BYTES;

    /** Which list holds the SlabInfo: a partial bucket (0 or more), {@link #LIST_FULL} or {@link #LIST_EMPTY}. */
    public static final long LIST_INDEX_OFFSET = IN_USE_OFFSET + Integer.BYTES;

    /** The owning cache's cookie XOR the slab address: tells a slab of this cache from foreign memory. */
    public static final long COOKIE_OFFSET = LIST_INDEX_OFFSET + Integer.BYTES;

    /** The allocation bitmap, one bit per object, in 64-bit words. */
    public static final long BITMAP_OFFSET = COOKIE_OFFSET + Long.BYTES;

    /** The most partial-slab buckets a cache may have: one bit each in a 64-bit mask. */
    public static final int MAX_PARTIAL_BUCKETS = Long.SIZE;

    /** List index of a SlabInfo linked into no list (only while a slab moves between lists). */
    public static final int LIST_NONE = -1;

    /** List index of a slab with every object in use. */
    public static final int LIST_FULL = -2;

    /** List index of a slab with no object in use. */
    public static final int LIST_EMPTY = -3;

    /** Alignment of a SlabInfo: all its fields are at most 8 bytes wide. */
    public static final long ALIGNMENT = Long.BYTES;

    /** The free-list link stored in the first 8 bytes of each free object. */
    public static final long FREE_LINK_BYTES = Long.BYTES;

    private SlabInfoLayout() {
    }

    /** @return the bitmap words a slab of {@code objectsPerSlab} objects needs */
    public static long bitmapWords(final long objectsPerSlab) {
        return (objectsPerSlab + Long.SIZE - 1) / Long.SIZE;
    }

    /** @return the bytes of a SlabInfo for {@code objectsPerSlab} objects, a multiple of {@link #ALIGNMENT} */
    public static long byteSize(final long objectsPerSlab) {
        return BitUtil.align(BITMAP_OFFSET + bitmapWords(objectsPerSlab) * Long.BYTES, ALIGNMENT);
    }

    /** @return the address of the bitmap word holding the bit of object {@code objectIndex} */
    public static long bitmapWordAddr(final long slabInfoAddr, final long objectIndex) {
        return slabInfoAddr + BITMAP_OFFSET + (objectIndex >>> 6) * Long.BYTES;
    }
}

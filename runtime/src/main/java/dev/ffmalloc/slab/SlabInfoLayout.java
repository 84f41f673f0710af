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
 *  |                     list index                                | 24
 *  +---------------------------------------------------------------+
 *  |                     unused                                    | 28
 *  +---------------------------------------------------------------+
 *  |                cache cookie XOR slab address                  | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |      index of the first free object (NO_FREE_OBJECT = none)   | 40  \ the free-list word:
 *  +---------------------------------------------------------------+      one 64-bit load and
 *  |                     objects in use                            | 44  / store per alloc/free
 *  +---------------------------------------------------------------+
 *  |          allocation bitmap: bit i set iff object i in use     | 48
 *  |                     ... ceil(objects / 64) words ...          |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The free list links objects by index: the first 8 bytes of a free object hold the index of the next free object,
 * or {@link #NO_FREE_OBJECT} (as a 64-bit value) at the end. Indexes, not addresses, so that the first free object
 * and the count of objects in use share one 64-bit word ({@link #FREE_LIST_WORD_OFFSET}, little endian): a free or
 * an allocation reads it once and writes it once, and a free learns from it both whether the slab was full (no
 * first free object) and whether it is now empty.
 *
 * <p>Invariants: the free list holds exactly the objects whose bitmap bit is clear, and its length is
 * {@code objects per slab - objects in use}; the list index says which list the SlabInfo is linked into: the full
 * list iff every object is in use, the empty list iff none is, else a partial bucket at least as high as the one its
 * count belongs to (buckets are lazy, see {@link SlabCache}); the cookie word equals the owning cache's cookie XOR the
 * slab address while the slab belongs to the cache and is cleared when the slab goes back to the backend.
 *
 * <p>A free reads the cookie, the free-list word and one bitmap word, and writes the last two; nothing else of the
 * SlabInfo. They are its last fields, so a {@code SMALL} SlabInfo, which ends its slab, has all of them in the slab's
 * last cache line when the bitmap has at most 6 words (384 objects): 4 KiB slabs of 48-byte objects have a 64-byte
 * SlabInfo that is that line, 16 KiB slabs (339 objects) a 96-byte one whose last 64 bytes hold the cookie onwards.
 * The list links and the slab address, touched when a slab changes lists, come first.
 */
public final class SlabInfoLayout {

    /** Address of the previous SlabInfo in the same list, 0 at the head. */
    public static final long PREV_OFFSET = 0;

    /** Address of the next SlabInfo in the same list, 0 at the tail. */
    public static final long NEXT_OFFSET = PREV_OFFSET + Long.BYTES;

    /** Address of the first byte of the slab; a multiple of the page size. */
    public static final long SLAB_ADDR_OFFSET = NEXT_OFFSET + Long.BYTES;

    /** Which list holds the SlabInfo: a partial bucket (0 or more), {@link #LIST_FULL} or {@link #LIST_EMPTY}. */
    public static final long LIST_INDEX_OFFSET = SLAB_ADDR_OFFSET + Long.BYTES;

    /** The owning cache's cookie XOR the slab address: tells a slab of this cache from foreign memory. */
    public static final long COOKIE_OFFSET = LIST_INDEX_OFFSET + 2 * Integer.BYTES;

    /** The free-list word: {@link #FIRST_FREE_OFFSET} in its low half, {@link #IN_USE_OFFSET} in its high half. */
    public static final long FREE_LIST_WORD_OFFSET = COOKIE_OFFSET + Long.BYTES;

    /** Index of the first object on the slab's free list (32 bits), {@link #NO_FREE_OBJECT} when the slab is full. */
    public static final long FIRST_FREE_OFFSET = FREE_LIST_WORD_OFFSET;

    /** Objects of the slab handed out and not freed (32 bits). */
    public static final long IN_USE_OFFSET = FIRST_FREE_OFFSET + Integer.BYTES;

    /** The allocation bitmap, one bit per object, in 64-bit words. */
    public static final long BITMAP_OFFSET = FREE_LIST_WORD_OFFSET + Long.BYTES;

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

    /** The end of a free list: no first free object (a full slab), or no next one. Never an object index. */
    public static final int NO_FREE_OBJECT = -1;


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

    /** @return the free-list word of a slab whose first free object is {@code firstFree} and count {@code inUse} */
    public static long freeListWord(final int firstFree, final int inUse) {
        return ((long) inUse << Integer.SIZE) | Integer.toUnsignedLong(firstFree);
    }

    /** @return the index of the first free object in a free-list word, or {@link #NO_FREE_OBJECT} */
    public static int firstFree(final long freeListWord) {
        return (int) freeListWord;
    }

    /** @return the objects in use in a free-list word */
    public static int inUse(final long freeListWord) {
        return (int) (freeListWord >>> Integer.SIZE);
    }

    /** @return the address of the bitmap word holding the bit of object {@code objectIndex} */
    public static long bitmapWordAddr(final long slabInfoAddr, final long objectIndex) {
        return slabInfoAddr + BITMAP_OFFSET + (objectIndex >>> 6) * Long.BYTES;
    }
}

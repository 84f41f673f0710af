package dev.ffmalloc.slab;

import dev.ffmalloc.alloc.AllocatorErrors;
import org.agrona.BitUtil;

import java.lang.foreign.MemoryLayout;

/**
 * The shape of a {@link SlabCache}, validated once, with everything derived from it.
 *
 * <h2>Rules (seed 001, each broken rule has its own message)</h2>
 * <ul>
 *   <li>the page size is a power of two;</li>
 *   <li>the slab size is a whole number of pages, and a power of two;</li>
 *   <li>the object alignment is a power of two that divides the page size;</li>
 *   <li>an object holds at least the 8-byte free-list link;</li>
 *   <li>{@link ObjectSizeType#SMALL}: one object and the SlabInfo fit in a slab; {@link ObjectSizeType#LARGE}: one
 *   object fits in a slab;</li>
 *   <li>{@code (slabSize - 1) * objectStride} stays below 2^64, so that the object index is exact by a reciprocal
 *   (only slabs and objects of gigabytes together break it).</li>
 * </ul>
 *
 * <h2>Derived values</h2>
 * Objects are laid out from the slab's first byte, {@code objectStride = align(objectSize, max(objectAlignment, 8))}
 * bytes apart (8 at least, because the free-list link is a 64-bit store). With {@code LARGE},
 * {@code objectsPerSlab = slabSize / objectStride}. With {@code SMALL} it is the largest {@code k} with
 * {@code k * objectStride + SlabInfoLayout.byteSize(k) <= slabSize}, and the SlabInfo sits at
 * {@code slabSize - SlabInfoLayout.byteSize(k)}. Example: 4 KiB slabs of 48-byte objects, {@code SMALL}: the SlabInfo
 * of 84 objects takes 48 + 2 * 8 = 64 bytes, 84 * 48 + 64 = 4096, so 84 objects and no byte lost.
 */
public final class SlabConfig {

    /** Empty slabs a cache keeps by default instead of giving them back to the backend. */
    public static final int DEFAULT_EMPTY_SLABS_KEPT = 1;

    /**
     * Partial-slab buckets by default: allocation moves a slab up a bucket (touching its list neighbours) once every
     * {@code objectsPerSlab / 16} allocations from it, and finds the fullest slab to within that many objects. Frees
     * move slabs down lazily (see {@link SlabCache}).
     */
    public static final int DEFAULT_PARTIAL_BUCKETS = 16;

    private final long objectSize;
    private final long objectAlignment;
    private final long slabSize;
    private final long pageSize;
    private final ObjectSizeType sizeType;
    private final int emptySlabsKept;
    private final int partialBuckets;
    private final long objectStride;
    /** {@code ceil(2^64 / objectStride)}, for {@link #objectIndex}. */
    private final long strideReciprocal;
    private final long objectsPerSlab;
    private final long slabInfoSize;
    private final long slabInfoOffset;

    private SlabConfig(final long objectSize, final long objectAlignment, final long slabSize, final long pageSize,
                       final ObjectSizeType sizeType, final int emptySlabsKept, final int partialBuckets) {
        validate(objectSize, objectAlignment, slabSize, pageSize, sizeType, emptySlabsKept);
        if (partialBuckets < 1 || partialBuckets > SlabInfoLayout.MAX_PARTIAL_BUCKETS) {
            throw new IllegalArgumentException("partial buckets must be from 1 to "
                + SlabInfoLayout.MAX_PARTIAL_BUCKETS + ": partialBuckets=" + partialBuckets);
        }
        this.objectSize = objectSize;
        this.objectAlignment = objectAlignment;
        this.slabSize = slabSize;
        this.pageSize = pageSize;
        this.sizeType = sizeType;
        this.emptySlabsKept = emptySlabsKept;
        this.partialBuckets = partialBuckets;
        if (objectSize > slabSize) {
            // Before the stride is rounded up from it, which could overflow; the size rule's own message.
            throw sizeType == ObjectSizeType.SMALL
                ? slabTooSmall(slabSize, objectSize, SlabInfoLayout.byteSize(1)) : noObjectFits(slabSize, objectSize);
        }
        this.objectStride = BitUtil.align(objectSize, Math.max(objectAlignment, SlabInfoLayout.FREE_LINK_BYTES));
        if (slabSize > 1 && Long.compareUnsigned(objectStride, Long.divideUnsigned(-1L, slabSize - 1)) > 0) {
            // objectIndex multiplies by a reciprocal, exact only while offset * stride stays below 2^64.
            throw new IllegalArgumentException("slab and object are too large together: (slabSize - 1) * objectStride"
                + " must stay below 2^64: slabSize=" + slabSize + ", objectStride=" + objectStride);
        }
        this.strideReciprocal = Long.divideUnsigned(-1L, objectStride) + 1;
        this.objectsPerSlab = sizeType == ObjectSizeType.SMALL
            ? inlineObjectsPerSlab(slabSize, objectStride) : slabSize / objectStride;
        this.slabInfoSize = SlabInfoLayout.byteSize(objectsPerSlab);
        this.slabInfoOffset = sizeType == ObjectSizeType.SMALL ? slabSize - slabInfoSize : -1;
        if (objectsPerSlab == 0) {
            throw sizeType == ObjectSizeType.SMALL
                ? slabTooSmall(slabSize, objectStride, SlabInfoLayout.byteSize(1))
                : noObjectFits(slabSize, objectStride);
        }
        assert slabInfoOffset < 0 || objectsPerSlab * objectStride <= slabInfoOffset : "objects overlap the SlabInfo";
    }

    /**
     * A configuration for objects of {@code objectSize} bytes aligned to {@code objectAlignment}, keeping
     * {@link #DEFAULT_EMPTY_SLABS_KEPT} empty slab.
     *
     * @throws IllegalArgumentException naming the first rule (see the class documentation) the values break
     */
    public static SlabConfig of(final long objectSize, final long objectAlignment, final long slabSize,
                                final long pageSize, final ObjectSizeType sizeType) {
        return new SlabConfig(objectSize, objectAlignment, slabSize, pageSize, sizeType, DEFAULT_EMPTY_SLABS_KEPT,
            DEFAULT_PARTIAL_BUCKETS);
    }

    /**
     * A configuration for objects of {@code layout}: its byte size and byte alignment (a {@code StructLayout} gives a
     * typed cache whose fields are reached through the layout's var handles).
     *
     * @throws IllegalArgumentException as {@link #of}
     */
    public static SlabConfig ofLayout(final MemoryLayout layout, final long slabSize, final long pageSize,
                                      final ObjectSizeType sizeType) {
        return of(layout.byteSize(), layout.byteAlignment(), slabSize, pageSize, sizeType);
    }

    /**
     * @param count how many empty slabs the cache keeps instead of giving them back, 0 or more
     * @return this configuration keeping {@code count} empty slabs
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public SlabConfig withEmptySlabsKept(final int count) {
        return new SlabConfig(objectSize, objectAlignment, slabSize, pageSize, sizeType, count, partialBuckets);
    }

    /**
     * @param count how many buckets partial slabs are sorted into by objects in use, 1 to 64: more buckets find the
     *              fullest slab more precisely, fewer move slabs between lists less often on allocation
     * @return this configuration with {@code count} partial buckets
     * @throws IllegalArgumentException if {@code count} is out of range
     */
    public SlabConfig withPartialBuckets(final int count) {
        return new SlabConfig(objectSize, objectAlignment, slabSize, pageSize, sizeType, emptySlabsKept, count);
    }

    /** @return the object size asked for, in bytes */
    public long objectSize() {
        return objectSize;
    }

    /** @return the object alignment asked for, in bytes */
    public long objectAlignment() {
        return objectAlignment;
    }

    /** @return the bytes of one slab, a power-of-two multiple of the page size */
    public long slabSize() {
        return slabSize;
    }

    /** @return the page size, a power of two; slabs are aligned to it */
    public long pageSize() {
        return pageSize;
    }

    /** @return where SlabInfos are kept */
    public ObjectSizeType sizeType() {
        return sizeType;
    }

    /** @return empty slabs kept instead of given back to the backend */
    public int emptySlabsKept() {
        return emptySlabsKept;
    }

    /** @return how many buckets partial slabs are sorted into */
    public int partialBuckets() {
        return partialBuckets;
    }

    /** @return the distance between two objects of a slab: the object size rounded up to its alignment (8 or more) */
    public long objectStride() {
        return objectStride;
    }

    /**
     * The index of the object at {@code offset} bytes into a slab, {@code offset / objectStride}, without a division:
     * {@code multiplyHigh(offset, ceil(2^64 / objectStride))}. Exact because {@code offset * objectStride < 2^64}
     * (Granlund and Montgomery, "Division by invariant integers using multiplication", 1994).
     *
     * @param offset bytes from the slab's first byte, from 0 to below the slab size
     * @return the object index, {@code offset / objectStride}
     */
    public long objectIndex(final long offset) {
        return Math.multiplyHigh(offset, strideReciprocal);
    }

    /** @return {@code ceil(2^64 / objectStride)}, positive: what {@link #objectIndex} multiplies by */
    public long strideReciprocal() {
        return strideReciprocal;
    }

    /** @return objects in one slab, 1 or more */
    public long objectsPerSlab() {
        return objectsPerSlab;
    }

    /** @return the bytes of one SlabInfo, its bitmap included */
    public long slabInfoSize() {
        return slabInfoSize;
    }

    /** @return where the SlabInfo starts inside a slab ({@code SMALL}), or -1 ({@code LARGE}) */
    public long slabInfoOffset() {
        return slabInfoOffset;
    }

    /** @return whether the SlabInfo of an object is found by masking its address (SMALL, slab == page): no lookup */
    public boolean findsSlabInfoByMasking() {
        return sizeType == ObjectSizeType.SMALL && slabSize == pageSize;
    }

    /** @return the alignment every object is guaranteed: the largest power of two dividing the stride, page at most */
    public long guaranteedAlignment() {
        return Math.min(pageSize, Long.lowestOneBit(objectStride));
    }

    @Override
    public String toString() {
        return "SlabConfig[objectSize=" + objectSize + ", objectAlignment=" + objectAlignment + ", slabSize="
            + slabSize + ", pageSize=" + pageSize + ", sizeType=" + sizeType + ", emptySlabsKept=" + emptySlabsKept
            + ", partialBuckets=" + partialBuckets + ", objectStride=" + objectStride + ", objectsPerSlab="
            + objectsPerSlab + "]";
    }

    private static long inlineObjectsPerSlab(final long slabSize, final long objectStride) {
        // Each object costs its stride and one bitmap bit (1/8 byte); the SlabInfo's fixed words and the rounding of
        // its bitmap to whole words cost a few more, so start from that estimate and step the last few objects.
        // (Objects of more than a 64th of the room are at most 64: then the plain upper bound is close enough.)
        final long room = Math.max(0, slabSize - SlabInfoLayout.byteSize(0));
        long objects = slabSize / objectStride;
        if (objectStride <= room / 64) {
            final long perEightObjects = 8 * objectStride + 1;
            objects = room / perEightObjects * 8 + room % perEightObjects * 8 / perEightObjects;
        }
        while (objects > 0 && !inlineSlabHolds(objects, slabSize, objectStride)) {
            objects--;
        }
        while (inlineSlabHolds(objects + 1, slabSize, objectStride)) {
            objects++;
        }
        return objects;
    }

    private static boolean inlineSlabHolds(final long objects, final long slabSize, final long objectStride) {
        return objects <= slabSize / objectStride
            && objects * objectStride + SlabInfoLayout.byteSize(objects) <= slabSize;
    }

    private static void validate(final long objectSize, final long objectAlignment, final long slabSize,
                                 final long pageSize, final ObjectSizeType sizeType, final int emptySlabsKept) {
        if (sizeType == null) {
            throw new IllegalArgumentException("object size type is missing: sizeType=null");
        }
        if (pageSize <= 0 || !BitUtil.isPowerOfTwo(pageSize)) {
            throw new IllegalArgumentException("page size is not a power of two: pageSize=" + pageSize);
        }
        if (slabSize <= 0 || slabSize % pageSize != 0) {
            throw new IllegalArgumentException("slab size is not a whole number of pages: slabSize=" + slabSize
                + ", pageSize=" + pageSize);
        }
        if (!BitUtil.isPowerOfTwo(slabSize)) {
            throw new IllegalArgumentException("slab size is not a power of two: slabSize=" + slabSize);
        }
        if (objectAlignment <= 0 || !BitUtil.isPowerOfTwo(objectAlignment)) {
            throw AllocatorErrors.alignmentNotPowerOfTwo(objectAlignment);
        }
        if (pageSize % objectAlignment != 0) {
            throw new IllegalArgumentException("object alignment does not divide the page size: objectAlignment="
                + objectAlignment + ", pageSize=" + pageSize);
        }
        if (objectSize < SlabInfoLayout.FREE_LINK_BYTES) {
            throw new IllegalArgumentException("object is too small to hold the free-list link: objectSize="
                + objectSize + ", minObjectSize=" + SlabInfoLayout.FREE_LINK_BYTES);
        }
        if (emptySlabsKept < 0) {
            throw new IllegalArgumentException("empty slabs kept is negative: emptySlabsKept=" + emptySlabsKept);
        }
    }

    private static IllegalArgumentException slabTooSmall(final long slabSize, final long objectStride,
                                                         final long slabInfoSize) {
        return new IllegalArgumentException("slab is too small for one object and its SlabInfo: slabSize=" + slabSize
            + ", objectStride=" + objectStride + ", slabInfoSize=" + slabInfoSize);
    }

    private static IllegalArgumentException noObjectFits(final long slabSize, final long objectStride) {
        return new IllegalArgumentException("no object fits in a slab: slabSize=" + slabSize + ", objectStride="
            + objectStride);
    }
}

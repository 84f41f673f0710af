package dev.ffmalloc.slab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The construction rules of seed 001, each with its own message, and the derived geometry worked by hand. */
final class SlabConfigTest {

    private static void assertRejected(final String message, final Executable construction) {
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, construction);
        assertEquals(message, thrown.getMessage());
    }

    @Test
    void everyFieldAFreeTouchesIsInTheSlabsLastCacheLine() {
        // A free touches the cookie, the free-list word and one bitmap word. W3's shape (84 objects, 2 bitmap words)
        // and the 16 KiB one (339 objects: 6 words, the most that fit, in a 96-byte SlabInfo that starts mid-line).
        for (final SlabConfig config : new SlabConfig[] {SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL),
            SlabConfig.of(48, 8, 16384, 4096, ObjectSizeType.SMALL)}) {
            assertTrue(SlabInfoLayout.bitmapWords(config.objectsPerSlab()) <= 6, config.toString());
            final long lastLine = config.slabSize() - 64;
            for (final long fieldOffset : new long[] {SlabInfoLayout.COOKIE_OFFSET,
                SlabInfoLayout.FREE_LIST_WORD_OFFSET, SlabInfoLayout.BITMAP_OFFSET}) {
                assertTrue(config.slabInfoOffset() + fieldOffset >= lastLine, "field at " + fieldOffset
                    + " before the slab's last cache line: " + config);
            }
        }
        assertEquals(84, SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL).objectsPerSlab());
        assertEquals(6, SlabInfoLayout.bitmapWords(SlabConfig.of(48, 8, 16384, 4096, ObjectSizeType.SMALL)
            .objectsPerSlab()));
    }

    @Test
    void theSlabInfoIsFoundByMaskingExactlyWhenASmallSlabIsOnePageOfAnySize() {
        assertTrue(SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL).findsSlabInfoByMasking());
        assertTrue(SlabConfig.of(48, 8, 16384, 16384, ObjectSizeType.SMALL).findsSlabInfoByMasking());
        assertFalse(SlabConfig.of(48, 8, 16384, 4096, ObjectSizeType.SMALL).findsSlabInfoByMasking());
        assertFalse(SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.LARGE).findsSlabInfoByMasking());
        // A 16 KiB page holds 339 objects of 48 bytes before its 64-byte SlabInfo (6 bitmap words).
        final SlabConfig sixteenKib = SlabConfig.of(48, 8, 16384, 16384, ObjectSizeType.SMALL);
        assertEquals(339, sixteenKib.objectsPerSlab());
        assertEquals(16384 - 96, sixteenKib.slabInfoOffset());
    }

    @Test
    void theFreeListWordPacksTheFirstFreeIndexAndTheCount() {
        final long word = SlabInfoLayout.freeListWord(83, 1);
        assertEquals(83, SlabInfoLayout.firstFree(word));
        assertEquals(1, SlabInfoLayout.inUse(word));
        final long fullSlab = SlabInfoLayout.freeListWord(SlabInfoLayout.NO_FREE_OBJECT, Integer.MAX_VALUE);
        assertEquals(SlabInfoLayout.NO_FREE_OBJECT, SlabInfoLayout.firstFree(fullSlab));
        assertEquals(Integer.MAX_VALUE, SlabInfoLayout.inUse(fullSlab));
        // Little endian: the first free index is the 32-bit field at FIRST_FREE_OFFSET, the count the one after it.
        assertEquals(SlabInfoLayout.FREE_LIST_WORD_OFFSET, SlabInfoLayout.FIRST_FREE_OFFSET);
        assertEquals(SlabInfoLayout.FIRST_FREE_OFFSET + Integer.BYTES, SlabInfoLayout.IN_USE_OFFSET);
    }

    @Test
    void rejectsASlabSizeThatIsNotAWholeNumberOfPages() {
        assertRejected("slab size is not a whole number of pages: slabSize=6000, pageSize=4096",
            () -> SlabConfig.of(64, 8, 6000, 4096, ObjectSizeType.SMALL));
        assertRejected("slab size is not a whole number of pages: slabSize=2048, pageSize=4096",
            () -> SlabConfig.of(64, 8, 2048, 4096, ObjectSizeType.LARGE));
        assertRejected("slab size is not a whole number of pages: slabSize=0, pageSize=4096",
            () -> SlabConfig.of(64, 8, 0, 4096, ObjectSizeType.LARGE));
    }

    @Test
    void rejectsASlabSizeThatIsNotAPowerOfTwo() {
        assertRejected("slab size is not a power of two: slabSize=12288",
            () -> SlabConfig.of(64, 8, 12288, 4096, ObjectSizeType.SMALL));
    }

    @Test
    void rejectsAPageSizeThatIsNotAPowerOfTwo() {
        assertRejected("page size is not a power of two: pageSize=3000",
            () -> SlabConfig.of(64, 8, 6000, 3000, ObjectSizeType.SMALL));
        assertRejected("page size is not a power of two: pageSize=0",
            () -> SlabConfig.of(64, 8, 4096, 0, ObjectSizeType.SMALL));
    }

    @Test
    void rejectsAnObjectAlignmentThatDoesNotDivideThePageSize() {
        assertRejected("object alignment does not divide the page size: objectAlignment=8192, pageSize=4096",
            () -> SlabConfig.of(8192, 8192, 16384, 4096, ObjectSizeType.LARGE));
    }

    @Test
    void rejectsAnObjectAlignmentThatIsNotAPowerOfTwo() {
        assertRejected("alignment is not a power of two: byteAlignment=24",
            () -> SlabConfig.of(64, 24, 4096, 4096, ObjectSizeType.SMALL));
        assertRejected("alignment is not a power of two: byteAlignment=0",
            () -> SlabConfig.of(64, 0, 4096, 4096, ObjectSizeType.SMALL));
    }

    @Test
    void rejectsAnObjectTooSmallForTheFreeListLink() {
        assertRejected("object is too small to hold the free-list link: objectSize=4, minObjectSize=8",
            () -> SlabConfig.of(4, 4, 4096, 4096, ObjectSizeType.SMALL));
        assertRejected("object is too small to hold the free-list link: objectSize=0, minObjectSize=8",
            () -> SlabConfig.ofLayout(MemoryLayout.structLayout(), 4096, 4096, ObjectSizeType.LARGE));
    }

    @Test
    void rejectsASmallSlabWithNoRoomForOneObjectAndItsSlabInfo() {
        // 4090 bytes round up to a stride of 4096; a SlabInfo of one object takes 56 bytes.
        assertRejected("slab is too small for one object and its SlabInfo: slabSize=4096, objectStride=4096, "
            + "slabInfoSize=56", () -> SlabConfig.of(4090, 8, 4096, 4096, ObjectSizeType.SMALL));
    }

    @Test
    void rejectsALargeSlabThatHoldsNoObject() {
        assertRejected("no object fits in a slab: slabSize=8192, objectStride=8200",
            () -> SlabConfig.of(8200, 8, 8192, 4096, ObjectSizeType.LARGE));
    }

    @Test
    void rejectsANegativeCountOfEmptySlabsKept() {
        assertRejected("empty slabs kept is negative: emptySlabsKept=-1",
            () -> SlabConfig.of(64, 8, 4096, 4096, ObjectSizeType.SMALL).withEmptySlabsKept(-1));
    }

    @Test
    void rejectsAPartialBucketCountOutsideOneTo64() {
        final SlabConfig config = SlabConfig.of(64, 8, 4096, 4096, ObjectSizeType.SMALL);
        assertEquals(SlabConfig.DEFAULT_PARTIAL_BUCKETS, config.partialBuckets());
        assertEquals(64, config.withPartialBuckets(64).partialBuckets());
        assertRejected("partial buckets must be from 1 to 64: partialBuckets=0", () -> config.withPartialBuckets(0));
        assertRejected("partial buckets must be from 1 to 64: partialBuckets=65", () -> config.withPartialBuckets(65));
    }

    @Test
    void smallSlabOf48ByteObjectsHolds84ObjectsAndItsSlabInfoExactly() {
        // 85 * 48 + (48 + 2 * 8) = 4144 > 4096; 84 * 48 + 64 = 4096.
        final SlabConfig config = SlabConfig.of(48, 8, 4096, 4096, ObjectSizeType.SMALL);
        assertEquals(48, config.objectStride());
        assertEquals(84, config.objectsPerSlab());
        assertEquals(64, config.slabInfoSize());
        assertEquals(4032, config.slabInfoOffset());
        assertEquals(16, config.guaranteedAlignment());
        assertTrue(config.findsSlabInfoByMasking());
        assertEquals(SlabConfig.DEFAULT_EMPTY_SLABS_KEPT, config.emptySlabsKept());
    }

    /**
     * The count of objects a SMALL slab holds is the largest that fits with its SlabInfo, found without stepping
     * through every object (huge slabs used to take seconds to years): checked against the defining inequality.
     */
    @Test
    void smallSlabsOfAnySizeGetTheLargestCountThatFitsAtOnce() {
        for (int slabBits = 12; slabBits <= 62; slabBits++) {
            for (final long stride : new long[] {8, 16, 24, 48, 520, 4096, 1L << 20}) {
                final long slabSize = 1L << slabBits;
                if (stride + SlabInfoLayout.byteSize(1) > slabSize
                    || Long.compareUnsigned(stride, Long.divideUnsigned(-1L, slabSize - 1)) > 0) {
                    continue;
                }
                final long objects = SlabConfig.of(stride, 8, slabSize, 4096, ObjectSizeType.SMALL).objectsPerSlab();
                assertTrue(objects * stride + SlabInfoLayout.byteSize(objects) <= slabSize, slabBits + "/" + stride);
                final long more = objects + 1;
                assertTrue(more * stride + SlabInfoLayout.byteSize(more) > slabSize, slabBits + "/" + stride);
            }
        }
    }

    /** An object larger than the slab breaks the size rule, with its message, even when rounding it would overflow. */
    @Test
    void rejectsAnObjectLargerThanTheSlabByTheSizeRule() {
        assertRejected("no object fits in a slab: slabSize=17179869184, objectStride=1099511627776",
            () -> SlabConfig.of(1L << 40, 8, 1L << 34, 4096, ObjectSizeType.LARGE));
        assertRejected("slab is too small for one object and its SlabInfo: slabSize=4096, objectStride="
                + Long.MAX_VALUE + ", slabInfoSize=56",
            () -> SlabConfig.of(Long.MAX_VALUE, 8, 4096, 4096, ObjectSizeType.SMALL));
    }

    @Test
    void rejectsASlabAndObjectTooLargeForTheIndexReciprocal() {
        assertRejected("slab and object are too large together: (slabSize - 1) * objectStride must stay below 2^64:"
                + " slabSize=17179869184, objectStride=2147483656",
            () -> SlabConfig.of((1L << 31) + 8, 8, 1L << 34, 4096, ObjectSizeType.SMALL));
    }

    @Test
    void largeSlabUsesEveryByteForObjects() {
        final SlabConfig config = SlabConfig.of(48, 8, 8192, 4096, ObjectSizeType.LARGE);
        assertEquals(170, config.objectsPerSlab());
        assertEquals(48 + 3 * 8, config.slabInfoSize());
        assertEquals(-1, config.slabInfoOffset());
        assertFalse(config.findsSlabInfoByMasking());
    }

    @Test
    void seedsExampleTwoKibObjectsInAFourKibSmallSlabLeaveOneObject() {
        assertEquals(1, SlabConfig.of(2048, 8, 4096, 4096, ObjectSizeType.SMALL).objectsPerSlab());
        assertEquals(2, SlabConfig.of(2048, 8, 4096, 4096, ObjectSizeType.LARGE).objectsPerSlab());
    }

    @Test
    void strideRoundsTheSizeUpToTheAlignmentAndToTheLinkWord() {
        assertEquals(16, SlabConfig.of(12, 4, 4096, 4096, ObjectSizeType.LARGE).objectStride());
        assertEquals(64, SlabConfig.of(40, 64, 4096, 4096, ObjectSizeType.LARGE).objectStride());
        assertEquals(64, SlabConfig.of(40, 64, 4096, 4096, ObjectSizeType.LARGE).guaranteedAlignment());
        assertEquals(4096, SlabConfig.of(4096, 8, 8192, 4096, ObjectSizeType.LARGE).guaranteedAlignment());
    }

    @Test
    void objectIndexByReciprocalEqualsDivisionForEveryStrideAndOffset() {
        final long seed = 0x0B1EC7L;
        System.out.println("SlabConfigTest.objectIndexByReciprocalEqualsDivision seed=0x" + Long.toHexString(seed));
        final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (long stride = 8; stride <= 65536; stride += 8) {
            final SlabConfig config = SlabConfig.of(stride, 8, 1L << 20, 4096, ObjectSizeType.LARGE);
            assertEquals(stride, config.objectStride());
            assertTrue(config.strideReciprocal() > 0, "reciprocal fits a positive long");
            for (final long offset : new long[] {0, stride - 1, stride, stride + 1, (1L << 20) - 1,
                ((1L << 20) / stride) * stride, ((1L << 20) / stride) * stride - 1}) {
                assertEquals(offset / stride, config.objectIndex(offset), "stride " + stride + ", offset " + offset);
            }
            for (int i = 0; i < 64; i++) {
                final long offset = random.nextLong(1L << 20);
                assertEquals(offset / stride, config.objectIndex(offset), "stride " + stride + ", offset " + offset);
            }
        }
        // The largest slab this project allows (objects per slab fit an int) and a stride just under it.
        final SlabConfig huge = SlabConfig.of((1L << 30) - 8, 8, 1L << 31, 4096, ObjectSizeType.LARGE);
        assertEquals(1, huge.objectIndex((1L << 31) - 1 - 16));
        assertEquals(2, huge.objectIndex((1L << 31) - 1));
    }

    @Test
    void aStructLayoutGivesTheObjectSizeAndAlignment() {
        final StructLayout point = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("x"),
            ValueLayout.JAVA_INT.withName("y"), ValueLayout.JAVA_DOUBLE.withName("weight"));
        final SlabConfig config = SlabConfig.ofLayout(point, 4096, 4096, ObjectSizeType.SMALL);
        assertEquals(16, config.objectSize());
        assertEquals(8, config.objectAlignment());
        assertEquals(16, config.objectStride());
    }
}

package dev.ffmalloc.tlsf;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TlsfConfig}: validation, the documented formulas and worked example, and properties of the size-class
 * mapping over many sizes and configurations, checked against an independent computation with exact fractions.
 */
final class TlsfConfigTest {

    private static final long SEED = 0x7157_C0F1L;

    private static final TlsfConfig[] CONFIGS = {
        new TlsfConfig(1, 1), new TlsfConfig(1, 64), new TlsfConfig(3, 2), new TlsfConfig(12, 64),
        new TlsfConfig(16, 4), new TlsfConfig(20, 8), new TlsfConfig(32, 32), new TlsfConfig(28, 16),
        new TlsfConfig(TlsfConfig.MAX_FL_LEN, 64), new TlsfConfig(TlsfConfig.MAX_FL_LEN, 1),
    };

    @Test
    void rejectsParametersOutOfRangeNamingThem() {
        assertMessage("FLLEN is out of range: flLen=0, min=1, max=43", () -> new TlsfConfig(0, 16));
        assertMessage("FLLEN is out of range: flLen=44, min=1, max=43", () -> new TlsfConfig(44, 16));
        assertMessage("SLLEN is out of range: slLen=0, min=1, max=64", () -> new TlsfConfig(16, 0));
        assertMessage("SLLEN is out of range: slLen=128, min=1, max=64", () -> new TlsfConfig(16, 128));
        assertMessage("SLLEN is not a power of two: slLen=24", () -> new TlsfConfig(16, 24));
    }

    @Test
    void theDefaultsMatchTheWorkedExample() {
        final TlsfConfig config = TlsfConfig.DEFAULT;
        assertEquals(32, config.flLen());
        assertEquals(32, config.slLen());
        assertEquals(5, config.sli());
        assertEquals((1L << 37) - 16, config.maxBlockSize());
        assertEquals((1L << 37) - 32, config.maxAllocationSize());
        assertEquals((1L << 37) - (1L << 31), config.maxGoodFitBlockSize());
        assertEquals((7 << 5) | 7, config.mapFloor(5024));
        assertEquals((7 << 5) | 8, config.mapCeil(5024));
        assertEquals(4992, config.listLowerBound((7 << 5) | 7));
        assertEquals(5120, config.listLowerBound((7 << 5) | 8));
        assertEquals(1024, config.listCount());
    }

    @Test
    void smallBlocksHaveAListOfTheirOwnBelow32TimesSllen() {
        final TlsfConfig config = TlsfConfig.DEFAULT;
        for (long size = 32; size < 32 * 32; size += 16) {
            assertEquals(config.mapFloor(size), config.mapCeil(size), "size " + size);
            assertTrue(config.mapFloor(size) < config.mapFloor(size + 16), "size " + size);
        }
    }

    @Test
    void mapFloorPicksTheListWhoseRangeHoldsTheSize() {
        forSizes((config, blockSize) -> {
            final int list = config.mapFloor(blockSize);
            assertTrue(list >= 0 && list < config.listCount(), () -> config + " size " + blockSize);
            final BigInteger scaledSize = BigInteger.valueOf(blockSize).shiftLeft(config.sli());
            assertTrue(scaledLowerBound(config, list).compareTo(scaledSize) <= 0,
                () -> config + " size " + blockSize + " below list " + list);
            assertTrue(scaledLowerBound(config, list + 1).compareTo(scaledSize) > 0,
                () -> config + " size " + blockSize + " above list " + list);
        }, TlsfConfig::maxBlockSize);
    }

    @Test
    void mapCeilPicksTheFirstListWhoseEveryBlockFits() {
        forSizes((config, blockSize) -> {
            final int list = config.mapCeil(blockSize);
            assertTrue(list >= 0 && list < config.listCount(), () -> config + " size " + blockSize);
            final BigInteger scaledSize = BigInteger.valueOf(blockSize).shiftLeft(config.sli());
            assertTrue(scaledLowerBound(config, list).compareTo(scaledSize) >= 0,
                () -> config + " list " + list + " may hold a block smaller than " + blockSize);
            assertTrue(list == 0 || scaledLowerBound(config, list - 1).compareTo(scaledSize) < 0,
                () -> config + " list " + (list - 1) + " also fits " + blockSize);
        }, TlsfConfig::maxGoodFitBlockSize);
    }

    @Test
    void theLargestGoodFitBlockIsTheLastOneWithAList() {
        for (final TlsfConfig config : CONFIGS) {
            final long largest = config.maxGoodFitBlockSize();
            assertTrue(config.mapCeil(largest) < config.listCount(), config::toString);
            if (largest < config.maxBlockSize()) {
                assertTrue(config.mapCeil(largest + TlsfLayout.GRANULARITY) >= config.listCount(), config::toString);
            }
            assertEquals(config.maxBlockSize() - TlsfLayout.HEADER_SIZE, config.maxAllocationSize());
            assertTrue(config.mapFloor(config.maxBlockSize()) < config.listCount(), config::toString);
        }
    }

    @Test
    void listLowerBoundIsTheSmallestWholeSizeOfTheList() {
        for (final TlsfConfig config : CONFIGS) {
            for (int list = 0; list < config.listCount(); list++) {
                final BigInteger scaled = scaledLowerBound(config, list);
                final BigInteger wholeCeiling = scaled.add(BigInteger.ONE.shiftLeft(config.sli()))
                    .subtract(BigInteger.ONE).shiftRight(config.sli());
                assertEquals(wholeCeiling.longValueExact(), config.listLowerBound(list), config + " list " + list);
            }
        }
    }

    /** The lower bound of a list times SLLEN, exactly: {@code 2^(fl+5) * SLLEN + sl * 2^(fl+5)}. */
    private static BigInteger scaledLowerBound(final TlsfConfig config, final int list) {
        final int fl = list / config.slLen();
        final int sl = list % config.slLen();
        final BigInteger rangeStart = BigInteger.ONE.shiftLeft(fl + 5);
        return rangeStart.multiply(BigInteger.valueOf(config.slLen())).add(rangeStart.multiply(BigInteger.valueOf(sl)));
    }

    private interface SizeCheck {
        void check(TlsfConfig config, long blockSize);
    }

    private interface Limit {
        long of(TlsfConfig config);
    }

    /** Every block size up to 64 KiB, each power of two and its neighbours, and random sizes up to the limit. */
    private static void forSizes(final SizeCheck check, final Limit limit) {
        System.out.println("TlsfConfigTest seed=0x" + Long.toHexString(SEED));
        final SplittableRandom random = new SplittableRandom(SEED);
        for (final TlsfConfig config : CONFIGS) {
            final long max = limit.of(config);
            for (long size = 32; size <= Math.min(max, 1 << 16); size += 16) {
                check.check(config, size);
            }
            for (int log2 = 5; log2 < 63 && (1L << log2) <= max; log2++) {
                for (final long size : new long[] {(1L << log2) - 16, 1L << log2, (1L << log2) + 16}) {
                    if (size >= 32 && size <= max) {
                        check.check(config, size);
                    }
                }
            }
            for (int i = 0; i < 20_000; i++) {
                final int log2 = random.nextInt(5, 64 - Long.numberOfLeadingZeros(max));
                final long size = Math.min(max, random.nextLong(1L << log2, 1L << (log2 + 1)) & -16L);
                check.check(config, Math.max(size, 32));
            }
            check.check(config, max);
        }
    }

    private static void assertMessage(final String message, final Runnable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call::run).getMessage());
    }
}

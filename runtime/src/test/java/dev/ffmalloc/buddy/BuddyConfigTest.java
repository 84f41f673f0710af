package dev.ffmalloc.buddy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link BuddyConfig}: validation, derived values and the size-to-order mapping. */
final class BuddyConfigTest {

    @Test
    void pageFramesAreLinuxsOrders() {
        assertEquals(4096, BuddyConfig.PAGE_FRAMES.minBlockSize());
        assertEquals(11, BuddyConfig.PAGE_FRAMES.orderCount());
        assertEquals(4L << 20, BuddyConfig.PAGE_FRAMES.maxBlockSize());
        assertEquals(12, BuddyConfig.PAGE_FRAMES.minBlockShift());
    }

    @Test
    void rejectsAMinimumBlockThatIsTooSmallOrNotAPowerOfTwo() {
        for (final long minBlockSize : new long[] {8, 24, 0, -16, 48}) {
            assertEquals("minBlockSize is not a power of two of at least 16: minBlockSize=" + minBlockSize,
                assertThrows(IllegalArgumentException.class, () -> new BuddyConfig(minBlockSize, 3)).getMessage());
        }
    }

    @Test
    void rejectsAMaxOrderOutOfRange() {
        assertEquals("maxOrder is out of range: maxOrder=-1, minBlockSize=16, maxAllowedOrder=58",
            assertThrows(IllegalArgumentException.class, () -> new BuddyConfig(16, -1)).getMessage());
        assertEquals("maxOrder is out of range: maxOrder=51, minBlockSize=4096, maxAllowedOrder=50",
            assertThrows(IllegalArgumentException.class, () -> new BuddyConfig(4096, 51)).getMessage());
        assertEquals(1L << 62, new BuddyConfig(4096, 50).maxBlockSize(), "the largest block allowed");
    }

    @Test
    void orderForSizeIsTheSmallestOrderWhoseBlockHoldsTheSize() {
        final BuddyConfig config = new BuddyConfig(16, 20);
        // By hand: sizes up to 16 bytes fit order 0, 17..32 order 1, 33..64 order 2, 2^20 + 1 .. 2^21 order 17.
        final long[][] cases = {{0, 0}, {1, 0}, {16, 0}, {17, 1}, {32, 1}, {33, 2}, {64, 2}, {4096, 8},
            {4097, 9}, {(1 << 20) + 1, 17}, {16L << 20, 20}};
        for (final long[] sizeAndOrder : cases) {
            assertEquals(sizeAndOrder[1], config.orderForSize(sizeAndOrder[0]), "size " + sizeAndOrder[0]);
        }
    }

    @Test
    void orderForSizeAgreesWithBlockSizeForEverySizeAroundEveryPowerOfTwo() {
        final BuddyConfig config = BuddyConfig.PAGE_FRAMES;
        for (int order = 0; order <= config.maxOrder(); order++) {
            final long blockSize = config.blockSize(order);
            assertEquals(order, config.orderForSize(blockSize));
            assertEquals(order, config.orderForSize(blockSize / 2 + 1 > config.minBlockSize() ? blockSize / 2 + 1
                : blockSize));
            if (order < config.maxOrder()) {
                assertEquals(order + 1, config.orderForSize(blockSize + 1));
            }
        }
    }
}

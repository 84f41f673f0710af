package dev.ffmalloc.buddy;

import org.agrona.BitUtil;

/**
 * The orders of a {@link BuddyAllocator}: blocks of {@code minBlockSize << order} bytes for every order from 0 to
 * {@code maxOrder}, each naturally aligned to its size.
 *
 * <h2>Formulas</h2>
 * <ul>
 *   <li>largest block: {@code maxBlockSize = minBlockSize << maxOrder}; a request (size or alignment) above it can
 *       never be served;</li>
 *   <li>block of a request of {@code s} bytes with alignment {@code a}: the smallest power of two
 *       {@code >= max(s, a, minBlockSize)};</li>
 *   <li>worst-case internal fragmentation: a request of {@code 2^k + 1} bytes ({@code 2^k >= minBlockSize}) gets a
 *       block of {@code 2^(k+1)}, wasting {@code 2^k - 1} bytes, just under half the block; a request of 1 byte
 *       wastes {@code minBlockSize - 1}.</li>
 * </ul>
 * Worked example, {@link #PAGE_FRAMES}: largest block {@code 4096 << 10} = 4 MiB; a request of 2 MiB + 1 byte gets
 * the 4 MiB block and wastes 2 MiB - 1 byte; a request of 5000 bytes gets an order-1 block of 8 KiB and wastes
 * 3192 bytes.
 *
 * @param minBlockSize bytes of an order-0 block: a power of two of at least {@link #MIN_BLOCK_SIZE_FLOOR}
 * @param maxOrder     the highest order, from 0 up to {@code MAX_BLOCK_SHIFT - log2(minBlockSize)}
 */
public record BuddyConfig(long minBlockSize, int maxOrder) {

    /**
     * The smallest {@code minBlockSize}: an in-band free block must hold its two free-list links
     * ({@link InBandLayout#LINKS_BYTES}).
     */
    public static final long MIN_BLOCK_SIZE_FLOOR = InBandLayout.LINKS_BYTES;

    /** {@code log2} of the largest block any configuration may have (2^62 bytes): sizes stay positive longs. */
    public static final int MAX_BLOCK_SHIFT = 62;

    /**
     * Page frames as Linux manages them on x86_64: 4 KiB frames, orders 0 to 10 ({@code MAX_PAGE_ORDER}, 11 orders),
     * largest block 4 MiB.
     */
    public static final BuddyConfig PAGE_FRAMES = new BuddyConfig(4096, 10);

    /**
     * A byte heap: 16-byte minimum blocks, largest block 16 MiB. Sixteen bytes is the floor (the two free-list
     * links of an in-band free block) and equals {@code Allocator.DEFAULT_ALIGNMENT}, so every block is
     * malloc-aligned and small requests, the most common ones, waste the least; the in-band state table costs one
     * byte per 16 (6.25%), which a 32-byte minimum would halve at the price of doubling the waste of every request
     * up to 16 bytes. Requests above 16 MiB would waste up to 8 MiB each and are better served by an arena segment
     * of their own.
     */
    public static final BuddyConfig BYTE_HEAP = new BuddyConfig(16, 20);

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public BuddyConfig {
        if (minBlockSize < MIN_BLOCK_SIZE_FLOOR || !BitUtil.isPowerOfTwo(minBlockSize)) {
            throw new IllegalArgumentException("minBlockSize is not a power of two of at least "
                + MIN_BLOCK_SIZE_FLOOR + ": minBlockSize=" + minBlockSize);
        }
        final int maxAllowedOrder = MAX_BLOCK_SHIFT - Long.numberOfTrailingZeros(minBlockSize);
        if (maxOrder < 0 || maxOrder > maxAllowedOrder) {
            throw new IllegalArgumentException("maxOrder is out of range: maxOrder=" + maxOrder
                + ", minBlockSize=" + minBlockSize + ", maxAllowedOrder=" + maxAllowedOrder);
        }
    }

    /** @return {@code log2(minBlockSize)} */
    public int minBlockShift() {
        return Long.numberOfTrailingZeros(minBlockSize);
    }

    /** @return the number of orders, {@code maxOrder + 1} */
    public int orderCount() {
        return maxOrder + 1;
    }

    /** @return bytes of a block of the largest order, {@code minBlockSize << maxOrder} */
    public long maxBlockSize() {
        return minBlockSize << maxOrder;
    }

    /**
     * @param order from 0 to {@code maxOrder}
     * @return bytes of a block of {@code order}
     */
    public long blockSize(final int order) {
        return minBlockSize << order;
    }

    /**
     * @param byteSize a byte count from 0 to {@link #maxBlockSize()}
     * @return the smallest order whose block holds {@code byteSize} bytes (0 for sizes up to {@code minBlockSize})
     */
    public int orderForSize(final long byteSize) {
        if (byteSize <= minBlockSize) {
            return 0;
        }
        return Long.SIZE - Long.numberOfLeadingZeros(byteSize - 1) - minBlockShift();
    }
}

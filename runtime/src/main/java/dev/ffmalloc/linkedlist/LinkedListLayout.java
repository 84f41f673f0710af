package dev.ffmalloc.linkedlist;

/**
 * The in-band block layout of {@link LinkedListHeap}: every block, used or free (a hole), starts with a header of
 * two 64-bit words.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-----+-------------------------------------------------------+
 *  |U|0 0 0|              Block size, bits 4 to 31                 |  SIZE_OFFSET
 *  +-+-----+-------------------------------------------------------+
 *  |                   Block size, bits 32 to 63                   |
 *  +---------------------------------------------------------------+
 *  |       Hole: address of the next hole, 0 for the last one;     |  NEXT_HOLE_OFFSET
 *  |       used block: check word, checkWord(blockAddr, size word) |  CHECK_OFFSET
 *  +---------------------------------------------------------------+
 *  |            Used block: payload (the caller's bytes) ...       |  PAYLOAD_OFFSET
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>The size word holds the whole block's size in bytes, header included; sizes and block addresses are
 *       multiples of {@link #GRANULARITY}, so the low bits of the size word are free for flags.</li>
 *   <li>{@link #SIZE_USED} is set in a used block and clear in a hole; the other flag bits are always clear.</li>
 *   <li>A hole needs only its header: {@link #MIN_BLOCK_SIZE} bytes. A used block holds at least one payload
 *       granule: {@link #MIN_USED_BLOCK_SIZE} bytes.</li>
 *   <li>The payload starts right after the header, so {@code payloadAddr - HEADER_BYTES} is the block address
 *       whatever alignment was asked for, and payloads are aligned to {@link #GRANULARITY} by construction.</li>
 * </ul>
 *
 * <p>Because {@code GRANULARITY == MIN_BLOCK_SIZE}, any gap between block boundaries is either empty or a valid hole:
 * front padding for alignment and a back remainder are always split off as holes, and no byte of a region ever
 * belongs to no block.
 */
public final class LinkedListLayout {

    private LinkedListLayout() {
    }

    /** Offset of the size word: block size ORed with the flag bits. */
    public static final int SIZE_OFFSET = 0;

    /** Offset, in a hole, of the address of the next hole in address order (0 for the last hole). */
    public static final int NEXT_HOLE_OFFSET = SIZE_OFFSET + Long.BYTES;

    /** Offset, in a used block, of the check word; it shares the second word with the hole's link. */
    public static final int CHECK_OFFSET = NEXT_HOLE_OFFSET;

    /** Bytes of the header of every block. */
    public static final int HEADER_BYTES = CHECK_OFFSET + Long.BYTES;

    /** Offset of a used block's payload. */
    public static final int PAYLOAD_OFFSET = HEADER_BYTES;

    /**
     * Every block address and size is a multiple of this: one header, so that a hole's header always fits in
     * whatever is left over, and payloads get {@code malloc}'s 16-byte alignment for free.
     */
    public static final long GRANULARITY = HEADER_BYTES;

    /** The smallest block: a hole that is just its header. */
    public static final long MIN_BLOCK_SIZE = HEADER_BYTES;

    /** The smallest used block: a header and one granule of payload. */
    public static final long MIN_USED_BLOCK_SIZE = HEADER_BYTES + GRANULARITY;

    /** Size-word flag: the block is used (clear in a hole). */
    public static final long SIZE_USED = 1L;

    /** Mask of the size bits of a size word. */
    public static final long SIZE_MASK = -GRANULARITY;

    /** Mask of the flag bits of a size word; only {@link #SIZE_USED} may be set. */
    public static final long SIZE_FLAGS_MASK = GRANULARITY - 1;

    /** Mixed into every check word so that small sizes and addresses never yield a plausible one by chance. */
    private static final long CHECK_SALT = 0x6C69_6E6B_6564_4C4CL;

    /** @return the address of the size word of the block at {@code blockAddr} */
    public static long sizeAddr(final long blockAddr) {
        return blockAddr + SIZE_OFFSET;
    }

    /** @return the address of the next-hole link of the hole at {@code blockAddr} */
    public static long nextHoleAddr(final long blockAddr) {
        return blockAddr + NEXT_HOLE_OFFSET;
    }

    /** @return the address of the check word of the used block at {@code blockAddr} */
    public static long checkAddr(final long blockAddr) {
        return blockAddr + CHECK_OFFSET;
    }

    /** @return the payload address of the used block at {@code blockAddr} */
    public static long payloadAddr(final long blockAddr) {
        return blockAddr + PAYLOAD_OFFSET;
    }

    /** @return the block address of the used block whose payload is at {@code payloadAddr} */
    public static long blockAddr(final long payloadAddr) {
        return payloadAddr - PAYLOAD_OFFSET;
    }

    /**
     * @param byteSize a payload size, 0 included (served as 1), no larger than a region
     * @return the size of the used block that holds it: header plus payload, rounded up to the granularity
     */
    public static long usedBlockSize(final long byteSize) {
        return (Math.max(byteSize, 1) + HEADER_BYTES + GRANULARITY - 1) & SIZE_MASK;
    }

    /** @return the size word of a used block of {@code blockBytes} */
    public static long usedSizeWord(final long blockBytes) {
        return blockBytes | SIZE_USED;
    }

    /**
     * The one rule for a valid used-block header, shared by the free path and the integrity check.
     *
     * @param blockAddr the block's address
     * @param sizeWord  the word at {@link #sizeAddr}
     * @param checkWord the word at {@link #checkAddr}
     * @param limitAddr the block must end at or before this address (the next hole, or its region's end)
     * @return whether the header holds only the used flag, a size of at least {@link #MIN_USED_BLOCK_SIZE} that ends
     *         by {@code limitAddr}, and the check word of this address and size word
     */
    public static boolean isUsedHeader(final long blockAddr, final long sizeWord, final long checkWord,
                                       final long limitAddr) {
        final long blockBytes = sizeWord & SIZE_MASK;
        return (sizeWord & SIZE_FLAGS_MASK) == SIZE_USED
            && checkWord == checkWord(blockAddr, sizeWord)
            && blockBytes >= MIN_USED_BLOCK_SIZE
            && blockBytes <= limitAddr - blockAddr;
    }

    /**
     * The check word of a used block: it ties the header to the block's own address and size, so that a free of
     * an address that is not a block start (or of a block whose header was overwritten) finds a mismatch.
     *
     * @return the check word the used block at {@code blockAddr} with size word {@code sizeWord} must hold
     */
    public static long checkWord(final long blockAddr, final long sizeWord) {
        return Long.rotateLeft(blockAddr, 32) ^ sizeWord ^ CHECK_SALT;
    }
}

package dev.ffmalloc.buddy;

/**
 * One entry of the frame table of an out-of-band buddy allocator, indexed by block number like Linux's
 * {@code struct page} array: the state and, for a free block, its free-list links. Nothing lives in the managed
 * memory itself.
 *
 * <pre>
 *  0                              31
 * +--------------------------------+
 * | next free block index, or -1   |  +0
 * +--------------------------------+
 * | prev free block index, or -1   |  +4
 * +--------------------------------+
 * | state word (see BlockState)    |  +8
 * +--------------------------------+
 * </pre>
 * Entries are {@link #ENTRY_BYTES} apart from the table address, which must be {@link #ENTRY_ALIGNMENT}-aligned.
 * Links are meaningful only in the head entry of a free block; a zeroed entry is a block that is not managed.
 */
final class FrameTableLayout {

    /** Offset of the 32-bit index of the next block in the same free list. */
    static final int NEXT_FREE_OFFSET = 0;

    /** Offset of the 32-bit index of the previous block in the same free list. */
    static final int PREV_FREE_OFFSET = NEXT_FREE_OFFSET + Integer.BYTES;

    /** Offset of the 32-bit {@link BlockState} word. */
    static final int STATE_OFFSET = PREV_FREE_OFFSET + Integer.BYTES;

    /** Bytes of one entry. */
    static final int ENTRY_BYTES = STATE_OFFSET + Integer.BYTES;

    /** Alignment of the table (its widest field). */
    static final int ENTRY_ALIGNMENT = Integer.BYTES;

    /** Most blocks one table can index: links are 32-bit and -1 means none. */
    static final long MAX_BLOCK_COUNT = Integer.MAX_VALUE;

    private FrameTableLayout() {
    }

    /** @return the address of the entry of block {@code blockIndex} in the table at {@code tableAddr} */
    static long entryAddr(final long tableAddr, final long blockIndex) {
        return tableAddr + blockIndex * ENTRY_BYTES;
    }

    /** @return the address of the next-free link of block {@code blockIndex} */
    static long nextFreeAddr(final long tableAddr, final long blockIndex) {
        return entryAddr(tableAddr, blockIndex) + NEXT_FREE_OFFSET;
    }

    /** @return the address of the prev-free link of block {@code blockIndex} */
    static long prevFreeAddr(final long tableAddr, final long blockIndex) {
        return entryAddr(tableAddr, blockIndex) + PREV_FREE_OFFSET;
    }

    /** @return the address of the state word of block {@code blockIndex} */
    static long stateAddr(final long tableAddr, final long blockIndex) {
        return entryAddr(tableAddr, blockIndex) + STATE_OFFSET;
    }

    /** @return bytes of a table of {@code blockCount} entries */
    static long tableBytes(final long blockCount) {
        return blockCount * ENTRY_BYTES;
    }
}

package dev.ffmalloc.tlsf;

/**
 * The in-band layout of a TLSF block: header words, flag bits, the padding word of over-aligned blocks, and the
 * offset helpers {@link Tlsf} uses so that it never adds a raw number to an address.
 *
 * <p>Every block starts at a multiple of {@link #GRANULARITY} and its size is a multiple of it, so the low bits of
 * the size word are free for flags. A pool is a run of blocks followed by a sentinel header:
 * <pre>
 *   63 62          48 47                                            4   3   2   1   0
 *  +--+--------------+-----------------------------------------------+---+---+---+---+
 *  | 1|  address tag |         block size in bytes, header included  | 0 | P | Q | U |  +0   size word
 *  +--+--------------+-----------------------------------------------+---+---+---+---+
 *  |     address of the previous physical block (0: first block of its pool)     | 0 0 0 | F |  +8   back link
 *  +-----------------------------------------------------------------------------+-------+---+
 *  |  free: next block of the same free list (0: tail)   |  used: payload or pad word  |  +16
 *  +-----------------------------------------------------------------------------------+
 *  |  free: previous block of the same free list (0: head) |  used: payload            |  +24
 *  +-----------------------------------------------------------------------------------+
 *   U = {@link #SIZE_USED}, Q = {@link #SIZE_QUICK}, P = {@link #SIZE_PADDED}, F = {@link #PREV_FREE}
 * </pre>
 *
 * <ul>
 *   <li>Granularity: {@value #GRANULARITY} bytes; the payload of an unpadded block starts right after the
 *       {@value #HEADER_SIZE}-byte header, so it is 16-byte aligned, which is {@code malloc}'s alignment on
 *       x86_64 and the project's default.</li>
 *   <li>Minimum block: {@value #MIN_BLOCK_SIZE} bytes, the header plus the two free-list links a free block needs
 *       (rlsf has the same 32 bytes, but rounds every block to 32; we round to 16, which halves the rounding loss of
 *       small blocks).</li>
 *   <li>Overhead per used block: the {@value #HEADER_SIZE}-byte header, plus rounding to the granularity, plus
 *       {@value #PAD_SIZE} bytes when an alignment above the granularity left exactly that much padding.</li>
 *   <li>Overhead per pool: the {@value #SENTINEL_SIZE}-byte sentinel.</li>
 * </ul>
 *
 * <p>The top 16 bits of a block's size word are its {@linkplain #addressTag address tag}: bit 63 set, and 15 bits that
 * hash the block's address. Free checks the tag in the word before the payload instead of reading the next block's
 * back link, so a free that parks its block touches no other block; an address that is not a block start has the
 * right tag before it only by a 1-in-32,768 chance, or if its program wrote exactly such a header there (data that
 * is small numbers or user-space pointers never has bit 63 set, and a higher-half pointer, which has, reads as a size
 * far beyond any pool). A header that ends up inside another block (its block merged into a free predecessor, or
 * absorbed by a block before it, or grown over or moved down by a reallocation) is cleared, so freeing its old address
 * again is always caught, and no tagged word is left inside a block for a partial store (a small int over its low
 * half) to turn back into a header that passes. (Scudo checks its chunk headers the same way, with a checksum.) The
 * sentinel's word carries no tag.
 *
 * <p>Relations: a sentinel's size word is exactly {@link #SENTINEL_WORD} (no block is that small, so the size tells a
 * sentinel from a block); {@code P} and {@code Q} only appear on used blocks, never together; {@code F} is set in a
 * back link (the sentinel's included) iff the block it names is free (a block in a quick list is not free to its
 * neighbours). A padded block's payload starts {@value #PADDED_PAYLOAD_OFFSET} bytes after
 * its header; at {@code payloadAddr - 16}, where an unpadded block would have its size word, it has the
 * {@linkplain #padWord padding word}: the header's address tagged with {@link #PAD_TAG}, a bit no size word has.
 * That word is the way back from the payload to the header.
 */
public final class TlsfLayout {

    /** Offset of the size word: block size in bytes (header included) with the flag bits in its low bits. */
    public static final long SIZE_OFFSET = 0;

    /** Offset of the address of the previous physical block (0 for the first block of a pool). */
    public static final long PREV_PHYS_OFFSET = SIZE_OFFSET + Long.BYTES;

    /** Bytes of the header every block has. */
    public static final long HEADER_SIZE = PREV_PHYS_OFFSET + Long.BYTES;

    /**
     * Block addresses and sizes are multiples of this: the header size, so that a payload right after a header is
     * as aligned as the block.
     */
    public static final long GRANULARITY = HEADER_SIZE;

    /** log2 of {@link #GRANULARITY}. */
    public static final int GRANULARITY_LOG2 = Long.numberOfTrailingZeros(GRANULARITY);

    /** Offset of a free block's link to the next block of its free list (0 at the tail). */
    public static final long NEXT_FREE_OFFSET = HEADER_SIZE;

    /** Offset of a free block's link to the previous block of its free list (0 at the head). */
    public static final long PREV_FREE_OFFSET = NEXT_FREE_OFFSET + Long.BYTES;

    /** Smallest block: room for the header and both free-list links. */
    public static final long MIN_BLOCK_SIZE = PREV_FREE_OFFSET + Long.BYTES;

    /** log2 of {@link #MIN_BLOCK_SIZE}: the first first-level range starts at this power of two. */
    public static final int MIN_BLOCK_SIZE_LOG2 = Long.numberOfTrailingZeros(MIN_BLOCK_SIZE);

    /** Size word flag: the block is handed out (or is the sentinel). */
    public static final long SIZE_USED = 1;

    /**
     * Size word flag: a used block that waits in a {@linkplain QuickLists quick list}; it is free to its owner and
     * used to its neighbours. Implies {@link #SIZE_USED}.
     */
    public static final long SIZE_QUICK = 2;

    /** Size word flag: a used block whose payload sits {@link #PAD_SIZE} bytes later, after a padding word. */
    public static final long SIZE_PADDED = 4;

    /**
     * Back link flag: the previous physical block is free. Block addresses are multiples of the granularity, so the
     * low bit of a back link is free for it. It lets free skip the previous block's header, a cache line of its
     * own, unless there is something to merge; it costs nothing to keep, as every change of a block's state
     * already rewrites the next block's back link (apart from taking a free block whole, one more store).
     */
    public static final long PREV_FREE = 1;

    /** log2 of the bound on block sizes: the size field ends below the address tag, at bit 48. */
    public static final int MAX_BLOCK_SIZE_LOG2 = 48;

    /** The bits of the size word that hold the size: bits 4 to 47. */
    public static final long SIZE_MASK = ((1L << MAX_BLOCK_SIZE_LOG2) - 1) & -GRANULARITY;

    /** The bits of a block's size word that hold its {@linkplain #addressTag address tag}. */
    public static final long TAG_MASK = -1L << MAX_BLOCK_SIZE_LOG2;

    /** Odd, with well-mixed bits (2^64 over the golden ratio): the top bits of a product depend on every address bit. */
    private static final long TAG_MULTIPLIER = 0x9E37_79B9_7F4A_7C15L;

    /** Bytes of the sentinel header at the end of every pool (size word and back link, no payload). */
    public static final long SENTINEL_SIZE = HEADER_SIZE;

    /** The size word of every sentinel: used, and smaller than {@link #MIN_BLOCK_SIZE}, which no block is. */
    public static final long SENTINEL_WORD = SENTINEL_SIZE | SIZE_USED;

    /** Bytes inserted between the header and the payload of a padded block. */
    public static final long PAD_SIZE = GRANULARITY;

    /** Offset of a padded block's payload from its header. */
    public static final long PADDED_PAYLOAD_OFFSET = HEADER_SIZE + PAD_SIZE;

    /** Tag bit of the padding word; never set in a size word, whose flags use bits 0 to 2 only. */
    public static final long PAD_TAG = 8;

    static {
        assert MIN_BLOCK_SIZE == 1L << MIN_BLOCK_SIZE_LOG2 : "MIN_BLOCK_SIZE must be a power of two";
        assert MIN_BLOCK_SIZE % GRANULARITY == 0 && HEADER_SIZE % GRANULARITY == 0;
        assert ((SIZE_USED | SIZE_QUICK | SIZE_PADDED | PAD_TAG) & (SIZE_MASK | TAG_MASK)) == 0 : "flags overlap";
        assert SENTINEL_SIZE < MIN_BLOCK_SIZE : "the size tells a sentinel from a block";
    }

    private TlsfLayout() {
    }

    /** @return the size in a size word */
    public static long size(final long sizeWord) {
        return sizeWord & SIZE_MASK;
    }

    /**
     * @return the address tag of a block at {@code blockAddr}, in place in a size word: bit 63 set, and bits 48 to 62
     *         of the address times an odd constant (a multiplicative hash, whose top bits mix all the address bits)
     */
    public static long addressTag(final long blockAddr) {
        return (blockAddr * TAG_MULTIPLIER | Long.MIN_VALUE) & TAG_MASK;
    }

    /** @return the size word of the block at {@code blockAddr}: its tag, {@code size} and {@code flags} */
    public static long sizeWord(final long blockAddr, final long size, final long flags) {
        return addressTag(blockAddr) | size | flags;
    }

    /** @return whether {@code word} carries the address tag of a block at {@code blockAddr} */
    public static boolean hasTagOf(final long word, final long blockAddr) {
        return (word & TAG_MASK) == addressTag(blockAddr);
    }

    /** @return the flag bits of a size word */
    public static long flags(final long sizeWord) {
        return sizeWord & (GRANULARITY - 1);
    }

    /** @return whether a size word has {@link #SIZE_USED} */
    public static boolean isUsed(final long sizeWord) {
        return (sizeWord & SIZE_USED) != 0;
    }

    /** @return whether a size word has {@link #SIZE_QUICK}: the block waits in a quick list */
    public static boolean isQuick(final long sizeWord) {
        return (sizeWord & SIZE_QUICK) != 0;
    }

    /** @return the address of the previous physical block in a back link (0 for the first block of a pool) */
    public static long linkedAddr(final long backLink) {
        return backLink & ~PREV_FREE;
    }

    /** @return whether a back link says the previous physical block is free */
    public static boolean isPrevFree(final long backLink) {
        return (backLink & PREV_FREE) != 0;
    }

    /** @return the back link to a free block at {@code prevAddr} */
    public static long freePrevLink(final long prevAddr) {
        return prevAddr | PREV_FREE;
    }

    /** @return the padding word that points back to the header at {@code blockAddr} */
    public static long padWord(final long blockAddr) {
        return blockAddr | PAD_TAG;
    }

    /** @return the address of the size word of the block at {@code blockAddr} */
    public static long sizeAddr(final long blockAddr) {
        return blockAddr + SIZE_OFFSET;
    }

    /** @return the address of the back link of the block at {@code blockAddr} */
    public static long prevPhysAddr(final long blockAddr) {
        return blockAddr + PREV_PHYS_OFFSET;
    }

    /** @return the address of the next-free link of the free block at {@code blockAddr} */
    public static long nextFreeAddr(final long blockAddr) {
        return blockAddr + NEXT_FREE_OFFSET;
    }

    /** @return the address of the previous-free link of the free block at {@code blockAddr} */
    public static long prevFreeAddr(final long blockAddr) {
        return blockAddr + PREV_FREE_OFFSET;
    }

    /** @return the payload address of an unpadded block */
    public static long payloadAddr(final long blockAddr) {
        return blockAddr + HEADER_SIZE;
    }

    /** @return the payload address of a padded block */
    public static long paddedPayloadAddr(final long blockAddr) {
        return blockAddr + PADDED_PAYLOAD_OFFSET;
    }

    /** @return where the header of an unpadded block with this payload would be */
    public static long blockAddrOfPayload(final long payloadAddr) {
        return payloadAddr - HEADER_SIZE;
    }

    /** @return where the header of a padded block with this payload would be */
    public static long blockAddrOfPaddedPayload(final long payloadAddr) {
        return payloadAddr - PADDED_PAYLOAD_OFFSET;
    }

    /** @return the address of the word before a payload: a size word, or a padding word if the block is padded */
    public static long wordBeforePayloadAddr(final long payloadAddr) {
        return payloadAddr - HEADER_SIZE;
    }

    /** @return the address of the physically next block (or sentinel) */
    public static long nextPhysBlockAddr(final long blockAddr, final long blockSize) {
        return blockAddr + blockSize;
    }

    /** @return the address of the sentinel of a pool ending (exclusive) at {@code poolEndAddr} */
    public static long sentinelAddr(final long poolEndAddr) {
        return poolEndAddr - SENTINEL_SIZE;
    }

    /** @return the smallest block (header and rounding included) that gives {@code byteSize} usable bytes */
    public static long blockSizeFor(final long byteSize) {
        final long rounded = (Math.max(byteSize, 1) + HEADER_SIZE + GRANULARITY - 1) & -GRANULARITY;
        return Math.max(rounded, MIN_BLOCK_SIZE);
    }
}

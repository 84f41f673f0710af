package dev.ffmalloc.alloc;

import org.agrona.BitUtil;

/**
 * Argument checks and exception messages shared by every allocator, so that one mistake reads the same everywhere.
 *
 * <p>Message shape (Agrona's): a lower-case description, a colon, then {@code name=value} pairs, addresses in hex.
 */
public final class AllocatorErrors {

    private AllocatorErrors() {
    }

    /**
     * Checks an allocation request; the usual first line of {@code tryAllocate}.
     *
     * @throws IllegalArgumentException if the size is negative or above {@code maxByteSize}, or the alignment is
     *                                  not a power of two
     */
    public static void checkRequest(final long byteSize, final long byteAlignment, final long maxByteSize) {
        if (byteSize < 0) {
            throw negativeSize(byteSize);
        }
        if (byteAlignment <= 0 || !BitUtil.isPowerOfTwo(byteAlignment)) {
            throw alignmentNotPowerOfTwo(byteAlignment);
        }
        if (byteSize > maxByteSize) {
            throw sizeTooLarge(byteSize, maxByteSize);
        }
    }

    /** @return the hex form used in every message */
    public static String hex(final long value) {
        return "0x" + Long.toHexString(value);
    }

    /** A request for a size below 0. */
    public static IllegalArgumentException negativeSize(final long byteSize) {
        return new IllegalArgumentException("size is negative: byteSize=" + byteSize);
    }

    /** A request whose alignment is not a power of two (0 and negative values included). */
    public static IllegalArgumentException alignmentNotPowerOfTwo(final long byteAlignment) {
        return new IllegalArgumentException("alignment is not a power of two: byteAlignment=" + byteAlignment);
    }

    /** A request whose alignment is a power of two above what the allocator can honour. */
    public static IllegalArgumentException alignmentTooLarge(final long byteAlignment, final long maxByteAlignment) {
        return new IllegalArgumentException("alignment is larger than this allocator supports: byteAlignment="
            + byteAlignment + ", maxByteAlignment=" + maxByteAlignment);
    }

    /** A request larger than {@code maxByteSize}, which no state of the heap could serve. */
    public static IllegalArgumentException sizeTooLarge(final long byteSize, final long maxByteSize) {
        return new IllegalArgumentException("size is larger than this heap could ever hold: byteSize=" + byteSize
            + ", maxByteSize=" + maxByteSize);
    }

    /** A valid request that no free block fits now; {@code bytesFree} tells how much is free in all. */
    public static OutOfMemoryException outOfMemory(final long byteSize, final long byteAlignment,
                                                   final long bytesFree) {
        return new OutOfMemoryException("out of memory: byteSize=" + byteSize + ", byteAlignment=" + byteAlignment
            + ", bytesFree=" + bytesFree);
    }

    /** A free (or resize) of an address outside every range the allocator manages. */
    public static IllegalArgumentException notInHeap(final long address) {
        return new IllegalArgumentException("address was never handed out by this allocator: addr=" + hex(address));
    }

    /** A free (or resize) of an address inside the heap that is not the start of a block. */
    public static IllegalArgumentException notBlockStart(final long address) {
        return new IllegalArgumentException("address is not the start of a block: addr=" + hex(address));
    }

    /** A free (or resize) of an address that points into a block starting elsewhere. */
    public static IllegalArgumentException interiorPointer(final long address, final long blockAddress) {
        return new IllegalArgumentException("address points inside a block: addr=" + hex(address)
            + ", blockAddr=" + hex(blockAddress));
    }

    /** A free (or resize) of a block that is already free. */
    public static IllegalStateException doubleFree(final long address) {
        return new IllegalStateException("block is already free: addr=" + hex(address));
    }

    /** Any use of an allocator that has handed its memory on. */
    public static IllegalStateException retired(final String allocator) {
        return new IllegalStateException("allocator was handed off and may not be used again: allocator="
            + allocator);
    }
}

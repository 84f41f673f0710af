package dev.ffmalloc.alloc;

import dev.ffmalloc.memory.Memory;

/**
 * The contract every allocator of the project implements: blocks of a 64-bit address range, handed out and taken
 * back by address.
 *
 * <h2>Sizes and alignments</h2>
 * A size is a byte count from 0 up to {@link #maxAllocationSize()}. A size of 0 is legal, as C's {@code malloc(0)}
 * allows: it is served as a request for 1 byte, so it returns a distinct address that must be freed like any other
 * (never a shared or null address). An alignment is any power of two; the returned address is a multiple of it. One
 * that no block of the allocator could ever have is either rejected by name (buddy, slab) or reported as no room
 * (the others), without changing anything.
 *
 * <h2>Bad input</h2>
 * Every method checks its arguments before it changes anything. A negative size, a size no heap of this allocator
 * could ever hold, an alignment that is not a power of two, a free of an address never handed out, a double free or
 * an interior pointer throw an exception whose message names the value and the reason (see {@link AllocatorErrors}),
 * and leave the allocator exactly as it was.
 *
 * <h2>Threads</h2>
 * Allocators are single-threaded objects; wrap one in a {@link LockedAllocator} to share it.
 */
public interface Allocator {

    /** What {@link #tryAllocate} returns when no block fits: no valid block ever has address 0. */
    long NO_BLOCK = 0L;

    /** The alignment callers get when they do not ask for one, as {@code malloc} gives on x86_64. */
    long DEFAULT_ALIGNMENT = 16;

    /**
     * Allocates a block.
     *
     * @param byteSize      bytes wanted, 0 included
     * @param byteAlignment a power of two
     * @return the address of the block
     * @throws IllegalArgumentException if the size is negative or too large, or the alignment is not a power of two
     * @throws OutOfMemoryException     if no free block fits now
     */
    default long allocate(final long byteSize, final long byteAlignment) {
        final long address = tryAllocate(byteSize, byteAlignment);
        if (address == NO_BLOCK) {
            throw AllocatorErrors.outOfMemory(byteSize, byteAlignment, stats().bytesFree());
        }
        return address;
    }

    /** Allocates a block aligned to {@link #DEFAULT_ALIGNMENT}; see {@link #allocate(long, long)}. */
    default long allocate(final long byteSize) {
        return allocate(byteSize, DEFAULT_ALIGNMENT);
    }

    /**
     * Allocates a block, reporting exhaustion without creating garbage.
     *
     * @return the address of the block, or {@link #NO_BLOCK} if no free block fits now
     * @throws IllegalArgumentException if the size is negative or too large, or the alignment is not a power of two
     */
    long tryAllocate(long byteSize, long byteAlignment);

    /**
     * Returns a block to the allocator.
     *
     * @param address an address returned by {@code allocate} and not freed since
     * @throws IllegalArgumentException if the address was never handed out or points inside a block
     * @throws IllegalStateException    if the block is already free
     */
    void free(long address);

    /**
     * Resizes a block, keeping its first {@code min(old usable size, newByteSize)} bytes. The default allocates a
     * new block, copies and frees the old one; allocators that can grow or shrink in place override it.
     *
     * @return the address of the resized block (may equal {@code address})
     * @throws OutOfMemoryException if no block of the new size fits; the old block is then left untouched
     */
    default long reallocate(final long address, final long newByteSize, final long byteAlignment) {
        final long oldUsable = usableSize(address);
        final long newAddress = allocate(newByteSize, byteAlignment);
        memory().copy(address, newAddress, Math.min(oldUsable, newByteSize));
        free(address);
        return newAddress;
    }

    /**
     * @return how many bytes the caller may use at {@code address}, at least the size it asked for
     * @throws IllegalArgumentException if the address is not a live block of this allocator
     * @throws IllegalStateException    if the block is free
     */
    long usableSize(long address);

    /** @return the largest size {@link #allocate} can ever succeed with, given the memory this allocator manages */
    long maxAllocationSize();

    /** @return the memory the managed addresses live in (where block contents are read and written) */
    Memory memory();

    /** @return a snapshot of the allocator's statistics */
    AllocatorStats stats();

    /**
     * Walks the allocator's metadata and checks every invariant.
     *
     * @throws HeapCorruptionException naming the first broken invariant and the address where it broke
     */
    void checkIntegrity();
}

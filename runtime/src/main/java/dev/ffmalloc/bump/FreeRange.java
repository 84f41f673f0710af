package dev.ffmalloc.bump;

import dev.ffmalloc.alloc.AllocatorErrors;

/**
 * A range of addresses {@code [address, address + byteSize)} that one allocator gives up and the next tier takes
 * over, as Linux's memblock hands the memory it never allocated to the buddy allocator.
 *
 * <p>The range is exactly what was left: it is not aligned to anything, and may be empty ({@code byteSize == 0}).
 * The receiving allocator trims it to its own granularity.
 *
 * @param address  the first address of the range
 * @param byteSize how many bytes it spans, never negative
 */
public record FreeRange(long address, long byteSize) {

    /**
     * @throws IllegalArgumentException if {@code byteSize} is negative
     */
    public FreeRange {
        if (byteSize < 0) {
            throw new IllegalArgumentException("range size is negative: address=" + AllocatorErrors.hex(address)
                + ", byteSize=" + byteSize);
        }
    }

    /** @return the address one past the last byte of the range */
    public long endAddress() {
        return address + byteSize;
    }

    /** @return whether the range holds no byte at all */
    public boolean isEmpty() {
        return byteSize == 0;
    }

    @Override
    public String toString() {
        return "FreeRange[" + AllocatorErrors.hex(address) + ", " + AllocatorErrors.hex(endAddress()) + ")";
    }
}

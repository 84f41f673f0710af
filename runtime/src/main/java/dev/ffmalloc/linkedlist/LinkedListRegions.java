package dev.ffmalloc.linkedlist;

import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.memory.AddressRanges;

import static dev.ffmalloc.alloc.AllocatorErrors.hex;
import static dev.ffmalloc.linkedlist.LinkedListLayout.GRANULARITY;
import static dev.ffmalloc.linkedlist.LinkedListLayout.MIN_BLOCK_SIZE;
import static dev.ffmalloc.linkedlist.LinkedListLayout.SIZE_MASK;

/**
 * The regions of a {@link LinkedListHeap}: sorted, disjoint address ranges kept out-of-band in
 * {@link AddressRanges}, whose binary search tells which region holds an address (the first check of every free).
 *
 * <p>Invariants: {@code startAddr(i) < endAddr(i) < startAddr(i + 1)} for every region (strictly:
 * regions that touch are merged into one, so a block never spans two regions and holes of different regions never
 * touch); every bound is a multiple of {@link LinkedListLayout#GRANULARITY}; no region contains address 0;
 * {@code totalBytes} and {@code largestBytes} are the sum and the maximum of the regions' sizes.
 */
final class LinkedListRegions {

    private final AddressRanges ranges = new AddressRanges(4);
    private long totalBytes;
    private long largestBytes;

    /** @return the index of the region holding {@code address}, or -1 */
    int indexOf(final long address) {
        return ranges.indexOf(address);
    }

    int count() {
        return ranges.count();
    }

    long startAddr(final int region) {
        return ranges.startAddr(region);
    }

    long endAddr(final int region) {
        return ranges.endAddr(region);
    }

    long totalBytes() {
        return totalBytes;
    }

    long largestBytes() {
        return largestBytes;
    }

    /**
     * Adds {@code [address, address + byteSize)} trimmed inward to the granularity, merging it with the regions it
     * touches.
     *
     * @throws IllegalArgumentException as {@link #checkAdd}; nothing has changed then
     */
    void add(final long address, final long byteSize) {
        checkAdd(address, byteSize);
        ranges.addMerging(trimmedStart(address), trimmedEnd(address, byteSize));
        recount();
    }

    /**
     * Checks what {@link #add} checks, changing nothing.
     *
     * @throws IllegalArgumentException if the size is not positive, the range is out of bounds, holds no whole
     *                                  block, or overlaps a region
     */
    void checkAdd(final long address, final long byteSize) {
        if (byteSize <= 0) {
            throw new IllegalArgumentException("region size is not positive: addr=" + hex(address) + ", byteSize="
                + byteSize);
        }
        checkBounds(address, address + byteSize, byteSize);
        final long startAddr = trimmedStart(address);
        final long endAddr = trimmedEnd(address, byteSize);
        if (endAddr - startAddr < MIN_BLOCK_SIZE) {
            throw new IllegalArgumentException("region holds no whole block: addr=" + hex(address) + ", byteSize="
                + byteSize + ", minBlockSize=" + MIN_BLOCK_SIZE + ", granularity=" + GRANULARITY);
        }
        // Overlap is judged on the range as given: bytes that rounding would drop are still a claim on the heap's.
        final int upper = ranges.countAtOrBelow(address);
        final int lower = upper - 1;
        if (lower >= 0 && ranges.endAddr(lower) > address) {
            throw overlaps(address, byteSize, lower);
        }
        if (upper < ranges.count() && ranges.startAddr(upper) < address + byteSize) {
            throw overlaps(address, byteSize, upper);
        }
    }

    /** @return the first address {@link #add} keeps of a range starting at {@code address} */
    static long trimmedStart(final long address) {
        return (address + GRANULARITY - 1) & SIZE_MASK;
    }

    /** @return the end {@link #add} keeps of {@code [address, address + byteSize)} */
    static long trimmedEnd(final long address, final long byteSize) {
        return (address + byteSize) & SIZE_MASK;
    }

    /**
     * Grows the highest region by {@code byteSize} bytes.
     *
     * @return the old end of the region, where the new bytes start
     * @throws IllegalArgumentException if {@code byteSize} is not a positive multiple of the granularity or the
     *                                  grown region would be out of bounds
     * @throws IllegalStateException    if there is no region
     */
    long extendHighest(final long byteSize) {
        final long oldEndAddr = checkExtend(byteSize);
        ranges.setEndAddr(ranges.count() - 1, oldEndAddr + byteSize);
        recount();
        return oldEndAddr;
    }

    /**
     * Checks what {@link #extendHighest} checks, changing nothing.
     *
     * @return the end of the highest region, where the new bytes would start
     */
    long checkExtend(final long byteSize) {
        if (byteSize <= 0 || (byteSize & (GRANULARITY - 1)) != 0) {
            throw new IllegalArgumentException("extension is not a positive multiple of the granularity: byteSize="
                + byteSize + ", granularity=" + GRANULARITY);
        }
        final long oldEndAddr = highestEndAddr();
        checkBounds(oldEndAddr, oldEndAddr + byteSize, byteSize);
        return oldEndAddr;
    }

    /**
     * @return the end of the highest region
     * @throws IllegalStateException if there is no region
     */
    long highestEndAddr() {
        if (ranges.count() == 0) {
            throw new IllegalStateException("heap has no region");
        }
        return ranges.endAddr(ranges.count() - 1);
    }

    private static void checkBounds(final long startAddr, final long endAddr, final long byteSize) {
        if (endAddr < startAddr) {
            throw new IllegalArgumentException("range passes the end of the address space: addr=" + hex(startAddr)
                + ", byteSize=" + byteSize);
        }
        if (endAddr == 0 && byteSize > 0) {
            throw new IllegalArgumentException("range reaches the end of the address space, and its end would be"
                + " address 0, which means no block: addr=" + hex(startAddr) + ", byteSize=" + byteSize);
        }
        if (startAddr <= 0 && endAddr > 0) {
            throw new IllegalArgumentException("range contains address 0, which means no block: addr="
                + hex(startAddr) + ", byteSize=" + byteSize);
        }
    }

    private void recount() {
        totalBytes = 0;
        largestBytes = 0;
        for (int region = 0; region < ranges.count(); region++) {
            final long byteSize = ranges.endAddr(region) - ranges.startAddr(region);
            totalBytes += byteSize;
            largestBytes = Math.max(largestBytes, byteSize);
        }
    }

    /**
     * Checks the invariants of the class Javadoc against {@code heapBytes}.
     *
     * @throws HeapCorruptionException naming the first broken one
     */
    void checkIntegrity() {
        long sum = 0;
        long largest = 0;
        for (int region = 0; region < ranges.count(); region++) {
            final long startAddr = ranges.startAddr(region);
            final long endAddr = ranges.endAddr(region);
            if (((startAddr | endAddr) & (GRANULARITY - 1)) != 0) {
                throw new HeapCorruptionException("region bounds are not multiples of the granularity", startAddr);
            }
            if (endAddr - startAddr < MIN_BLOCK_SIZE || startAddr <= 0 && endAddr > 0) {
                throw new HeapCorruptionException("region is smaller than a block or contains address 0", startAddr);
            }
            if (region > 0 && startAddr <= ranges.endAddr(region - 1)) {
                throw new HeapCorruptionException("region touches, overlaps or precedes the region before it",
                    startAddr);
            }
            sum += endAddr - startAddr;
            largest = Math.max(largest, endAddr - startAddr);
        }
        if (sum != totalBytes || largest != largestBytes) {
            throw new HeapCorruptionException("region sizes sum to " + sum + " (largest " + largest
                + ") but the heap counts " + totalBytes + " (largest " + largestBytes + ")", ranges.count() == 0
                ? 0 : ranges.startAddr(0));
        }
    }

    private IllegalArgumentException overlaps(final long address, final long byteSize, final int region) {
        return new IllegalArgumentException("region overlaps the heap: addr=" + hex(address) + ", byteSize="
            + byteSize + ", regionStart=" + hex(ranges.startAddr(region)) + ", regionEnd="
            + hex(ranges.endAddr(region)));
    }
}

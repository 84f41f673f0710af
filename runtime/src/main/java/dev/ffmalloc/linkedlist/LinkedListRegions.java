package dev.ffmalloc.linkedlist;

import dev.ffmalloc.alloc.HeapCorruptionException;

import java.util.Arrays;

import static dev.ffmalloc.alloc.AllocatorErrors.hex;
import static dev.ffmalloc.linkedlist.LinkedListLayout.GRANULARITY;
import static dev.ffmalloc.linkedlist.LinkedListLayout.MIN_BLOCK_SIZE;
import static dev.ffmalloc.linkedlist.LinkedListLayout.SIZE_MASK;

/**
 * The regions of a {@link LinkedListHeap}: sorted, disjoint address ranges kept out-of-band in two arrays, with the
 * binary search that tells which region holds an address (the first check of every free).
 *
 * <p>Invariants: {@code startAddrs[i] < endAddrs[i] < startAddrs[i + 1]} for the {@code count} regions (strictly:
 * regions that touch are merged into one, so a block never spans two regions and holes of different regions never
 * touch); every bound is a multiple of {@link LinkedListLayout#GRANULARITY}; no region contains address 0;
 * {@code totalBytes} and {@code largestBytes} are the sum and the maximum of the regions' sizes.
 */
final class LinkedListRegions {

    private long[] startAddrs = new long[4];
    private long[] endAddrs = new long[4];
    private int count;
    private long totalBytes;
    private long largestBytes;

    /** @return the index of the region holding {@code address}, or -1 */
    int indexOf(final long address) {
        final int region = countAtOrBelow(address) - 1;
        return region >= 0 && address < endAddrs[region] ? region : -1;
    }

    /** @return how many regions start at or below {@code address}; binary search */
    private int countAtOrBelow(final long address) {
        int low = 0;
        int high = count - 1;
        while (low <= high) {
            final int middle = (low + high) >>> 1;
            if (startAddrs[middle] <= address) {
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return low;
    }

    int count() {
        return count;
    }

    long startAddr(final int region) {
        return startAddrs[region];
    }

    long endAddr(final int region) {
        return endAddrs[region];
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
     * @throws IllegalArgumentException if the size is not positive, the range is out of bounds, holds no whole
     *                                  block, or overlaps a region; nothing has changed then
     */
    void add(final long address, final long byteSize) {
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
        final int upper = countAtOrBelow(startAddr);
        final int lower = upper - 1;
        if (lower >= 0 && endAddrs[lower] > startAddr) {
            throw overlaps(address, byteSize, lower);
        }
        if (upper < count && startAddrs[upper] < endAddr) {
            throw overlaps(address, byteSize, upper);
        }
        final boolean joinsLower = lower >= 0 && endAddrs[lower] == startAddr;
        final boolean joinsUpper = upper < count && startAddrs[upper] == endAddr;
        if (joinsLower && joinsUpper) {
            endAddrs[lower] = endAddrs[upper];
            remove(upper);
        } else if (joinsLower) {
            endAddrs[lower] = endAddr;
        } else if (joinsUpper) {
            startAddrs[upper] = startAddr;
        } else {
            insert(upper, startAddr, endAddr);
        }
        recount();
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
        if (byteSize <= 0 || (byteSize & (GRANULARITY - 1)) != 0) {
            throw new IllegalArgumentException("extension is not a positive multiple of the granularity: byteSize="
                + byteSize + ", granularity=" + GRANULARITY);
        }
        final long oldEndAddr = highestEndAddr();
        checkBounds(oldEndAddr, oldEndAddr + byteSize, byteSize);
        endAddrs[count - 1] = oldEndAddr + byteSize;
        recount();
        return oldEndAddr;
    }

    /**
     * @return the end of the highest region
     * @throws IllegalStateException if there is no region
     */
    long highestEndAddr() {
        if (count == 0) {
            throw new IllegalStateException("heap has no region");
        }
        return endAddrs[count - 1];
    }

    private static void checkBounds(final long startAddr, final long endAddr, final long byteSize) {
        if (endAddr < startAddr) {
            throw new IllegalArgumentException("range passes the end of the address space: addr=" + hex(startAddr)
                + ", byteSize=" + byteSize);
        }
        if (startAddr <= 0 && endAddr > 0) {
            throw new IllegalArgumentException("range contains address 0, which means no block: addr="
                + hex(startAddr) + ", byteSize=" + byteSize);
        }
    }

    private void insert(final int index, final long startAddr, final long endAddr) {
        if (count == startAddrs.length) {
            startAddrs = Arrays.copyOf(startAddrs, count * 2);
            endAddrs = Arrays.copyOf(endAddrs, count * 2);
        }
        System.arraycopy(startAddrs, index, startAddrs, index + 1, count - index);
        System.arraycopy(endAddrs, index, endAddrs, index + 1, count - index);
        startAddrs[index] = startAddr;
        endAddrs[index] = endAddr;
        count++;
    }

    private void remove(final int index) {
        System.arraycopy(startAddrs, index + 1, startAddrs, index, count - index - 1);
        System.arraycopy(endAddrs, index + 1, endAddrs, index, count - index - 1);
        count--;
    }

    private void recount() {
        totalBytes = 0;
        largestBytes = 0;
        for (int region = 0; region < count; region++) {
            totalBytes += endAddrs[region] - startAddrs[region];
            largestBytes = Math.max(largestBytes, endAddrs[region] - startAddrs[region]);
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
        for (int region = 0; region < count; region++) {
            final long startAddr = startAddrs[region];
            final long endAddr = endAddrs[region];
            if (((startAddr | endAddr) & (GRANULARITY - 1)) != 0) {
                throw new HeapCorruptionException("region bounds are not multiples of the granularity", startAddr);
            }
            if (endAddr - startAddr < MIN_BLOCK_SIZE || startAddr <= 0 && endAddr > 0) {
                throw new HeapCorruptionException("region is smaller than a block or contains address 0", startAddr);
            }
            if (region > 0 && startAddr <= endAddrs[region - 1]) {
                throw new HeapCorruptionException("region touches, overlaps or precedes the region before it",
                    startAddr);
            }
            sum += endAddr - startAddr;
            largest = Math.max(largest, endAddr - startAddr);
        }
        if (sum != totalBytes || largest != largestBytes) {
            throw new HeapCorruptionException("region sizes sum to " + sum + " (largest " + largest
                + ") but the heap counts " + totalBytes + " (largest " + largestBytes + ")", count == 0 ? 0
                : startAddrs[0]);
        }
    }

    private IllegalArgumentException overlaps(final long address, final long byteSize, final int region) {
        return new IllegalArgumentException("region overlaps the heap: addr=" + hex(address) + ", byteSize="
            + byteSize + ", regionStart=" + hex(startAddrs[region]) + ", regionEnd=" + hex(endAddrs[region]));
    }
}

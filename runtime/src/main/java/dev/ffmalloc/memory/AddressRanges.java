package dev.ffmalloc.memory;

import java.util.Arrays;

/**
 * Sorted, disjoint address ranges {@code [startAddr, endAddr)} kept out-of-band in two growable arrays, where a range
 * added next to another merges with it: the region list of a heap, the released ranges of a pool source.
 *
 * <p>Invariant: {@code startAddr(i) < endAddr(i) < startAddr(i + 1)} for every index below {@link #count()}, in
 * signed order (a set of ranges lies within one half of the address space). Callers reject overlaps, with their own
 * messages, before they {@link #addMerging add}; the arrays grow only then, so lookups and updates allocate nothing.
 */
public final class AddressRanges {

    private long[] startAddrs;
    private long[] endAddrs;
    private int count;

    /** An empty list with room for {@code initialCapacity} ranges before it grows. */
    public AddressRanges(final int initialCapacity) {
        startAddrs = new long[Math.max(initialCapacity, 1)];
        endAddrs = new long[startAddrs.length];
    }

    /** @return how many ranges there are */
    public int count() {
        return count;
    }

    /** @return the first address of range {@code index} */
    public long startAddr(final int index) {
        return startAddrs[index];
    }

    /** @return the address one past range {@code index} */
    public long endAddr(final int index) {
        return endAddrs[index];
    }

    /** Moves the start of range {@code index}; the caller keeps the invariant (a non-empty range). */
    public void setStartAddr(final int index, final long startAddr) {
        startAddrs[index] = startAddr;
    }

    /** Moves the end of range {@code index}; the caller keeps the invariant (no overlap with the next range). */
    public void setEndAddr(final int index, final long endAddr) {
        endAddrs[index] = endAddr;
    }

    /** @return how many ranges start at or below {@code address}; a binary search */
    public int countAtOrBelow(final long address) {
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

    /** @return the index of the range holding {@code address}, or -1 */
    public int indexOf(final long address) {
        final int index = countAtOrBelow(address) - 1;
        return index >= 0 && address < endAddrs[index] ? index : -1;
    }

    /**
     * Adds {@code [startAddr, endAddr)}, which overlaps no range, merged with the ranges it touches.
     *
     * @return the index of the range that now holds it
     */
    public int addMerging(final long startAddr, final long endAddr) {
        final int upper = countAtOrBelow(startAddr);
        final int lower = upper - 1;
        final boolean joinsLower = lower >= 0 && endAddrs[lower] == startAddr;
        final boolean joinsUpper = upper < count && startAddrs[upper] == endAddr;
        if (joinsLower && joinsUpper) {
            endAddrs[lower] = endAddrs[upper];
            remove(upper);
            return lower;
        }
        if (joinsLower) {
            endAddrs[lower] = endAddr;
            return lower;
        }
        if (joinsUpper) {
            startAddrs[upper] = startAddr;
            return upper;
        }
        insert(upper, startAddr, endAddr);
        return upper;
    }

    /** Removes range {@code index}. */
    public void remove(final int index) {
        System.arraycopy(startAddrs, index + 1, startAddrs, index, count - index - 1);
        System.arraycopy(endAddrs, index + 1, endAddrs, index, count - index - 1);
        count--;
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
}

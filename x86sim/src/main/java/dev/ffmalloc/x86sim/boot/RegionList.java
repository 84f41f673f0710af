package dev.ffmalloc.x86sim.boot;

import dev.ffmalloc.x86sim.phys.PhysRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of physical ranges kept as sorted, merged regions: Linux's {@code struct memblock_type}. Adding a range that
 * overlaps or touches regions merges them into one.
 *
 * <p>Invariant: for {@code 0 <= i < count}, {@code startAddrs[i] < endAddrs[i] < startAddrs[i + 1]} (regions are
 * non-empty, sorted, and neither overlap nor touch).
 */
final class RegionList {

    private long[] startAddrs = new long[16];
    private long[] endAddrs = new long[16];
    private int count;

    /** Adds {@code [startAddr, endAddr)}, merging it with every region it overlaps or touches. */
    void add(final long startAddr, final long endAddr) {
        assert startAddr < endAddr;
        int first = 0;
        while (first < count && endAddrs[first] < startAddr) {
            first++;
        }
        int last = first;
        long mergedStart = startAddr;
        long mergedEnd = endAddr;
        while (last < count && startAddrs[last] <= endAddr) {
            mergedStart = Math.min(mergedStart, startAddrs[last]);
            mergedEnd = Math.max(mergedEnd, endAddrs[last]);
            last++;
        }
        // Regions [first, last) are absorbed; one region takes their place.
        final int newCount = count - (last - first) + 1;
        if (newCount > startAddrs.length) {
            startAddrs = Arrays.copyOf(startAddrs, startAddrs.length * 2);
            endAddrs = Arrays.copyOf(endAddrs, endAddrs.length * 2);
        }
        System.arraycopy(startAddrs, last, startAddrs, first + 1, count - last);
        System.arraycopy(endAddrs, last, endAddrs, first + 1, count - last);
        startAddrs[first] = mergedStart;
        endAddrs[first] = mergedEnd;
        count = newCount;
    }

    /** @return the regions, sorted */
    List<PhysRange> ranges() {
        final List<PhysRange> ranges = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ranges.add(new PhysRange(startAddrs[i], endAddrs[i]));
        }
        return ranges;
    }

    /** @return the bytes of all regions */
    long totalBytes() {
        long byteSize = 0;
        for (int i = 0; i < count; i++) {
            byteSize += endAddrs[i] - startAddrs[i];
        }
        return byteSize;
    }

    /**
     * @return the parts of {@code this} that {@code other} does not cover, sorted: memblock's "free ranges" when
     *         {@code this} is memory and {@code other} reserved
     */
    List<PhysRange> minus(final RegionList other) {
        final List<PhysRange> ranges = new ArrayList<>();
        int cut = 0;
        for (int i = 0; i < count; i++) {
            long startAddr = startAddrs[i];
            final long endAddr = endAddrs[i];
            while (cut < other.count && other.endAddrs[cut] <= startAddr) {
                cut++;
            }
            // Every cut that starts before endAddr splits off the part before it.
            int next = cut;
            while (next < other.count && other.startAddrs[next] < endAddr) {
                if (other.startAddrs[next] > startAddr) {
                    ranges.add(new PhysRange(startAddr, other.startAddrs[next]));
                }
                startAddr = Math.max(startAddr, other.endAddrs[next]);
                next++;
            }
            if (startAddr < endAddr) {
                ranges.add(new PhysRange(startAddr, endAddr));
            }
        }
        return ranges;
    }
}

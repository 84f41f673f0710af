package dev.ffmalloc.x86sim.firmware;

import dev.ffmalloc.x86sim.phys.PhysRange;
import org.agrona.BitUtil;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The firmware memory map: what the BIOS's E820 call (or EFI's memory map, as Linux converts it) says lies at each
 * physical address. Gaps between entries are holes: neither RAM nor reserved.
 *
 * <p>Immutable. Invariant: entries are sorted by start address and no two overlap.
 */
public final class E820Map {

    /** The highest physical address bit of x86_64 (MAXPHYADDR is at most 52). */
    public static final int MAX_PHYS_BITS = 52;

    /** One past the highest physical address any entry may cover. */
    public static final long PHYS_LIMIT = 1L << MAX_PHYS_BITS;

    /** Sorted by start address; no two overlap. */
    private final List<E820Entry> entries;

    private E820Map(final List<E820Entry> sortedEntries) {
        this.entries = List.copyOf(sortedEntries);
    }

    /**
     * @param entries the entries, in any order
     * @return the map of {@code entries}
     * @throws IllegalArgumentException if the list is empty, two entries overlap or one lies above
     *                                  {@link #PHYS_LIMIT}
     */
    public static E820Map of(final List<E820Entry> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("memory map has no entries");
        }
        final List<E820Entry> sorted = sortedByStart(entries);
        final int overlap = firstOverlap(sorted);
        if (overlap >= 0) {
            throw new IllegalArgumentException("e820 entries overlap: entry=" + sorted.get(overlap)
                + ", other=" + sorted.get(overlap - 1));
        }
        if (sorted.getLast().range().endAddr() > PHYS_LIMIT) {
            throw new IllegalArgumentException("e820 entry lies beyond the physical address space: entry="
                + sorted.getLast() + ", limit=0x" + Long.toHexString(PHYS_LIMIT));
        }
        return new E820Map(sorted);
    }

    /** @return the entries, sorted by start address */
    public List<E820Entry> entries() {
        return entries;
    }

    /**
     * The RAM a kernel may use: each usable entry rounded inward to whole 4 KiB pages (start up, end down), entries
     * left with no whole page dropped, and touching ranges merged.
     *
     * @return the usable ranges, sorted, page-aligned, disjoint and not touching
     */
    public List<PhysRange> usableRanges() {
        final List<PhysRange> ranges = new ArrayList<>();
        for (final E820Entry entry : entries) {
            if (!entry.isUsable()) {
                continue;
            }
            final long startAddr = BitUtil.align(entry.range().startAddr(), PhysRange.PAGE_SIZE);
            final long endAddr = entry.range().endAddr() & -PhysRange.PAGE_SIZE;
            if (endAddr <= startAddr) {
                continue;
            }
            if (!ranges.isEmpty() && ranges.getLast().endAddr() == startAddr) {
                ranges.set(ranges.size() - 1, new PhysRange(ranges.getLast().startAddr(), endAddr));
            } else {
                ranges.add(new PhysRange(startAddr, endAddr));
            }
        }
        return ranges;
    }

    /**
     * Checks that a CPU whose physical addresses have {@code maxPhysAddrBits} bits reaches all usable RAM: RAM above
     * could be mapped by no page table (and would only cost a machine a section table sized for it).
     *
     * @throws IllegalArgumentException naming the first usable range that ends above {@code 2^maxPhysAddrBits}
     */
    public void checkUsableRamBelow(final int maxPhysAddrBits) {
        if (maxPhysAddrBits < 1 || maxPhysAddrBits > MAX_PHYS_BITS) {
            throw new IllegalArgumentException("physical address bits are 1 to " + MAX_PHYS_BITS + ": maxPhysAddrBits="
                + maxPhysAddrBits);
        }
        for (final PhysRange range : usableRanges()) {
            if (range.endAddr() > 1L << maxPhysAddrBits) {
                throw new IllegalArgumentException("usable RAM lies above the CPU's MAXPHYADDR: range=" + range
                    + ", maxPhysAddrBits=" + maxPhysAddrBits);
            }
        }
    }

    /** @return the bytes of {@link #usableRanges()} */
    public long usableBytes() {
        long byteSize = 0;
        for (final PhysRange range : usableRanges()) {
            byteSize += range.byteSize();
        }
        return byteSize;
    }

    /** @return one past the highest address any entry covers */
    public long endAddr() {
        return entries.getLast().range().endAddr();
    }

    /** @return the map as Linux prints it at boot, one {@code BIOS-e820:} line per entry, which parses back */
    public String format() {
        final StringBuilder text = new StringBuilder();
        for (final E820Entry entry : entries) {
            text.append(entry).append('\n');
        }
        return text.toString();
    }

    /** @return the entries sorted by start address (a stable sort: equal starts keep their order) */
    static List<E820Entry> sortedByStart(final List<E820Entry> entries) {
        final List<E820Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(entry -> entry.range().startAddr()));
        return sorted;
    }

    /** @return the first index whose entry overlaps the one before it in {@code sorted}, or -1 */
    static int firstOverlap(final List<E820Entry> sorted) {
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).range().startAddr() < sorted.get(i - 1).range().endAddr()) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof E820Map map && map.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return format();
    }
}

package dev.ffmalloc.x86sim.paging;

/**
 * The index of an entry inside one page table.
 *
 * @param value 0 to 511
 */
public record PageTableIndex(int value) {

    /**
     * @throws IllegalArgumentException if {@code value} is outside 0 to 511
     */
    public PageTableIndex {
        if (value < 0 || value >= PageTableLevel.ENTRIES) {
            throw new IllegalArgumentException("page table index out of range: index=" + value);
        }
    }

    /** @return the index that {@code virtAddr} selects at {@code level} */
    public static PageTableIndex of(final VirtAddr virtAddr, final PageTableLevel level) {
        return new PageTableIndex(level.index(virtAddr.value()));
    }

    /** @return the physical address of this entry inside the table at {@code tableAddr} */
    public PhysAddr entryAddr(final PhysAddr tableAddr) {
        return tableAddr.add((long) value * Long.BYTES);
    }
}

package dev.ffmalloc.x86sim.paging;

/**
 * The three page sizes of x86_64 paging, each mapped by a leaf entry at one level.
 */
public enum PageSize {

    /** A 4 KiB page, mapped by a page-table entry. */
    SIZE_4KIB(12, "4KiB", PageTableLevel.PT),
    /** A 2 MiB page, mapped by a page-directory entry with PS=1. */
    SIZE_2MIB(21, "2MiB", PageTableLevel.PD),
    /** A 1 GiB page, mapped by a page-directory-pointer-table entry with PS=1 (if the CPU supports it). */
    SIZE_1GIB(30, "1GiB", PageTableLevel.PDPT);

    private final int shift;
    private final String label;
    private final PageTableLevel leafLevel;

    PageSize(final int shift, final String label, final PageTableLevel leafLevel) {
        this.shift = shift;
        this.label = label;
        this.leafLevel = leafLevel;
    }

    /** @return log2 of the byte size */
    public int shift() {
        return shift;
    }

    /** @return the size in bytes */
    public long byteSize() {
        return 1L << shift;
    }

    /** @return {@code byteSize() - 1}: the bits of an address that are the offset inside the page */
    public long offsetMask() {
        return (1L << shift) - 1;
    }

    /** @return the level whose entry maps a page of this size */
    public PageTableLevel leafLevel() {
        return leafLevel;
    }

    /** @return the size whose leaf lives at {@code level}, or {@code null} for PML4 and PML5 */
    public static PageSize ofLeafLevel(final PageTableLevel level) {
        return switch (level) {
            case PT -> SIZE_4KIB;
            case PD -> SIZE_2MIB;
            case PDPT -> SIZE_1GIB;
            case PML4, PML5 -> null;
        };
    }

    @Override
    public String toString() {
        return label;
    }
}

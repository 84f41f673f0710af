package dev.ffmalloc.x86sim.paging;

/**
 * A level of the paging hierarchy, numbered as the SDM does: 1 is the page table, 4 the PML4, 5 the PML5 of
 * 5-level paging. Each table is 4 KiB of 512 eight-byte entries, indexed by 9 bits of the linear address.
 */
public enum PageTableLevel {

    /** Page table: entries map 4 KiB pages; index = linear address bits 20:12. */
    PT(1, 12),
    /** Page directory: entries point to page tables or map 2 MiB pages; bits 29:21. */
    PD(2, 21),
    /** Page-directory-pointer table: entries point to page directories or map 1 GiB pages; bits 38:30. */
    PDPT(3, 30),
    /** Page-map level 4: entries point to PDPTs; bits 47:39. */
    PML4(4, 39),
    /** Page-map level 5 (CR4.LA57 only): entries point to PML4s; bits 56:48. */
    PML5(5, 48);

    /** Entries per table. */
    public static final int ENTRIES = 512;

    /** Bytes of one table. */
    public static final long TABLE_BYTES = 4096;

    private static final PageTableLevel[] BY_NUMBER = {null, PT, PD, PDPT, PML4, PML5};

    private final int number;
    private final int shift;

    PageTableLevel(final int number, final int shift) {
        this.number = number;
        this.shift = shift;
    }

    /** @return the SDM's level number, 1 to 5 */
    public int number() {
        return number;
    }

    /** @return the position of the lowest linear-address bit that indexes this level */
    public int shift() {
        return shift;
    }

    /** @return the bytes of address space one entry of this level covers */
    public long entryCoverage() {
        return 1L << shift;
    }

    /** @return the entry index {@code virtAddr} selects at this level, 0 to 511 */
    public int index(final long virtAddr) {
        return (int) (virtAddr >>> shift) & (ENTRIES - 1);
    }

    /** @return the level below, or {@code null} below the page table */
    public PageTableLevel next() {
        return number == 1 ? null : BY_NUMBER[number - 1];
    }

    /** @return the level numbered {@code number} (1 to 5) */
    public static PageTableLevel of(final int number) {
        return BY_NUMBER[number];
    }

    /** @return the top level for 4-level ({@code la57 == false}) or 5-level paging */
    public static PageTableLevel top(final boolean la57) {
        return la57 ? PML5 : PML4;
    }
}

package dev.ffmalloc.x86sim.paging;

/**
 * Layout of a 64-bit paging-structure entry, stored little-endian in physical memory, and the level-aware helpers
 * that read one. Entries stay raw {@code long}s; this class names their fields.
 *
 * <pre>
 *  63  62     52 51       M M-1                 12 11  9 8 7  6 5 4   3   2   1  0
 * +--+----------+----------+----------------------+-----+-+--+-+-+---+---+---+---+-+
 * |XD| ignored/ | reserved |  physical address    | ign |G|PS|D|A|PCD|PWT|U/S|R/W|P|
 * |  | prot.key | (M < 52) |  (table or page)     |     | |PAT (PTE)          |   | |
 * +--+----------+----------+----------------------+-----+-+--+-+-+---+---+---+---+-+
 * </pre>
 * A 2 MiB leaf (PDE with PS=1) holds its address in bits M-1:21 and has bits 20:13 reserved and bit 12 = PAT;
 * a 1 GiB leaf (PDPTE with PS=1) uses bits M-1:30, bits 29:13 reserved, bit 12 = PAT. In a PTE bit 7 is PAT, not
 * PS. PS is reserved in PML4 and PML5 entries, and in PDPTEs of a CPU without 1 GiB pages. XD is reserved unless
 * EFER.NXE is set. Reserved bits are checked only in present entries.
 *
 * @param raw the 64-bit value
 */
public record PageTableEntry(long raw) {

    /** Bits 20:13, reserved in a 2 MiB leaf. */
    public static final long RESERVED_2MIB_LEAF = 0x1F_E000L;
    /** Bits 29:13, reserved in a 1 GiB leaf. */
    public static final long RESERVED_1GIB_LEAF = 0x3FFF_E000L;

    /** @return whether {@code entry} is present (P=1) */
    public static boolean isPresent(final long entry) {
        return (entry & PageTableFlags.PRESENT) != 0;
    }

    /** @return whether {@code entry}, at {@code level}, maps a page rather than pointing to a table */
    public static boolean isLeaf(final long entry, final PageTableLevel level) {
        return level == PageTableLevel.PT || (entry & PageTableFlags.PAGE_SIZE) != 0;
    }

    /**
     * @return the address in {@code entry}: the next table's for a non-leaf, the page's for a leaf of
     * {@code pageSize} (the PAT bit 12 of a large leaf is not part of it)
     */
    public static long address(final long entry, final long addressMask, final PageSize pageSize) {
        return entry & addressMask & ~pageSize.offsetMask();
    }

    /**
     * @return the bits of {@code entry} that are reserved (must be 0) given the level, the entry's own PS bit, the
     * CPU model and EFER.NXE
     */
    public static long reservedBits(final PageTableLevel level, final long entry, final CpuModel model,
                                    final boolean nxe) {
        final boolean pageSizeBit = (entry & PageTableFlags.PAGE_SIZE) != 0;
        return entry & (reservedMask(level, pageSizeBit, model) | (nxe ? 0 : PageTableFlags.NO_EXECUTE));
    }

    /**
     * The reserved-bit rule of the reference sheet (§1.5), in one place: bits 51:M everywhere; PS in a PML4E or
     * PML5E, and in a PDPTE without 1 GiB pages; bits 29:13 of a 1 GiB leaf and 20:13 of a 2 MiB leaf. XD (bit 63,
     * reserved without EFER.NXE) is not included: the caller adds it.
     *
     * @param pageSizeBit whether bit 7 of the entry is set (ignored for a PTE, where it is PAT)
     * @return the mask of reserved bits of a present entry at {@code level}
     */
    public static long reservedMask(final PageTableLevel level, final boolean pageSizeBit, final CpuModel model) {
        final long high = model.highPhysReservedMask();
        return switch (level) {
            case PML5, PML4 -> high | PageTableFlags.PAGE_SIZE;
            case PDPT -> !pageSizeBit ? high
                : high | (model.gigabytePages() ? RESERVED_1GIB_LEAF : PageTableFlags.PAGE_SIZE);
            case PD -> pageSizeBit ? high | RESERVED_2MIB_LEAF : high;
            case PT -> high;
        };
    }

    /** @return whether P is set */
    public boolean isPresent() {
        return isPresent(raw);
    }

    /** @return the flag bits: everything outside bits 51:12 */
    public long flags() {
        return raw & ~0x000F_FFFF_FFFF_F000L;
    }

    /** @return whether {@code flag} (a {@link PageTableFlags} mask) is set */
    public boolean has(final long flag) {
        return (raw & flag) == flag;
    }

    @Override
    public String toString() {
        return "PageTableEntry(0x" + Long.toHexString(raw) + " " + PageTableFlags.describe(raw) + ")";
    }
}

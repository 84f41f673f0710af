package dev.ffmalloc.x86sim.paging;

/**
 * The flag bits of a paging-structure entry (SDM vol. 3A, tables 4-14 to 4-20), as {@code long} masks to OR
 * together. Bit 7 has two meanings that this class names apart: {@link #PAGE_SIZE} in a PDPTE or PDE,
 * {@link #PAT_4KIB} in a PTE; a large page's PAT bit is {@link #PAT_LARGE}, bit 12, inside the address field of a
 * 4 KiB-style entry.
 *
 * <p>Relations: every other bit is ignored when {@link #PRESENT} is clear; {@link #DIRTY}, {@link #GLOBAL} and the
 * PAT bits mean something only in a leaf; {@link #NO_EXECUTE} is a reserved bit unless EFER.NXE is set.
 */
public final class PageTableFlags {

    /** P, bit 0: the entry maps a page or points to a table. */
    public static final long PRESENT = 1L;
    /** R/W, bit 1: writes are allowed in the region (needed at every level). */
    public static final long WRITABLE = 1L << 1;
    /** U/S, bit 2: user-mode accesses are allowed in the region (needed at every level). */
    public static final long USER = 1L << 2;
    /** PWT, bit 3: write-through memory type. */
    public static final long WRITE_THROUGH = 1L << 3;
    /** PCD, bit 4: caching disabled. */
    public static final long CACHE_DISABLE = 1L << 4;
    /** A, bit 5: set by the processor when the entry is used for a translation. */
    public static final long ACCESSED = 1L << 5;
    /** D, bit 6 of a leaf: set by the processor on the first write to the page. */
    public static final long DIRTY = 1L << 6;
    /** PS, bit 7 of a PDPTE or PDE: the entry maps a 1 GiB or 2 MiB page. Reserved in a PML4E or PML5E. */
    public static final long PAGE_SIZE = 1L << 7;
    /** PAT, bit 7 of a PTE (same bit as {@link #PAGE_SIZE}, other meaning). */
    public static final long PAT_4KIB = 1L << 7;
    /** G, bit 8 of a leaf: the translation is global (survives CR3 writes) when CR4.PGE is set. */
    public static final long GLOBAL = 1L << 8;
    /** PAT, bit 12 of a 2 MiB or 1 GiB leaf. */
    public static final long PAT_LARGE = 1L << 12;
    /** XD, bit 63: instruction fetches are not allowed in the region (EFER.NXE=1; else reserved). */
    public static final long NO_EXECUTE = 1L << 63;

    /** The bits of a leaf the mapper lets a caller choose: everything but the address and PS. */
    public static final long LEAF_FLAGS_MASK = PRESENT | WRITABLE | USER | WRITE_THROUGH | CACHE_DISABLE | ACCESSED
        | DIRTY | GLOBAL | NO_EXECUTE;

    private static final long[] BITS = {PRESENT, WRITABLE, USER, WRITE_THROUGH, CACHE_DISABLE, ACCESSED, DIRTY,
        PAGE_SIZE, GLOBAL, NO_EXECUTE};
    private static final String[] NAMES = {"P", "RW", "US", "PWT", "PCD", "A", "D", "PS", "G", "XD"};

    private PageTableFlags() {
    }

    /** @return the named flag bits of {@code flags}, e.g. {@code "P|RW|A"}, or {@code "-"} if none */
    public static String describe(final long flags) {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < BITS.length; i++) {
            if ((flags & BITS[i]) != 0) {
                text.append(text.isEmpty() ? "" : "|").append(NAMES[i]);
            }
        }
        return text.isEmpty() ? "-" : text.toString();
    }
}

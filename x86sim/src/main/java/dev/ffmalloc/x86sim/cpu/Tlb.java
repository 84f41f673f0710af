package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.x86sim.paging.PageSize;

/**
 * One CPU's translation lookaside buffer: direct-mapped entries for 4 KiB, 2 MiB and 1 GiB pages, looked up in that
 * order, with hit, miss and walk counters.
 *
 * <p>What it caches follows SDM §4.10: only successful translations (no negative caching), keyed by page number,
 * with the rights accumulated across levels, the global flag (leaf G with CR4.PGE), the D state and the leaf
 * entry's physical address. Rights are checked against CR0.WP, SMEP, SMAP and AC at access time, so changing those
 * needs no flush. No paging-structure caches are modelled: a miss always walks from CR3.
 *
 * <p>Counters: {@code hits + misses} = lookups; {@code walks} = misses plus re-walks that set D on the first write
 * through an entry cached clean.
 */
public final class Tlb {

    /** Slots for 4 KiB translations. */
    public static final int SLOTS_4KIB = 1024;
    /** Slots for 2 MiB translations. */
    public static final int SLOTS_2MIB = 256;
    /** Slots for 1 GiB translations. */
    public static final int SLOTS_1GIB = 16;

    final TlbSet set4KiB = new TlbSet(PageSize.SIZE_4KIB, SLOTS_4KIB);
    final TlbSet set2MiB = new TlbSet(PageSize.SIZE_2MIB, SLOTS_2MIB);
    final TlbSet set1GiB = new TlbSet(PageSize.SIZE_1GIB, SLOTS_1GIB);
    private final TlbSet[] bySize = {set4KiB, set2MiB, set1GiB};

    long hits;
    long misses;
    long walks;

    Tlb() {
    }

    void insert(final long virtAddr, final PageSize pageSize, final long pageAddr, final long leafEntryAddr,
                final int attributeBits) {
        setOf(pageSize).insert(virtAddr, pageAddr, leafEntryAddr, attributeBits);
    }

    /** Drops the entries of every size that translate {@code virtAddr}. */
    void invalidatePage(final long virtAddr) {
        set4KiB.invalidatePage(virtAddr);
        set2MiB.invalidatePage(virtAddr);
        set1GiB.invalidatePage(virtAddr);
    }

    /** Drops every entry, or every non-global one if {@code keepGlobal}. */
    void invalidateAll(final boolean keepGlobal) {
        set4KiB.invalidateAll(keepGlobal);
        set2MiB.invalidateAll(keepGlobal);
        set1GiB.invalidateAll(keepGlobal);
    }

    private TlbSet setOf(final PageSize pageSize) {
        return bySize[pageSize.ordinal()];
    }

    /** @return lookups that found an entry */
    public long hits() {
        return hits;
    }

    /** @return lookups that found none */
    public long misses() {
        return misses;
    }

    /** @return page walks performed */
    public long walks() {
        return walks;
    }

    /** @return valid entries of {@code pageSize} now cached */
    public int validEntries(final PageSize pageSize) {
        return setOf(pageSize).validEntries();
    }

    /** Sets the three counters to zero. */
    public void resetCounters() {
        hits = 0;
        misses = 0;
        walks = 0;
    }

    @Override
    public String toString() {
        return "Tlb[hits=" + hits + ", misses=" + misses + ", walks=" + walks + ", entries4KiB="
            + validEntries(PageSize.SIZE_4KIB) + ", entries2MiB=" + validEntries(PageSize.SIZE_2MIB)
            + ", entries1GiB=" + validEntries(PageSize.SIZE_1GIB) + "]";
    }
}

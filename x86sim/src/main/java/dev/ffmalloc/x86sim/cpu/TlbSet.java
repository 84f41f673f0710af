package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.x86sim.paging.PageSize;

/**
 * The direct-mapped TLB entries of one page size, in parallel primitive arrays so that a lookup allocates nothing
 * and touches two cache lines.
 *
 * <p>Invariant: slot {@code s} is valid iff {@code tags[s]} has {@link #VALID} set, and then it caches the
 * translation of the page whose number ({@code virtAddr >>> shift}) is {@code tags[s] & ~VALID}, which is
 * congruent to {@code s} modulo the slot count. Page numbers of canonical addresses are below 2^52, so
 * {@link #VALID} never collides with one, and a non-canonical address never matches a tag.
 */
final class TlbSet {

    /** Tag bit that marks a valid slot. */
    static final long VALID = 1L << 63;
    /** Attribute bit: the translation is global (survives CR3 writes). Above the three {@link AccessRights}. */
    static final int GLOBAL = 1 << 3;
    /** Attribute bit: the leaf's D bit was set when the entry was cached. */
    static final int DIRTY = 1 << 4;

    final PageSize pageSize;
    final int shift;
    final long offsetMask;
    final int indexMask;
    final long[] tags;
    final long[] pageAddrs;
    final long[] leafEntryAddrs;
    final byte[] attributes;

    /** @param slots a power of two */
    TlbSet(final PageSize pageSize, final int slots) {
        this.pageSize = pageSize;
        this.shift = pageSize.shift();
        this.offsetMask = pageSize.offsetMask();
        this.indexMask = slots - 1;
        this.tags = new long[slots];
        this.pageAddrs = new long[slots];
        this.leafEntryAddrs = new long[slots];
        this.attributes = new byte[slots];
    }

    int slotOf(final long virtAddr) {
        return (int) (virtAddr >>> shift) & indexMask;
    }

    boolean matches(final int slot, final long virtAddr) {
        return tags[slot] == (virtAddr >>> shift | VALID);
    }

    void insert(final long virtAddr, final long pageAddr, final long leafEntryAddr, final int attributeBits) {
        final int slot = slotOf(virtAddr);
        tags[slot] = virtAddr >>> shift | VALID;
        pageAddrs[slot] = pageAddr;
        leafEntryAddrs[slot] = leafEntryAddr;
        attributes[slot] = (byte) attributeBits;
    }

    void invalidatePage(final long virtAddr) {
        final int slot = slotOf(virtAddr);
        if (matches(slot, virtAddr)) {
            tags[slot] = 0;
        }
    }

    void invalidateAll(final boolean keepGlobal) {
        for (int slot = 0; slot <= indexMask; slot++) {
            if (!keepGlobal || (attributes[slot] & GLOBAL) == 0) {
                tags[slot] = 0;
            }
        }
    }

    int validEntries() {
        int count = 0;
        for (final long tag : tags) {
            count += tag < 0 ? 1 : 0;
        }
        return count;
    }
}

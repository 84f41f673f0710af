package dev.ffmalloc.x86sim.paging;

/** What a {@link MapperFlush} asks of a processor: the two invalidations a page-table change may need. */
public interface TlbInvalidation {

    /** Drops the cached translations of the page containing {@code virtAddr}, global ones included (INVLPG). */
    void invalidatePage(VirtAddr virtAddr);

    /** Drops every cached translation, global ones included (as toggling CR4.PGE does). */
    void invalidateAll();
}

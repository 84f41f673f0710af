package dev.ffmalloc.x86sim.cpu;

/** What a memory access does, as the paging unit's rights check and the #PF error code distinguish it. */
public enum AccessKind {

    /** A data read. */
    READ,
    /** A data write: needs R/W at every level (for supervisor accesses only with CR0.WP), sets D in the leaf. */
    WRITE,
    /** An instruction fetch: refused where XD is set at any level (EFER.NXE) or, for a supervisor, by SMEP. */
    EXECUTE
}

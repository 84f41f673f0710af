package dev.ffmalloc.x86sim.paging;

/** Why a {@link Mapper} operation was refused; each has its own message shape in {@link MapperException}. */
public enum MapperError {

    /** The page, or part of it, is already mapped (by a leaf or by a table of smaller pages). */
    ALREADY_MAPPED,
    /** An entry above the page's level maps a larger page, so no table exists where one is needed. */
    PARENT_ENTRY_HUGE_PAGE,
    /** A page table was needed and the frame allocator had no frame. */
    FRAME_ALLOCATION_FAILED,
    /** No present leaf maps the page. */
    NOT_MAPPED,
    /** The page is mapped, but by a leaf of another size. */
    PAGE_SIZE_MISMATCH,
    /** A virtual or physical address is not a multiple of the page size. */
    NOT_ALIGNED,
    /** The virtual address is not canonical for the mapper's paging mode. */
    NON_CANONICAL,
    /** The frame lies above MAXPHYADDR, or the CPU has no pages of that size. */
    UNSUPPORTED,
    /** The flags contain bits that are not leaf flags (address bits or PS). */
    INVALID_FLAGS
}

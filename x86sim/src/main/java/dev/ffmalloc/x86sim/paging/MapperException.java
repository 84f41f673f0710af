package dev.ffmalloc.x86sim.paging;

import dev.ffmalloc.alloc.AllocatorErrors;

/**
 * A {@link Mapper} operation refused; the page tables are exactly as they were before the call. The message names
 * the addresses in hex; {@link #error()} says which rule was broken.
 */
public final class MapperException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final MapperError error;
    private final long virtAddr;

    private MapperException(final MapperError error, final long virtAddr, final String message) {
        super(message);
        this.error = error;
        this.virtAddr = virtAddr;
    }

    /** @return which rule the operation broke */
    public MapperError error() {
        return error;
    }

    /** @return the virtual address the operation was about */
    public long virtAddr() {
        return virtAddr;
    }

    private static String hex(final long value) {
        return AllocatorErrors.hex(value);
    }

    static MapperException alreadyMapped(final long virtAddr, final PageSize pageSize, final long existingEntry,
                                         final PageTableLevel level) {
        return new MapperException(MapperError.ALREADY_MAPPED, virtAddr, "page is already mapped: virtAddr="
            + hex(virtAddr) + ", pageSize=" + pageSize + ", existingEntry=" + hex(existingEntry) + ", level="
            + level);
    }

    static MapperException parentEntryHugePage(final long virtAddr, final PageSize pageSize,
                                               final long hugeEntry, final PageTableLevel level) {
        return new MapperException(MapperError.PARENT_ENTRY_HUGE_PAGE, virtAddr,
            "page lies inside a larger page: virtAddr=" + hex(virtAddr) + ", pageSize=" + pageSize + ", hugeEntry="
                + hex(hugeEntry) + ", level=" + level);
    }

    static MapperException frameAllocationFailed(final long virtAddr, final int tablesNeeded) {
        return new MapperException(MapperError.FRAME_ALLOCATION_FAILED, virtAddr,
            "no frame for a page table: virtAddr=" + hex(virtAddr) + ", tablesNeeded=" + tablesNeeded);
    }

    static MapperException notMapped(final long virtAddr, final PageSize pageSize, final PageTableLevel level) {
        return new MapperException(MapperError.NOT_MAPPED, virtAddr, "page is not mapped: virtAddr=" + hex(virtAddr)
            + ", pageSize=" + pageSize + ", level=" + level);
    }

    static MapperException mappedBySmallerPages(final long virtAddr, final PageSize pageSize,
                                                final long tableEntry, final PageTableLevel level) {
        return new MapperException(MapperError.PAGE_SIZE_MISMATCH, virtAddr,
            "page is mapped by a table of smaller pages: virtAddr=" + hex(virtAddr) + ", pageSize=" + pageSize
                + ", tableEntry=" + hex(tableEntry) + ", level=" + level);
    }

    static MapperException virtNotAligned(final long virtAddr, final PageSize pageSize) {
        return new MapperException(MapperError.NOT_ALIGNED, virtAddr,
            "virtual address is not aligned to the page size: virtAddr=" + hex(virtAddr) + ", pageSize=" + pageSize);
    }

    static MapperException physNotAligned(final long virtAddr, final long physAddr, final PageSize pageSize) {
        return new MapperException(MapperError.NOT_ALIGNED, virtAddr,
            "physical address is not aligned to the page size: physAddr=" + hex(physAddr) + ", pageSize="
                + pageSize);
    }

    static MapperException sizeNotAligned(final long virtAddr, final long byteSize) {
        return new MapperException(MapperError.NOT_ALIGNED, virtAddr,
            "range size is not a positive multiple of 4KiB: virtAddr=" + hex(virtAddr) + ", byteSize=" + byteSize);
    }

    static MapperException nonCanonical(final long virtAddr, final int linearBits) {
        return new MapperException(MapperError.NON_CANONICAL, virtAddr,
            "virtual address is not canonical for this paging mode: virtAddr=" + hex(virtAddr) + ", linearBits="
                + linearBits);
    }

    static MapperException rangeLeavesItsHalf(final long virtAddr, final long byteSize, final int linearBits) {
        return new MapperException(MapperError.NON_CANONICAL, virtAddr,
            "range leaves the canonical half it starts in: virtAddr=" + hex(virtAddr) + ", byteSize=" + byteSize
                + ", linearBits=" + linearBits);
    }

    static MapperException frameAboveMaxPhysAddr(final long virtAddr, final long physAddr,
                                                 final int maxPhysAddrBits) {
        return new MapperException(MapperError.UNSUPPORTED, virtAddr,
            "frame lies above MAXPHYADDR: physAddr=" + hex(physAddr) + ", maxPhysAddrBits=" + maxPhysAddrBits);
    }

    static MapperException noGigabytePages(final long virtAddr) {
        return new MapperException(MapperError.UNSUPPORTED, virtAddr,
            "the CPU model has no 1GiB pages: virtAddr=" + hex(virtAddr));
    }

    static MapperException invalidFlags(final long virtAddr, final long flags) {
        return new MapperException(MapperError.INVALID_FLAGS, virtAddr,
            "flags contain address bits or PS: virtAddr=" + hex(virtAddr) + ", flags=" + hex(flags));
    }
}

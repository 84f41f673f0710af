package dev.ffmalloc.x86sim.paging;

/**
 * What {@link Mapper#translate} finds for a virtual address, read from the tables without the side effects of a
 * hardware walk (no A or D bits set, no TLB involved).
 */
public sealed interface TranslateResult {

    /**
     * The address is mapped: P=1 at every level and no reserved bit in the leaf.
     *
     * @param frame          the physical address of the page's first byte
     * @param offset         the address's offset inside the page
     * @param pageSize       the size of the page
     * @param leafFlags      the leaf entry's flag bits (everything outside its address field)
     * @param effectiveFlags the rights of the whole path as {@link PageTableFlags}: PRESENT, plus WRITABLE if R/W at
     *                       every level, USER if U/S at every level, NO_EXECUTE if XD at any level
     */
    record Mapped(PhysAddr frame, long offset, PageSize pageSize, long leafFlags, long effectiveFlags)
        implements TranslateResult {

        /** @return {@code frame + offset}: the physical address the virtual address translates to */
        public PhysAddr physAddr() {
            return frame.add(offset);
        }
    }

    /**
     * No translation: an entry on the path is not present.
     *
     * @param level the level of the first non-present entry
     */
    record NotMapped(PageTableLevel level) implements TranslateResult {
    }

    /**
     * The leaf is present but its address has reserved bits set: above MAXPHYADDR, or below the page size of a
     * large page. Hardware would raise a #PF with RSVD.
     *
     * @param leafEntry the raw leaf entry
     * @param level     its level
     */
    record InvalidFrameAddress(long leafEntry, PageTableLevel level) implements TranslateResult {
    }
}

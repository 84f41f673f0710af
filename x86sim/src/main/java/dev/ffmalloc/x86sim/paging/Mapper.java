package dev.ffmalloc.x86sim.paging;

import dev.ffmalloc.memory.Memory;
import org.agrona.collections.Long2LongHashMap;

/**
 * Creates, changes and removes mappings in a 4-level (or 5-level) page-table tree stored in physical memory, in the
 * spirit of the rust-osdev {@code x86_64} crate's {@code OffsetPageTable}, with its users' complaints fixed.
 *
 * <ul>
 *   <li>"Mapped" means P=1 at every level, for every operation alike; a non-present leaf may hold anything.</li>
 *   <li>Parent entries permit whatever their leaves permit: a new table's entry gets P, plus R/W and U/S when the
 *       leaf has them; an existing parent gets R/W and U/S added and XD removed as the leaf needs, on
 *       {@link #map} and {@link #updateFlags} alike. Only leaves restrict.</li>
 *   <li>Conflicts report what is there: the existing entry and its level.</li>
 *   <li>Every change returns a {@link MapperFlush} that must be flushed or ignored (checked with assertions on).</li>
 *   <li>Errors are {@link MapperException}s with a {@link MapperError} code; a refused operation changes nothing.
 *       A refused {@link #mapRange} unmaps what it mapped before the refusal (tables it created stay, empty,
 *       until {@link #releaseEmptyTables}).</li>
 *   <li>Page tables that become empty are given back by {@link #releaseEmptyTables}, never implicitly.</li>
 * </ul>
 *
 * <p>The mapper reads and writes entries directly by physical address (the simulator's equivalent of a complete
 * direct map), and leaves A and D to the processor. Preconditions: the tables reachable from the top table were
 * created by this mapper or follow the same rules, no table frame is shared between two parents, and every frame
 * the frame allocator hands out is backed by {@code physical}. Not thread-safe.
 */
public final class Mapper {

    private static final long TABLE_BYTES = PageTableLevel.TABLE_BYTES;
    private static final long FRAME_MASK_4KIB = PageSize.SIZE_4KIB.offsetMask();
    /** The missing value of {@link #mapRange}'s record of widened entries' old values: a widened entry was present. */
    private static final long NOT_WIDENED = 0L;

    private final Memory physical;
    private final CpuModel model;
    private final FrameSource frames;
    private final long topTableAddr;
    private final PageTableLevel top;
    private final int linearBits;
    private final long addressMask;
    /** Scratch of {@link #descend}: {@code path[n]} is the address of the level-n entry on the last path walked. */
    private final long[] path = new long[PageTableLevel.PML5.number() + 1];
    /** Scratch of {@link #map}: frames of the tables being created, top-most first. */
    private final long[] newTables = new long[PageTableLevel.PML5.number()];
    private long tablesAllocated;
    /** Present leaves this mapper wrote and has not removed, by {@link PageSize#ordinal()}. */
    private final long[] leavesMapped = new long[PageSize.values().length];
    private int unresolvedFlushes;
    private MapperFlush lastFlush;

    /**
     * A mapper over an existing top-level table.
     *
     * @param physical     the physical memory the tables live in
     * @param model        MAXPHYADDR and 1 GiB page support
     * @param frames       where new tables come from and released ones go
     * @param topTableAddr the PML4 (or PML5) table, 4 KiB-aligned: what CR3 will hold
     * @param fiveLevel    whether the tree is for 5-level paging (CR4.LA57)
     */
    public Mapper(final Memory physical, final CpuModel model, final FrameSource frames,
                  final PhysAddr topTableAddr, final boolean fiveLevel) {
        if (!topTableAddr.isAligned(TABLE_BYTES) || (topTableAddr.value() & ~model.addressMask()) != 0) {
            throw new IllegalArgumentException("top-level table must be 4KiB-aligned and below MAXPHYADDR: physAddr="
                + Long.toHexString(topTableAddr.value()));
        }
        this.physical = physical;
        this.model = model;
        this.frames = frames;
        this.topTableAddr = topTableAddr.value();
        this.top = PageTableLevel.top(fiveLevel);
        this.linearBits = fiveLevel ? VirtAddr.BITS_5_LEVEL : VirtAddr.BITS_4_LEVEL;
        this.addressMask = model.addressMask();
    }

    /**
     * A mapper over a new, empty top-level table taken from {@code frames}.
     *
     * @throws MapperException ({@link MapperError#FRAME_ALLOCATION_FAILED}) if no frame is left
     */
    public static Mapper create(final Memory physical, final CpuModel model, final FrameSource frames,
                                final boolean fiveLevel) {
        final long frameAddr = frames.allocateFrame();
        if (frameAddr == FrameSource.NO_FRAME) {
            throw MapperException.frameAllocationFailed(0, 1);
        }
        physical.fill(frameAddr, TABLE_BYTES, (byte) 0);
        final Mapper mapper = new Mapper(physical, model, frames, PhysAddr.of(frameAddr), fiveLevel);
        mapper.tablesAllocated = 1;
        return mapper;
    }

    /** @return the physical address of the top-level table: the value for CR3 */
    public PhysAddr topTableAddr() {
        return PhysAddr.of(topTableAddr);
    }

    /** @return page tables this mapper took from its frame allocator and holds now (its own top table included) */
    public long tablesAllocated() {
        return tablesAllocated;
    }

    /** @return pages of {@code pageSize} this mapper mapped and has not unmapped */
    public long pagesMapped(final PageSize pageSize) {
        return leavesMapped[pageSize.ordinal()];
    }

    /** @return flush tokens returned and not yet flushed or ignored */
    public int unresolvedFlushes() {
        return unresolvedFlushes;
    }

    // ------------------------------------------------------------------------------------------------ map

    /**
     * Maps the page at {@code page} to {@code frame}, creating missing tables.
     *
     * @param flags leaf flags from {@link PageTableFlags#LEAF_FLAGS_MASK}; PRESENT is added, and PS for a large page
     * @return the flush token: one page, or the whole TLB if an existing parent entry was widened
     * @throws MapperException NON_CANONICAL, NOT_ALIGNED, UNSUPPORTED, INVALID_FLAGS, ALREADY_MAPPED,
     *                         PARENT_ENTRY_HUGE_PAGE or FRAME_ALLOCATION_FAILED; nothing is changed then
     */
    public MapperFlush map(final VirtAddr page, final PhysAddr frame, final PageSize pageSize, final long flags) {
        checkNoUnresolvedFlush();
        final long virtAddr = page.value();
        checkPage(virtAddr, pageSize);
        checkFrame(virtAddr, frame.value(), pageSize);
        checkFlags(virtAddr, flags);
        final boolean widened = mapChecked(virtAddr, frame.value(), pageSize, flags, null);
        return newFlush(virtAddr, widened);
    }

    /** Maps {@code frame} at the virtual address equal to its physical address; see {@link #map}. */
    public MapperFlush identityMap(final PhysAddr frame, final PageSize pageSize, final long flags) {
        return map(VirtAddr.of(frame.value()), frame, pageSize, flags);
    }

    /**
     * Maps {@code byteSize} bytes from {@code virtStart} to {@code physStart} onward (a fixed-offset mapping: an
     * identity map if both are equal, a direct map at an offset otherwise), with the largest pages, up to
     * {@code largest}, that the alignment of both addresses and the remaining size allow.
     *
     * @return a whole-TLB flush token
     * @throws MapperException as {@link #map}; NOT_ALIGNED if {@code byteSize} is not a positive multiple of 4 KiB;
     *                         NON_CANONICAL if the range leaves the canonical half it starts in (or wraps around
     *                         the address space). On a refusal the pages mapped before it are unmapped again and
     *                         the parent entries it widened are narrowed back; only tables it created stay.
     */
    public MapperFlush mapRange(final VirtAddr virtStart, final PhysAddr physStart, final long byteSize,
                                final long flags, final PageSize largest) {
        checkNoUnresolvedFlush();
        final long virtAddr = virtStart.value();
        if (byteSize <= 0 || (byteSize & FRAME_MASK_4KIB) != 0) {
            throw MapperException.sizeNotAligned(virtAddr, byteSize);
        }
        final long lastPage = virtAddr + byteSize - PageSize.SIZE_4KIB.byteSize();
        checkPage(virtAddr, PageSize.SIZE_4KIB);
        checkPage(lastPage, PageSize.SIZE_4KIB);
        // Both ends canonical and in the same half: then every page between them is (a range that wraps past the
        // top of the address space ends in the lower half).
        if ((virtAddr ^ lastPage) < 0) {
            throw MapperException.rangeLeavesItsHalf(virtAddr, byteSize, linearBits);
        }
        checkFrame(virtAddr, physStart.value(), PageSize.SIZE_4KIB);
        checkFrame(virtAddr, physStart.value() + byteSize - PageSize.SIZE_4KIB.byteSize(), PageSize.SIZE_4KIB);
        checkFlags(virtAddr, flags);
        final Long2LongHashMap widenedEntries = new Long2LongHashMap(NOT_WIDENED);
        long done = 0;
        try {
            while (done < byteSize) {
                final PageSize pageSize = largestFit(virtAddr + done, physStart.value() + done, byteSize - done,
                    largest);
                mapChecked(virtAddr + done, physStart.value() + done, pageSize, flags, widenedEntries);
                done += pageSize.byteSize();
            }
        } catch (final MapperException refused) {
            unmapRangeChecked(virtAddr, done);
            widenedEntries.forEachLong(physical::setLong);
            throw refused;
        }
        return newFlush(virtAddr, true);
    }

    private PageSize largestFit(final long virtAddr, final long physAddr, final long byteSize,
                                final PageSize largest) {
        for (int ordinal = largest.ordinal(); ordinal > 0; ordinal--) {
            final PageSize pageSize = PageSize.values()[ordinal];
            final boolean supported = pageSize != PageSize.SIZE_1GIB || model.gigabytePages();
            if (supported && ((virtAddr | physAddr) & pageSize.offsetMask()) == 0 && byteSize >= pageSize.byteSize()) {
                return pageSize;
            }
        }
        return PageSize.SIZE_4KIB;
    }

    /**
     * The body of {@link #map} after the argument checks: finds the path, counts the tables to create, takes their
     * frames (all or none), then writes tables, parents and the leaf.
     *
     * @param widenedEntries where each parent entry widened gets its value from before the first widening (for
     *                       {@link #mapRange} to undo), or null
     * @return whether an existing parent entry was widened
     */
    private boolean mapChecked(final long virtAddr, final long physAddr, final PageSize pageSize, final long flags,
                               final Long2LongHashMap widenedEntries) {
        final PageTableLevel leafLevel = pageSize.leafLevel();
        final PageTableLevel stop = descend(virtAddr, leafLevel);
        final long stopEntry = physical.getLong(path[stop.number()]);
        int tablesNeeded = 0;
        if (stop != leafLevel) {
            if (PageTableEntry.isPresent(stopEntry)) {
                throw MapperException.parentEntryHugePage(virtAddr, pageSize, stopEntry, stop);
            }
            tablesNeeded = stop.number() - leafLevel.number();
        } else if (PageTableEntry.isPresent(stopEntry)) {
            throw MapperException.alreadyMapped(virtAddr, pageSize, stopEntry, stop);
        }
        allocateTables(virtAddr, tablesNeeded);
        final long parentBits = parentBits(flags);
        final boolean widened = widenParents(stop, flags, widenedEntries);
        long entryAddr = path[stop.number()];
        PageTableLevel level = stop;
        for (int i = 0; i < tablesNeeded; i++) {
            final long tableAddr = newTables[i];
            physical.fill(tableAddr, TABLE_BYTES, (byte) 0);
            physical.setLong(entryAddr, tableAddr | parentBits);
            level = level.next();
            entryAddr = tableAddr + (long) level.index(virtAddr) * Long.BYTES;
        }
        physical.setLong(entryAddr, physAddr | leafBits(pageSize, flags));
        leavesMapped[pageSize.ordinal()]++;
        return widened;
    }

    private void allocateTables(final long virtAddr, final int tablesNeeded) {
        for (int i = 0; i < tablesNeeded; i++) {
            final long frameAddr = frames.allocateFrame();
            if (frameAddr == FrameSource.NO_FRAME) {
                for (int taken = i - 1; taken >= 0; taken--) {
                    frames.deallocateFrame(newTables[taken]);
                }
                throw MapperException.frameAllocationFailed(virtAddr, tablesNeeded);
            }
            newTables[i] = frameAddr;
        }
        tablesAllocated += tablesNeeded;
    }

    /**
     * Adds to the present parents above {@code stop} on {@link #path} what a leaf with {@code flags} needs,
     * recording each entry's value from before its first widening in {@code widenedEntries}, unless that is null.
     */
    private boolean widenParents(final PageTableLevel stop, final long flags, final Long2LongHashMap widenedEntries) {
        final long add = parentBits(flags);
        final long keep = (flags & PageTableFlags.NO_EXECUTE) == 0 ? ~PageTableFlags.NO_EXECUTE : -1L;
        boolean widened = false;
        for (PageTableLevel level = top; level != stop; level = level.next()) {
            final long entryAddr = path[level.number()];
            final long entry = physical.getLong(entryAddr);
            final long wider = (entry | add) & keep;
            if (wider != entry) {
                if (widenedEntries != null) {
                    widenedEntries.putIfAbsent(entryAddr, entry);
                }
                physical.setLong(entryAddr, wider);
                widened = true;
            }
        }
        return widened;
    }

    private static long parentBits(final long leafFlags) {
        return PageTableFlags.PRESENT | leafFlags & (PageTableFlags.WRITABLE | PageTableFlags.USER);
    }

    private static long leafBits(final PageSize pageSize, final long flags) {
        return flags | PageTableFlags.PRESENT | (pageSize == PageSize.SIZE_4KIB ? 0 : PageTableFlags.PAGE_SIZE);
    }

    // ------------------------------------------------------------------------------------- unmap, update

    /**
     * The outcome of {@link #unmap}.
     *
     * @param frame the frame the page was mapped to (the caller owns it again)
     * @param flush the invalidation of the page
     */
    public record Unmapped(PhysAddr frame, MapperFlush flush) {
    }

    /**
     * Removes the mapping of the page at {@code page}: its leaf entry becomes 0. Tables are kept.
     *
     * @throws MapperException NON_CANONICAL, NOT_ALIGNED, UNSUPPORTED, NOT_MAPPED, PARENT_ENTRY_HUGE_PAGE (the
     *                         page lies inside a larger one) or PAGE_SIZE_MISMATCH (mapped by smaller pages)
     */
    public Unmapped unmap(final VirtAddr page, final PageSize pageSize) {
        checkNoUnresolvedFlush();
        final long virtAddr = page.value();
        checkPage(virtAddr, pageSize);
        final long leafEntryAddr = findLeaf(virtAddr, pageSize);
        final long entry = physical.getLong(leafEntryAddr);
        physical.setLong(leafEntryAddr, 0);
        leavesMapped[pageSize.ordinal()]--;
        return new Unmapped(PhysAddr.of(PageTableEntry.address(entry, addressMask, pageSize)),
            newFlush(virtAddr, false));
    }

    /**
     * Replaces the flags of the page's leaf (its frame is kept) and widens its parents as {@link #map} does.
     *
     * @return the flush token: one page, or the whole TLB if a parent entry was widened
     * @throws MapperException as {@link #unmap}, or INVALID_FLAGS
     */
    public MapperFlush updateFlags(final VirtAddr page, final PageSize pageSize, final long flags) {
        checkNoUnresolvedFlush();
        final long virtAddr = page.value();
        checkPage(virtAddr, pageSize);
        checkFlags(virtAddr, flags);
        final long leafEntryAddr = findLeaf(virtAddr, pageSize);
        final long entry = physical.getLong(leafEntryAddr);
        final boolean widened = widenParents(pageSize.leafLevel(), flags, null);
        physical.setLong(leafEntryAddr, PageTableEntry.address(entry, addressMask, pageSize)
            | leafBits(pageSize, flags));
        return newFlush(virtAddr, widened);
    }

    /** @return the address of the present leaf of {@code pageSize} for {@code virtAddr}; see {@link #unmap} */
    private long findLeaf(final long virtAddr, final PageSize pageSize) {
        final PageTableLevel leafLevel = pageSize.leafLevel();
        final PageTableLevel stop = descend(virtAddr, leafLevel);
        final long entry = physical.getLong(path[stop.number()]);
        if (!PageTableEntry.isPresent(entry)) {
            throw MapperException.notMapped(virtAddr, pageSize, stop);
        }
        if (stop != leafLevel) {
            throw MapperException.parentEntryHugePage(virtAddr, pageSize, entry, stop);
        }
        if (!PageTableEntry.isLeaf(entry, leafLevel)) {
            throw MapperException.mappedBySmallerPages(virtAddr, pageSize, entry, leafLevel);
        }
        return path[stop.number()];
    }

    private void unmapRangeChecked(final long virtAddr, final long byteSize) {
        long done = 0;
        while (done < byteSize) {
            final PageTableLevel stop = descend(virtAddr + done, PageTableLevel.PT);
            physical.setLong(path[stop.number()], 0);
            final PageSize pageSize = PageSize.ofLeafLevel(stop);
            leavesMapped[pageSize.ordinal()]--;
            done += pageSize.byteSize();
        }
    }

    // ------------------------------------------------------------------------------------------ translate

    /**
     * Reads the translation of {@code virtAddr} from the tables, without setting A or D.
     *
     * @return Mapped, NotMapped, or InvalidFrameAddress if an entry on the path has reserved bits set (address
     * bits above MAXPHYADDR, low address bits of a large page, PS where the level has no pages); XD counts as a
     * flag (EFER.NXE assumed)
     * @throws MapperException NON_CANONICAL
     */
    public TranslateResult translate(final VirtAddr virtAddr) {
        final long address = virtAddr.value();
        checkCanonical(address);
        long tableAddr = topTableAddr;
        long effective = PageTableFlags.PRESENT | PageTableFlags.WRITABLE | PageTableFlags.USER;
        for (PageTableLevel level = top; ; level = level.next()) {
            final long entry = physical.getLong(tableAddr + (long) level.index(address) * Long.BYTES);
            if (!PageTableEntry.isPresent(entry)) {
                return new TranslateResult.NotMapped(level);
            }
            if (PageTableEntry.reservedBits(level, entry, model, true) != 0) {
                return new TranslateResult.InvalidFrameAddress(entry, level);
            }
            effective &= entry | PageTableFlags.NO_EXECUTE;
            effective |= entry & PageTableFlags.NO_EXECUTE;
            if (PageTableEntry.isLeaf(entry, level)) {
                final PageSize pageSize = PageSize.ofLeafLevel(level);
                final long frameAddr = PageTableEntry.address(entry, addressMask, pageSize);
                // The flags are what the frame's address leaves: PAT (bit 12) of a large page included.
                return new TranslateResult.Mapped(PhysAddr.of(frameAddr), address & pageSize.offsetMask(), pageSize,
                    entry & ~(addressMask & ~pageSize.offsetMask()), effective);
            }
            tableAddr = entry & addressMask;
        }
    }

    // ------------------------------------------------------------------------------------------- clean up

    /**
     * Gives back to the frame allocator every page table below the top one, covering part of
     * {@code first..last} (inclusive), whose 512 entries are all zero, after releasing its own empty children;
     * the parent entry becomes 0. A table with a non-present but non-zero entry is kept.
     *
     * @return a whole-TLB flush token (paging-structure caches may hold released tables)
     * @throws MapperException NON_CANONICAL
     */
    public MapperFlush releaseEmptyTables(final VirtAddr first, final VirtAddr last) {
        checkNoUnresolvedFlush();
        checkCanonical(first.value());
        checkCanonical(last.value());
        releaseIn(topTableAddr, top, 0, first.value(), last.value());
        return newFlush(first.value(), true);
    }

    /** @return whether the table at {@code tableAddr} is all zero after releasing its empty children */
    private boolean releaseIn(final long tableAddr, final PageTableLevel level, final long tableBase,
                              final long first, final long last) {
        boolean empty = true;
        for (int index = 0; index < PageTableLevel.ENTRIES; index++) {
            final long entryAddr = tableAddr + (long) index * Long.BYTES;
            long entry = physical.getLong(entryAddr);
            final long entryBase = canonical(tableBase + ((long) index << level.shift()));
            final long entryLast = entryBase + level.entryCoverage() - 1;
            final boolean covered = Long.compareUnsigned(entryBase, last) <= 0
                && Long.compareUnsigned(entryLast, first) >= 0;
            if (covered && PageTableEntry.isPresent(entry) && !PageTableEntry.isLeaf(entry, level)) {
                final long childAddr = entry & addressMask;
                if (releaseIn(childAddr, level.next(), entryBase, first, last)) {
                    physical.setLong(entryAddr, 0);
                    frames.deallocateFrame(childAddr);
                    tablesAllocated--;
                    entry = 0;
                }
            }
            empty &= entry == 0;
        }
        return empty;
    }

    private long canonical(final long virtAddr) {
        final int shift = Long.SIZE - linearBits;
        return virtAddr << shift >> shift;
    }

    // ------------------------------------------------------------------------------------------- helpers

    /**
     * Walks from the top towards {@code target}, recording each entry address in {@link #path}.
     *
     * @return {@code target}, or the higher level whose entry is not present or maps a large page
     */
    private PageTableLevel descend(final long virtAddr, final PageTableLevel target) {
        long tableAddr = topTableAddr;
        PageTableLevel level = top;
        while (true) {
            final long entryAddr = tableAddr + (long) level.index(virtAddr) * Long.BYTES;
            path[level.number()] = entryAddr;
            if (level == target) {
                return level;
            }
            final long entry = physical.getLong(entryAddr);
            if (!PageTableEntry.isPresent(entry) || PageTableEntry.isLeaf(entry, level)) {
                return level;
            }
            tableAddr = entry & addressMask;
            level = level.next();
        }
    }

    private void checkCanonical(final long virtAddr) {
        if (!VirtAddr.isCanonical(virtAddr, linearBits)) {
            throw MapperException.nonCanonical(virtAddr, linearBits);
        }
    }

    private void checkPage(final long virtAddr, final PageSize pageSize) {
        checkCanonical(virtAddr);
        if ((virtAddr & pageSize.offsetMask()) != 0) {
            throw MapperException.virtNotAligned(virtAddr, pageSize);
        }
        if (pageSize == PageSize.SIZE_1GIB && !model.gigabytePages()) {
            throw MapperException.noGigabytePages(virtAddr);
        }
    }

    private void checkFrame(final long virtAddr, final long physAddr, final PageSize pageSize) {
        if ((physAddr & pageSize.offsetMask()) != 0) {
            throw MapperException.physNotAligned(virtAddr, physAddr, pageSize);
        }
        if ((physAddr & ~addressMask) != 0) {
            throw MapperException.frameAboveMaxPhysAddr(virtAddr, physAddr, model.maxPhysAddrBits());
        }
    }

    private static void checkFlags(final long virtAddr, final long flags) {
        if ((flags & ~PageTableFlags.LEAF_FLAGS_MASK) != 0) {
            throw MapperException.invalidFlags(virtAddr, flags);
        }
    }

    private MapperFlush newFlush(final long virtAddr, final boolean all) {
        unresolvedFlushes++;
        lastFlush = new MapperFlush(this, virtAddr, all);
        return lastFlush;
    }

    void resolved(final MapperFlush flush) {
        unresolvedFlushes--;
    }

    private void checkNoUnresolvedFlush() {
        assert unresolvedFlushes == 0 : "a TLB flush token was neither flushed nor ignored: unresolvedFlushes="
            + unresolvedFlushes + ", last=" + lastFlush;
    }
}

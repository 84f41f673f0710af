package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PageTableEntry;
import dev.ffmalloc.x86sim.paging.PageTableFlags;
import dev.ffmalloc.x86sim.paging.PageTableLevel;
import dev.ffmalloc.x86sim.paging.VirtAddr;

/**
 * The page walk of SDM vol. 3A §4.5-4.8 over tables in simulated physical memory, with its checks in the order of
 * the reference sheet (§1.6): canonical form (#GP, nothing else happens); then, level by level from CR3 down, P
 * (a #PF with P=0), reserved bits (P=1, RSVD=1), A set in the entry, rights accumulated; at the leaf the rights
 * check (P=1), and only then A and, for a write, D set in the leaf. A faulting walk leaves the leaf's A and D as
 * they were; upper entries passed before the fault keep the A they got.
 *
 * <p>A and D are set with a plain read-modify-write of the entry, not a compare-and-set: {@link Memory} has no
 * atomic operations, and a CPU is driven by one thread at a time. Software that edits an entry of a live table
 * from another thread while a CPU walks through it may therefore lose an A or D update, which a real processor's
 * locked update would not.
 *
 * <p>One walker per CPU: the outcome of the last walk is kept in fields, so a walk allocates nothing.
 */
public final class PageWalker {

    /** {@link #walk} outcome: a translation exists and permits the access. */
    public static final int TRANSLATED = 0;
    /** {@link #walk} outcome: the address is not canonical (#GP(0), no CR2, no A/D). */
    public static final int NON_CANONICAL = 1;
    /** {@link #walk} outcome: a page fault; {@link #errorCode()} says why. */
    public static final int PAGE_FAULT = 2;

    private static final long INDEX_MASK = PageTableLevel.ENTRIES - 1;
    private static final PageSize[] PAGE_SIZE_OF_LEVEL = {null, PageSize.SIZE_4KIB, PageSize.SIZE_2MIB,
        PageSize.SIZE_1GIB};

    private final Memory physical;
    private final long addressMask;
    /** {@link PageTableEntry#reservedMask} by level number, for PS clear ({@code reservedIfTable}) and set. */
    private final long[] reservedIfTable = new long[PageTableLevel.PML5.number() + 1];
    private final long[] reservedIfLarge = new long[PageTableLevel.PML5.number() + 1];

    /** Valid after TRANSLATED: the physical base of the page, its size, its leaf entry's address, its rights. */
    private long pageAddr;
    private PageSize pageSize;
    private long leafEntryAddr;
    private int rights;
    private boolean global;
    private boolean dirty;
    /** Valid after PAGE_FAULT. */
    private int errorCode;

    /**
     * @param physical the machine's physical memory, where the tables live
     * @param model    decides MAXPHYADDR and 1 GiB page support
     */
    public PageWalker(final Memory physical, final CpuModel model) {
        this.physical = physical;
        this.addressMask = model.addressMask();
        for (final PageTableLevel level : PageTableLevel.values()) {
            reservedIfTable[level.number()] = PageTableEntry.reservedMask(level, false, model);
            reservedIfLarge[level.number()] = PageTableEntry.reservedMask(level, true, model);
        }
    }

    /**
     * Walks the tables for one access.
     *
     * @return {@link #TRANSLATED}, {@link #NON_CANONICAL} or {@link #PAGE_FAULT}
     */
    public int walk(final long virtAddr, final AccessKind kind, final boolean user,
                    final ControlRegisters registers) {
        final boolean la57 = registers.la57();
        if (!VirtAddr.isCanonical(virtAddr, la57 ? VirtAddr.BITS_5_LEVEL : VirtAddr.BITS_4_LEVEL)) {
            return NON_CANONICAL;
        }
        final boolean nxe = registers.nxe();
        final long nxReserved = nxe ? 0 : PageTableFlags.NO_EXECUTE;
        long tableAddr = registers.topTableAddr();
        int accumulated = AccessRights.ALL;
        int level = la57 ? PageTableLevel.PML5.number() : PageTableLevel.PML4.number();
        while (true) {
            // Level n is indexed by linear-address bits 9n+11 : 9n+3 (bits 20:12 for the page table).
            final long entryAddr = tableAddr + ((virtAddr >>> (9 * level + 3)) & INDEX_MASK) * Long.BYTES;
            final long entry = physical.getLong(entryAddr);
            if ((entry & PageTableFlags.PRESENT) == 0) {
                return pageFault(false, false, kind, user, registers);
            }
            final boolean large = (entry & PageTableFlags.PAGE_SIZE) != 0 && level != 1;
            if ((entry & ((large ? reservedIfLarge : reservedIfTable)[level] | nxReserved)) != 0) {
                return pageFault(true, true, kind, user, registers);
            }
            accumulated &= rightsOf(entry, nxe);
            if (level == 1 || large) {
                return leaf(virtAddr, kind, user, registers, level, entryAddr, entry, accumulated);
            }
            if ((entry & PageTableFlags.ACCESSED) == 0) {
                physical.setLong(entryAddr, entry | PageTableFlags.ACCESSED);
            }
            tableAddr = entry & addressMask;
            level--;
        }
    }

    private int leaf(final long virtAddr, final AccessKind kind, final boolean user, final ControlRegisters registers,
                     final int level, final long entryAddr, final long entry, final int accumulated) {
        if (!AccessRights.permits(registers.permissionTable(), kind, user, accumulated)) {
            return pageFault(true, false, kind, user, registers);
        }
        final long used = entry | PageTableFlags.ACCESSED | (kind == AccessKind.WRITE ? PageTableFlags.DIRTY : 0);
        if (used != entry) {
            physical.setLong(entryAddr, used);
        }
        final PageSize size = PAGE_SIZE_OF_LEVEL[level];
        pageAddr = PageTableEntry.address(entry, addressMask, size);
        pageSize = size;
        leafEntryAddr = entryAddr;
        rights = accumulated;
        global = (entry & PageTableFlags.GLOBAL) != 0 && registers.pge();
        dirty = (used & PageTableFlags.DIRTY) != 0;
        return TRANSLATED;
    }

    private int pageFault(final boolean present, final boolean reserved, final AccessKind kind, final boolean user,
                          final ControlRegisters registers) {
        errorCode = PageFaultErrorCode.of(present, reserved, kind, user, registers);
        return PAGE_FAULT;
    }

    private static int rightsOf(final long entry, final boolean nxe) {
        int entryRights = 0;
        entryRights |= (entry & PageTableFlags.WRITABLE) != 0 ? AccessRights.WRITE : 0;
        entryRights |= (entry & PageTableFlags.USER) != 0 ? AccessRights.USER : 0;
        entryRights |= nxe && (entry & PageTableFlags.NO_EXECUTE) != 0 ? 0 : AccessRights.EXECUTE;
        return entryRights;
    }

    /** @return after TRANSLATED: the physical address of the first byte of the page */
    public long pageAddr() {
        return pageAddr;
    }

    /** @return after TRANSLATED: the size of the page */
    public PageSize pageSize() {
        return pageSize;
    }

    /** @return after TRANSLATED: the physical address of the leaf entry */
    public long leafEntryAddr() {
        return leafEntryAddr;
    }

    /** @return after TRANSLATED: the accumulated {@link AccessRights} */
    public int rights() {
        return rights;
    }

    /** @return after TRANSLATED: whether the translation is global (leaf G with CR4.PGE) */
    public boolean global() {
        return global;
    }

    /** @return after TRANSLATED: whether the leaf's D bit is set now */
    public boolean dirty() {
        return dirty;
    }

    /** @return after PAGE_FAULT: the #PF error code */
    public int errorCode() {
        return errorCode;
    }
}

package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.Mapper;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import dev.ffmalloc.x86sim.paging.TlbInvalidation;
import dev.ffmalloc.x86sim.paging.VirtAddr;

/**
 * One simulated x86_64 processor in IA-32e mode: its control registers, its paging unit and its own TLB.
 *
 * <p>An access is translated by the TLB if it holds the page, else by a {@link PageWalker walk} whose successful
 * result is cached. A write through an entry cached while the page was clean re-walks, which sets D in the page
 * table, as hardware does (the QEMU/Bochs technique of the reference sheet, §1.8). A #PF drops the TLB entries of
 * the faulting page, so a stale, more restrictive entry faults at most once (SDM §4.10.4.1).
 *
 * <p>TLB maintenance follows SDM §4.10.4.1: {@link #invlpg} drops one page (global or not); a CR3 write drops every
 * non-global entry; a CR4 write that changes PGE or LA57 drops everything; one that sets SMEP drops non-global
 * entries. Changing CR0.WP, SMAP, EFLAGS.AC or EFER.NXE needs no flush here, because rights are evaluated at access
 * time (and XD is cached as its effect under the NXE of the walk: software that toggles NXE must flush).
 *
 * <p>Not thread-safe: one thread drives a CPU at a time, as one hardware thread runs one instruction stream.
 * Several CPUs may share physical memory and page tables.
 */
public final class Cpu implements TlbInvalidation {

    /** What {@link #translate} returns for a fault; no physical address is negative. */
    public static final long FAULT = -1L;

    private final int id;
    private final ControlRegisters registers;
    private final PageWalker walker;
    private final Tlb tlb = new Tlb();
    private long cr2;
    private int faultVector;
    private int faultErrorCode;
    private long faultAddr;
    /** Mappers whose unresolved flush tokens a page walk refuses, with assertions on; see {@link #watch}. */
    private Mapper[] watched = new Mapper[0];

    /**
     * A processor with WP set, PGE, LA57, SMEP, SMAP and NXE clear, and CR3 zero.
     *
     * @param id       its number, for messages
     * @param physical the machine's physical memory, where the page tables live
     * @param model    its CPUID facts
     */
    public Cpu(final int id, final Memory physical, final CpuModel model) {
        this.id = id;
        this.registers = new ControlRegisters(model);
        this.walker = new PageWalker(physical, model);
    }

    // ------------------------------------------------------------------------------------------- translation

    /**
     * Translates one access, garbage-free.
     *
     * @return the physical address, or {@link #FAULT}; then {@link #lastFaultVector()},
     * {@link #lastFaultErrorCode()} and {@link #cr2()} describe the fault
     */
    public long translate(final long virtAddr, final AccessKind kind, final boolean user) {
        final Tlb cache = tlb;
        TlbSet set = cache.set4KiB;
        int slot = set.slotOf(virtAddr);
        if (!set.matches(slot, virtAddr)) {
            set = cache.set2MiB;
            slot = set.slotOf(virtAddr);
            if (!set.matches(slot, virtAddr)) {
                set = cache.set1GiB;
                slot = set.slotOf(virtAddr);
                if (!set.matches(slot, virtAddr)) {
                    cache.misses++;
                    return walkAndFill(virtAddr, kind, user);
                }
            }
        }
        cache.hits++;
        final int attributes = set.attributes[slot];
        if (!AccessRights.permits(registers.permissionTable(), kind, user, attributes & AccessRights.ALL)) {
            return pageFault(virtAddr, PageFaultErrorCode.of(true, false, kind, user, registers));
        }
        if (kind == AccessKind.WRITE && (attributes & TlbSet.DIRTY) == 0) {
            // The walk that sets D replaces the clean entry: if the tables changed without an INVLPG, the entry it
            // makes may be of another page size, and the clean one must not outlive it (a processor may drop a TLB
            // entry at any time, SDM vol. 3A, 4.10.2).
            set.invalidatePage(virtAddr);
            return walkAndFill(virtAddr, kind, user);
        }
        return set.pageAddrs[slot] | (virtAddr & set.offsetMask);
    }

    /**
     * Translates one access, garbage-free unless it faults.
     *
     * @return the physical address
     * @throws CpuFaultException if the access faults
     */
    public long translateOrThrow(final long virtAddr, final AccessKind kind, final boolean user) {
        final long physAddr = translate(virtAddr, kind, user);
        if (physAddr == FAULT) {
            throw new CpuFaultException(faultVector, faultErrorCode, faultAddr);
        }
        return physAddr;
    }

    /**
     * Performs the translation part of one access, for tests and tools.
     *
     * @return the physical address and page size, or the fault with its vector, error code and CR2
     */
    public AccessResult access(final VirtAddr virtAddr, final AccessKind kind, final boolean user) {
        return access(virtAddr.value(), kind, user);
    }

    /** Like {@link #access(VirtAddr, AccessKind, boolean)} for any 64-bit value, non-canonical ones included. */
    public AccessResult access(final long virtAddr, final AccessKind kind, final boolean user) {
        final long physAddr = translate(virtAddr, kind, user);
        if (physAddr != FAULT) {
            return new AccessResult.Translated(PhysAddr.of(physAddr), cachedPageSize(virtAddr));
        }
        if (faultVector == ExceptionVector.GENERAL_PROTECTION) {
            return new AccessResult.GeneralProtection(virtAddr);
        }
        return new AccessResult.PageFault(faultErrorCode, cr2);
    }

    private long walkAndFill(final long virtAddr, final AccessKind kind, final boolean user) {
        assert noUnresolvedFlush() : "a TLB flush token of a watched mapper was neither flushed nor ignored: cpu="
            + id + ", virtAddr=0x" + Long.toHexString(virtAddr);
        tlb.walks++;
        final PageWalker pageWalker = walker;
        final int outcome = pageWalker.walk(virtAddr, kind, user, registers);
        if (outcome == PageWalker.TRANSLATED) {
            final int attributes = pageWalker.rights() | (pageWalker.global() ? TlbSet.GLOBAL : 0)
                | (pageWalker.dirty() ? TlbSet.DIRTY : 0);
            tlb.insert(virtAddr, pageWalker.pageSize(), pageWalker.pageAddr(), pageWalker.leafEntryAddr(),
                attributes);
            return pageWalker.pageAddr() | (virtAddr & pageWalker.pageSize().offsetMask());
        }
        if (outcome == PageWalker.NON_CANONICAL) {
            faultVector = ExceptionVector.GENERAL_PROTECTION;
            faultErrorCode = 0;
            faultAddr = virtAddr;
            return FAULT;
        }
        return pageFault(virtAddr, pageWalker.errorCode());
    }

    private long pageFault(final long virtAddr, final int errorCode) {
        tlb.invalidatePage(virtAddr);
        faultVector = ExceptionVector.PAGE_FAULT;
        faultErrorCode = errorCode;
        faultAddr = virtAddr;
        cr2 = virtAddr;
        return FAULT;
    }

    private PageSize cachedPageSize(final long virtAddr) {
        if (tlb.set4KiB.matches(tlb.set4KiB.slotOf(virtAddr), virtAddr)) {
            return tlb.set4KiB.pageSize;
        }
        return tlb.set2MiB.matches(tlb.set2MiB.slotOf(virtAddr), virtAddr) ? tlb.set2MiB.pageSize
            : tlb.set1GiB.pageSize;
    }

    /**
     * Debug check of TLB maintenance: with assertions enabled, every page walk of this CPU fails while
     * {@code mapper} has returned a {@link dev.ffmalloc.x86sim.paging.MapperFlush} that is neither flushed nor
     * ignored, since this CPU may then use a stale translation. Costs nothing with assertions off.
     */
    public void watch(final Mapper mapper) {
        final Mapper[] grown = java.util.Arrays.copyOf(watched, watched.length + 1);
        grown[watched.length] = mapper;
        watched = grown;
    }

    private boolean noUnresolvedFlush() {
        for (final Mapper mapper : watched) {
            if (mapper.unresolvedFlushes() != 0) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------- control registers

    /**
     * Writes CR0 (MOV to CR0). WP may change freely; PG and PE must stay set.
     *
     * @throws IllegalArgumentException if PG or PE is clear in {@code value}
     */
    public void writeCr0(final long value) {
        registers.writeCr0(value);
    }

    /**
     * Writes CR3 (MOV to CR3) and drops every non-global TLB entry.
     *
     * @throws IllegalArgumentException if a bit at or above MAXPHYADDR is set (a #GP on hardware); bits 11:0 (PWT,
     *                                  PCD and ignored bits, CR4.PCIDE being clear) are kept as written
     */
    public void writeCr3(final long value) {
        registers.writeCr3(value);
        tlb.invalidateAll(true);
    }

    /**
     * Writes CR4 (MOV to CR4). Changing PGE or LA57 drops every TLB entry; setting SMEP drops non-global ones.
     * Real hardware changes LA57 only outside IA-32e mode; the simulator allows it at any time and flushes.
     *
     * @throws IllegalArgumentException if PAE is clear in {@code value}
     */
    public void writeCr4(final long value) {
        final long old = registers.cr4();
        registers.writeCr4(value);
        final long changed = old ^ value;
        if ((changed & (ControlRegisters.CR4_PGE | ControlRegisters.CR4_LA57)) != 0) {
            tlb.invalidateAll(false);
        } else if ((changed & value & ControlRegisters.CR4_SMEP) != 0) {
            tlb.invalidateAll(true);
        }
    }

    /**
     * Writes IA32_EFER (WRMSR). LME and LMA must stay set.
     *
     * @throws IllegalArgumentException if LME or LMA is clear in {@code value}
     */
    public void writeEfer(final long value) {
        registers.writeEfer(value);
    }

    /** Writes RFLAGS (POPF); only AC matters to paging. */
    public void writeRflags(final long value) {
        registers.writeRflags(value);
    }

    /** Sets or clears one bit of CR0: a read-modify-write through {@link #writeCr0}. */
    public void setCr0Bit(final long bit, final boolean set) {
        writeCr0(set ? registers.cr0() | bit : registers.cr0() & ~bit);
    }

    /** Sets or clears one bit of CR4: a read-modify-write through {@link #writeCr4}. */
    public void setCr4Bit(final long bit, final boolean set) {
        writeCr4(set ? registers.cr4() | bit : registers.cr4() & ~bit);
    }

    /** Sets or clears one bit of IA32_EFER: a read-modify-write through {@link #writeEfer}. */
    public void setEferBit(final long bit, final boolean set) {
        writeEfer(set ? registers.efer() | bit : registers.efer() & ~bit);
    }

    /** Sets or clears EFLAGS.AC (STAC / CLAC). */
    public void setAc(final boolean set) {
        writeRflags(set ? registers.rflags() | ControlRegisters.RFLAGS_AC
            : registers.rflags() & ~ControlRegisters.RFLAGS_AC);
    }

    /** @return the control registers (read-only view; write through this CPU) */
    public ControlRegisters registers() {
        return registers;
    }

    /** @return CR2: the linear address of the last #PF, 0 before the first */
    public long cr2() {
        return cr2;
    }

    /** @return the vector of the last fault {@link #translate} reported */
    public int lastFaultVector() {
        return faultVector;
    }

    /** @return the error code of the last fault {@link #translate} reported */
    public int lastFaultErrorCode() {
        return faultErrorCode;
    }

    // ------------------------------------------------------------------------------------------- TLB control

    /** INVLPG: drops the TLB entries (global ones too) that translate {@code virtAddr}; a no-op if non-canonical. */
    public void invlpg(final long virtAddr) {
        tlb.invalidatePage(virtAddr);
    }

    /** Drops every TLB entry, global ones included (as toggling CR4.PGE does). */
    public void flushTlb() {
        tlb.invalidateAll(false);
    }

    @Override
    public void invalidatePage(final VirtAddr virtAddr) {
        invlpg(virtAddr.value());
    }

    @Override
    public void invalidateAll() {
        flushTlb();
    }

    /** @return this CPU's TLB, for its counters */
    public Tlb tlb() {
        return tlb;
    }

    /** @return this CPU's number */
    public int id() {
        return id;
    }

    @Override
    public String toString() {
        return "Cpu[id=" + id + ", " + registers + ", " + tlb + "]";
    }
}

package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.x86sim.paging.CpuModel;

/**
 * The control state the paging unit reads: CR0, CR3, CR4, IA32_EFER and EFLAGS, with the bit positions of the SDM,
 * and the rights table derived from them.
 *
 * <p>The simulated processor is always in IA-32e mode: CR0.PG, CR4.PAE, EFER.LME and EFER.LMA are set and cannot be
 * cleared. Invariant: {@link #permissionTable()} always equals
 * {@link AccessRights#permissionTable} of the current WP, SMEP, SMAP and AC bits. Writes go through {@link Cpu},
 * which performs the TLB invalidations the SDM ties to them.
 */
public final class ControlRegisters {

    /** CR0.WP, bit 16: supervisor writes honour R/W. */
    public static final long CR0_WP = 1L << 16;
    /** CR0.PG, bit 31: paging on (always set here). */
    public static final long CR0_PG = 1L << 31;
    /** CR0.PE, bit 0: protected mode (always set here). */
    public static final long CR0_PE = 1L;
    /** CR4.PAE, bit 5 (always set here). */
    public static final long CR4_PAE = 1L << 5;
    /** CR4.PGE, bit 7: global pages survive CR3 writes. */
    public static final long CR4_PGE = 1L << 7;
    /** CR4.LA57, bit 12: 5-level paging with 57-bit linear addresses. */
    public static final long CR4_LA57 = 1L << 12;
    /** CR4.SMEP, bit 20: no supervisor instruction fetch from user pages. */
    public static final long CR4_SMEP = 1L << 20;
    /** CR4.SMAP, bit 21: no supervisor data access to user pages unless EFLAGS.AC. */
    public static final long CR4_SMAP = 1L << 21;
    /** EFER.LME, bit 8 (always set here). */
    public static final long EFER_LME = 1L << 8;
    /** EFER.LMA, bit 10 (always set here). */
    public static final long EFER_LMA = 1L << 10;
    /** EFER.NXE, bit 11: bit 63 of entries is XD; otherwise it is reserved. */
    public static final long EFER_NXE = 1L << 11;
    /** EFLAGS.AC, bit 18: with CR4.SMAP, lets supervisor code access user pages. */
    public static final long RFLAGS_AC = 1L << 18;
    /** EFLAGS bit 1, which always reads as 1. */
    public static final long RFLAGS_FIXED = 1L << 1;

    private static final long CR0_FIXED = CR0_PG | CR0_PE;
    private static final long CR4_FIXED = CR4_PAE;
    private static final long EFER_FIXED = EFER_LME | EFER_LMA;
    /**
     * CR3 bits 11:0 with CR4.PCIDE clear (SDM vol. 3A, table 4-12): PWT and PCD (the memory type of the top-level
     * table) and ignored bits, all kept as written; only bits 63:MAXPHYADDR are reserved.
     */
    private static final long CR3_LOW_BITS = 0xFFFL;

    private final CpuModel model;
    private long cr0 = CR0_FIXED | CR0_WP;
    private long cr3;
    private long cr4 = CR4_FIXED;
    private long efer = EFER_FIXED;
    private long rflags = RFLAGS_FIXED;
    private long permissionTable;

    /** @param model decides which CR3 bits are reserved */
    ControlRegisters(final CpuModel model) {
        this.model = model;
        derive();
    }

    /** @return CR0 */
    public long cr0() {
        return cr0;
    }

    /** @return CR3: the top-level table's physical address plus bits 11:0 as written (PWT, PCD, ignored bits) */
    public long cr3() {
        return cr3;
    }

    /** @return CR4 */
    public long cr4() {
        return cr4;
    }

    /** @return IA32_EFER */
    public long efer() {
        return efer;
    }

    /** @return RFLAGS */
    public long rflags() {
        return rflags;
    }

    /** @return whether CR0.WP is set */
    public boolean wp() {
        return (cr0 & CR0_WP) != 0;
    }

    /** @return whether CR4.PGE is set */
    public boolean pge() {
        return (cr4 & CR4_PGE) != 0;
    }

    /** @return whether CR4.LA57 is set */
    public boolean la57() {
        return (cr4 & CR4_LA57) != 0;
    }

    /** @return whether CR4.SMEP is set */
    public boolean smep() {
        return (cr4 & CR4_SMEP) != 0;
    }

    /** @return whether CR4.SMAP is set */
    public boolean smap() {
        return (cr4 & CR4_SMAP) != 0;
    }

    /** @return whether EFER.NXE is set */
    public boolean nxe() {
        return (efer & EFER_NXE) != 0;
    }

    /** @return whether EFLAGS.AC is set */
    public boolean ac() {
        return (rflags & RFLAGS_AC) != 0;
    }

    /** @return the rights table for the current control bits; see {@link AccessRights} */
    public long permissionTable() {
        return permissionTable;
    }

    /** @return the physical address of the top-level table (CR3 bits M-1:12) */
    public long topTableAddr() {
        return cr3 & model.addressMask();
    }

    void writeCr0(final long value) {
        cr0 = checkFixed("cr0", value, CR0_FIXED);
        derive();
    }

    void writeCr3(final long value) {
        if ((value & ~(model.addressMask() | CR3_LOW_BITS)) != 0) {
            throw new IllegalArgumentException("cr3 has reserved bits set: cr3=0x" + Long.toHexString(value)
                + ", maxPhysAddrBits=" + model.maxPhysAddrBits());
        }
        cr3 = value;
    }

    void writeCr4(final long value) {
        cr4 = checkFixed("cr4", value, CR4_FIXED);
        derive();
    }

    void writeEfer(final long value) {
        efer = checkFixed("efer", value, EFER_FIXED);
        derive();
    }

    void writeRflags(final long value) {
        rflags = value | RFLAGS_FIXED;
        derive();
    }

    private static long checkFixed(final String register, final long value, final long fixedBits) {
        if ((value & fixedBits) != fixedBits) {
            throw new IllegalArgumentException(register + " must keep the IA-32e paging bits set: " + register
                + "=0x" + Long.toHexString(value) + ", required=0x" + Long.toHexString(fixedBits));
        }
        return value;
    }

    private void derive() {
        permissionTable = AccessRights.permissionTable(wp(), smep(), smap(), ac());
    }

    @Override
    public String toString() {
        return "ControlRegisters[cr0=0x" + Long.toHexString(cr0) + ", cr3=0x" + Long.toHexString(cr3) + ", cr4=0x"
            + Long.toHexString(cr4) + ", efer=0x" + Long.toHexString(efer) + ", rflags=0x" + Long.toHexString(rflags)
            + "]";
    }
}

package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.ShiftedMemory;
import dev.ffmalloc.x86sim.FlatPhysicalMemory;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static dev.ffmalloc.x86sim.cpu.AccessKind.EXECUTE;
import static dev.ffmalloc.x86sim.cpu.AccessKind.READ;
import static dev.ffmalloc.x86sim.cpu.AccessKind.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bit-exact cases of the page walk, each derived by hand from the SDM rules (vol. 3A §4.5-4.8) and the reference
 * sheet's order of checks. Tables are written raw at fixed physical addresses; the expected physical addresses,
 * error codes and entries are literals, never computed by the code under test.
 *
 * <p>The address {@link #VA} selects PML4 index 3, PDPT index 5, PD index 7, PT index 9, offset 0xabc.
 */
class PageWalkTest {

    /** 3 << 39 | 5 << 30 | 7 << 21 | 9 << 12 | 0xabc. */
    static final long VA = 0x0000_0181_40E0_9ABCL;
    static final long PML4 = 0x1000;
    static final long PDPT = 0x2000;
    static final long PD = 0x3000;
    static final long PT = 0x4000;
    static final long PML4E = PML4 + 3 * 8;
    static final long PDPTE = PDPT + 5 * 8;
    static final long PDE = PD + 7 * 8;
    static final long PTE = PT + 9 * 8;

    /** P | R/W | U/S. */
    static final long PRU = 0x7;
    static final long PS = 0x80;
    static final long XD = 1L << 63;

    Arena arena;
    ShiftedMemory ram;
    Cpu cpu;

    @BeforeEach
    void buildTables() {
        arena = Arena.ofConfined();
        ram = FlatPhysicalMemory.allocate(arena, 1 << 20);
        cpu = new Cpu(0, ram, CpuModel.DEFAULT);
        writeTablesOfVa(ram);
        cpu.writeCr3(PML4);
    }

    /** Writes the path of {@link #VA} to the 4 KiB page at 0x200000, every entry P, R/W and U/S. */
    static void writeTablesOfVa(final Memory ram) {
        ram.setLong(PML4E, PDPT | PRU);
        ram.setLong(PDPTE, PD | PRU);
        ram.setLong(PDE, PT | PRU);
        ram.setLong(PTE, 0x20_0000 | PRU);
    }

    @AfterEach
    void close() {
        arena.close();
    }

    // ------------------------------------------------------------------------------------------- successes

    @Test
    void aSupervisorReadOfA4KiBPageSetsAInEveryEntryAndNoD() {
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        assertEntries(PDPT | 0x27, PD | 0x27, PT | 0x27, 0x20_0000 | 0x27);
    }

    @Test
    void aWriteSetsDInTheLeafOnly() {
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, WRITE, true));
        assertEntries(PDPT | 0x27, PD | 0x27, PT | 0x27, 0x20_0000 | 0x67);
    }

    @Test
    void aPdeWithPsMapsA2MiBPage() {
        ram.setLong(PDE, 0x40_0000 | PS | PRU);
        assertTranslated(0x40_0000 + 0x9ABC, PageSize.SIZE_2MIB, cpu.access(VA, WRITE, false));
        assertEquals(0x40_0000 | PS | 0x67, ram.getLong(PDE));
        assertEquals(0x20_0000 | PRU, ram.getLong(PTE), "the page table below a 2 MiB leaf is not read");
    }

    @Test
    void aPdpteWithPsMapsA1GiBPage() {
        ram.setLong(PDPTE, 0x4000_0000L | PS | PRU);
        assertTranslated(0x4000_0000L + 0xE0_9ABC, PageSize.SIZE_1GIB, cpu.access(VA, READ, false));
        assertEquals(0x4000_0000L | PS | 0x27, ram.getLong(PDPTE));
    }

    @Test
    void thePatBitOfALargeLeafIsNotPartOfTheAddress() {
        ram.setLong(PDE, 0x40_0000 | 0x1000 | PS | PRU);
        assertTranslated(0x40_9ABC, PageSize.SIZE_2MIB, cpu.access(VA, READ, false));
    }

    @Test
    void bit7OfAPteIsPatNotPageSize() {
        ram.setLong(PTE, 0x20_0000 | 0x80 | PRU);
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
    }

    @Test
    void xdWithNxeForbidsOnlyFetches() {
        cpu.setEferBit(ControlRegisters.EFER_NXE, true);
        ram.setLong(PDE, PT | PRU | XD);
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        assertPageFault(0x11, cpu.access(VA + 8, EXECUTE, false));
        assertPageFault(0x15, cpu.access(VA + 16, EXECUTE, true));
    }

    // ------------------------------------------------------------------------------------- not present

    @Test
    void aNotPresentEntryAtEachLevelFaultsWithPClear() {
        final long[] entries = {PML4E, PDPTE, PDE, PTE};
        for (final long entryAddr : entries) {
            final long saved = ram.getLong(entryAddr);
            ram.setLong(entryAddr, saved & ~1L);
            assertPageFault(0x0, cpu.access(VA, READ, false));
            assertPageFault(0x6, cpu.access(VA, WRITE, true));
            assertPageFault(0x4, cpu.access(VA, READ, true));
            ram.setLong(entryAddr, saved);
            cpu.flushTlb();
        }
        assertEquals(0x20_0000 | PRU, ram.getLong(PTE), "the leaf is never marked accessed by a fault");
    }

    @Test
    void aNotPresentEntryBelowASupervisorReadOnlyEntryIsNotPresentNotProtection() {
        ram.setLong(PML4E, PDPT | 0x1);
        ram.setLong(PTE, 0);
        assertPageFault(0x6, cpu.access(VA, WRITE, true));
    }

    @Test
    void reservedBitsOfANotPresentEntryAreIgnored() {
        ram.setLong(PDE, (1L << 50) | PS | 0x6);
        assertPageFault(0x2, cpu.access(VA, WRITE, false));
    }

    @Test
    void aFetchThatFindsNoTranslationSetsIdOnlyWithNxeOrSmep() {
        ram.setLong(PTE, 0);
        assertPageFault(0x0, cpu.access(VA, EXECUTE, false));
        cpu.setEferBit(ControlRegisters.EFER_NXE, true);
        assertPageFault(0x10, cpu.access(VA, EXECUTE, false));
        cpu.setEferBit(ControlRegisters.EFER_NXE, false);
        cpu.setCr4Bit(ControlRegisters.CR4_SMEP, true);
        assertPageFault(0x14, cpu.access(VA, EXECUTE, true));
    }

    // ------------------------------------------------------------------------------------- reserved bits

    @Test
    void psInAPml4eIsReserved() {
        ram.setLong(PML4E, PDPT | PS | PRU);
        assertPageFault(0x9, cpu.access(VA, READ, false));
        assertEquals(PDPT | PS | PRU, ram.getLong(PML4E), "A is not set in an entry with reserved bits");
    }

    @Test
    void psInAPdpteIsReservedWithoutGigabytePages() {
        cpu = new Cpu(1, ram, new CpuModel(46, false));
        cpu.writeCr3(PML4);
        ram.setLong(PDPTE, 0x4000_0000L | PS | PRU);
        assertPageFault(0xB, cpu.access(VA, WRITE, false));
    }

    @Test
    void addressBitsAtOrAboveMaxPhyAddrAreReservedAtEachLevel() {
        final long[] entries = {PML4E, PDPTE, PDE, PTE};
        for (final long entryAddr : entries) {
            final long saved = ram.getLong(entryAddr);
            ram.setLong(entryAddr, saved | 1L << 46);
            assertPageFault(0xD, cpu.access(VA, READ, true));
            ram.setLong(entryAddr, saved | 1L << 51);
            assertPageFault(0xF, cpu.access(VA, WRITE, true));
            ram.setLong(entryAddr, saved | 1L << 45);
            cpu.flushTlb();
            ram.setLong(entryAddr, saved);
        }
        assertEquals(0x20_0000 | PRU, ram.getLong(PTE));
    }

    @Test
    void aSmallerMaxPhyAddrReservesMoreBits() {
        cpu = new Cpu(1, ram, new CpuModel(39, true));
        cpu.writeCr3(PML4);
        ram.setLong(PTE, 0x20_0000 | 1L << 39 | PRU);
        assertPageFault(0x9, cpu.access(VA, READ, false));
        ram.setLong(PTE, 0x20_0000 | 1L << 38 | PRU);
        assertTranslated(0x40_0020_0ABCL, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
    }

    @Test
    void lowAddressBitsOfLargeLeavesAreReserved() {
        ram.setLong(PDE, 0x40_0000 | 1L << 20 | PS | PRU);
        assertPageFault(0x9, cpu.access(VA, READ, false));
        ram.setLong(PDE, 0x40_0000 | 1L << 13 | PS | PRU);
        assertPageFault(0x9, cpu.access(VA, READ, false));
        ram.setLong(PDE, PT | PRU);
        ram.setLong(PDPTE, 0x4000_0000L | 1L << 29 | PS | PRU);
        assertPageFault(0xB, cpu.access(VA, WRITE, false));
        ram.setLong(PDPTE, 0x4000_0000L | 1L << 13 | PS | PRU);
        assertPageFault(0xB, cpu.access(VA, WRITE, false));
    }

    @Test
    void xdIsReservedWithoutNxeAtEachLevel() {
        final long[] entries = {PML4E, PDPTE, PDE, PTE};
        for (final long entryAddr : entries) {
            final long saved = ram.getLong(entryAddr);
            ram.setLong(entryAddr, saved | XD);
            assertPageFault(0x9, cpu.access(VA, READ, false));
            assertPageFault(0x9, cpu.access(VA, EXECUTE, false));
            cpu.setEferBit(ControlRegisters.EFER_NXE, true);
            assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
            cpu.setEferBit(ControlRegisters.EFER_NXE, false);
            cpu.flushTlb();
            ram.setLong(entryAddr, saved);
        }
    }

    @Test
    void aReservedBitWinsOverAProtectionViolation() {
        ram.setLong(PDPTE, PD | 0x1);
        ram.setLong(PTE, 0x20_0000 | 1L << 48 | 0x1);
        assertPageFault(0xF, cpu.access(VA, WRITE, true));
    }

    // ------------------------------------------------------------------------------------------ rights

    @Test
    void userAccessNeedsUsAtEveryLevel() {
        final long[] entries = {PML4E, PDPTE, PDE, PTE};
        for (final long entryAddr : entries) {
            final long saved = ram.getLong(entryAddr);
            ram.setLong(entryAddr, saved & ~0x4L);
            assertPageFault(0x5, cpu.access(VA, READ, true));
            assertPageFault(0x7, cpu.access(VA, WRITE, true));
            assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, WRITE, false));
            cpu.flushTlb();
            ram.setLong(entryAddr, saved);
        }
    }

    @Test
    void writesNeedRwAtEveryLevelForUsersWhateverWp() {
        final long[] entries = {PML4E, PDPTE, PDE, PTE};
        for (final long entryAddr : entries) {
            final long saved = ram.getLong(entryAddr);
            ram.setLong(entryAddr, saved & ~0x2L);
            cpu.setCr0Bit(ControlRegisters.CR0_WP, false);
            assertPageFault(0x7, cpu.access(VA, WRITE, true));
            assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, true));
            cpu.setCr0Bit(ControlRegisters.CR0_WP, true);
            assertPageFault(0x7, cpu.access(VA, WRITE, true));
            cpu.flushTlb();
            ram.setLong(entryAddr, saved);
        }
    }

    @Test
    void supervisorWritesHonourRwOnlyWithWp() {
        ram.setLong(PDPTE, PD | 0x5);
        assertPageFault(0x3, cpu.access(VA, WRITE, false));
        assertEquals(0x20_0000 | PRU, ram.getLong(PTE), "leaf A and D untouched by the protection fault");
        cpu.setCr0Bit(ControlRegisters.CR0_WP, false);
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, WRITE, false));
        assertEquals(0x20_0000 | 0x67, ram.getLong(PTE));
    }

    @Test
    void smepForbidsSupervisorFetchesFromUserPagesOnly() {
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, EXECUTE, false));
        cpu.setCr4Bit(ControlRegisters.CR4_SMEP, true);
        assertPageFault(0x11, cpu.access(VA, EXECUTE, false));
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        ram.setLong(PDE, PT | 0x3);
        cpu.flushTlb();
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, EXECUTE, false));
    }

    @Test
    void smapForbidsSupervisorDataAccessToUserPagesUnlessAc() {
        cpu.setCr4Bit(ControlRegisters.CR4_SMAP, true);
        assertPageFault(0x1, cpu.access(VA, READ, false));
        assertPageFault(0x3, cpu.access(VA, WRITE, false));
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, EXECUTE, false));
        cpu.setAc(true);
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, WRITE, false));
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, true));
    }

    @Test
    void smapWithAcStillHonoursRwUnderWp() {
        cpu.setCr4Bit(ControlRegisters.CR4_SMAP, true);
        cpu.setAc(true);
        ram.setLong(PTE, 0x20_0000 | 0x5);
        assertPageFault(0x3, cpu.access(VA, WRITE, false));
    }

    @Test
    void aUserAccessIsNotAffectedBySmapOrSmep() {
        cpu.setCr4Bit(ControlRegisters.CR4_SMAP | ControlRegisters.CR4_SMEP, true);
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, EXECUTE, true));
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, WRITE, true));
    }

    // ------------------------------------------------------------------------------------ canonical, CR2

    @Test
    void aNonCanonicalAddressIsGeneralProtectionAndLeavesCr2AndTablesAlone() {
        ram.setLong(PTE, 0);
        assertPageFault(0x0, cpu.access(VA, READ, false));
        final long pml4e = ram.getLong(PML4E);
        for (final long address : new long[] {0x0000_8000_0000_0000L, 0xFFFF_7FFF_FFFF_FFFFL, 0x8000_0000_0000_0000L,
            VA | 1L << 48}) {
            final AccessResult result = cpu.access(address, WRITE, true);
            assertEquals(new AccessResult.GeneralProtection(address), result);
            assertEquals(13, ((AccessResult.GeneralProtection) result).vector());
            assertEquals(VA, cpu.cr2(), "CR2 is only written by #PF");
        }
        assertEquals(pml4e, ram.getLong(PML4E), "no entry touched by a non-canonical access");
    }

    @Test
    void cr2HoldsTheFullFaultingAddress() {
        final long high = 0xFFFF_FF80_0000_1234L;
        assertPageFault(0x0, cpu.access(high, READ, false));
        assertEquals(high, cpu.cr2());
    }

    @Test
    void la57WalksFiveLevelsAndWidensTheCanonicalRange() {
        final long pml5 = 0x5000;
        final long va57 = 0x0001_0181_40E0_9ABCL;
        ram.setLong(pml5 + 1 * 8, PML4 | PRU);
        cpu.setCr4Bit(ControlRegisters.CR4_LA57, true);
        cpu.writeCr3(pml5);
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(va57, READ, false));
        assertEquals(PML4 | 0x27, ram.getLong(pml5 + 8));
        assertPageFault(0x0, cpu.access(0x0000_8000_0000_0000L, READ, false));
        assertEquals(new AccessResult.GeneralProtection(0x0100_0000_0000_0000L),
            cpu.access(0x0100_0000_0000_0000L, READ, false));
        ram.setLong(pml5 + 8, PML4 | PS | PRU);
        cpu.flushTlb();
        assertPageFault(0x9, cpu.access(va57, READ, false));
    }

    // ------------------------------------------------------------------------------------------- helpers

    private void assertEntries(final long pml4e, final long pdpte, final long pde, final long pte) {
        assertEquals(hex(pml4e), hex(ram.getLong(PML4E)), "PML4E");
        assertEquals(hex(pdpte), hex(ram.getLong(PDPTE)), "PDPTE");
        assertEquals(hex(pde), hex(ram.getLong(PDE)), "PDE");
        assertEquals(hex(pte), hex(ram.getLong(PTE)), "PTE");
    }

    static void assertTranslated(final long physAddr, final PageSize pageSize, final AccessResult result) {
        assertEquals(new AccessResult.Translated(PhysAddr.of(physAddr), pageSize), result);
    }

    void assertPageFault(final int errorCode, final AccessResult result) {
        assertEquals(new AccessResult.PageFault(errorCode, cpu.cr2()), result);
        assertEquals(14, ((AccessResult.PageFault) result).vector());
    }

    private static String hex(final long value) {
        return "0x" + Long.toHexString(value);
    }
}

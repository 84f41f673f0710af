package dev.ffmalloc.nativetests;

import dev.ffmalloc.x86sim.Simulator;
import dev.ffmalloc.x86sim.cpu.AccessKind;
import dev.ffmalloc.x86sim.cpu.AccessResult;
import dev.ffmalloc.x86sim.cpu.ControlRegisters;
import dev.ffmalloc.x86sim.cpu.Cpu;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The paging unit driven the way a program outside the project checks a simulator against its own cases: raw
 * entries written at physical addresses, control bits set, accesses performed, entries read back. Every expected
 * value is worked out by hand from the Intel SDM (vol. 3A ch. 4) and written as a literal.
 *
 * <p>Tables: PML4 at 0x1000, PDPT at 0x2000, PD at 0x3000, PT at 0x4000. Virtual address 0x4000_1000 uses PML4[0],
 * PDPT[1], PD[0], PT[1]; 0x4020_0000 uses PD[1], a 2 MiB page.
 */
class PagingUnitFromOutsideTest {

    private static final long P = 1;
    private static final long RW = 2;
    private static final long US = 4;
    private static final long A = 0x20;
    private static final long D = 0x40;
    private static final long PS = 0x80;
    private static final long G = 0x100;
    private static final long XD = 1L << 63;

    private Simulator machine;
    private Cpu cpu;

    @BeforeEach
    void buildTables() {
        machine = Simulator.withFlatRam(16 << 20, CpuModel.DEFAULT, 2);
        machine.writeEntry(0x1000, 0x2000 | P | RW | US);
        machine.writeEntry(0x2000 + 1 * 8, 0x3000 | P | RW | US);
        machine.writeEntry(0x3000, 0x4000 | P | RW | US);
        machine.writeEntry(0x4000 + 1 * 8, 0x9000 | P | RW);
        machine.writeEntry(0x3000 + 1 * 8, 0x60_0000 | PS | P | RW | US);
        cpu = machine.cpu(0);
        cpu.writeCr3(0x1000);
    }

    @AfterEach
    void close() {
        machine.close();
    }

    @Test
    void aSupervisorWriteTranslatesAndSetsAccessedAndDirty() {
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x9234), PageSize.SIZE_4KIB),
            machine.access(0, 0x4000_1234L, AccessKind.WRITE, false));
        assertEquals(0x2000 | P | RW | US | A, machine.readEntry(0x1000));
        assertEquals(0x3000 | P | RW | US | A, machine.readEntry(0x2008));
        assertEquals(0x4000 | P | RW | US | A, machine.readEntry(0x3000));
        assertEquals(0x9000 | P | RW | A | D, machine.readEntry(0x4008));
    }

    @Test
    void aUserReadOfASupervisorPageIsAProtectionFault() {
        assertEquals(new AccessResult.PageFault(0x5, 0x4000_1008L),
            machine.access(0, 0x4000_1008L, AccessKind.READ, true));
        assertEquals(0x4000_1008L, cpu.cr2());
        assertEquals(0x9000 | P | RW, machine.readEntry(0x4008), "leaf A untouched by the fault");
    }

    @Test
    void aTwoMebibytePageTranslatesItsWholeOffset() {
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x7F_FFFF), PageSize.SIZE_2MIB),
            machine.access(0, 0x403F_FFFFL, AccessKind.READ, true));
    }

    @Test
    void noExecuteNeedsNxe() {
        machine.writeEntry(0x3000, 0x4000 | P | RW | US | XD);
        assertEquals(new AccessResult.PageFault(0x9, 0x4000_1000L),
            machine.access(0, 0x4000_1000L, AccessKind.READ, false));
        cpu.setEferBit(ControlRegisters.EFER_NXE, true);
        assertEquals(new AccessResult.PageFault(0x11, 0x4000_1000L),
            machine.access(0, 0x4000_1000L, AccessKind.EXECUTE, false));
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x9000), PageSize.SIZE_4KIB),
            machine.access(0, 0x4000_1000L, AccessKind.READ, false));
    }

    @Test
    void smepAndSmapGuardUserPagesFromTheSupervisor() {
        cpu.setCr4Bit(ControlRegisters.CR4_SMEP, true);
        cpu.setCr4Bit(ControlRegisters.CR4_SMAP, true);
        assertEquals(new AccessResult.PageFault(0x11, 0x4020_0000L),
            machine.access(0, 0x4020_0000L, AccessKind.EXECUTE, false));
        assertEquals(new AccessResult.PageFault(0x1, 0x4020_0000L),
            machine.access(0, 0x4020_0000L, AccessKind.READ, false));
        cpu.setAc(true);
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x60_0000), PageSize.SIZE_2MIB),
            machine.access(0, 0x4020_0000L, AccessKind.READ, false));
    }

    @Test
    void aNonCanonicalAddressIsGeneralProtection() {
        assertEquals(new AccessResult.GeneralProtection(0x0000_8000_4000_1000L),
            machine.access(0, 0x0000_8000_4000_1000L, AccessKind.READ, false));
        assertEquals(0, cpu.cr2());
    }

    @Test
    void aStaleTranslationLastsUntilInvlpgAndOnlyOnTheCpuThatCachedIt() {
        final Cpu other = machine.cpu(1);
        other.writeCr3(0x1000);
        machine.access(0, 0x4000_1000L, AccessKind.READ, false);
        machine.writeEntry(0x4008, 0xA000 | P | RW);
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x9000), PageSize.SIZE_4KIB),
            machine.access(0, 0x4000_1000L, AccessKind.READ, false));
        assertEquals(new AccessResult.Translated(PhysAddr.of(0xA000), PageSize.SIZE_4KIB),
            machine.access(1, 0x4000_1000L, AccessKind.READ, false));
        cpu.invlpg(0x4000_1000L);
        assertEquals(new AccessResult.Translated(PhysAddr.of(0xA000), PageSize.SIZE_4KIB),
            machine.access(0, 0x4000_1000L, AccessKind.READ, false));
    }

    @Test
    void globalPagesSurviveACr3WriteButNotAFullFlush() {
        cpu.setCr4Bit(ControlRegisters.CR4_PGE, true);
        machine.writeEntry(0x4008, 0x9000 | P | RW | G);
        machine.access(0, 0x4000_1000L, AccessKind.READ, false);
        machine.writeEntry(0x4008, 0xA000 | P | RW | G);
        cpu.writeCr3(0x1000);
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x9000), PageSize.SIZE_4KIB),
            machine.access(0, 0x4000_1000L, AccessKind.READ, false));
        cpu.flushTlb();
        assertEquals(new AccessResult.Translated(PhysAddr.of(0xA000), PageSize.SIZE_4KIB),
            machine.access(0, 0x4000_1000L, AccessKind.READ, false));
        assertEquals(2, cpu.tlb().walks());
        assertEquals(1, cpu.tlb().hits());
    }
}

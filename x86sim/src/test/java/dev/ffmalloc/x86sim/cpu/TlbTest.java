package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.memory.ShiftedMemory;
import dev.ffmalloc.x86sim.FlatPhysicalMemory;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.PageSize;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static dev.ffmalloc.x86sim.cpu.AccessKind.READ;
import static dev.ffmalloc.x86sim.cpu.AccessKind.WRITE;
import static dev.ffmalloc.x86sim.cpu.PageWalkTest.PDE;
import static dev.ffmalloc.x86sim.cpu.PageWalkTest.PML4;
import static dev.ffmalloc.x86sim.cpu.PageWalkTest.PRU;
import static dev.ffmalloc.x86sim.cpu.PageWalkTest.PS;
import static dev.ffmalloc.x86sim.cpu.PageWalkTest.PTE;
import static dev.ffmalloc.x86sim.cpu.PageWalkTest.VA;
import static dev.ffmalloc.x86sim.cpu.PageWalkTest.assertTranslated;
import static dev.ffmalloc.x86sim.cpu.PageWalkTest.writeTablesOfVa;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The TLB rules of SDM §4.10: what is cached, what survives which invalidation, the counters, and D set through a
 * cached translation. The tables are those of {@link PageWalkTest}.
 */
class TlbTest {

    static final long GLOBAL = 0x100;

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

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void aStaleTranslationSurvivesUntilInvlpg() {
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        ram.setLong(PTE, 0x30_0000 | PRU);
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        cpu.invlpg(VA + 0x10);
        assertTranslated(0x30_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
    }

    /**
     * A clean 4 KiB entry, then the PDE made a 2 MiB page without INVLPG: the first write walks to set D, and from
     * then on reads and writes use that walk's 2 MiB translation and report its size (before, reads kept the clean
     * 4 KiB entry and every write walked again).
     */
    @Test
    void theWalkThatSetsDirtyReplacesTheCleanEntryEvenWithAnotherPageSize() {
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        ram.setLong(PDE, 0x40_0000 | PS | PRU);
        final long expected = 0x40_0000 | (VA & PageSize.SIZE_2MIB.offsetMask());
        assertTranslated(expected, PageSize.SIZE_2MIB, cpu.access(VA, WRITE, false));
        final long walks = cpu.tlb().walks();
        assertTranslated(expected, PageSize.SIZE_2MIB, cpu.access(VA, READ, false));
        assertTranslated(expected, PageSize.SIZE_2MIB, cpu.access(VA, WRITE, false));
        assertEquals(walks, cpu.tlb().walks(), "the dirty 2 MiB entry serves both without another walk");
        assertEquals(0x40_0000 | PS | PRU | 0x60, ram.getLong(PDE), "A and D set on the 2 MiB leaf");
    }

    @Test
    void invlpgDropsOnlyItsPage() {
        final long other = VA + 0x1000;
        ram.setLong(PTE + 8, 0x21_0000 | PRU);
        cpu.access(VA, READ, false);
        cpu.access(other, READ, false);
        ram.setLong(PTE, 0x30_0000 | PRU);
        ram.setLong(PTE + 8, 0x31_0000 | PRU);
        cpu.invlpg(VA);
        assertTranslated(0x30_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        assertTranslated(0x21_0ABC, PageSize.SIZE_4KIB, cpu.access(other, READ, false));
    }

    @Test
    void aCr3WriteDropsNonGlobalEntriesAndGlobalOnesSurviveWithPge() {
        cpu.setCr4Bit(ControlRegisters.CR4_PGE, true);
        final long global = VA + 0x1000;
        ram.setLong(PTE + 8, 0x21_0000 | GLOBAL | PRU);
        cpu.access(VA, READ, false);
        cpu.access(global, READ, false);
        ram.setLong(PTE, 0x30_0000 | PRU);
        ram.setLong(PTE + 8, 0x31_0000 | GLOBAL | PRU);
        cpu.writeCr3(PML4);
        assertTranslated(0x30_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        assertTranslated(0x21_0ABC, PageSize.SIZE_4KIB, cpu.access(global, READ, false));
        cpu.invlpg(global);
        assertTranslated(0x31_0ABC, PageSize.SIZE_4KIB, cpu.access(global, READ, false));
    }

    @Test
    void theGlobalBitMeansNothingWithoutPge() {
        ram.setLong(PTE, 0x20_0000 | GLOBAL | PRU);
        cpu.access(VA, READ, false);
        ram.setLong(PTE, 0x30_0000 | GLOBAL | PRU);
        cpu.writeCr3(PML4);
        assertTranslated(0x30_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
    }

    @Test
    void togglingPgeFlushesGlobalEntries() {
        cpu.setCr4Bit(ControlRegisters.CR4_PGE, true);
        ram.setLong(PTE, 0x20_0000 | GLOBAL | PRU);
        cpu.access(VA, READ, false);
        ram.setLong(PTE, 0x30_0000 | GLOBAL | PRU);
        cpu.setCr4Bit(ControlRegisters.CR4_PGE, false);
        assertTranslated(0x30_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
    }

    @Test
    void largePagesAreCachedByTheirOwnSize() {
        ram.setLong(PDE, 0x40_0000 | PS | PRU);
        cpu.access(VA, READ, false);
        assertEquals(1, cpu.tlb().validEntries(PageSize.SIZE_2MIB));
        assertEquals(0, cpu.tlb().validEntries(PageSize.SIZE_4KIB));
        ram.setLong(PDE, 0x60_0000 | PS | PRU);
        assertTranslated(0x40_0000 + 0x1234, PageSize.SIZE_2MIB, cpu.access(VA & ~0x1F_FFFFL | 0x1234, READ, false));
        cpu.invlpg(VA & ~0x1F_FFFFL | 0x1F_F000);
        assertTranslated(0x60_0000 + 0x1234, PageSize.SIZE_2MIB, cpu.access(VA & ~0x1F_FFFFL | 0x1234, READ, false));
    }

    @Test
    void countersCountHitsMissesAndWalks() {
        cpu.access(VA, READ, false);
        cpu.access(VA + 8, READ, false);
        cpu.access(VA + 16, READ, false);
        assertEquals(2, cpu.tlb().hits());
        assertEquals(1, cpu.tlb().misses());
        assertEquals(1, cpu.tlb().walks());
        cpu.access(VA, WRITE, false);
        assertEquals(3, cpu.tlb().hits());
        assertEquals(2, cpu.tlb().walks(), "the first write through a clean entry walks to set D");
        cpu.access(VA, WRITE, false);
        assertEquals(4, cpu.tlb().hits());
        assertEquals(2, cpu.tlb().walks());
    }

    @Test
    void theFirstWriteThroughACachedCleanTranslationSetsDirty() {
        cpu.access(VA, READ, false);
        assertEquals(0x20_0000 | 0x27, ram.getLong(PTE));
        cpu.access(VA, WRITE, false);
        assertEquals(0x20_0000 | 0x67, ram.getLong(PTE));
    }

    @Test
    void nothingIsCachedFromAFault() {
        ram.setLong(PTE, 0x20_0000 | 0x5);
        cpu.access(VA, WRITE, true);
        assertEquals(0, cpu.tlb().validEntries(PageSize.SIZE_4KIB));
        ram.setLong(PTE, 0);
        cpu.access(VA, READ, false);
        ram.setLong(PTE, 0x20_0000 | PRU);
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
    }

    @Test
    void aFaultFromAStaleRestrictiveEntryHappensOnceThenTheEntryIsDropped() {
        ram.setLong(PTE, 0x20_0000 | 0x5);
        cpu.access(VA, READ, true);
        ram.setLong(PTE, 0x20_0000 | PRU);
        assertEquals(new AccessResult.PageFault(0x7, VA), cpu.access(VA, WRITE, true));
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, WRITE, true));
    }

    @Test
    void eachCpuHasItsOwnTlb() {
        final Cpu other = new Cpu(1, ram, CpuModel.DEFAULT);
        other.writeCr3(PML4);
        cpu.access(VA, READ, false);
        other.access(VA, READ, false);
        ram.setLong(PTE, 0x30_0000 | PRU);
        cpu.invlpg(VA);
        assertTranslated(0x30_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, other.access(VA, READ, false));
    }

    @Test
    void rightsAreCheckedAtAccessTimeSoWpAndSmapNeedNoFlush() {
        ram.setLong(PTE, 0x20_0000 | 0x5);
        cpu.access(VA, READ, false);
        assertEquals(new AccessResult.PageFault(0x3, VA), cpu.access(VA, WRITE, false));
        cpu.access(VA, READ, false);
        cpu.setCr4Bit(ControlRegisters.CR4_SMAP, true);
        assertEquals(new AccessResult.PageFault(0x1, VA), cpu.access(VA, READ, false));
    }

    /** SDM vol. 3A table 4-12 (CR4.PCIDE clear): bits 2:0 and 11:5 are ignored, 4:3 are PWT and PCD. */
    @Test
    void cr3KeepsItsLowBitsAndWalksFromTheTableAddress() {
        for (final long lowBits : new long[] {0x1, 0x7, 0x18, 0x20, 0x800, 0xFFF}) {
            cpu.writeCr3(PML4 | lowBits);
            assertEquals(PML4 | lowBits, cpu.registers().cr3());
            assertTranslated(0x20_0ABC, PageSize.SIZE_4KIB, cpu.access(VA, READ, false));
        }
    }

    @Test
    void cr3RejectsReservedBits() {
        final IllegalArgumentException thrown = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> cpu.writeCr3(1L << 46 | PML4));
        assertEquals("cr3 has reserved bits set: cr3=0x400000001000, maxPhysAddrBits=46", thrown.getMessage());
    }
}

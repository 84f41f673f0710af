package dev.ffmalloc.nativetests;

import dev.ffmalloc.x86sim.Simulator;
import dev.ffmalloc.x86sim.cpu.AccessKind;
import dev.ffmalloc.x86sim.cpu.AccessResult;
import dev.ffmalloc.x86sim.firmware.E820Parser;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import dev.ffmalloc.x86sim.phys.UnbackedAddressException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * An outside user builds a machine from the memory map its own firmware printed, with RAM below 1 MiB, from 1 MiB
 * to 16 MiB and from 4 GiB, and page tables above 4 GiB. A walk whose table pointer falls into the hole between
 * 16 MiB and 4 GiB is a bus error (an exception naming the address), never an invented page fault.
 */
class PagingOnAMemoryMapTest {

    private static final String DMESG = """
        BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
        BIOS-e820: [mem 0x0000000000100000-0x0000000000ffffff] usable
        BIOS-e820: [mem 0x0000000100000000-0x00000001003fffff] usable
        """;

    @Test
    void tablesAboveFourGibibytesTranslateAndATableInAHoleIsABusError() {
        try (Simulator machine = Simulator.boot(E820Parser.parse(DMESG), CpuModel.DEFAULT, 1)) {
            final long pml4 = 0x1_0000_0000L;
            machine.writeEntry(pml4, 0x1_0000_1000L | 0x3);
            machine.writeEntry(0x1_0000_1000L, 0x1_0000_2000L | 0x3);
            machine.writeEntry(0x1_0000_2000L, 0x20_0000L | 0x83);
            machine.writeEntry(0x1_0000_2008L, 0x2000_0000L | 0x3);
            machine.cpu(0).writeCr3(pml4);
            assertEquals(new AccessResult.Translated(PhysAddr.of(0x20_1234), PageSize.SIZE_2MIB),
                machine.access(0, 0x1234, AccessKind.READ, false));
            assertEquals(0x20_0000L | 0xA3, machine.readEntry(0x1_0000_2000L));
            final UnbackedAddressException busError = assertThrows(UnbackedAddressException.class,
                () -> machine.access(0, 0x20_0000, AccessKind.READ, false));
            assertEquals(0x2000_0000L, busError.address());
        }
    }
}

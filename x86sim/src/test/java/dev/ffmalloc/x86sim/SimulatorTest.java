package dev.ffmalloc.x86sim;

import dev.ffmalloc.x86sim.firmware.E820Map;
import dev.ffmalloc.x86sim.firmware.E820Parser;
import dev.ffmalloc.x86sim.paging.CpuModel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Booting a simulator from a firmware map. */
class SimulatorTest {

    /**
     * RAM the CPU cannot address is refused before the machine is built: its section table would be sized for the
     * highest address (hundreds of MiB of Java heap for RAM near 2^52).
     */
    @Test
    void refusesUsableRamAboveTheModelsMaxPhysAddr() {
        final E820Map map = E820Parser.parse("""
            BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] usable
            BIOS-e820: [mem 0x000ffffffffff000-0x000fffffffffffff] usable
            """);
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> Simulator.boot(map, CpuModel.DEFAULT, 1));
        assertEquals("usable RAM lies above the CPU's MAXPHYADDR: range=[mem 0x000ffffffffff000-0x000fffffffffffff],"
            + " maxPhysAddrBits=46", refused.getMessage());
    }
}

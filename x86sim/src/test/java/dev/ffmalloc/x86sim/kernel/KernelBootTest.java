package dev.ffmalloc.x86sim.kernel;

import dev.ffmalloc.x86sim.Machine;
import dev.ffmalloc.x86sim.boot.BootMemory;
import dev.ffmalloc.x86sim.boot.FrameAllocator;
import dev.ffmalloc.x86sim.firmware.E820Preset;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job on the small VM preset: address space, heap tests through the MMU, frames given back. */
class KernelBootTest {

    @Test
    void bootsTheKernelMemoryOfTheSmallVm() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final long freeFramesBefore;
        final long freeFramesAfter;
        try (Machine machine = new Machine(E820Preset.SMALL_VM.map())) {
            final BootMemory bootMemory = BootMemory.forMachine(machine);
            bootMemory.reserve(16 << 20, 8 << 20);
            final FrameAllocator frames = bootMemory.handOff(machine.ram(), machine.arena());
            freeFramesBefore = frames.freeFrames();
            KernelBoot.run(machine, frames, 16 << 20, 8 << 20, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            freeFramesAfter = frames.freeFrames();
        }
        final String output = bytes.toString(StandardCharsets.UTF_8);
        // RAM [0, 0x9f000) = 159 small pages; [0x100000, 0x200000) = 256 small pages; [2 MiB, 126 MiB) = 62 large
        // pages; [0x7e00000, 0x7fe0000) = 480 small pages.
        assertTrue(output.contains("direct map at 0xffff888000000000: 133689344 bytes of RAM in 0 x 1GiB + 62 x 2MiB"
            + " + 895 x 4KiB pages\n"), output);
        assertTrue(output.contains("kernel image at 0xffffffff81000000: [mem 0x0000000001000000-0x00000000017fffff]"
            + " in 4 x 2MiB + 0 x 4KiB pages\n"), output);
        assertTrue(output.contains("  write   0xffff888000100000 -> Translated[physAddr=PhysAddr(0x100000),"
            + " pageSize=4KiB]\n"), output);
        assertTrue(output.contains("  execute 0xffff888001000000 -> PageFault[errorCode=0x11"), output);
        assertTrue(output.contains("large vector: 100000 longs sum to 5000050000 = n(n+1)/2\n"), output);
        assertTrue(output.contains("many allocations: 100000 x 64 B (6400000 bytes) allocated and freed in a row\n"),
            output);
        assertTrue(output.contains("heap end now 0xffffc90000000000\n"), output);
        assertTrue(output.contains("TLB hits: "), output);
        final long tables = Long.parseLong(output.replaceAll("(?s).*\\(page tables: (\\d+)\\).*", "$1"));
        assertEquals(freeFramesBefore - tables, freeFramesAfter, "only page tables keep frames after the trim");
    }
}

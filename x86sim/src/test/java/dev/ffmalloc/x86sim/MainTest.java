package dev.ffmalloc.x86sim;

import dev.ffmalloc.x86sim.firmware.E820Map;
import dev.ffmalloc.x86sim.firmware.E820Parser;
import dev.ffmalloc.x86sim.firmware.E820Preset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    private static String runOn(final E820Preset preset) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Main.run(preset.map(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsTheMapTheRamBackedAndTheBootMemory() {
        final String output = runOn(E820Preset.SMALL_VM);
        assertTrue(output.contains("BIOS-e820: [mem 0x0000000000100000-0x0000000007fdffff] usable\n"), output);
        assertTrue(output.contains("usable: 127.5 MiB in 2 ranges, address space up to 0x100000000 (4.0 GiB)\n"),
            output);
        assertTrue(output.contains("  [mem 0x0000000000000000-0x000000000009efff]  636.0 KiB\n"), output);
        assertTrue(output.contains("RAM backed: 127.5 MiB (133689344 bytes) in 2 segments\n"), output);
        assertTrue(output.contains("  reserved [mem 0x0000000001000000-0x00000000017fffff]    8.0 MiB\n"), output);
        // Free frames: [256, 4096) and [6144, 32736), carved by hand: 256 (order 8), 512 (9), 1024 to 4096 (3 x 10);
        // 6144 to 31744 (25 x 10), then 9, 8, 7, 6 and 5 to reach 32736.
        assertTrue(output.contains("  order 10 (  4.0 MiB blocks):      28 free =    28672 frames\n"), output);
        assertTrue(output.contains("  order  9 (  2.0 MiB blocks):       2 free =     1024 frames\n"), output);
        assertTrue(output.contains("  order  8 (  1.0 MiB blocks):       2 free =      512 frames\n"), output);
        assertTrue(output.contains("  order  4 ( 64.0 KiB blocks):       0 free =        0 frames\n"), output);
        assertTrue(output.contains("free frames: 30432 (118.9 MiB)\n"), output);
    }

    @Test
    void optionsChooseTheMap(@TempDir final Path directory) throws IOException {
        assertEquals(Main.DEFAULT_PRESET.map(), Main.memoryMap(new String[0]));
        assertEquals(E820Preset.FRAGMENTED.map(), Main.memoryMap(new String[] {"--preset", "fragmented"}));
        final Path file = directory.resolve("dmesg.txt");
        Files.writeString(file, "[ 0.0] BIOS-e820: [mem 0x0000000000000000-0x0000000000ffffff] usable\n");
        assertEquals(E820Parser.parse("BIOS-e820: [mem 0x0-0xffffff] usable"),
            Main.memoryMap(new String[] {"--e820", file.toString()}));
        assertNull(Main.memoryMap(new String[] {"--help"}));
        assertEquals("unknown option: option=--ram",
            assertThrows(IllegalArgumentException.class, () -> Main.memoryMap(new String[] {"--ram"})).getMessage());
        assertEquals("option needs a value: option=--preset",
            assertThrows(IllegalArgumentException.class, () -> Main.memoryMap(new String[] {"--preset"}))
                .getMessage());
    }

    /** Maps this kernel cannot boot on are refused by name before anything is built (they used to fail late). */
    @Test
    void refusesAMapWithoutRamForTheKernelImageOrWithRamAboveMaxPhysAddr() {
        final E820Map highOnly = E820Parser.parse("BIOS-e820: [mem 0x0000000100000000-0x000000013fffffff] usable");
        assertEquals("the kernel image needs usable RAM where it is loaded, and the map has none there:"
            + " image=[mem 0x0000000001000000-0x00000000017fffff]",
            assertThrows(IllegalArgumentException.class, () -> Main.run(highOnly, System.out)).getMessage());
        final E820Map shortRam = E820Parser.parse("BIOS-e820: [mem 0x0000000000000000-0x00000000010fffff] usable");
        assertThrows(IllegalArgumentException.class, () -> Main.run(shortRam, System.out));
        final E820Map aboveMaxPhysAddr = E820Parser.parse("""
            BIOS-e820: [mem 0x0000000000000000-0x0000000001ffffff] usable
            BIOS-e820: [mem 0x0004000000000000-0x0004000003ffffff] usable
            """);
        assertEquals("usable RAM lies above the CPU's MAXPHYADDR: range=[mem 0x0004000000000000-0x0004000003ffffff],"
            + " maxPhysAddrBits=46",
            assertThrows(IllegalArgumentException.class, () -> Main.run(aboveMaxPhysAddr, System.out)).getMessage());
    }

    @Test
    void formatsSizesInBinaryUnits() {
        assertEquals("512 B", Main.bytes(512));
        assertEquals("4.0 KiB", Main.bytes(4096));
        assertEquals("1.5 MiB", Main.bytes(3 << 19));
        assertEquals("64.0 GiB", Main.bytes(64L << 30));
    }
}

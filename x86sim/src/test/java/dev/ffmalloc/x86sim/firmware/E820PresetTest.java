package dev.ffmalloc.x86sim.firmware;

import dev.ffmalloc.x86sim.Machine;
import dev.ffmalloc.x86sim.phys.PhysRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class E820PresetTest {

    private static final long MIB = 1 << 20;
    private static final long GIB = 1L << 30;

    /** @return whether no entry of {@code map} meets {@code [startAddr, endAddr)} */
    private static boolean isHole(final E820Map map, final long startAddr, final long endAddr) {
        for (final E820Entry entry : map.entries()) {
            if (entry.range().startAddr() < endAddr && startAddr < entry.range().endAddr()) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theSmallVmHasLowMemoryTheBiosHoleAndRamUpTo128Mib() {
        final E820Map map = E820Preset.SMALL_VM.map();
        assertEquals(List.of(new PhysRange(0, 0x9f000), new PhysRange(MIB, 0x7fe0000)), map.usableRanges());
        assertTrue(isHole(map, 0xa0000, 0xf0000), "the VGA and option-ROM window is a hole");
        assertTrue(isHole(map, 128 * MIB, 0xfeffc000L), "nothing between RAM and the firmware under 4 GiB");
        assertEquals(E820Type.RESERVED, map.entries().get(2).type());
        assertEquals(new PhysRange(0xf0000, MIB), map.entries().get(2).range());
    }

    @Test
    void theHighmemVmHasThePciHoleAndRamAbove4Gib() {
        final E820Map map = E820Preset.HIGHMEM_VM.map();
        assertEquals(List.of(new PhysRange(0, 0x9f000), new PhysRange(MIB, 0x7fdc000),
            new PhysRange(4 * GIB, 4 * GIB + 256 * MIB)), map.usableRanges());
        assertTrue(isHole(map, 128 * MIB, 0xb0000000L), "the PCI hole below the MMCONFIG window");
        assertTrue(isHole(map, 0xc0000000L, 0xfeffc000L), "the PCI hole above the MMCONFIG window");
        assertTrue(map.usableBytes() > 256 * MIB && map.usableBytes() < 512 * MIB);
    }

    @Test
    void theFragmentedMapScattersTenToTwentySpansOverALargeAddressSpace() {
        final E820Map map = E820Preset.FRAGMENTED.map();
        final List<PhysRange> usable = map.usableRanges();
        assertEquals(13, usable.size());
        assertEquals(new PhysRange(0x1000, 0x58000), usable.get(0));
        assertEquals(new PhysRange(0x59000, 0x9f000), usable.get(1));
        assertEquals(new PhysRange(0x4_0000_0000L, 0x4_03ff_e000L), usable.get(10));
        assertEquals(new PhysRange(0xf_ff00_0000L, 64 * GIB), usable.getLast());
        assertEquals(64 * GIB, map.endAddr());
        assertTrue(isHole(map, 0x9_0100_0000L, 0xf_ff00_0000L), "a hole of more than 20 GiB");
        assertEquals(E820Type.ACPI_NVS, map.entries().getFirst().type(), "page 0 is firmware's");
        assertTrue(map.usableBytes() > 256 * MIB && map.usableBytes() < 512 * MIB);
    }

    @ParameterizedTest
    @EnumSource(E820Preset.class)
    void theRamBackedEqualsTheUsableTotal(final E820Preset preset) {
        final E820Map map = preset.map();
        try (Machine machine = new Machine(map)) {
            assertEquals(map.usableRanges(), machine.ram().ranges());
            assertEquals(map.usableBytes(), machine.ram().byteSize());
            long sum = 0;
            for (final PhysRange range : map.usableRanges()) {
                sum += range.byteSize();
                assertTrue(machine.ram().isBacked(range.startAddr()));
                assertTrue(machine.ram().isBacked(range.endAddr() - 1));
            }
            assertEquals(sum, machine.ram().byteSize());
            assertFalse(machine.ram().isBacked(map.endAddr()));
        }
    }

    @Test
    void presetsAreFoundByNameAndAnUnknownNameListsTheKnownOnes() {
        assertEquals(E820Preset.FRAGMENTED, E820Preset.byName("fragmented"));
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> E820Preset.byName("huge-vm"));
        assertEquals("unknown memory map preset: name=huge-vm, known=small-vm,highmem-vm,fragmented",
            thrown.getMessage());
    }
}

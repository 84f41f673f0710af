package dev.ffmalloc.x86sim.firmware;

import dev.ffmalloc.x86sim.phys.PhysRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class E820ParserTest {

    private static void assertEntry(final E820Entry entry, final long startAddr, final long lastAddr,
                                    final int typeNumber, final E820Type type) {
        assertEquals(new PhysRange(startAddr, lastAddr + 1), entry.range());
        assertEquals(typeNumber, entry.typeNumber());
        assertEquals(type, entry.type());
    }

    @Test
    void readsEveryLineForm() {
        final E820Map map = E820Parser.parse("""
            BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
            BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
            BIOS-e820: [mem 0x0000000000100000-0x00000000001fffff] ACPI data
            BIOS-e820: [mem 0x0000000000200000-0x00000000002fffff] ACPI NVS
            BIOS-e820: [mem 0x0000000000300000-0x00000000003fffff] unusable
            BIOS-e820: [mem 0x0000000000400000-0x00000000004fffff] persistent (type 7)
            BIOS-e820: [mem 0x0000000000500000-0x00000000005fffff] persistent (type 12)
            BIOS-e820: [mem 0x0000000000600000-0x00000000006fffff] soft reserved
            BIOS-e820: [mem 0x0000000000700000-0x00000000007fffff] type 20
            BIOS-e820: [mem 0x0000000000800000-0x00000000008fffff] type 4294967295
            """);
        final List<E820Entry> entries = map.entries();
        assertEquals(10, entries.size());
        assertEntry(entries.get(0), 0, 0x9fbff, 1, E820Type.USABLE);
        assertEntry(entries.get(1), 0x9fc00, 0x9ffff, 2, E820Type.RESERVED);
        assertEntry(entries.get(2), 0x100000, 0x1fffff, 3, E820Type.ACPI_DATA);
        assertEntry(entries.get(3), 0x200000, 0x2fffff, 4, E820Type.ACPI_NVS);
        assertEntry(entries.get(4), 0x300000, 0x3fffff, 5, E820Type.UNUSABLE);
        assertEntry(entries.get(5), 0x400000, 0x4fffff, 7, E820Type.PERSISTENT);
        assertEntry(entries.get(6), 0x500000, 0x5fffff, 12, E820Type.PERSISTENT);
        assertEntry(entries.get(7), 0x600000, 0x6fffff, 0xefffffff, E820Type.SOFT_RESERVED);
        assertEntry(entries.get(8), 0x700000, 0x7fffff, 20, E820Type.OTHER);
        assertEntry(entries.get(9), 0x800000, 0x8fffff, -1, E820Type.OTHER);
    }

    @Test
    void unknownTypesAreNotRam() {
        final E820Map map = E820Parser.parse("""
            BIOS-e820: [mem 0x0000000000000000-0x0000000000ffffff] type 20
            BIOS-e820: [mem 0x0000000001000000-0x0000000001ffffff] usable
            """);
        assertEquals(List.of(new PhysRange(0x1000000, 0x2000000)), map.usableRanges());
    }

    @Test
    void printsEachEntryAsLinuxDoesAndReadsItsOwnOutputBack() {
        final E820Map map = E820Parser.parse(E820Texts.LAPTOP);
        assertEquals("BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] ACPI NVS",
            map.entries().getFirst().toString());
        assertEquals("BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff] type 20",
            map.entries().get(18).toString());
        assertEquals(map, E820Parser.parse(map.format()));
    }

    @Test
    void skipsTheRestOfADmesg() {
        final E820Map map = E820Parser.parse(E820Texts.QEMU_I440FX_ABOVE_4G);
        assertEquals(8, map.entries().size());
        assertEquals(List.of(new PhysRange(0, 0x9f000), new PhysRange(0x100000, 0xffdc000),
            new PhysRange(0x1_0000_0000L, 0x1_1000_0000L)), map.usableRanges());
    }

    @Test
    void readsTheRealFiveGibibyteI440fxMap() {
        final E820Map map = E820Parser.parse(E820Texts.QEMU_I440FX_5G);
        assertEquals(List.of(new PhysRange(0, 0x9f000), new PhysRange(0x100000, 0xbffdc000L),
            new PhysRange(0x1_0000_0000L, 0x2_4000_0000L)), map.usableRanges());
        assertEquals(0x9f000 + 0xbffdc000L - 0x100000 + 0x1_4000_0000L, map.usableBytes());
        assertEquals(0x2_4000_0000L, map.endAddr());
    }

    @Test
    void readsTheQ35MapWithItsMmconfigWindow() {
        final E820Map map = E820Parser.parse(E820Texts.QEMU_Q35);
        assertEquals(9, map.entries().size());
        assertEquals(new PhysRange(0xb0000000L, 0xc0000000L), map.entries().get(5).range());
        assertEquals(E820Type.RESERVED, map.entries().get(5).type());
        assertEquals((159 + 65240) * PhysRange.PAGE_SIZE, map.usableBytes());
    }

    @Test
    void roundsUsableRangesInwardToWholePagesAndMergesTouchingOnes() {
        final E820Map map = E820Parser.parse("""
            BIOS-e820: [mem 0x0000000000000800-0x00000000000057ff] usable
            BIOS-e820: [mem 0x0000000000005800-0x0000000000005fff] reserved
            BIOS-e820: [mem 0x0000000000006100-0x0000000000006eff] usable
            BIOS-e820: [mem 0x0000000000010000-0x0000000000013fff] usable
            BIOS-e820: [mem 0x0000000000014000-0x0000000000017fff] usable
            """);
        assertEquals(List.of(new PhysRange(0x1000, 0x5000), new PhysRange(0x10000, 0x18000)), map.usableRanges());
        assertEquals(0x4000 + 0x8000, map.usableBytes());
    }

    @Test
    void readsTheLaptopMapsSevenUsableSpans() {
        final E820Map map = E820Parser.parse(E820Texts.LAPTOP);
        assertEquals(List.of(new PhysRange(0x1000, 0x9d000), new PhysRange(0x100000, 0x2000000),
            new PhysRange(0x2200000, 0x4000000), new PhysRange(0x4200000, 0x6c3f000),
            new PhysRange(0x6cff000, 0x6d00000), new PhysRange(0x8800000, 0xed40000),
            new PhysRange(0x1_0000_0000L, 0x1_07f6_0000L)), map.usableRanges());
    }

    // ------------------------------------------------------------------------------------------------ bad input

    private static void assertRejected(final String text, final int lineNumber, final String message) {
        final E820ParseException thrown = assertThrows(E820ParseException.class, () -> E820Parser.parse(text));
        assertEquals(message, thrown.getMessage());
        assertEquals(lineNumber, thrown.lineNumber());
    }

    @Test
    void rejectsAMalformedLineWithItsNumber() {
        assertRejected("""
            [    0.000000] BIOS-provided physical RAM map:
            [    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
            [    0.000000] BIOS-e820: [mem 0x000000000009fc00 0x000000000009ffff] reserved
            """, 3,
            "malformed e820 line: line=3, text=BIOS-e820: [mem 0x000000000009fc00 0x000000000009ffff] reserved");
        assertRejected("BIOS-e820: [mem 0x00000000000000000-0x000000000009fbff] usable", 1,
            "malformed e820 line: line=1, text=BIOS-e820: [mem 0x00000000000000000-0x000000000009fbff] usable");
        assertRejected("BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]", 1,
            "malformed e820 line: line=1, text=BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]");
    }

    @Test
    void rejectsAnUnknownWordWithItsNumber() {
        assertRejected("""
            BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable

            BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usuable
            """, 3, "unknown e820 type: line=3, type=usuable");
        assertRejected("BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] type twenty", 1,
            "unknown e820 type: line=1, type=type twenty");
        assertRejected("BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] type 4294967296", 1,
            "e820 type number is not 32-bit: line=1, type=type 4294967296");
        assertRejected("BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] persistent (type 3)", 1,
            "persistent memory has another type number: line=1, type=persistent (type 3)");
    }

    @Test
    void rejectsOverlappingEntriesNamingBothLines() {
        assertRejected("""
            BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable
            BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
            BIOS-e820: [mem 0x000000000fff0000-0x000000001fffffff] reserved
            """, 3, "e820 entries overlap: line=3, range=[mem 0x000000000fff0000-0x000000001fffffff], otherLine=1,"
            + " otherRange=[mem 0x0000000000100000-0x000000000fffffff]");
        // The entry that starts lower comes later in the text: each range still stays beside its own line.
        assertRejected("""
            BIOS-e820: [mem 0x0000000000002000-0x0000000000002fff] usable
            BIOS-e820: [mem 0x0000000000001000-0x0000000000002fff] reserved
            """, 2, "e820 entries overlap: line=2, range=[mem 0x0000000000001000-0x0000000000002fff], otherLine=1,"
            + " otherRange=[mem 0x0000000000002000-0x0000000000002fff]");
    }

    @Test
    void rejectsAnEntryThatEndsBeforeItStartsOrLiesBeyondThePhysicalAddressSpace() {
        assertRejected("BIOS-e820: [mem 0x0000000000100000-0x00000000000fffff] usable", 1,
            "e820 entry ends before it starts: line=1, start=0x100000, end=0xfffff");
        assertRejected("noise\nBIOS-e820: [mem 0x000ffffffffff000-0x0010000000000fff] usable", 2,
            "e820 entry lies beyond the physical address space: line=2, end=0x10000000000fff,"
                + " limit=0x10000000000000");
    }

    @Test
    void rejectsATextWithNoEntry() {
        assertRejected("[    0.000000] Linux version 6.8.0\n[    0.000000] e820: update [mem 0x0-0xfff] usable", 2,
            "no e820 entry found: line=2, marker=BIOS-e820:");
    }

    @Test
    void aMapBuiltFromEntriesRejectsOverlapsToo() {
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> E820Map.of(List.of(
            E820Entry.of(0x100000, 0x100000, E820Type.USABLE), E820Entry.of(0x1ff000, 0x1000, E820Type.RESERVED))));
        assertEquals("e820 entries overlap: entry=BIOS-e820: [mem 0x00000000001ff000-0x00000000001fffff] reserved,"
            + " other=BIOS-e820: [mem 0x0000000000100000-0x00000000001fffff] usable", thrown.getMessage());
    }
}

package dev.ffmalloc.x86sim.phys;

import dev.ffmalloc.x86sim.Machine;
import dev.ffmalloc.x86sim.firmware.E820Preset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhysicalMemoryTest {

    private Machine machine;
    private PhysicalMemory ram;

    @BeforeEach
    void bootTheFragmentedMachine() {
        machine = new Machine(E820Preset.FRAGMENTED.map());
        ram = machine.ram();
    }

    @AfterEach
    void closeTheMachine() {
        machine.close();
    }

    private void assertUnbacked(final long physAddr, final Runnable access) {
        final UnbackedAddressException thrown = assertThrows(UnbackedAddressException.class, access::run);
        assertEquals("no RAM at address: addr=0x" + Long.toHexString(physAddr), thrown.getMessage());
        assertEquals(physAddr, thrown.address());
    }

    @Test
    void writesLandInTheirOwnSpanAndReadBack() {
        final List<PhysRange> spans = ram.ranges();
        for (int i = 0; i < spans.size(); i++) {
            ram.setLong(spans.get(i).startAddr(), 0x1000L + i);
            ram.setLong(spans.get(i).endAddr() - Long.BYTES, 0x2000L + i);
        }
        for (int i = 0; i < spans.size(); i++) {
            assertEquals(0x1000L + i, ram.getLong(spans.get(i).startAddr()));
            assertEquals(0x2000L + i, ram.getLong(spans.get(i).endAddr() - Long.BYTES));
            assertEquals(0, ram.getLong(spans.get(i).startAddr() + Long.BYTES), "the rest of the span is untouched");
        }
    }

    @Test
    void everyWidthIsLittleEndianAtItsPhysicalAddress() {
        final long physAddr = 0x1_0410_0000L;
        ram.setLong(physAddr, 0x0807060504030201L);
        assertEquals(0x01, ram.getByte(physAddr));
        assertEquals(0x0403, ram.getShort(physAddr + 2));
        assertEquals(0x08070605, ram.getInt(physAddr + 4));
        ram.setByte(physAddr + 7, (byte) 0x7f);
        assertEquals(0x7f07060504030201L, ram.getLong(physAddr));
        ram.setShort(physAddr, (short) 0x1111);
        ram.setInt(physAddr + 4, 0x22222222);
        assertEquals(0x2222222204031111L, ram.getLong(physAddr));
    }

    @Test
    void twoSpansSharingASectionAreBothReachable() {
        // 0x40000000-0x43ffffff and 0x47a00000-0x47bfffff share the section at 0x40000000; so do the two spans at
        // 4 GiB. The slot holds the larger; the other takes the slow path.
        for (final long physAddr : new long[] {0x4000_0000L, 0x43ff_fff8L, 0x47a0_0000L, 0x47bf_fff8L,
            0x1_0000_0000L, 0x1_0410_0000L, 0x1_043f_fff8L}) {
            ram.setLong(physAddr, physAddr);
        }
        for (final long physAddr : new long[] {0x4000_0000L, 0x43ff_fff8L, 0x47a0_0000L, 0x47bf_fff8L,
            0x1_0000_0000L, 0x1_0410_0000L, 0x1_043f_fff8L}) {
            assertEquals(physAddr, ram.getLong(physAddr));
        }
        assertUnbacked(0x4400_0000L, () -> ram.getLong(0x4400_0000L));
        assertUnbacked(0x1_0400_0000L, () -> ram.setLong(0x1_0400_0000L, 1));
    }

    /**
     * Every page of the first section, which several spans and holes share on this map, is backed exactly when the
     * E820 map's usable ranges say so, and a page's first byte is that span's own memory.
     */
    @Test
    void everyPageOfACrowdedSectionIsBackedExactlyWhenTheMapSaysSo() {
        final List<PhysRange> usable = E820Preset.FRAGMENTED.map().usableRanges();
        final long crowdedSectionEnd = PhysicalMemory.SECTION_BYTES;
        final long spansInSection = usable.stream().filter(range -> range.startAddr() < crowdedSectionEnd).count();
        assertTrue(spansInSection >= 3, "the preset's first section should hold three or more spans");
        for (long pageAddr = 0; pageAddr < crowdedSectionEnd; pageAddr += 4096) {
            final long address = pageAddr;
            final boolean usableByMap = usable.stream()
                .anyMatch(range -> range.startAddr() <= address && address < range.endAddr());
            assertEquals(usableByMap, ram.isBacked(address), () -> "page 0x" + Long.toHexString(address));
            if (usableByMap) {
                ram.setLong(address, address ^ 0x5A5A);
            } else {
                assertUnbacked(address, () -> ram.getLong(address));
            }
        }
        for (final PhysRange range : usable) {
            for (long pageAddr = range.startAddr(); pageAddr < Math.min(range.endAddr(), crowdedSectionEnd);
                 pageAddr += 4096) {
                assertEquals(pageAddr ^ 0x5A5A, ram.getLong(pageAddr));
            }
        }
    }

    @Test
    void aSpanStraddlingASectionBoundaryIsOneSpan() {
        final long boundary = 0x9_0000_0000L;
        ram.setLong(boundary - Long.BYTES, 1);
        ram.setLong(boundary, 2);
        ram.fill(boundary - 4096, 8192, (byte) 7);
        assertEquals(0x0707070707070707L, ram.getLong(boundary - Long.BYTES));
        assertEquals(0x0707070707070707L, ram.getLong(boundary));
    }

    @Test
    void holesAndAddressesPastTheEndAreRejectedNamingTheAddress() {
        assertUnbacked(0x0, () -> ram.getLong(0));
        assertUnbacked(0x58000, () -> ram.getByte(0x58000));
        assertUnbacked(0xa0000, () -> ram.setInt(0xa0000, 1));
        assertUnbacked(0x8000000, () -> ram.getShort(0x8000000));
        assertUnbacked(0xfec00000L, () -> ram.getLong(0xfec00000L));
        assertUnbacked(64L << 30, () -> ram.getLong(64L << 30));
        assertUnbacked(1L << 51, () -> ram.setLong(1L << 51, 1));
        assertUnbacked(-8, () -> ram.getLong(-8));
        assertUnbacked(0x3_0000_0000L, () -> ram.fill(0x3_0000_0000L, 16, (byte) 1));
    }

    /** The Memory contract's rule and message, naming the physical address, in the middle and at a span's end. */
    @Test
    void misalignedAccessesAreRejected() {
        final long spanEnd = ram.ranges().getFirst().endAddr();
        for (final long base : new long[] {0x100000, spanEnd - 8}) {
            assertMisaligned(base + 4, 8, () -> ram.getLong(base + 4));
            assertMisaligned(base + 4, 8, () -> ram.compareAndSetLong(base + 4, 0, 1));
            assertMisaligned(base + 6, 4, () -> ram.setInt(base + 6, 1));
            assertMisaligned(base + 7, 2, () -> ram.getShort(base + 7));
        }
    }

    private static void assertMisaligned(final long physAddr, final int byteSize, final Runnable access) {
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, access::run);
        assertEquals("access is not naturally aligned: addr=0x" + Long.toHexString(physAddr) + ", byteSize="
            + byteSize, thrown.getMessage());
    }

    /** Closing the RAM first must not keep the machine's memory alive. */
    @Test
    void aMachineClosedAfterItsRamReleasesItsArena() {
        final Machine other = new Machine(E820Preset.SMALL_VM.map());
        other.ram().close();
        other.close();
        assertFalse(other.arena().scope().isAlive());
        other.close();
        final Machine arenaClosedFirst = new Machine(E820Preset.SMALL_VM.map());
        arenaClosedFirst.arena().close();
        arenaClosedFirst.close();
        assertEquals("RAM is closed: addr=0x100000",
            assertThrows(IllegalStateException.class, () -> arenaClosedFirst.ram().getLong(0x100000)).getMessage());
    }

    @Test
    void aWriteNearTheEndOfOneSpanNeverReachesTheNext() {
        try (Arena arena = Arena.ofConfined()) {
            final PhysicalMemory touching = new PhysicalMemory(arena, "RAM",
                List.of(new PhysRange(0x1000, 0x2000), new PhysRange(0x2000, 0x3000)));
            touching.setLong(0x1ff8, -1);
            final UnbackedAddressException thrown = assertThrows(UnbackedAddressException.class,
                () -> touching.fill(0x1ffc, 8, (byte) 0x55));
            assertEquals("access runs past the end of its RAM span: addr=0x1ffc, byteSize=8, spanEnd=0x2000",
                thrown.getMessage());
            assertThrows(UnbackedAddressException.class, () -> touching.copy(0x2000, 0x1ffc, 8));
            assertThrows(UnbackedAddressException.class, () -> touching.copy(0x1ff8, 0x2ffc, 8));
            assertEquals(-1, touching.getLong(0x1ff8), "a rejected fill changes nothing");
            assertEquals(0, touching.getLong(0x2000), "the next span is untouched");
        }
    }

    @Test
    void anotherThreadSeesTheSameRam() throws InterruptedException {
        final Thread cpu = new Thread(() -> ram.setLong(0x4_0000_0000L, 0xC0FFEE));
        cpu.start();
        cpu.join();
        assertEquals(0xC0FFEE, ram.getLong(0x4_0000_0000L));
    }

    @Test
    void compareAndSetIsAtomicAcrossThreads() throws InterruptedException {
        final long entryAddr = 0x47a0_0008L;
        assertFalse(ram.compareAndSetLong(entryAddr, 1, 2), "the entry holds 0");
        final Runnable increments = () -> {
            for (int i = 0; i < 20_000; i++) {
                long seen;
                do {
                    seen = ram.getLongVolatile(entryAddr);
                } while (!ram.compareAndSetLong(entryAddr, seen, seen + 1));
            }
        };
        final Thread first = new Thread(increments);
        final Thread second = new Thread(increments);
        first.start();
        second.start();
        first.join();
        second.join();
        assertEquals(40_000, ram.getLong(entryAddr));
        assertUnbacked(0x4400_0000L, () -> ram.compareAndSetLong(0x4400_0000L, 0, 1));
    }

    @Test
    void copiesWithinAndBetweenSpans() {
        ram.setLong(0x100000, 0x1234);
        ram.copy(0x100000, 0x4_0000_0000L, 8);
        ram.copy(0x4_0000_0000L, 0x4_0000_0004L, 8);
        assertEquals(0x1234, ram.getLong(0x4_0000_0000L) & 0xffffffffL);
        assertEquals(0x1234, ram.getInt(0x4_0000_0004L));
    }

    @Test
    void usingRamAfterTheMachineIsClosedIsAClearError() {
        ram.setLong(0x100000, 5);
        machine.close();
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> ram.getLong(0x100000));
        assertEquals("RAM is closed: addr=0x100000", thrown.getMessage());
        assertThrows(IllegalStateException.class, () -> ram.fill(0x100000, 8, (byte) 0));
        machine.close();
    }

    @Test
    void rangesMustBePageAlignedSortedAndDisjoint() {
        try (Arena arena = Arena.ofConfined()) {
            final IllegalArgumentException unaligned = assertThrows(IllegalArgumentException.class,
                () -> new PhysicalMemory(arena, "RAM", List.of(new PhysRange(0x1000, 0x1800))));
            assertEquals("ranges must be page-aligned, sorted and disjoint: range=[mem 0x0000000000001000-"
                + "0x00000000000017ff], previousEnd=0x0", unaligned.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new PhysicalMemory(arena, "RAM",
                List.of(new PhysRange(0x4000, 0x5000), new PhysRange(0x1000, 0x2000))));
            assertThrows(IllegalArgumentException.class, () -> new PhysicalMemory(arena, "RAM", List.of()));
        }
    }
}

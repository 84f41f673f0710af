package dev.ffmalloc.x86sim.boot;

import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.x86sim.Machine;
import dev.ffmalloc.x86sim.firmware.E820Preset;
import dev.ffmalloc.x86sim.phys.PhysRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootMemoryTest {

    private static final long PAGE = PhysRange.PAGE_SIZE;
    private static final long MIB = 1 << 20;

    private static BootMemory twoSpans() {
        return new BootMemory(List.of(new PhysRange(0, 16 * PAGE), new PhysRange(MIB, 2 * MIB)));
    }

    @Test
    void reservationsAreKeptSortedAndMerged() {
        final BootMemory bootMemory = twoSpans();
        bootMemory.reserve(0x5000, 0x1000);
        bootMemory.reserve(0x1000, 0x1000);
        bootMemory.reserve(0x2000, 0x800);
        bootMemory.reserve(0x4800, 0x1000);
        bootMemory.reserve(0x9000, MIB);
        bootMemory.reserve(0xa000, 0x10);
        assertEquals(List.of(new PhysRange(0x1000, 0x2800), new PhysRange(0x4800, 0x6000),
            new PhysRange(0x9000, 0x9000 + MIB)), bootMemory.reservedRegions());
        assertEquals(List.of(new PhysRange(0, 0x1000), new PhysRange(0x2800, 0x4800), new PhysRange(0x6000, 0x9000),
            new PhysRange(0x9000 + MIB, 2 * MIB)), bootMemory.freeRanges());
        assertEquals(0x1000 + 0x2000 + 0x3000 + MIB - 0x9000, bootMemory.freeBytes());
    }

    @Test
    void touchingMemoryRangesMergeIntoOneRegion() {
        final BootMemory bootMemory = new BootMemory(List.of(new PhysRange(0x1000, 0x3000),
            new PhysRange(0x3000, 0x5000), new PhysRange(0x8000, 0x9000)));
        assertEquals(List.of(new PhysRange(0x1000, 0x5000), new PhysRange(0x8000, 0x9000)),
            bootMemory.memoryRegions());
    }

    @Test
    void allocatesTopDownAndAligned() {
        final BootMemory bootMemory = twoSpans();
        assertEquals(2 * MIB - PAGE, bootMemory.allocate(PAGE, PAGE));
        assertEquals(2 * MIB - 2 * PAGE, bootMemory.allocate(PAGE, PAGE));
        assertEquals(2 * MIB - 2 * PAGE - 64, bootMemory.allocate(64, 64));
        // Free is now [1 MiB, 2 MiB - 2 pages - 64): the highest 256 KiB-aligned fit ends below that.
        assertEquals(MIB + 0x80000, bootMemory.allocate(0x40000, 0x40000));
        assertEquals(MIB + 0x40000, bootMemory.allocate(0x40000, 0x40000));
        assertEquals(MIB, bootMemory.allocate(0x40000, 0x40000));
        assertEquals(BootMemory.NO_RANGE, bootMemory.tryAllocate(0x40000, 0x40000), "0x3dfc0 bytes are left");
        assertEquals(2 * MIB - 4 * PAGE, bootMemory.allocate(PAGE, PAGE), "the highest free whole page");
        assertEquals(List.of(new PhysRange(MIB, MIB + 0xc0000), new PhysRange(2 * MIB - 4 * PAGE, 2 * MIB - 3 * PAGE),
            new PhysRange(2 * MIB - 2 * PAGE - 64, 2 * MIB)), bootMemory.reservedRegions());
    }

    @Test
    void neverAllocatesPageZero() {
        final BootMemory bootMemory = new BootMemory(List.of(new PhysRange(0, 3 * PAGE)));
        assertEquals(2 * PAGE, bootMemory.allocate(PAGE, PAGE));
        assertEquals(PAGE, bootMemory.allocate(PAGE, 1));
        assertEquals(BootMemory.NO_RANGE, bootMemory.tryAllocate(1, 1));
        assertEquals(List.of(new PhysRange(0, PAGE)), bootMemory.freeRanges(), "page 0 stays free, never handed out");
    }

    @Test
    void sizeZeroIsServedAsOneByte() {
        final BootMemory bootMemory = twoSpans();
        final long first = bootMemory.allocate(0, 1);
        final long second = bootMemory.allocate(0, 1);
        assertEquals(2 * MIB - 1, first);
        assertEquals(2 * MIB - 2, second);
    }

    @Test
    void aMachineStartsWithItsFirstMibReserved() {
        try (Machine machine = new Machine(E820Preset.SMALL_VM.map())) {
            final BootMemory bootMemory = BootMemory.forMachine(machine);
            assertEquals(List.of(new PhysRange(0, 0x9f000), new PhysRange(MIB, 0x7fe0000)),
                bootMemory.memoryRegions());
            assertEquals(List.of(new PhysRange(0, MIB)), bootMemory.reservedRegions());
            assertEquals(List.of(new PhysRange(MIB, 0x7fe0000)), bootMemory.freeRanges());
            assertEquals(0x7fdf000, bootMemory.allocate(PAGE, PAGE));
        }
    }

    @Test
    void randomAllocationsStayInFreeMemoryAndNeverOverlap() {
        final long seed = 0xB007_0002L;
        System.out.println("BootMemoryTest.randomAllocationsStayInFreeMemoryAndNeverOverlap seed=0x"
            + Long.toHexString(seed));
        final SplittableRandom random = new SplittableRandom(seed);
        final List<PhysRange> memory = E820Preset.FRAGMENTED.map().usableRanges();
        final BootMemory bootMemory = new BootMemory(memory);
        final List<PhysRange> taken = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            final long byteSize = random.nextLong(1, 3 * MIB);
            if (random.nextInt(4) == 0) {
                final long physAddr = random.nextLong(0, 64L << 30);
                bootMemory.reserve(physAddr, byteSize);
                taken.add(PhysRange.ofSize(physAddr, byteSize));
                continue;
            }
            final long byteAlignment = 1L << random.nextInt(0, 22);
            final long physAddr = bootMemory.tryAllocate(byteSize, byteAlignment);
            if (physAddr == BootMemory.NO_RANGE) {
                continue;
            }
            final PhysRange allocated = PhysRange.ofSize(physAddr, byteSize);
            assertEquals(0, physAddr % byteAlignment, "aligned");
            assertTrue(physAddr >= PAGE, "never page 0");
            assertTrue(memory.stream().anyMatch(range -> range.startAddr() <= physAddr
                && allocated.endAddr() <= range.endAddr()), () -> allocated + " lies in one memory range");
            for (final PhysRange other : taken) {
                assertFalse(other.startAddr() < allocated.endAddr() && allocated.startAddr() < other.endAddr(),
                    () -> allocated + " overlaps " + other);
            }
            taken.add(allocated);
        }
        final long reservedInMemory = memory.stream().mapToLong(PhysRange::byteSize).sum() - bootMemory.freeBytes();
        assertTrue(reservedInMemory > 0);
    }

    // ------------------------------------------------------------------------------------------------ bad input

    @Test
    void rejectsBadRequestsWithoutChangingAnything() {
        final BootMemory bootMemory = twoSpans();
        bootMemory.reserve(0x1000, 0x1000);
        final List<PhysRange> before = bootMemory.reservedRegions();
        assertEquals("size is negative: byteSize=-1",
            assertThrows(IllegalArgumentException.class, () -> bootMemory.tryAllocate(-1, 8)).getMessage());
        assertEquals("alignment is not a power of two: byteAlignment=24",
            assertThrows(IllegalArgumentException.class, () -> bootMemory.allocate(64, 24)).getMessage());
        assertEquals("size is larger than this heap could ever hold: byteSize=" + (2 * MIB)
                + ", maxByteSize=" + (MIB + 16 * PAGE),
            assertThrows(IllegalArgumentException.class, () -> bootMemory.allocate(2 * MIB, 8)).getMessage());
        assertEquals("out of memory: byteSize=" + (MIB + PAGE) + ", byteAlignment=4096, bytesFree="
                + (MIB + 15 * PAGE),
            assertThrows(OutOfMemoryException.class, () -> bootMemory.allocate(MIB + PAGE, PAGE)).getMessage());
        assertEquals("reservation is empty or outside physical memory: physAddr=0x1000, byteSize=0",
            assertThrows(IllegalArgumentException.class, () -> bootMemory.reserve(0x1000, 0)).getMessage());
        assertEquals("reservation is empty or outside physical memory: physAddr=0xfffffffffffff000, byteSize=4096",
            assertThrows(IllegalArgumentException.class, () -> bootMemory.reserve(-PAGE, PAGE)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> bootMemory.reserve(1L << 52, PAGE));
        assertEquals(before, bootMemory.reservedRegions());
        assertEquals("memory range is not page-aligned: range=[mem 0x0000000000000800-0x0000000000001fff]",
            assertThrows(IllegalArgumentException.class, () -> new BootMemory(List.of(new PhysRange(0x800, 0x2000))))
                .getMessage());
        assertEquals("boot memory needs at least one memory range",
            assertThrows(IllegalArgumentException.class, () -> new BootMemory(List.of())).getMessage());
    }
}

package dev.ffmalloc.x86sim.boot;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.buddy.BuddyAllocator;
import dev.ffmalloc.x86sim.Machine;
import dev.ffmalloc.x86sim.firmware.E820Entry;
import dev.ffmalloc.x86sim.firmware.E820Map;
import dev.ffmalloc.x86sim.firmware.E820Parser;
import dev.ffmalloc.x86sim.firmware.E820Preset;
import dev.ffmalloc.x86sim.firmware.E820Texts;
import dev.ffmalloc.x86sim.phys.PhysRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-off from the boot allocator to the buddy frame allocator, checked against the carving rule of Linux's
 * {@code memblock_free_all} as this test writes it: free frames are the usable E820 entries rounded inward to pages,
 * minus every page any reserved byte touches, minus page 0; each maximal run of free frames is carved from its start
 * into blocks of order {@code min(10, trailing zeros of the frame number)}, lowered until the block fits.
 */
class HandOffTest {

    private static final long PAGE = PhysRange.PAGE_SIZE;
    private static final long MIB = 1 << 20;
    private static final int MAX_ORDER = 10;

    /** Maps of at most 512 MiB get RAM behind them; the real 5 GiB i440FX map is handed off with none. */
    static Stream<Arguments> maps() {
        return Stream.of(
            Arguments.of("small-vm", E820Preset.SMALL_VM.map(), true),
            Arguments.of("highmem-vm", E820Preset.HIGHMEM_VM.map(), true),
            Arguments.of("fragmented", E820Preset.FRAGMENTED.map(), true),
            Arguments.of("QEMU i440FX above 4 GiB", E820Parser.parse(E820Texts.QEMU_I440FX_ABOVE_4G), true),
            Arguments.of("QEMU i440FX 5 GiB", E820Parser.parse(E820Texts.QEMU_I440FX_5G), false),
            Arguments.of("QEMU Q35", E820Parser.parse(E820Texts.QEMU_Q35), true),
            Arguments.of("laptop", E820Parser.parse(E820Texts.LAPTOP), true));
    }

    // ------------------------------------------------------------------------------------- the test's own rule

    /** @return the frames the rule says are free: usable entries rounded inward, minus taken bytes, minus page 0 */
    private static BitSet freeFramesByTheRule(final E820Map map, final List<PhysRange> taken) {
        final BitSet free = new BitSet();
        for (final E820Entry entry : map.entries()) {
            if (entry.typeNumber() == 1) {
                free.set(frameCeil(entry.range().startAddr()), frameFloor(entry.range().endAddr()));
            }
        }
        for (final PhysRange range : taken) {
            free.clear(frameFloor(range.startAddr()), frameCeil(range.endAddr()));
        }
        free.clear(0);
        return free;
    }

    private static int frameFloor(final long physAddr) {
        return Math.toIntExact(physAddr / PAGE);
    }

    private static int frameCeil(final long physAddr) {
        return Math.toIntExact((physAddr + PAGE - 1) / PAGE);
    }

    /** @return free blocks per order after carving every maximal run of {@code free} */
    private static long[] carveByTheRule(final BitSet free) {
        final long[] blocks = new long[MAX_ORDER + 1];
        int frame = free.nextSetBit(0);
        while (frame >= 0) {
            final int runEnd = free.nextClearBit(frame);
            while (frame < runEnd) {
                int order = Math.min(MAX_ORDER, Integer.numberOfTrailingZeros(frame));
                while ((1 << order) > runEnd - frame) {
                    order--;
                }
                blocks[order]++;
                frame += 1 << order;
            }
            frame = free.nextSetBit(runEnd);
        }
        return blocks;
    }

    // ------------------------------------------------------------------------------------- the boot scenario

    /** Boots as a kernel would: low MiB, kernel image and an odd initrd reserved, three boot allocations. */
    private static BootMemory boot(final E820Map map, final List<PhysRange> taken) {
        final BootMemory bootMemory = new BootMemory(map.usableRanges());
        reserve(bootMemory, taken, PhysRange.ofSize(0, BootMemory.LOW_RESERVE_BYTES));
        reserve(bootMemory, taken, PhysRange.ofSize(16 * MIB, 8 * MIB));
        reserve(bootMemory, taken, PhysRange.ofSize(0x345_6789, 0x12_3456));
        taken.add(PhysRange.ofSize(bootMemory.allocate(3 * PAGE, PAGE), 3 * PAGE));
        taken.add(PhysRange.ofSize(bootMemory.allocate(2 * MIB, 2 * MIB), 2 * MIB));
        taken.add(PhysRange.ofSize(bootMemory.allocate(100, 8), 100));
        return bootMemory;
    }

    private static void reserve(final BootMemory bootMemory, final List<PhysRange> taken, final PhysRange range) {
        bootMemory.reserve(range.startAddr(), range.byteSize());
        taken.add(range);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void handsOffExactlyTheFreeFramesCarvedAsLinuxDoes(final String name, final E820Map map, final boolean backRam) {
        final List<PhysRange> taken = new ArrayList<>();
        try (Arena arena = Arena.ofShared(); Machine machine = backRam ? new Machine(map) : null) {
            final BootMemory bootMemory = boot(map, taken);
            final FrameAllocator frames = bootMemory.handOff(backRam ? machine.ram() : null, arena);
            final BuddyAllocator buddy = frames.buddy();
            final BitSet free = freeFramesByTheRule(map, taken);
            final long[] expected = carveByTheRule(free);
            assertArrayEquals(expected, buddy.freeBlocksPerOrder(), name + ": free blocks per order");
            assertEquals(free.cardinality(), frames.freeFrames(), name + ": usable frames minus reserved frames");
            buddy.checkIntegrity();

            // Drain the allocator: every block it hands out is free by the rule, so no boot allocation or
            // reservation is handed out again; then give everything back and find the carving again.
            final List<Long> blocks = new ArrayList<>();
            final BitSet handedOut = new BitSet();
            for (int order = MAX_ORDER; order >= 0; order--) {
                long blockAddr;
                while ((blockAddr = buddy.tryAllocateOrder(order)) != Allocator.NO_BLOCK) {
                    final int firstFrame = frameFloor(blockAddr);
                    final int endFrame = firstFrame + (1 << order);
                    assertEquals(endFrame - firstFrame, free.get(firstFrame, endFrame).cardinality(),
                        () -> name + ": block at 0x" + Long.toHexString(firstFrame * PAGE) + " holds a taken frame");
                    handedOut.set(firstFrame, endFrame);
                    blocks.add(blockAddr);
                }
            }
            assertEquals(free, handedOut, name + ": every free frame was handed out once");
            for (final long blockAddr : blocks) {
                buddy.free(blockAddr);
            }
            assertArrayEquals(expected, buddy.freeBlocksPerOrder(), name + ": after freeing everything again");
            buddy.checkIntegrity();
        }
    }

    @Test
    void theFrameTableIsPopulatedOnlyAroundRam() {
        try (Arena arena = Arena.ofShared()) {
            final E820Map map = E820Preset.FRAGMENTED.map();
            final FrameAllocator frames = new BootMemory(map.usableRanges()).handOff(null, arena);
            final long tableBytes = BuddyAllocator.frameTableBytes(64L << 30, BootMemory.FRAME_ORDERS);
            assertEquals(tableBytes, frames.frameTable().tableByteSize(), "the table spans the 64 GiB");
            // 13 spans touch at most 13 + 12 four-MiB windows beyond their own size.
            final long windows = map.usableBytes() / (4 * MIB) + 2L * map.usableRanges().size();
            assertTrue(frames.frameTable().populatedBytes() <= BuddyAllocator.frameTableBytes(windows * 4 * MIB,
                BootMemory.FRAME_ORDERS) + windows * FrameTableMemory.PAGE_SIZE,
                "populated " + frames.frameTable().populatedBytes() + " of " + tableBytes);
            assertTrue(frames.frameTable().populatedBytes() < tableBytes / 50);
        }
    }

    @Test
    void aMachinesBootMemoryHandsOffAllButTheFirstMib() {
        try (Machine machine = new Machine(E820Preset.SMALL_VM.map())) {
            final FrameAllocator frames = BootMemory.forMachine(machine).handOff(machine.ram(), machine.arena());
            assertEquals((0x7fe0000 - MIB) / PAGE, frames.freeFrames());
            final long frameAddr = frames.buddy().allocateOrder(0);
            assertEquals(machine.ram(), frames.buddy().memory(), "frames live in the machine's RAM");
            machine.ram().setLong(frameAddr, 42);
            assertEquals(42, machine.ram().getLong(frameAddr));
        }
    }

    // ------------------------------------------------------------------------------------- one way only

    @Test
    void theHandOffRetiresTheBootAllocatorForGood() {
        try (Arena arena = Arena.ofShared()) {
            final BootMemory bootMemory = new BootMemory(E820Preset.SMALL_VM.map().usableRanges());
            bootMemory.handOff(null, arena);
            assertTrue(bootMemory.isRetired());
            final List<Executable> calls = List.of(() -> bootMemory.reserve(MIB, PAGE),
                () -> bootMemory.tryAllocate(PAGE, PAGE), () -> bootMemory.allocate(PAGE, PAGE),
                bootMemory::memoryRegions, bootMemory::reservedRegions, bootMemory::freeRanges,
                bootMemory::freeBytes, () -> bootMemory.handOff(null, arena));
            for (final Executable call : calls) {
                assertEquals("allocator was handed off and may not be used again: allocator=memblock",
                    assertThrows(IllegalStateException.class, call).getMessage());
            }
        }
    }

    /** RAM spanning more frames than a frame table indexes is refused by name, before any table page is made. */
    @Test
    void aSpanTooLargeForAFrameTableIsRefusedBeforeTheTableIsBuilt() {
        for (final long highEnd : new long[] {0xAAAA_AAAC_0_0000L, E820Map.PHYS_LIMIT}) {
            try (Arena arena = Arena.ofConfined()) {
                final BootMemory bootMemory = new BootMemory(List.of(new PhysRange(MIB, 2 * MIB),
                    new PhysRange(highEnd - 4 * MIB, highEnd)));
                final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> bootMemory.handOff(null, arena));
                assertTrue(refused.getMessage().startsWith("span has more blocks than a frame table can index"),
                    refused.getMessage());
                assertTrue(!bootMemory.isRetired());
            }
        }
    }

    @Test
    void aFrameFreedTwiceOrNeverAllocatedIsRejected() {
        try (Machine machine = new Machine(E820Preset.FRAGMENTED.map())) {
            final BootMemory bootMemory = BootMemory.forMachine(machine);
            bootMemory.reserve(16 * MIB, 8 * MIB);
            final long bootPage = bootMemory.allocate(PAGE, PAGE);
            final FrameAllocator frames = bootMemory.handOff(machine.ram(), machine.arena());
            final BuddyAllocator buddy = frames.buddy();
            final long[] before = buddy.freeBlocksPerOrder();
            final long frameAddr = buddy.allocateOrder(2);
            buddy.free(frameAddr);
            assertEquals("block is already free: addr=0x" + Long.toHexString(frameAddr),
                assertThrows(IllegalStateException.class, () -> buddy.free(frameAddr)).getMessage());
            for (final long neverHandedOut : new long[] {0x58000, 0xa0000, 16 * MIB, bootPage, 0x3_0000_0000L,
                64L << 30}) {
                assertEquals("address was never handed out by this allocator: addr=0x"
                        + Long.toHexString(neverHandedOut),
                    assertThrows(IllegalArgumentException.class, () -> buddy.free(neverHandedOut)).getMessage());
            }
            assertArrayEquals(before, buddy.freeBlocksPerOrder(), "rejected frees change nothing");
            buddy.checkIntegrity();
        }
    }
}

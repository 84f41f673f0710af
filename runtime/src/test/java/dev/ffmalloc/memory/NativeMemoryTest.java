package dev.ffmalloc.memory;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeMemoryTest {

    @Test
    void allocatesPageAlignedMemoryOfTheSizeAsked() {
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory memory = NativeMemory.allocate(arena, 3 * 4096 + 100);
            assertEquals(0, memory.baseAddress() % NativeMemory.PAGE_SIZE);
            assertEquals(3 * 4096 + 100, memory.byteSize());
            assertEquals(memory.baseAddress() + memory.byteSize(), memory.endAddress());
            assertTrue(memory.contains(memory.baseAddress()));
            assertTrue(memory.contains(memory.endAddress() - 1));
            assertFalse(memory.contains(memory.endAddress()));
            assertFalse(memory.contains(memory.baseAddress() - 1));
        }
    }

    @Test
    void addressesAreRealNativeAddresses() {
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory memory = NativeMemory.allocate(arena, 4096);
            final long address = memory.baseAddress() + 64;
            memory.setLong(address, 0x1122334455667788L);
            final MemorySegment everything = MemorySegment.ofAddress(address).reinterpret(8);
            assertEquals(0x1122334455667788L, everything.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void storesAreLittleEndianAtEveryWidth() {
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory memory = NativeMemory.allocate(arena, 4096);
            final long address = memory.baseAddress();
            memory.setLong(address, 0x0807060504030201L);
            for (int i = 0; i < 8; i++) {
                assertEquals(i + 1, memory.getByte(address + i));
            }
            assertEquals(0x0201, memory.getShort(address));
            assertEquals(0x04030201, memory.getInt(address));
            memory.setShort(address + 8, (short) 0xBEEF);
            memory.setInt(address + 12, 0xCAFEBABE);
            memory.setByte(address + 10, (byte) 0x7F);
            assertEquals((short) 0xBEEF, memory.getShort(address + 8));
            assertEquals(0xCAFEBABE, memory.getInt(address + 12));
            assertEquals(0x7F, memory.getByte(address + 10));
        }
    }

    @Test
    void rejectsMisalignedAccesses() {
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory memory = NativeMemory.allocate(arena, 4096);
            final long address = memory.baseAddress();
            assertEquals("access is not naturally aligned: addr=0x" + Long.toHexString(address + 4) + ", byteSize=8",
                assertThrows(IllegalArgumentException.class, () -> memory.getLong(address + 4)).getMessage());
            assertEquals("access is not naturally aligned: addr=0x" + Long.toHexString(address + 2) + ", byteSize=4",
                assertThrows(IllegalArgumentException.class, () -> memory.setInt(address + 2, 1)).getMessage());
            assertEquals("access is not naturally aligned: addr=0x" + Long.toHexString(address + 1) + ", byteSize=2",
                assertThrows(IllegalArgumentException.class, () -> memory.getShort(address + 1)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> memory.setLong(address + 12, 1L));
            assertThrows(IllegalArgumentException.class, () -> memory.getInt(address + 6));
            assertThrows(IllegalArgumentException.class, () -> memory.setShort(address + 3, (short) 1));
            // Nothing was written by the rejected stores.
            for (int offset = 0; offset < 16; offset++) {
                assertEquals(0, memory.getByte(address + offset));
            }
        }
    }

    @Test
    void rejectsAccessesOutsideTheSegment() {
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory memory = NativeMemory.allocate(arena, 4096);
            assertThrows(IndexOutOfBoundsException.class, () -> memory.getLong(memory.endAddress()));
            assertThrows(IndexOutOfBoundsException.class, () -> memory.setByte(memory.baseAddress() - 1, (byte) 1));
            assertThrows(IndexOutOfBoundsException.class,
                () -> memory.fill(memory.endAddress() - 8, 16, (byte) 0));
            assertThrows(IndexOutOfBoundsException.class,
                () -> memory.copy(memory.baseAddress(), memory.endAddress() - 8, 16));
        }
    }

    @Test
    void fillsAndCopiesOverlappingRangesLikeMemmove() {
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory memory = NativeMemory.allocate(arena, 4096);
            final long address = memory.baseAddress();
            for (int i = 0; i < 16; i++) {
                memory.setByte(address + i, (byte) i);
            }
            memory.copy(address, address + 4, 12);
            for (int i = 0; i < 12; i++) {
                assertEquals(i, memory.getByte(address + 4 + i), "forward overlap at " + i);
            }
            memory.copy(address + 4, address, 12);
            for (int i = 0; i < 12; i++) {
                assertEquals(i, memory.getByte(address + i), "backward overlap at " + i);
            }
            memory.fill(address + 100, 50, (byte) 0x5A);
            assertEquals(0, memory.getByte(address + 99));
            assertEquals(0x5A, memory.getByte(address + 100));
            assertEquals(0x5A, memory.getByte(address + 149));
            assertEquals(0, memory.getByte(address + 150));
        }
    }

    @Test
    void anAccessAfterTheArenaClosedIsAnErrorNotACrash() {
        final Arena arena = Arena.ofConfined();
        final NativeMemory memory = NativeMemory.allocate(arena, 4096);
        arena.close();
        assertThrows(IllegalStateException.class, () -> memory.getLong(memory.baseAddress()));
    }

    @Test
    void rejectsHeapSegmentsAndNonPositiveSizes() {
        final IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
            () -> new NativeMemory(MemorySegment.ofArray(new byte[16])));
        assertTrue(heap.getMessage().startsWith("segment is not native: segment="), heap.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            // Unchecked mode stores through another segment and would not see the read-only flag.
            final IllegalArgumentException readOnly = assertThrows(IllegalArgumentException.class,
                () -> new NativeMemory(arena.allocate(4096).asReadOnly()));
            assertTrue(readOnly.getMessage().startsWith("segment is read-only: segment="), readOnly.getMessage());
            final IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> NativeMemory.allocate(arena, 0));
            assertEquals("memory size must be positive: byteSize=0", size.getMessage());
        }
    }

    @Test
    void checkRangeRefusesARangeNotInTheMemoryOrEmptyButNotAClosedArena() {
        final Arena arena = Arena.ofConfined();
        final NativeMemory memory = NativeMemory.allocate(arena, 8192);
        final long base = memory.baseAddress();
        Memory.checkRange(memory, base, 8192);
        Memory.checkRange(memory, base + 8191, 1);
        assertEquals("range is not in the memory: addr=0x" + Long.toHexString(base + 4096) + ", byteSize=8192, memory="
            + memory, assertThrows(IllegalArgumentException.class,
                () -> Memory.checkRange(memory, base + 4096, 8192)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Memory.checkRange(memory, base - 1, 2));
        assertEquals("range size must be positive: addr=0x" + Long.toHexString(base) + ", byteSize=0",
            assertThrows(IllegalArgumentException.class, () -> Memory.checkRange(memory, base, 0)).getMessage());
        arena.close();
        assertThrows(IllegalStateException.class, () -> Memory.checkRange(memory, base, 8192),
            "a closed arena is the memory's error, not a range outside it");
    }
}

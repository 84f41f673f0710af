package dev.ffmalloc.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Unchecked mode. Runs only in the {@code unchecked-memory} Surefire execution of this module, whose JVM sets
 * {@value NativeMemory#UNCHECKED_PROPERTY}; the allocators' conformance and bad-input tests run there too.
 */
class NativeMemoryUncheckedTest {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void thisJvmRunsUnchecked() {
        assertEquals("true", System.getProperty(NativeMemory.UNCHECKED_PROPERTY));
        assertTrue(NativeMemory.UNCHECKED);
    }

    @Test
    void everyWidthLandsAtItsNativeAddressLittleEndian() {
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory memory = NativeMemory.allocate(arena, 4096);
            final MemorySegment segment = memory.segment();
            final long address = memory.baseAddress() + 64;
            memory.setLong(address, 0x0807060504030201L);
            assertEquals(0x0807060504030201L, segment.get(LONG, 64));
            assertEquals(0x0201, memory.getShort(address));
            assertEquals(0x04030201, memory.getInt(address));
            assertEquals(0x03, memory.getByte(address + 2));
            memory.setByte(address + 8, (byte) 0x7F);
            memory.setShort(address + 10, (short) 0xBEEF);
            memory.setInt(address + 12, 0xCAFEBABE);
            assertEquals(0xCAFEBABE_BEEF007FL, segment.get(LONG, 72));
            segment.set(LONG, 80, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, memory.getLong(address + 16));
        }
    }

    @Test
    void alignmentIsStillChecked() {
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory memory = NativeMemory.allocate(arena, 4096);
            final long address = memory.baseAddress();
            assertEquals("access is not naturally aligned: addr=0x" + Long.toHexString(address + 4) + ", byteSize=8",
                assertThrows(IllegalArgumentException.class, () -> memory.setLong(address + 4, -1L)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> memory.setInt(address + 2, -1));
            assertThrows(IllegalArgumentException.class, () -> memory.setShort(address + 1, (short) -1));
            assertEquals(0L, memory.getLong(address));
            assertEquals(0L, memory.getLong(address + 8));
        }
    }

    @Test
    void fillAndCopyStayChecked() {
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory memory = NativeMemory.allocate(arena, 4096);
            assertThrows(IndexOutOfBoundsException.class,
                () -> memory.fill(memory.endAddress() - 8, 16, (byte) 0));
            assertThrows(IndexOutOfBoundsException.class,
                () -> memory.copy(memory.baseAddress(), memory.endAddress() - 8, 16));
        }
    }

    /** What the mode gives up, shown where it is harmless: an access past the memory's end is not stopped. */
    @Test
    void anAccessPastTheEndIsNotStoppedAtAnyWidth() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment both = arena.allocate(2 * 4096, 4096);
            final NativeMemory first = new NativeMemory(both.asSlice(0, 4096));
            final long end = first.endAddress();
            first.setLong(end, 0x1111_2222_3333_4444L);
            first.setInt(end + 8, 0x5555_6666);
            first.setShort(end + 12, (short) 0x7777);
            first.setByte(end + 14, (byte) 0x08);
            assertEquals(0x1111_2222_3333_4444L, both.get(LONG, 4096));
            assertEquals(0x0008_7777_5555_6666L, both.get(LONG, 4104));
            assertEquals(0x1111_2222_3333_4444L, first.getLong(end));
            assertEquals(0x5555_6666, first.getInt(end + 8));
            assertEquals((short) 0x7777, first.getShort(end + 12));
            assertEquals(0x08, first.getByte(end + 14));
        }
    }
}

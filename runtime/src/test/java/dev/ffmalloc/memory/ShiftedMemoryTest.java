package dev.ffmalloc.memory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link ShiftedMemory}: its base address is the backing memory's first byte, and its bounds are the backing's. */
final class ShiftedMemoryTest {

    private static final long HIGHER_HALF_BASE = 0xffff_c900_0000_0000L;

    private Arena arena;
    private NativeMemory backing;

    @BeforeEach
    void open() {
        arena = Arena.ofConfined();
        backing = NativeMemory.allocate(arena, 8192);
    }

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void accessesLandInTheBackingMemoryAtTheSameOffset() {
        final ShiftedMemory shifted = new ShiftedMemory(backing, HIGHER_HALF_BASE);
        shifted.setLong(HIGHER_HALF_BASE + 16, 0x0123_4567_89ab_cdefL);
        assertEquals(0x0123_4567_89ab_cdefL, backing.getLong(backing.baseAddress() + 16));
        backing.setInt(backing.baseAddress() + 8188, 0x5eed);
        assertEquals(0x5eed, shifted.getInt(HIGHER_HALF_BASE + 8188));
        shifted.fill(HIGHER_HALF_BASE + 100, 4, (byte) 7);
        shifted.copy(HIGHER_HALF_BASE + 100, HIGHER_HALF_BASE + 102, 4);
        // bytes 100..103 filled, then copied to 102..105: bytes 100..105 hold 7
        assertEquals(0x0707_0707_0000_0000L, backing.getLong(backing.baseAddress() + 96));
        assertEquals(0x0000_0000_0000_0707L, backing.getLong(backing.baseAddress() + 104));
        assertEquals(HIGHER_HALF_BASE, shifted.baseAddress());
        assertEquals(8192, shifted.byteSize());
        assertEquals("ShiftedMemory[0xffffc90000000000, 0xffffc90000002000)", shifted.toString());
    }

    /** An access aligned here must be aligned in the backing, whose alignment check is the one that runs. */
    @Test
    void aBaseThatWouldMisalignAlignedAccessesIsRejected() {
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> new ShiftedMemory(backing, 0x1004));
        assertEquals("base address and the backing's native base differ modulo 8, so aligned accesses would not"
            + " stay aligned: baseAddress=0x1004, nativeBase=0x" + Long.toHexString(backing.baseAddress()),
            thrown.getMessage());
        final ShiftedMemory shifted = new ShiftedMemory(backing, 0x1008);
        shifted.setLong(0x1008 + 8, 5);
        assertEquals(5, backing.getLong(backing.baseAddress() + 8));
        // A misaligned access is named by this memory's own address, not the backing's native one.
        assertEquals("access is not naturally aligned: addr=0x100c, byteSize=8",
            assertThrows(IllegalArgumentException.class, () -> shifted.getLong(0x100c)).getMessage());
    }

    @Test
    void flatRamAtZeroRejectsAddressesOutsideIt() {
        final ShiftedMemory ram = new ShiftedMemory(backing, 0);
        ram.setByte(0, (byte) 1);
        assertEquals(1, backing.getByte(backing.baseAddress()));
        assertThrows(IndexOutOfBoundsException.class, () -> ram.getLong(8192));
        assertThrows(IndexOutOfBoundsException.class, () -> ram.getByte(-1));
    }
}

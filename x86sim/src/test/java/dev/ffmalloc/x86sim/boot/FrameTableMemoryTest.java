package dev.ffmalloc.x86sim.boot;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrameTableMemoryTest {

    private static final long BASE = 0xffff_ea00_0000_0000L;
    private static final long PAGE = FrameTableMemory.PAGE_SIZE;

    private Arena arena;
    private FrameTableMemory table;

    @BeforeEach
    void openTable() {
        arena = Arena.ofConfined();
        table = new FrameTableMemory(arena, BASE, 64 * PAGE + 100);
    }

    @AfterEach
    void closeTable() {
        arena.close();
    }

    @Test
    void populatesOnlyThePagesItIsAskedFor() {
        table.populate(BASE + 3 * PAGE + 8, 2 * PAGE);
        assertEquals(3 * PAGE, table.populatedBytes(), "pages 3, 4 and 5");
        table.populate(BASE + 4 * PAGE, 3 * PAGE);
        assertEquals(4 * PAGE, table.populatedBytes(), "page 6 added, 4 and 5 kept");
        table.setLong(BASE + 3 * PAGE, 0x1122334455667788L);
        table.setInt(BASE + 7 * PAGE - 4, 9);
        assertEquals(0x1122334455667788L, table.getLong(BASE + 3 * PAGE));
        assertEquals(9, table.getInt(BASE + 7 * PAGE - 4));
        table.populate(BASE + 3 * PAGE, PAGE);
        assertEquals(0x1122334455667788L, table.getLong(BASE + 3 * PAGE), "populating again keeps the contents");
    }

    /** The Memory contract's alignment rule and message, naming the table address, even in a page's last bytes. */
    @Test
    void misalignedAccessesAreRejectedByTheContractsRule() {
        table.populate(BASE, PAGE);
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> table.getLong(BASE + PAGE - 4));
        assertEquals("access is not naturally aligned: addr=0x" + Long.toHexString(BASE + PAGE - 4) + ", byteSize=8",
            thrown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> table.setInt(BASE + 2, 1));
    }

    @Test
    void unpopulatedPagesReadAsZerosAndRefuseWrites() {
        table.populate(BASE + PAGE, PAGE);
        assertEquals(0, table.getInt(BASE));
        assertEquals(0, table.getLong(BASE + 40 * PAGE));
        assertEquals(0, table.getByte(BASE + 64 * PAGE + 99));
        final IllegalStateException thrown = assertThrows(IllegalStateException.class,
            () -> table.setInt(BASE + 2 * PAGE + 12, 1));
        assertEquals("write to an unpopulated page of the frame table: addr=0xffffea0000002" + "00c",
            thrown.getMessage());
        assertEquals(0, table.getInt(BASE + 2 * PAGE + 12), "the zero page stays zero");
    }

    @Test
    void aZeroFillSkipsUnpopulatedPagesAndAnyOtherFillRefusesThem() {
        table.populate(BASE + PAGE, PAGE);
        table.setLong(BASE + PAGE + 8, -1);
        table.fill(BASE, 64 * PAGE + 100, (byte) 0);
        assertEquals(0, table.getLong(BASE + PAGE + 8));
        table.fill(BASE + PAGE, PAGE, (byte) 1);
        assertEquals(0x0101010101010101L, table.getLong(BASE + 2 * PAGE - 8));
        assertThrows(IllegalStateException.class, () -> table.fill(BASE + PAGE, PAGE + 1, (byte) 1));
        table.copy(BASE + PAGE, BASE + PAGE + 8, 16);
        assertEquals(0x0101010101010101L, table.getLong(BASE + PAGE + 16));
    }

    @Test
    void accessesOutsideTheTableAreRejected() {
        final IndexOutOfBoundsException thrown = assertThrows(IndexOutOfBoundsException.class,
            () -> table.getInt(BASE - 4));
        assertEquals("access outside the frame table: addr=0xffffe9fffffffffc, byteSize=1,"
            + " tableAddr=0xffffea0000000000, tableByteSize=262244", thrown.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> table.getByte(BASE + 64 * PAGE + 100));
        assertThrows(IndexOutOfBoundsException.class, () -> table.fill(BASE + 64 * PAGE, 101, (byte) 0));
        assertThrows(IndexOutOfBoundsException.class, () -> table.populate(BASE + 64 * PAGE, PAGE));
        assertThrows(IllegalArgumentException.class, () -> new FrameTableMemory(arena, BASE + 8, PAGE));
    }
}

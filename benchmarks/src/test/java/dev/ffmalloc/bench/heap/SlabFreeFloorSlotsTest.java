package dev.ffmalloc.bench.heap;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class SlabFreeFloorSlotsTest {

    private static final long PAGE = SlabFreeFloorSlots.PAGE_SIZE;

    @Test
    void blocksLieAsAOnePageSlabLaysThemOutAndKeepTheirContents() {
        final int slots = 1000;
        final SlabFreeFloorSlots heap = new SlabFreeFloorSlots(slots, 48, 0);
        try {
            // 4096 - 64 bytes before the metadata line hold 84 objects of 48 bytes.
            assertEquals(84, heap.objectsPerPage());
            for (int slot = 0; slot < slots; slot++) {
                assertTrue(heap.allocate(slot, 48, 8));
                heap.storeLong(slot, 7L * slot);
            }
            final long[] addrs = new long[slots];
            for (int slot = 0; slot < slots; slot++) {
                addrs[slot] = heap.blockAddr(slot);
            }
            final Set<Long> seen = new HashSet<>();
            for (int slot = 0; slot < slots; slot++) {
                final long offsetInPage = addrs[slot] % PAGE;
                assertTrue(offsetInPage + 48 <= SlabFreeFloorSlots.METADATA_OFFSET, "slot " + slot + " at "
                    + offsetInPage + " reaches the metadata line");
                assertEquals(0, offsetInPage % 48, "slot " + slot);
                assertTrue(seen.add(addrs[slot]), "slot " + slot + " shares its block");
                assertEquals(7L * slot, heap.loadLong(slot));
            }
            // Slots 0..83 fill the first page; slot 84 starts the next.
            assertEquals(addrs[0] + PAGE, addrs[84]);
        } finally {
            heap.close();
        }
    }

    @Test
    void aFreeLinksTheBlockToItsOwnPagesMetadataWordAndTheBumpStartsAgainOnceNoneIsLive() {
        final int slots = 200;
        final SlabFreeFloorSlots heap = new SlabFreeFloorSlots(slots, 48, 3);
        try {
            for (int slot = 0; slot < slots; slot++) {
                assertTrue(heap.allocate(slot, 48, 8));
                heap.storeLong(slot, -1L);
            }
            final long first = heap.blockAddr(0);
            final long second = heap.blockAddr(1);
            final long nextPageFirst = heap.blockAddr(84);
            heap.free(0);
            heap.free(1);
            heap.free(84);
            assertFalse(heap.holds(0));
            // Each page's metadata word starts at 0 (zeroed memory). Block 0 (page offset 0) flips bit 0 of its page's
            // word and gets the old word, 0; block 1 gets the flipped word, 1, and flips bit 48 / 8 = 6. The next
            // page's first block (offset 4096 from the base: bit 512 mod 64 = 0) finds its own page's word still 0.
            assertEquals(0L, heap.wordAt(first));
            assertEquals(1L, heap.wordAt(second));
            assertEquals(1L | 1L << 6, heap.wordAt(first + SlabFreeFloorSlots.METADATA_OFFSET));
            assertEquals(0L, heap.wordAt(nextPageFirst));
            assertEquals(1L, heap.wordAt(nextPageFirst + SlabFreeFloorSlots.METADATA_OFFSET));
            for (int slot = 0; slot < slots; slot++) {
                if (heap.holds(slot)) {
                    heap.free(slot);
                }
            }
            assertTrue(heap.allocate(0, 48, 8));
            assertEquals(first, heap.blockAddr(0));
        } finally {
            heap.close();
        }
    }

    @Test
    void badSizesAndStepsAreRejected() {
        assertEquals("objects are 8 to 4032 bytes and extra steps 0 or more: objectStride=4, extraSteps=0",
            assertThrows(IllegalArgumentException.class, () -> new SlabFreeFloorSlots(1, 4, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SlabFreeFloorSlots(1, 4033, 0));
        assertThrows(IllegalArgumentException.class, () -> new SlabFreeFloorSlots(1, 48, -1));
    }
}

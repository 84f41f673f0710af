package dev.ffmalloc.memory;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link AddressRanges}: sorted insertion, merging with the neighbours a range touches, lookup and removal. */
final class AddressRangesTest {

    @Test
    void rangesThatTouchMergeAndOthersStaySortedApart() {
        final AddressRanges ranges = new AddressRanges(1);
        assertEquals(0, ranges.addMerging(0x3000, 0x4000));
        assertEquals(0, ranges.addMerging(0x1000, 0x2000));
        assertEquals(2, ranges.addMerging(0x6000, 0x7000));
        assertRanges(ranges, 0x1000, 0x2000, 0x3000, 0x4000, 0x6000, 0x7000);
        assertEquals(0, ranges.addMerging(0x2000, 0x3000), "joins both neighbours");
        assertRanges(ranges, 0x1000, 0x4000, 0x6000, 0x7000);
        assertEquals(0, ranges.addMerging(0x4000, 0x5000), "joins the lower neighbour");
        assertEquals(1, ranges.addMerging(0x5800, 0x6000), "joins the upper neighbour");
        assertRanges(ranges, 0x1000, 0x5000, 0x5800, 0x7000);
    }

    @Test
    void lookupFindsTheRangeHoldingAnAddress() {
        final AddressRanges ranges = new AddressRanges(4);
        ranges.addMerging(0x1000, 0x2000);
        ranges.addMerging(0x3000, 0x4000);
        assertEquals(-1, ranges.indexOf(0xfff));
        assertEquals(0, ranges.indexOf(0x1000));
        assertEquals(0, ranges.indexOf(0x1fff));
        assertEquals(-1, ranges.indexOf(0x2000));
        assertEquals(1, ranges.indexOf(0x3abc));
        assertEquals(-1, ranges.indexOf(0x4000));
        assertEquals(2, ranges.countAtOrBelow(0x3000));
        assertEquals(0, ranges.countAtOrBelow(0));
    }

    @Test
    void higherHalfAddressesSortAmongThemselves() {
        final AddressRanges ranges = new AddressRanges(4);
        ranges.addMerging(0xffff_c900_0010_0000L, 0xffff_c900_0020_0000L);
        ranges.addMerging(0xffff_c900_0000_0000L, 0xffff_c900_0001_0000L);
        assertRanges(ranges, 0xffff_c900_0000_0000L, 0xffff_c900_0001_0000L, 0xffff_c900_0010_0000L,
            0xffff_c900_0020_0000L);
        assertEquals(1, ranges.indexOf(0xffff_c900_0015_0000L));
    }

    @Test
    void removeAndMoveBounds() {
        final AddressRanges ranges = new AddressRanges(4);
        ranges.addMerging(0x1000, 0x2000);
        ranges.addMerging(0x3000, 0x4000);
        ranges.addMerging(0x5000, 0x6000);
        ranges.remove(1);
        ranges.setStartAddr(0, 0x1800);
        ranges.setEndAddr(1, 0x8000);
        assertRanges(ranges, 0x1800, 0x2000, 0x5000, 0x8000);
    }

    private static void assertRanges(final AddressRanges ranges, final long... bounds) {
        assertEquals(bounds.length / 2, ranges.count());
        for (int index = 0; index < ranges.count(); index++) {
            assertEquals(bounds[2 * index], ranges.startAddr(index), "start of range " + index);
            assertEquals(bounds[2 * index + 1], ranges.endAddr(index), "end of range " + index);
        }
    }
}

package dev.ffmalloc.buddy;

import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static dev.ffmalloc.buddy.BuddyTestSupport.frames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link BuddyAllocator#checkIntegrity()} finds each kind of broken invariant: the frame table of an allocator
 * managing two order-10 blocks {@code [4 MiB, 12 MiB)} of a span at 0 is corrupted by hand, one field at a time.
 */
final class BuddyAllocatorIntegrityTest {

    private static final long FRAME = 4096;
    /** Frame number of the first managed frame, 4 MiB. */
    private static final long FIRST = 1024;

    private final Arena arena = Arena.ofConfined();
    private final BuddyTestSupport.FrameAllocator frameAllocator =
        frames(arena, 0, 16L << 20, BuddyConfig.PAGE_FRAMES);
    private final BuddyAllocator buddy = frameAllocator.buddy();
    private final NativeMemory table = frameAllocator.table();

    BuddyAllocatorIntegrityTest() {
        buddy.addFreeRange(FIRST * FRAME, 2048 * FRAME);
        buddy.checkIntegrity();
    }

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private void setState(final long frame, final int state) {
        table.setInt(FrameTableLayout.stateAddr(table.baseAddress(), frame), state);
    }

    private void setNextFree(final long frame, final long nextFrame) {
        table.setInt(FrameTableLayout.nextFreeAddr(table.baseAddress(), frame), (int) nextFrame);
    }

    private void setPrevFree(final long frame, final long prevFrame) {
        table.setInt(FrameTableLayout.prevFreeAddr(table.baseAddress(), frame), (int) prevFrame);
    }

    private void assertCorrupted(final String message) {
        assertEquals("heap corrupted: " + message,
            assertThrows(HeapCorruptionException.class, buddy::checkIntegrity).getMessage());
    }

    @Test
    void aMinBlockInsideAFreeBlockThatIsMarkedNotManaged() {
        setState(FIRST + 5, BlockState.NOT_MANAGED);
        assertCorrupted("min block of a free order 10 block is not managed, addr=0x405000");
    }

    @Test
    void aPrevLinkThatDisagreesWithTheNextLink() {
        // The list of order 10 is [2048 (carved last), 1024]: point 1024's prev link at itself.
        setPrevFree(FIRST, FIRST);
        assertCorrupted("free list prev link disagrees with next link: order=10, addr=0x400000");
    }

    @Test
    void aCycleInAFreeList() {
        setNextFree(FIRST, 2 * FIRST);
        assertCorrupted("free list is longer than its count (a cycle?): order=10, count=2, addr=0x800000");
    }

    @Test
    void aListedBlockWhoseStateIsNotFreeOfThatOrder() {
        setState(FIRST, BlockState.used(10));
        assertCorrupted("free list of order 10 holds a block whose state is used order 10, addr=0x400000");
    }

    @Test
    void twoFreeBuddiesOfOneOrderThatWereNotMerged() {
        final long lower = buddy.allocateOrder(0);
        final long upper = buddy.allocateOrder(0);
        assertEquals(lower + FRAME, upper);
        setState(lower / FRAME, BlockState.free(0));
        setState(upper / FRAME, BlockState.free(0));
        assertCorrupted("free buddies of one order were not merged: order=0, addr=" + BuddyTestSupport.hex(lower));
    }

    @Test
    void aHeadWhoseOrderIsTooLargeForItsAlignment() {
        buddy.allocateOrder(0);
        final long frame = buddy.allocateOrder(0) / FRAME; // the used upper buddy, at 0x801000
        setState(frame, BlockState.used(1));
        assertCorrupted("block is above maxOrder, misaligned or past the span: state=used order 1, addr=0x801000");
    }

    @Test
    void aUsedBlockTheStatisticsDoNotKnow() {
        final long frame = buddy.allocateOrder(1) / FRAME;
        setState(frame, BlockState.used(0));
        setState(frame + 1, BlockState.used(0));
        assertCorrupted("used blocks differ from the statistics: usedBlocks=2, liveBlocks=1, usedBytes=8192, "
            + "bytesInUse=8192, addr=0x0");
    }

    @Test
    void aMinBlockMarkedInsideThatNoBlockContains() {
        final long frame = buddy.allocateOrder(0) / FRAME;
        setState(frame, BlockState.INSIDE);
        assertCorrupted("min block is inside no block: state=inside, addr=0x800000");
    }
}

package dev.ffmalloc.buddy;

/**
 * The test oracle for {@link BuddyAllocator#addFreeRange}: Linux's carving rule written independently of the code
 * under test. From each block number, the block grows one order at a time while it stays naturally aligned, within
 * {@code maxOrder} and before the end of the range (the allocator instead starts from the lowest set bit and
 * shrinks).
 */
final class CarvingRule {

    private CarvingRule() {
    }

    /**
     * Adds to {@code countsPerOrder} the blocks that carving the frames {@code [firstFrame, endFrame)} yields.
     * Valid for ranges that touch no other range, so that no block merges across them.
     */
    static void carve(final long firstFrame, final long endFrame, final int maxOrder, final long[] countsPerOrder) {
        long frame = firstFrame;
        while (frame < endFrame) {
            int order = 0;
            while (order < maxOrder && frame % (2L << order) == 0 && frame + (2L << order) <= endFrame) {
                order++;
            }
            countsPerOrder[order]++;
            frame += 1L << order;
        }
    }
}

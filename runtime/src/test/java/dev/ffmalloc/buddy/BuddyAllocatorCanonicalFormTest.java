package dev.ffmalloc.buddy;

import dev.ffmalloc.alloc.Allocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static dev.ffmalloc.buddy.BuddyTestSupport.frames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * With merging complete, the free blocks are a function of the used frames alone: an aligned window of order k is
 * a free block iff all its frames are managed and unused and (k is the top order or its parent window is not
 * wholly free). The test keeps the used frames itself, computes that canonical form after every random
 * allocate-order or free, and compares it with the allocator's free counts; an allocation must fail exactly when
 * the canonical form has no free block of that order or above.
 */
final class BuddyAllocatorCanonicalFormTest {

    private static final long FRAME = 4096;
    private static final int MAX_ORDER = 5;
    private static final int SPAN_FRAMES = 512;
    /** Managed frames: [1, 200) and [203, 509) of the span at 0, odd ends on purpose. */
    private static final long[][] RANGES = {{1, 200}, {203, 509}};

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @Test
    void freeCountsAlwaysEqualTheCanonicalFormOfTheUsedFrames() {
        final long seed = 0xB0DD_1E5L;
        System.out.println("freeCountsAlwaysEqualTheCanonicalFormOfTheUsedFrames seed=0x" + Long.toHexString(seed));
        final SplittableRandom random = new SplittableRandom(seed);
        final BuddyAllocator buddy = frames(arena, 0, SPAN_FRAMES * FRAME, new BuddyConfig(FRAME, MAX_ORDER)).buddy();
        final boolean[] managed = new boolean[SPAN_FRAMES];
        for (final long[] range : RANGES) {
            buddy.addFreeRange(range[0] * FRAME, (range[1] - range[0]) * FRAME);
            for (long frame = range[0]; frame < range[1]; frame++) {
                managed[(int) frame] = true;
            }
        }
        final boolean[] used = new boolean[SPAN_FRAMES];
        final long[] liveFrames = new long[SPAN_FRAMES];
        final int[] liveOrders = new int[SPAN_FRAMES];
        int live = 0;
        for (int step = 0; step < 20_000; step++) {
            if (live > 0 && random.nextInt(100) < 45) {
                final int slot = random.nextInt(live);
                buddy.free(liveFrames[slot] * FRAME);
                mark(used, liveFrames[slot], liveOrders[slot], false);
                live--;
                liveFrames[slot] = liveFrames[live];
                liveOrders[slot] = liveOrders[live];
            } else {
                final int order = random.nextInt(MAX_ORDER + 1);
                final long blockAddr = buddy.tryAllocateOrder(order);
                final long[] canonicalBefore = canonicalFreeCounts(managed, used);
                if (blockAddr == Allocator.NO_BLOCK) {
                    for (int above = order; above <= MAX_ORDER; above++) {
                        assertEquals(0, canonicalBefore[above], "refused order " + order + " with a free block");
                    }
                } else {
                    final long frame = blockAddr / FRAME;
                    assertEquals(0, frame % (1L << order), "block not naturally aligned");
                    for (long inside = frame; inside < frame + (1L << order); inside++) {
                        assertFalse(used[(int) inside] || !managed[(int) inside],
                            "frame handed out twice or unmanaged");
                    }
                    mark(used, frame, order, true);
                    liveFrames[live] = frame;
                    liveOrders[live++] = order;
                }
            }
            assertArrayEquals(canonicalFreeCounts(managed, used), buddy.freeBlocksPerOrder(), "step " + step);
        }
        buddy.checkIntegrity();
    }

    private static void mark(final boolean[] used, final long frame, final int order, final boolean value) {
        for (long inside = frame; inside < frame + (1L << order); inside++) {
            used[(int) inside] = value;
        }
    }

    /** The free blocks per order that the used frames determine, computed window by window. */
    private static long[] canonicalFreeCounts(final boolean[] managed, final boolean[] used) {
        final long[] counts = new long[MAX_ORDER + 1];
        for (int order = 0; order <= MAX_ORDER; order++) {
            for (int window = 0; window < SPAN_FRAMES; window += 1 << order) {
                final boolean parentFree = order < MAX_ORDER
                    && whollyFree(managed, used, window & -(2 << order), 2 << order);
                if (whollyFree(managed, used, window, 1 << order) && !parentFree) {
                    counts[order]++;
                }
            }
        }
        return counts;
    }

    private static boolean whollyFree(final boolean[] managed, final boolean[] used, final int first,
                                      final int frames) {
        for (int frame = first; frame < first + frames; frame++) {
            if (!managed[frame] || used[frame]) {
                return false;
            }
        }
        return true;
    }
}

package dev.ffmalloc.bench.workload;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workload generators produce the check values of WORKLOADS.md, so that the workloads cannot drift from their
 * definition (and from the C version measured beside them).
 */
final class WorkloadCheckValuesTest {

    @Test
    void xorshiftFromSeed0GivesTheThreeDocumentedOutputs() {
        final XorShift64Star random = new XorShift64Star(XorShift64Star.SEED0);
        assertEquals(0x0d83b3e29a21487aL, random.next());
        assertEquals(0x54c44c79f1fe9d67L, random.next());
        assertEquals(0xa845f342007a0e78L, random.next());
    }

    @Test
    void threadSeedsAreSeed0TimesThreadPlusOneModulo2To64() {
        assertEquals(0x9E3779B97F4A7C15L, XorShift64Star.seedOfThread(0));
        assertEquals(0x3c6ef372fe94f82aL, XorShift64Star.seedOfThread(1));
    }

    @Test
    void zeroSeedAndNegativeThreadAreRejected() {
        assertEquals("xorshift64* seed must not be 0: seed=0",
            assertThrows(IllegalArgumentException.class, () -> new XorShift64Star(0)).getMessage());
        assertEquals("thread index is negative: threadIndex=-1",
            assertThrows(IllegalArgumentException.class, () -> XorShift64Star.seedOfThread(-1)).getMessage());
    }

    @Test
    void firstChurnStepDecodesTheFirstTwoDocumentedOutputs() {
        // slot = 0x0d83b3e29a21487a >>> 52; size = 16 + (0x54c44c79f1fe9d67 >>> 33) % 4081, computed by hand.
        final ChurnStep step = new ChurnStep(XorShift64Star.SEED0);
        step.advance();
        assertEquals(216, step.slot());
        assertEquals(1964, step.byteSize());
        step.advance();
        assertEquals(0xa845f342007a0e78L >>> 52, step.slot());
    }

    @Test
    void churnStepsStayInTheirRangesAndReachBothEnds() {
        final ChurnStep step = new ChurnStep(XorShift64Star.seedOfThread(1));
        long smallest = Long.MAX_VALUE;
        long largest = Long.MIN_VALUE;
        final BitSet slotsSeen = new BitSet(ChurnStep.SLOTS);
        for (int index = 0; index < ChurnStep.WARM_UP_STEPS; index++) {
            step.advance();
            assertTrue(step.slot() >= 0 && step.slot() < ChurnStep.SLOTS, "slot=" + step.slot());
            slotsSeen.set(step.slot());
            smallest = Math.min(smallest, step.byteSize());
            largest = Math.max(largest, step.byteSize());
        }
        assertEquals(16, smallest);
        assertEquals(4096, largest);
        assertEquals(ChurnStep.SLOTS, slotsSeen.cardinality());
    }

    @Test
    void w3PermutationOfOneMillionStartsWithTheDocumentedValues() {
        final int[] order = FreeOrderPermutation.shuffled(FreeOrderPermutation.BLOCKS, XorShift64Star.SEED0);
        assertEquals(185281, order[0]);
        assertEquals(52161, order[1]);
        assertEquals(700567, order[2]);
        final BitSet seen = new BitSet(order.length);
        for (final int block : order) {
            assertTrue(!seen.get(block), "block twice: " + block);
            seen.set(block);
        }
        assertEquals(FreeOrderPermutation.BLOCKS, seen.cardinality());
    }

    @Test
    void permutationIsTheSameEveryRound() {
        assertArrayEquals(FreeOrderPermutation.shuffled(1000, XorShift64Star.SEED0),
            FreeOrderPermutation.shuffled(1000, XorShift64Star.SEED0));
    }

    @Test
    void emptyPermutationIsRejected() {
        assertEquals("permutation needs at least one element: count=0",
            assertThrows(IllegalArgumentException.class,
                () -> FreeOrderPermutation.shuffled(0, XorShift64Star.SEED0)).getMessage());
    }
}

package dev.ffmalloc.x86sim.boot;

import dev.ffmalloc.x86sim.phys.PhysRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The region list against a bit-per-byte model of a small address space. */
class RegionListTest {

    private static final int SPACE = 1 << 14;

    /** @return the maximal runs of set bits, as ranges */
    private static List<PhysRange> runs(final BitSet bits) {
        final List<PhysRange> ranges = new ArrayList<>();
        for (int start = bits.nextSetBit(0); start >= 0; start = bits.nextSetBit(bits.nextClearBit(start))) {
            ranges.add(new PhysRange(start, bits.nextClearBit(start)));
        }
        return ranges;
    }

    @Test
    void randomAddsStaySortedAndMergedAndSubtractionMatchesTheModel() {
        final long seed = 0x5EED_0005L;
        System.out.println("RegionListTest seed=0x" + Long.toHexString(seed));
        final SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            final RegionList memory = new RegionList();
            final RegionList reserved = new RegionList();
            final BitSet memoryBits = new BitSet(SPACE);
            final BitSet reservedBits = new BitSet(SPACE);
            final int adds = random.nextInt(1, 60);
            for (int i = 0; i < adds; i++) {
                final int start = random.nextInt(SPACE - 1);
                final int end = random.nextInt(start + 1, Math.min(SPACE, start + 1 + random.nextInt(1, 800)) + 1);
                if (random.nextBoolean()) {
                    memory.add(start, end);
                    memoryBits.set(start, end);
                } else {
                    reserved.add(start, end);
                    reservedBits.set(start, end);
                }
            }
            assertEquals(runs(memoryBits), memory.ranges(), "round " + round);
            assertEquals(runs(reservedBits), reserved.ranges(), "round " + round);
            assertEquals(memoryBits.cardinality(), memory.totalBytes());
            final BitSet freeBits = (BitSet) memoryBits.clone();
            freeBits.andNot(reservedBits);
            assertEquals(runs(freeBits), memory.minus(reserved), "round " + round);
        }
    }
}

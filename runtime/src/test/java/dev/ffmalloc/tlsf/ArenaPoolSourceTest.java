package dev.ffmalloc.tlsf;

import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link ArenaPoolSource}: bottom-up hand-out, reuse of released ranges, and rejected releases. */
final class ArenaPoolSourceTest {

    private static final long UNIT = 4096;

    private Arena arena;
    private ArenaPoolSource source;
    private long base;

    @BeforeEach
    void open() {
        arena = Arena.ofConfined();
        source = ArenaPoolSource.reserve(arena, 16 * UNIT);
        base = source.memory().baseAddress();
    }

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void handsOutConsecutiveUnitsUntilFull() {
        assertEquals(16 * UNIT, source.capacityBytes());
        assertEquals(base, source.obtain(UNIT));
        assertEquals(base + UNIT, source.obtain(3 * UNIT));
        assertEquals(base + 4 * UNIT, source.obtain(12 * UNIT));
        assertEquals(TlsfPoolSource.NO_MEMORY, source.obtain(UNIT));
        assertEquals(16 * UNIT, source.obtainedBytes());
    }

    @Test
    void reusesReleasedRangesLowestFirstAndLowersTheTop() {
        for (int unit = 0; unit < 8; unit++) {
            source.obtain(UNIT);
        }
        source.release(base + UNIT, UNIT);
        source.release(base + 3 * UNIT, 2 * UNIT);
        source.release(base + 2 * UNIT, UNIT);
        assertEquals(4 * UNIT, source.obtainedBytes());
        assertEquals(base + UNIT, source.obtain(4 * UNIT), "the three releases merged into one range");
        source.release(base + 6 * UNIT, 2 * UNIT);
        assertEquals(base + 6 * UNIT, source.obtain(10 * UNIT), "a release at the top lowered it");
        assertEquals(16 * UNIT, source.obtainedBytes());
    }

    @Test
    void rejectsReleasesOfRangesItDidNotHandOut() {
        source.obtain(4 * UNIT);
        source.release(base + UNIT, UNIT);
        assertRejected(base + 4 * UNIT, UNIT);
        assertRejected(base + UNIT, UNIT);
        assertRejected(base, 2 * UNIT);
        assertRejected(base + 16, UNIT);
        assertRejected(base - UNIT, UNIT);
        assertRejected(base, 0);
        // Sizes so large that addr + byteSize wraps around (they used to pass, and obtain then served them).
        assertRejected(base + (3L << 61), 3L << 61);
        assertRejected(base + Long.MAX_VALUE - (UNIT - 1), 2 * UNIT);
        assertEquals(3 * UNIT, source.obtainedBytes());
        assertEquals(base + UNIT, source.obtain(UNIT), "the released range, not one outside the region");
        assertEquals("size is not a positive multiple of the unit: byteSize=100, unitBytes=4096",
            assertThrows(IllegalArgumentException.class, () -> source.obtain(100)).getMessage());
    }

    @Test
    void rejectsABadUnit() {
        final NativeMemory region = source.memory();
        assertEquals("unit is not a power of two of at least 16 bytes: unitBytes=8",
            assertThrows(IllegalArgumentException.class, () -> new ArenaPoolSource(region, 8)).getMessage());
        assertEquals("unit is not a power of two of at least 16 bytes: unitBytes=3000",
            assertThrows(IllegalArgumentException.class, () -> new ArenaPoolSource(region, 3000)).getMessage());
    }

    private void assertRejected(final long addr, final long byteSize) {
        assertEquals("range was not handed out: addr=0x" + Long.toHexString(addr) + ", byteSize=" + byteSize,
            assertThrows(IllegalArgumentException.class, () -> source.release(addr, byteSize)).getMessage());
    }
}

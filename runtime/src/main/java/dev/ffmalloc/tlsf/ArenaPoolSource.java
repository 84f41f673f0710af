package dev.ffmalloc.tlsf;

import dev.ffmalloc.memory.NativeMemory;
import org.agrona.BitUtil;

import java.lang.foreign.Arena;
import java.util.Arrays;

import static dev.ffmalloc.alloc.AllocatorErrors.hex;

/**
 * A {@link TlsfPoolSource} over one reserved native region: it hands out units from the bottom up, so consecutive
 * ranges are adjacent and the heap grows in place, and reuses released ranges first (lowest address first).
 *
 * <p>The whole region is allocated (and zeroed, as {@link Arena#allocate} does) up front; what the heap counts as its
 * footprint is what it obtained, not the region. Not thread-safe: the heap that uses it is not either.
 *
 * <p>Invariant: {@code [baseAddr, topAddr)} is handed out except for the released ranges, which are sorted,
 * disjoint, not adjacent to each other and all below {@code topAddr} (a released range ending at {@code topAddr}
 * lowers it instead).
 */
public final class ArenaPoolSource implements TlsfPoolSource {

    private final NativeMemory region;
    private final long unitBytes;
    private final long baseAddr;
    private final long endAddr;
    /** Everything below this has been handed out at some time; everything above never. */
    private long topAddr;
    private long[] releasedStarts = new long[8];
    private long[] releasedEnds = new long[8];
    private int releasedCount;
    private long obtainedBytes;

    /**
     * Hands out {@code region} in units of {@code unitBytes}, from its first unit-aligned address.
     *
     * @throws IllegalArgumentException if the unit is not a power of two of at least 16 bytes, or the region holds
     *                                  no whole unit
     */
    public ArenaPoolSource(final NativeMemory region, final long unitBytes) {
        if (unitBytes < TlsfLayout.GRANULARITY || !BitUtil.isPowerOfTwo(unitBytes)) {
            throw badUnit(unitBytes);
        }
        this.region = region;
        this.unitBytes = unitBytes;
        this.baseAddr = BitUtil.align(region.baseAddress(), unitBytes);
        this.endAddr = region.endAddress() & -unitBytes;
        if (endAddr - baseAddr < unitBytes) {
            throw noWholeUnit(region, unitBytes);
        }
        this.topAddr = baseAddr;
    }

    /** Reserves {@code byteSize} bytes of page-aligned native memory from {@code arena} and hands it out in pages. */
    public static ArenaPoolSource reserve(final Arena arena, final long byteSize) {
        return new ArenaPoolSource(NativeMemory.allocate(arena, byteSize), NativeMemory.PAGE_SIZE);
    }

    @Override
    public NativeMemory memory() {
        return region;
    }

    @Override
    public long unitBytes() {
        return unitBytes;
    }

    @Override
    public long capacityBytes() {
        return endAddr - baseAddr;
    }

    /** @return bytes handed out and not released */
    public long obtainedBytes() {
        return obtainedBytes;
    }

    @Override
    public long obtain(final long byteSize) {
        if (byteSize <= 0 || (byteSize & (unitBytes - 1)) != 0) {
            throw notWholeUnits(byteSize, unitBytes);
        }
        for (int range = 0; range < releasedCount; range++) {
            if (releasedEnds[range] - releasedStarts[range] >= byteSize) {
                final long addr = releasedStarts[range];
                releasedStarts[range] += byteSize;
                if (releasedStarts[range] == releasedEnds[range]) {
                    removeReleased(range);
                }
                obtainedBytes += byteSize;
                return addr;
            }
        }
        if (endAddr - topAddr < byteSize) {
            return NO_MEMORY;
        }
        final long addr = topAddr;
        topAddr += byteSize;
        obtainedBytes += byteSize;
        return addr;
    }

    @Override
    public void release(final long addr, final long byteSize) {
        final long rangeEnd = addr + byteSize;
        final int below = releasedBelow(addr);
        if (byteSize <= 0 || ((addr | byteSize) & (unitBytes - 1)) != 0 || addr - baseAddr < 0
            || topAddr - rangeEnd < 0 || (below >= 0 && releasedEnds[below] > addr)
            || (below + 1 < releasedCount && releasedStarts[below + 1] < rangeEnd)) {
            throw notHandedOut(addr, byteSize);
        }
        obtainedBytes -= byteSize;
        insertReleased(below + 1, addr, rangeEnd);
        mergeReleased(below + 1);
        if (below >= 0) {
            mergeReleased(below);
        }
        if (releasedCount > 0 && releasedEnds[releasedCount - 1] == topAddr) {
            topAddr = releasedStarts[releasedCount - 1];
            releasedCount--;
        }
    }

    /** @return the index of the last released range starting at or below {@code addr}, or -1 */
    private int releasedBelow(final long addr) {
        int range = releasedCount - 1;
        while (range >= 0 && releasedStarts[range] > addr) {
            range--;
        }
        return range;
    }

    private void insertReleased(final int range, final long startAddr, final long rangeEndAddr) {
        if (releasedCount == releasedStarts.length) {
            releasedStarts = Arrays.copyOf(releasedStarts, releasedCount * 2);
            releasedEnds = Arrays.copyOf(releasedEnds, releasedCount * 2);
        }
        System.arraycopy(releasedStarts, range, releasedStarts, range + 1, releasedCount - range);
        System.arraycopy(releasedEnds, range, releasedEnds, range + 1, releasedCount - range);
        releasedStarts[range] = startAddr;
        releasedEnds[range] = rangeEndAddr;
        releasedCount++;
    }

    /** Merges released range {@code range} with the next one if they touch. */
    private void mergeReleased(final int range) {
        if (range + 1 < releasedCount && releasedEnds[range] == releasedStarts[range + 1]) {
            releasedEnds[range] = releasedEnds[range + 1];
            removeReleased(range + 1);
        }
    }

    private void removeReleased(final int range) {
        System.arraycopy(releasedStarts, range + 1, releasedStarts, range, releasedCount - range - 1);
        System.arraycopy(releasedEnds, range + 1, releasedEnds, range, releasedCount - range - 1);
        releasedCount--;
    }

    @Override
    public String toString() {
        return "ArenaPoolSource[region=" + region + ", unitBytes=" + unitBytes + ", obtainedBytes=" + obtainedBytes
            + ", top=" + hex(topAddr) + "]";
    }

    private static IllegalArgumentException badUnit(final long unitBytes) {
        return new IllegalArgumentException("unit is not a power of two of at least 16 bytes: unitBytes="
            + unitBytes);
    }

    private static IllegalArgumentException noWholeUnit(final NativeMemory region, final long unitBytes) {
        return new IllegalArgumentException("region holds no whole unit: region=" + region + ", unitBytes="
            + unitBytes);
    }

    private static IllegalArgumentException notWholeUnits(final long byteSize, final long unitBytes) {
        return new IllegalArgumentException("size is not a positive multiple of the unit: byteSize=" + byteSize
            + ", unitBytes=" + unitBytes);
    }

    private static IllegalArgumentException notHandedOut(final long addr, final long byteSize) {
        return new IllegalArgumentException("range was not handed out: addr=" + hex(addr) + ", byteSize="
            + byteSize);
    }
}

package dev.ffmalloc.tlsf;

import dev.ffmalloc.memory.AddressRanges;
import dev.ffmalloc.memory.NativeMemory;
import org.agrona.BitUtil;

import java.lang.foreign.Arena;

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
    private final AddressRanges released = new AddressRanges(8);
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
        for (int range = 0; range < released.count(); range++) {
            if (released.endAddr(range) - released.startAddr(range) >= byteSize) {
                final long addr = released.startAddr(range);
                released.setStartAddr(range, addr + byteSize);
                if (addr + byteSize == released.endAddr(range)) {
                    released.remove(range);
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
        final int below = released.countAtOrBelow(addr) - 1;
        // Bounds without the sum addr + byteSize, which wraps for absurd sizes and let such ranges pass.
        if (byteSize <= 0 || ((addr | byteSize) & (unitBytes - 1)) != 0 || addr - baseAddr < 0
            || addr - topAddr > 0 || byteSize > topAddr - addr || (below >= 0 && released.endAddr(below) > addr)
            || (below + 1 < released.count() && released.startAddr(below + 1) < rangeEnd)) {
            throw notHandedOut(addr, byteSize);
        }
        obtainedBytes -= byteSize;
        released.addMerging(addr, rangeEnd);
        final int last = released.count() - 1;
        if (released.endAddr(last) == topAddr) {
            topAddr = released.startAddr(last);
            released.remove(last);
        }
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

package dev.ffmalloc.x86sim.boot;

import dev.ffmalloc.alloc.AllocatorErrors;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.x86sim.Machine;
import dev.ffmalloc.x86sim.firmware.E820Map;
import dev.ffmalloc.x86sim.phys.PhysRange;

import java.util.List;

/**
 * The boot-time physical memory allocator, after Linux's memblock: a list of memory regions (the RAM the kernel may
 * use) and a list of reserved regions (allocated, or forbidden), both sorted and merged. What is in memory and not
 * reserved is free.
 *
 * <h2>Allocation</h2>
 * {@link #tryAllocate} finds the highest free, suitably aligned range that fits, <b>top-down</b> as Linux does by
 * default (it keeps low memory, which some devices need, for last), and reserves it. It never returns page 0: the
 * search stops at {@link PhysRange#PAGE_SIZE}, as memblock's does, so 0 can mean "no range"
 * ({@link #NO_RANGE}). Allocated memory is not cleared; RAM starts zeroed.
 *
 * <h2>What is reserved at boot</h2>
 * {@link #forMachine} reserves the first {@link #LOW_RESERVE_BYTES} of physical memory as Linux does since v5.13
 * (BIOS data area, EBDA, real-mode trampoline and whatever firmware left there; {@code arch/x86/kernel/setup.c}):
 * low memory is never allocated nor handed to the frame allocator. Callers reserve the rest themselves (the kernel
 * image, an initrd) with {@link #reserve}.
 *
 * <p>A single-threaded object, like every allocator of the project: boot runs on one CPU.
 */
public final class BootMemory {

    /** What {@link #tryAllocate} returns when nothing fits: page 0 is never allocated. */
    public static final long NO_RANGE = 0L;

    /** How much low memory {@link #forMachine} reserves: all of the first MiB, as Linux does. */
    public static final long LOW_RESERVE_BYTES = 1L << 20;

    private static final String NAME = "memblock";

    /** RAM the kernel may use: sorted, merged, page-aligned (added from the usable E820 ranges). */
    private final RegionList memory = new RegionList();

    /** Allocated or forbidden ranges: sorted, merged, byte-granular; may cover holes. */
    private final RegionList reserved = new RegionList();

    /** Set once, by the hand-off; every later call throws. */
    private boolean retired;

    /**
     * A boot allocator over {@code memoryRanges} with nothing reserved.
     *
     * @param memoryRanges the RAM the kernel may use, page-aligned
     */
    public BootMemory(final List<PhysRange> memoryRanges) {
        for (final PhysRange range : memoryRanges) {
            if (((range.startAddr() | range.endAddr()) & (PhysRange.PAGE_SIZE - 1)) != 0) {
                throw new IllegalArgumentException("memory range is not page-aligned: range=" + range);
            }
            memory.add(range.startAddr(), range.endAddr());
        }
    }

    /**
     * The boot allocator a kernel starts with on {@code machine}: every usable range of its memory map as memory,
     * and the first MiB reserved (see the class comment).
     */
    public static BootMemory forMachine(final Machine machine) {
        final BootMemory bootMemory = new BootMemory(machine.memoryMap().usableRanges());
        bootMemory.reserve(0, LOW_RESERVE_BYTES);
        return bootMemory;
    }

    /**
     * Reserves {@code [physAddr, physAddr + byteSize)}: nothing in it will be allocated or handed to the frame
     * allocator. The range may overlap earlier reservations and lie partly or wholly outside memory.
     *
     * @throws IllegalArgumentException if the size is not positive or the range leaves the physical address space
     * @throws IllegalStateException    if the boot allocator was handed off
     */
    public void reserve(final long physAddr, final long byteSize) {
        if (byteSize <= 0 || physAddr < 0 || physAddr > E820Map.PHYS_LIMIT - byteSize) {
            throw new IllegalArgumentException("reservation is empty or outside physical memory: physAddr=0x"
                + Long.toHexString(physAddr) + ", byteSize=" + byteSize);
        }
        checkNotRetired();
        reserved.add(physAddr, physAddr + byteSize);
    }

    /**
     * Allocates and reserves the highest free range of {@code byteSize} bytes aligned to {@code byteAlignment}.
     * A size of 0 is served as 1 byte.
     *
     * @return the physical address of the range, or {@link #NO_RANGE} if no free range fits
     * @throws IllegalArgumentException if the size is negative or above all of memory, or the alignment is not a
     *                                  power of two
     * @throws IllegalStateException    if the boot allocator was handed off
     */
    public long tryAllocate(final long byteSize, final long byteAlignment) {
        AllocatorErrors.checkRequest(byteSize, byteAlignment, memory.totalBytes());
        checkNotRetired();
        final long wanted = Math.max(byteSize, 1);
        final List<PhysRange> free = memory.minus(reserved);
        for (int i = free.size() - 1; i >= 0; i--) {
            final PhysRange range = free.get(i);
            if (range.byteSize() < wanted) {
                continue;
            }
            final long physAddr = (range.endAddr() - wanted) & -byteAlignment;
            if (physAddr >= Math.max(range.startAddr(), PhysRange.PAGE_SIZE)) {
                reserved.add(physAddr, physAddr + wanted);
                return physAddr;
            }
        }
        return NO_RANGE;
    }

    /**
     * Like {@link #tryAllocate}, for callers that cannot go on without the memory.
     *
     * @throws OutOfMemoryException if no free range fits
     */
    public long allocate(final long byteSize, final long byteAlignment) {
        final long physAddr = tryAllocate(byteSize, byteAlignment);
        if (physAddr == NO_RANGE) {
            throw AllocatorErrors.outOfMemory(byteSize, byteAlignment, freeBytes());
        }
        return physAddr;
    }

    /** @return the memory regions, sorted and merged */
    public List<PhysRange> memoryRegions() {
        checkNotRetired();
        return memory.ranges();
    }

    /** @return the reserved regions, sorted and merged */
    public List<PhysRange> reservedRegions() {
        checkNotRetired();
        return reserved.ranges();
    }

    /** @return memory minus reserved, sorted: what is still free */
    public List<PhysRange> freeRanges() {
        checkNotRetired();
        return memory.minus(reserved);
    }

    /** @return the bytes of {@link #freeRanges()} */
    public long freeBytes() {
        long byteSize = 0;
        for (final PhysRange range : freeRanges()) {
            byteSize += range.byteSize();
        }
        return byteSize;
    }

    /** @return whether the boot allocator was handed off */
    public boolean isRetired() {
        return retired;
    }

    /**
     * Retires the boot allocator and returns what is free, for the frame allocator to take over.
     *
     * @return the free ranges at the moment of retirement
     */
    List<PhysRange> retire() {
        final List<PhysRange> free = freeRanges();
        retired = true;
        return free;
    }

    private void checkNotRetired() {
        if (retired) {
            throw AllocatorErrors.retired(NAME);
        }
    }
}

package dev.ffmalloc.x86sim.boot;

import dev.ffmalloc.alloc.AllocatorErrors;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.buddy.BuddyAllocator;
import dev.ffmalloc.buddy.BuddyConfig;
import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.x86sim.Machine;
import dev.ffmalloc.x86sim.firmware.E820Map;
import dev.ffmalloc.x86sim.phys.PhysRange;
import org.agrona.BitUtil;

import java.lang.foreign.Arena;
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
 * <h2>The hand-off</h2>
 * {@link #handOff} gives every free range to a buddy allocator of page frames ({@link BuddyConfig#PAGE_FRAMES}:
 * 4 KiB frames, orders 0 to 10), carved into the largest naturally aligned blocks as Linux's
 * {@code memblock_free_all} does, and retires this object: every later call throws
 * {@link IllegalStateException}. The buddy's frame table (one entry per frame, indexed by physical frame number, like
 * Linux's {@code struct page} array) lives at {@link #FRAME_TABLE_ADDR} in a {@link FrameTableMemory} of its own,
 * populated only for the frames of each max-order block (4 MiB) that holds memory, as SPARSEMEM_VMEMMAP populates
 * only present sections. Keeping the table out of simulated RAM keeps "free frames = usable - reserved" exact; the
 * whole 4 MiB windows keep every buddy lookup (a block's buddy lies in the same window) in populated table.
 *
 * <p>A single-threaded object, like every allocator of the project: boot runs on one CPU.
 */
public final class BootMemory {

    /** What {@link #tryAllocate} returns when nothing fits: page 0 is never allocated. */
    public static final long NO_RANGE = 0L;

    /** How much low memory {@link #forMachine} reserves: all of the first MiB, as Linux does. */
    public static final long LOW_RESERVE_BYTES = 1L << 20;

    /** Where the frame table lives in its own address space: Linux's {@code vmemmap_base} with 4-level paging. */
    public static final long FRAME_TABLE_ADDR = 0xffff_ea00_0000_0000L;

    /** The orders of the frame allocator the boot allocator hands off to. */
    public static final BuddyConfig FRAME_ORDERS = BuddyConfig.PAGE_FRAMES;

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
     * @throws IllegalArgumentException if there is no range or one is not page-aligned
     */
    public BootMemory(final List<PhysRange> memoryRanges) {
        if (memoryRanges.isEmpty()) {
            throw new IllegalArgumentException("boot memory needs at least one memory range");
        }
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
     * Hands every free range (memory minus reserved) to a new buddy allocator of page frames and retires this boot
     * allocator for good: every later call, a second hand-off included, throws {@link IllegalStateException}.
     * Nothing reserved or allocated here is ever handed out by the frame allocator.
     *
     * @param frameMemory where the frames' contents live (the machine's RAM), for the buddy's {@code reallocate}; may
     *                    be null when nobody touches frame contents (a frame allocator over a map with no RAM behind)
     * @param tableArena  where the frame table's pages come from; the frame allocator dies with it
     * @return the frame allocator
     * @throws IllegalStateException if the boot allocator was already handed off
     */
    public FrameAllocator handOff(final Memory frameMemory, final Arena tableArena) {
        checkNotRetired();
        final List<PhysRange> regions = memory.ranges();
        final long windowBytes = FRAME_ORDERS.maxBlockSize();
        final long spanAddr = regions.getFirst().startAddr() & -windowBytes;
        final long spanEnd = BitUtil.align(regions.getLast().endAddr(), windowBytes);
        final FrameTableMemory frameTable = new FrameTableMemory(tableArena, FRAME_TABLE_ADDR,
            BuddyAllocator.frameTableBytes(spanEnd - spanAddr, FRAME_ORDERS));
        for (final PhysRange region : regions) {
            // Entries of frame n lie at FRAME_TABLE_ADDR + frameTableBytes(n frames): the table is linear.
            final long windowStart = region.startAddr() & -windowBytes;
            final long windowEnd = BitUtil.align(region.endAddr(), windowBytes);
            frameTable.populate(FRAME_TABLE_ADDR + BuddyAllocator.frameTableBytes(windowStart - spanAddr, FRAME_ORDERS),
                BuddyAllocator.frameTableBytes(windowEnd - windowStart, FRAME_ORDERS));
        }
        final BuddyAllocator buddy = BuddyAllocator.outOfBand(frameMemory, frameTable, FRAME_TABLE_ADDR, spanAddr,
            spanEnd - spanAddr, FRAME_ORDERS);
        for (final PhysRange free : memory.minus(reserved)) {
            buddy.addFreeRange(free.startAddr(), free.byteSize());
        }
        retired = true;
        return new FrameAllocator(buddy, frameTable);
    }

    private void checkNotRetired() {
        if (retired) {
            throw AllocatorErrors.retired(NAME);
        }
    }
}

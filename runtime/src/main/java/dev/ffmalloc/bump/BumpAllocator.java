package dev.ffmalloc.bump;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorCounters;
import dev.ffmalloc.alloc.AllocatorErrors;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;

import static dev.ffmalloc.alloc.AllocatorErrors.hex;

/**
 * The boot-time tier: blocks carved one after the other from a range {@code [startAddr, endAddr)} by moving a top
 * address up, until the allocator {@linkplain #handOff() hands off} what is left to the next tier, as Linux's
 * memblock does before the buddy allocator takes over.
 *
 * <h2>Out-of-band, and why</h2>
 * All state lives in fields of this object; the allocator never reads or writes the memory it manages (only
 * {@link #reallocate} copies a block's contents, because its caller asks for that). At boot the range may be memory
 * that must not be touched yet, such as physical frames that are not mapped, so a header in memory is not an option.
 *
 * <h2>What free does</h2>
 * Only the block returned by the latest allocation can be freed, and only while it is live: {@link #free} rolls the
 * top back to where it was before that allocation (its alignment padding included), so an allocate/free pair runs
 * forever in place. Blocks below it are never reclaimed individually. Since the allocator keeps no record of earlier
 * tops (a fixed number of fields), after a free no block can be freed until the next allocation. Any other address
 * is rejected and leaves the allocator unchanged:
 * <ul>
 *   <li>outside the range, or at or above the top without being the block freed last: never handed out;</li>
 *   <li>the block freed last, while its address is still at or above the top: a double free;</li>
 *   <li>inside the last block: an interior pointer;</li>
 *   <li>anywhere else below the top: not the last block. An earlier block, a pointer into one, its padding and a
 *       block freed and then overwritten by newer blocks all look the same without per-block records, so all of
 *       them get this message.</li>
 * </ul>
 * {@link #usableSize} and {@link #reallocate} likewise know only the last block and throw what {@code free} would
 * for any other address. Reallocating the last block resizes it in place, or moves it up when the new alignment
 * asks for it.
 *
 * <h2>Hand-off</h2>
 * {@link #handOff()} ends the allocator for good and returns {@code [top, endAddr)} as a {@link FreeRange}. Blocks
 * already handed out stay valid; the allocator forgets them. Afterwards every method throws
 * {@link AllocatorErrors#retired}, whatever its arguments.
 *
 * <p>Not thread-safe; all operations are constant time and allocate nothing on the Java heap.
 */
public final class BumpAllocator implements Allocator {

    private final Memory memory;

    /** First address of the range; never 0, and the range never contains address 0. */
    private final long startAddr;

    /** One past the last address of the range; {@code startAddr <= endAddr}. */
    private final long endAddr;

    /**
     * Where the next block starts before alignment: {@code startAddr <= topAddr <= endAddr}. Every byte of
     * {@code [startAddr, topAddr)} belongs to a live block or to its alignment padding, so {@code topAddr - startAddr}
     * equals the counted bytes in use, and the allocator has no live block iff {@code topAddr == startAddr}.
     */
    private long topAddr;

    /**
     * The block returned by the latest allocation if it is still live, else {@link #NO_BLOCK}. When set,
     * {@code topBeforeLastAddr <= lastBlockAddr < topAddr}.
     */
    private long lastBlockAddr;

    /** The top before the last block was carved: where {@link #free} of the last block rolls the top back to. */
    private long topBeforeLastAddr;

    /**
     * The block freed last while it lies at or above the top ({@code topAddr <= freedBlockAddr < endAddr}), so that
     * freeing it again reads as a double free; {@link #NO_BLOCK} once a newer block covers it.
     */
    private long freedBlockAddr;

    /** Set by {@link #handOff()}; never cleared. */
    private boolean retired;

    private final AllocatorCounters counters = new AllocatorCounters();

    /**
     * Creates an allocator over {@code [startAddr, endAddr)} of {@code memory}.
     *
     * @throws IllegalArgumentException if {@code endAddr < startAddr}, the range contains or starts at address 0
     *                                  (which stands for {@link #NO_BLOCK}; an empty range there too) or ends there
     *                                  (the top of the address space)
     */
    public BumpAllocator(final Memory memory, final long startAddr, final long endAddr) {
        if (endAddr < startAddr) {
            throw new IllegalArgumentException("range ends before it starts: startAddr=" + hex(startAddr)
                + ", endAddr=" + hex(endAddr));
        }
        if (startAddr == 0) {
            throw new IllegalArgumentException("range starts at address 0, which means no block: startAddr=0x0"
                + ", endAddr=" + hex(endAddr));
        }
        if (startAddr < 0 && endAddr > 0) {
            throw new IllegalArgumentException("range contains address 0, which means no block: startAddr="
                + hex(startAddr) + ", endAddr=" + hex(endAddr));
        }
        if (endAddr == 0 && startAddr != 0) {
            // Its end, 0, means no block to the next tier it is handed off to; and [MIN_VALUE, 0) would hold 2^63
            // bytes, more than a long counts.
            throw new IllegalArgumentException("range reaches the end of the address space, and its end would be"
                + " address 0, which means no block: startAddr=" + hex(startAddr) + ", endAddr=" + hex(endAddr));
        }
        this.memory = memory;
        this.startAddr = startAddr;
        this.endAddr = endAddr;
        this.topAddr = startAddr;
    }

    /** Creates an allocator over all of {@code memory}. */
    public BumpAllocator(final NativeMemory memory) {
        this(memory, memory.baseAddress(), memory.endAddress());
    }

    // ------------------------------------------------------------------------------------------------ allocation

    /**
     * Carves a block at the next address aligned to {@code byteAlignment}; the padding before it is lost until the
     * block is freed. Constant time.
     *
     * @return the block's address, or {@link #NO_BLOCK} if it does not fit below {@code endAddr}
     * @throws IllegalStateException if the allocator was handed off
     */
    @Override
    public long tryAllocate(final long byteSize, final long byteAlignment) {
        checkNotRetired();
        AllocatorErrors.checkRequest(byteSize, byteAlignment, endAddr - startAddr);
        final long topBefore = topAddr;
        final long blockAddr = placeBlock(topBefore, byteSize, byteAlignment);
        if (blockAddr == NO_BLOCK) {
            return NO_BLOCK;
        }
        final long newTop = blockAddr + Math.max(byteSize, 1);
        topAddr = newTop;
        lastBlockAddr = blockAddr;
        topBeforeLastAddr = topBefore;
        if (freedBlockAddr != NO_BLOCK && freedBlockAddr < newTop) {
            freedBlockAddr = NO_BLOCK; // the new block covers it: freeing it again is no longer a double free
        }
        counters.onAllocate(newTop - topBefore);
        return blockAddr;
    }

    /**
     * Frees the block returned by the latest allocation, rolling the top back to where it was before it.
     * Constant time.
     *
     * @throws IllegalArgumentException if {@code address} is not the last block still live (see the class
     *                                  Javadoc for each message)
     * @throws IllegalStateException    if the last block was already freed, or the allocator was handed off
     */
    @Override
    public void free(final long address) {
        checkNotRetired();
        final long blockAddr = lastBlockAddr;
        if (address != blockAddr || blockAddr == NO_BLOCK) {
            throw rejectedAddress(address);
        }
        final long topBefore = topBeforeLastAddr;
        counters.onFree(topAddr - topBefore);
        topAddr = topBefore;
        freedBlockAddr = blockAddr;
        lastBlockAddr = NO_BLOCK;
    }

    /**
     * Resizes the last block: in place when {@code address} is aligned to {@code byteAlignment}, else moved up to
     * the next aligned address (its contents copied). Constant time plus the copy.
     *
     * @throws IllegalArgumentException if the request is bad, or {@code address} is not the last block still live
     * @throws IllegalStateException    if the last block was already freed, or the allocator was handed off
     * @throws dev.ffmalloc.alloc.OutOfMemoryException if the new size does not fit; the block is then unchanged
     */
    @Override
    public long reallocate(final long address, final long newByteSize, final long byteAlignment) {
        checkNotRetired();
        AllocatorErrors.checkRequest(newByteSize, byteAlignment, endAddr - startAddr);
        if (address != lastBlockAddr || address == NO_BLOCK) {
            throw rejectedAddress(address);
        }
        // address is the lowest multiple of its own alignment at or above topBeforeLastAddr, so the next address
        // aligned to byteAlignment is the block itself or lies above it: a move only ever goes up.
        final long newBlockAddr = placeBlock(address, newByteSize, byteAlignment);
        if (newBlockAddr == NO_BLOCK) {
            throw AllocatorErrors.outOfMemory(newByteSize, byteAlignment, endAddr - topAddr);
        }
        final long oldTop = topAddr;
        final long newTop = newBlockAddr + Math.max(newByteSize, 1);
        if (newBlockAddr != address) {
            memory.copy(address, newBlockAddr, Math.min(oldTop - address, newByteSize));
        }
        topAddr = newTop;
        lastBlockAddr = newBlockAddr;
        if (freedBlockAddr != NO_BLOCK && freedBlockAddr < newTop) {
            freedBlockAddr = NO_BLOCK;
        }
        counters.onResize(oldTop - topBeforeLastAddr, newTop - topBeforeLastAddr);
        return newBlockAddr;
    }

    /**
     * @return the bytes from the last block to the top, at least the size asked for
     * @throws IllegalArgumentException if {@code address} is not the last block still live: the sizes of earlier
     *                                  blocks are not recorded
     */
    @Override
    public long usableSize(final long address) {
        checkNotRetired();
        if (address != lastBlockAddr || address == NO_BLOCK) {
            throw rejectedAddress(address);
        }
        return topAddr - address;
    }

    /**
     * @return the address of a block of {@code byteSize} bytes (0 served as 1) at the first multiple of
     *         {@code byteAlignment} at or above {@code fromAddr}, or {@link #NO_BLOCK} if it would pass
     *         {@code endAddr}; computed on differences so that no sum overflows
     */
    private long placeBlock(final long fromAddr, final long byteSize, final long byteAlignment) {
        final long padding = -fromAddr & (byteAlignment - 1);
        final long room = endAddr - fromAddr;
        if (padding > room || Math.max(byteSize, 1) > room - padding) {
            return NO_BLOCK;
        }
        return fromAddr + padding;
    }

    // ------------------------------------------------------------------------------------------------ hand-off

    /**
     * Ends this allocator for good and returns its unused remainder {@code [top, endAddr)} for the next tier.
     * Blocks handed out before stay valid, but can no longer be freed here.
     *
     * @return the range never allocated (or rolled back), possibly empty
     * @throws IllegalStateException if the allocator was already handed off
     */
    public FreeRange handOff() {
        checkNotRetired();
        retired = true;
        return new FreeRange(topAddr, endAddr - topAddr);
    }

    /** @return whether {@link #handOff()} was called; the one method that still answers afterwards */
    public boolean isRetired() {
        return retired;
    }

    // ------------------------------------------------------------------------------------------------ figures

    /**
     * @return the bytes below the top: live blocks and their alignment padding
     * @throws IllegalStateException if the allocator was handed off
     */
    public long usedBytes() {
        checkNotRetired();
        return topAddr - startAddr;
    }

    /**
     * @return the bytes above the top, all of which a block aligned to 1 could take
     * @throws IllegalStateException if the allocator was handed off
     */
    public long remainingBytes() {
        checkNotRetired();
        return endAddr - topAddr;
    }

    /** @return the size of the whole range: the largest block a fresh allocator could carve */
    @Override
    public long maxAllocationSize() {
        checkNotRetired();
        return endAddr - startAddr;
    }

    @Override
    public Memory memory() {
        checkNotRetired();
        return memory;
    }

    /** @return the statistics; {@code bytesInUse} counts alignment padding, {@code bytesFree} is the remainder */
    @Override
    public AllocatorStats stats() {
        checkNotRetired();
        return counters.snapshot(endAddr - startAddr, endAddr - topAddr);
    }

    /**
     * Checks {@code startAddr <= top <= endAddr}, the last and freed blocks against the top, and the counters against
     * the top.
     */
    @Override
    public void checkIntegrity() {
        checkNotRetired();
        if (topAddr < startAddr || topAddr > endAddr) {
            throw new HeapCorruptionException("top lies outside [" + hex(startAddr) + ", " + hex(endAddr) + ")",
                topAddr);
        }
        if (counters.bytesInUse() != topAddr - startAddr) {
            throw new HeapCorruptionException("bytes in use (" + counters.bytesInUse() + ") differ from the bytes "
                + "below the top (" + (topAddr - startAddr) + ")", topAddr);
        }
        if ((counters.liveBlocks() == 0) != (topAddr == startAddr) || counters.liveBlocks() < 0) {
            throw new HeapCorruptionException("live blocks (" + counters.liveBlocks() + ") disagree with the top",
                topAddr);
        }
        if (lastBlockAddr != NO_BLOCK
            && (topBeforeLastAddr < startAddr || lastBlockAddr < topBeforeLastAddr || lastBlockAddr >= topAddr)) {
            throw new HeapCorruptionException("last block does not lie between the top before it ("
                + hex(topBeforeLastAddr) + ") and the top (" + hex(topAddr) + ")", lastBlockAddr);
        }
        if (freedBlockAddr != NO_BLOCK && (freedBlockAddr < topAddr || freedBlockAddr >= endAddr)) {
            throw new HeapCorruptionException("freed block lies below the top (" + hex(topAddr) + ")",
                freedBlockAddr);
        }
    }

    @Override
    public String toString() {
        return "BumpAllocator[" + hex(startAddr) + ", " + hex(endAddr) + ")";
    }

    // ------------------------------------------------------------------------------------------------ errors

    private void checkNotRetired() {
        if (retired) {
            throw AllocatorErrors.retired(toString());
        }
    }

    /** @return the exception for an address that is not the last block still live, classified as documented */
    private RuntimeException rejectedAddress(final long address) {
        if (address < startAddr || address >= endAddr) {
            return AllocatorErrors.notInHeap(address);
        }
        if (address == freedBlockAddr) {
            return AllocatorErrors.doubleFree(address);
        }
        if (address >= topAddr) {
            return AllocatorErrors.notInHeap(address);
        }
        if (lastBlockAddr != NO_BLOCK && address > lastBlockAddr) {
            return AllocatorErrors.interiorPointer(address, lastBlockAddr);
        }
        return notLastBlock(address, lastBlockAddr);
    }

    private static IllegalArgumentException notLastBlock(final long address, final long lastBlockAddr) {
        return new IllegalArgumentException("address is not the last block allocated, the only one a bump "
            + "allocator can free: addr=" + hex(address) + ", lastBlockAddr=" + hex(lastBlockAddr));
    }
}

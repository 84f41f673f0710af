package dev.ffmalloc.linkedlist;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorCounters;
import dev.ffmalloc.alloc.AllocatorErrors;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;

import static dev.ffmalloc.alloc.AllocatorErrors.hex;
import static dev.ffmalloc.linkedlist.LinkedListLayout.GRANULARITY;
import static dev.ffmalloc.linkedlist.LinkedListLayout.HEADER_BYTES;
import static dev.ffmalloc.linkedlist.LinkedListLayout.MIN_BLOCK_SIZE;
import static dev.ffmalloc.linkedlist.LinkedListLayout.MIN_USED_BLOCK_SIZE;
import static dev.ffmalloc.linkedlist.LinkedListLayout.SIZE_MASK;
import static dev.ffmalloc.linkedlist.LinkedListLayout.blockAddr;
import static dev.ffmalloc.linkedlist.LinkedListLayout.checkAddr;
import static dev.ffmalloc.linkedlist.LinkedListLayout.checkWord;
import static dev.ffmalloc.linkedlist.LinkedListLayout.isUsedHeader;
import static dev.ffmalloc.linkedlist.LinkedListLayout.nextHoleAddr;
import static dev.ffmalloc.linkedlist.LinkedListLayout.payloadAddr;
import static dev.ffmalloc.linkedlist.LinkedListLayout.sizeAddr;
import static dev.ffmalloc.linkedlist.LinkedListLayout.usedBlockSize;
import static dev.ffmalloc.linkedlist.LinkedListLayout.usedSizeWord;

/**
 * A first-fit heap over one or more regions of memory, its free blocks ("holes") kept in one singly linked list in
 * address order, each hole's size and link stored in the hole itself: the algorithm of Rust's
 * {@code linked_list_allocator} crate (the heap behind the {@code LockedHeap} of seed 004), with a header on used
 * blocks so that {@link #free} needs no size, and with several discontiguous regions.
 *
 * <h2>Algorithm</h2>
 * The layout of blocks is in {@link LinkedListLayout}. Every region is tiled by blocks, used and holes, with no gap.
 * <ul>
 *   <li>Allocate walks the holes from the lowest address and takes the first one that holds the block at an
 *       address aligned as asked. The front padding this leaves becomes a hole of its own, and so does any back
 *       remainder: both are multiples of the granularity, hence either empty or a valid hole.</li>
 *   <li>Free walks the holes to the block's place in address order and merges the block with the hole before it
 *       and the hole after it when they touch it. Holes in different regions never touch, because regions that
 *       touch are merged into one; so a block never spans two regions.</li>
 *   <li>{@link #reallocate} shrinks in place, grows in place into a hole that follows the block, and otherwise
 *       moves the block (allocate, copy, free).</li>
 *   <li>{@link #extend} grows the highest region at its end; {@link #addRegion} adds any range that does not
 *       overlap the heap, merging it with a region it touches.</li>
 * </ul>
 * Allocate, free and reallocate take time linear in the number of holes (the walk); they allocate nothing on the
 * Java heap. First fit over an address-ordered free list with coalescing on free is Knuth's Algorithms A and B
 * (The Art of Computer Programming, vol. 1, section 2.5).
 *
 * <h2>How bad frees are caught, and the limits</h2>
 * A payload address is valid when it lies in a region, is a multiple of the granularity, its block does not lie
 * inside a hole, and the block's header holds the used flag, a size that ends at or before the next hole and the
 * region's end, and the check word {@link LinkedListLayout#checkWord} derived from the block's address and size.
 * <ul>
 *   <li><b>Never handed out</b>: an address outside every region fails the region lookup.</li>
 *   <li><b>Double free</b>: a freed block always lies inside a hole (merging only grows holes), and free's walk
 *       to the block's place finds that hole before reading the header. Free also erases the check word, so a
 *       freed block that a newer, larger block later covers no longer looks like a block.</li>
 *   <li><b>Interior pointer</b> and any other address inside a used block: the word before it is payload, not a
 *       header with the right check word.</li>
 * </ul>
 * When a check fails, a slow path walks the blocks between the nearest hole and the address to say exactly what
 * the address is: outside the heap, inside free memory where a block could have been (reported as a double free),
 * elsewhere in free memory or in a header (not a block start), or inside a used block (an interior pointer, naming
 * the block). Limits: a stale address of a freed block that was later handed out again is a valid block once more,
 * as in every allocator; and a caller that writes into its payload the exact header of a block at an address it
 * then frees can forge a block (the 64-bit check word makes this practically impossible by accident).
 *
 * <h2>What it does not do</h2>
 * Not thread-safe: wrap it in a {@link dev.ffmalloc.alloc.LockedAllocator}. First fit over a list is linear in the
 * number of holes and fragments under churn; for constant time use the TLSF heap. Every block costs a 16-byte
 * header and rounds up to 16 bytes.
 */
public final class LinkedListHeap implements Allocator {

    private final Memory memory;

    /** The lowest hole, or {@link #NO_BLOCK} if there is none. Holes are linked in strictly ascending address order. */
    private long firstHoleAddr;

    /** Bytes in holes: the sum of the sizes of the holes in the list. */
    private long freeBytes;

    /** The regions, out-of-band: the blocks of every region tile it exactly. */
    private final LinkedListRegions regions = new LinkedListRegions();

    private final AllocatorCounters counters = new AllocatorCounters();

    private LinkedListHeap(final Memory memory) {
        this.memory = memory;
    }

    /**
     * @return a heap with no memory yet: it allocates nothing until {@link #addRegion} gives it some (the
     *         {@code Heap::empty()} of the Rust crate, for a heap whose memory is mapped later)
     */
    public static LinkedListHeap empty(final Memory memory) {
        return new LinkedListHeap(memory);
    }

    /**
     * Creates a heap over {@code [address, address + byteSize)}, trimmed inward to the granularity.
     *
     * <p>Preconditions: the range is memory of {@code memory} that nothing else uses; the heap writes its headers
     * there at once (as in seed 004, create it only after the memory is mapped).
     *
     * @throws IllegalArgumentException as {@link #addRegion} does
     */
    public LinkedListHeap(final Memory memory, final long address, final long byteSize) {
        this(memory);
        addRegion(address, byteSize);
    }

    /** Creates a heap over all of {@code memory}. */
    public LinkedListHeap(final NativeMemory memory) {
        this(memory, memory.baseAddress(), memory.byteSize());
    }

    // ------------------------------------------------------------------------------------------------ allocation

    /**
     * Allocates the first block, in address order, that fits at the alignment asked for.
     *
     * @return the payload address, or {@link #NO_BLOCK} if no hole holds the block
     */
    @Override
    public long tryAllocate(final long byteSize, final long byteAlignment) {
        AllocatorErrors.checkRequest(byteSize, byteAlignment, maxAllocationSize());
        final Memory memory = this.memory;
        final long blockBytes = usedBlockSize(byteSize);
        final long alignMask = Math.max(byteAlignment, GRANULARITY) - 1;

        // 1. First fit: walk the holes in address order.
        long prevHoleAddr = NO_BLOCK;
        long holeAddr = firstHoleAddr;
        while (holeAddr != NO_BLOCK) {
            final long holeBytes = memory.getLong(sizeAddr(holeAddr));
            final long nextHole = memory.getLong(nextHoleAddr(holeAddr));
            if (holeBytes >= blockBytes) {
                // Front padding up to the first aligned payload: a multiple of GRANULARITY, so 0 or a valid hole.
                final long frontBytes = -payloadAddr(holeAddr) & alignMask;
                if (frontBytes <= holeBytes - blockBytes) {
                    // 2. Carve [blockAddr, blockAddr + blockBytes) out of the hole.
                    final long blockAddr = holeAddr + frontBytes;
                    final long backBytes = holeBytes - frontBytes - blockBytes;
                    long followingAddr = nextHole;
                    if (backBytes != 0) {
                        assert backBytes >= MIN_BLOCK_SIZE : "back remainder below the minimum block";
                        followingAddr = blockAddr + blockBytes;
                        writeHole(followingAddr, backBytes, nextHole);
                    }
                    if (frontBytes != 0) {
                        assert frontBytes >= MIN_BLOCK_SIZE : "front padding below the minimum block";
                        writeHole(holeAddr, frontBytes, followingAddr);
                    } else {
                        link(prevHoleAddr, followingAddr);
                    }
                    // 3. Stamp the used header and count.
                    writeUsedHeader(blockAddr, blockBytes);
                    freeBytes -= blockBytes;
                    counters.onAllocate(blockBytes);
                    return payloadAddr(blockAddr);
                }
            }
            prevHoleAddr = holeAddr;
            holeAddr = nextHole;
        }
        return NO_BLOCK;
    }

    /**
     * Frees a block and merges it with the holes right before and after it.
     *
     * <p>Preconditions: nothing reads or writes the block afterwards. A bad address is caught as the class Javadoc
     * explains, with the limits it names.
     *
     * @throws IllegalArgumentException if the address is outside the heap, not a block start, or inside a block
     * @throws IllegalStateException    if the block is already free
     */
    @Override
    public void free(final long address) {
        final long prevHoleAddr = locateUsedBlock(address);
        final long blockAddr = blockAddr(address);
        final long blockBytes = memory.getLong(sizeAddr(blockAddr)) & SIZE_MASK;
        // Erase the check word, so that this header, once buried inside a hole or a newer block, never passes again.
        memory.setLong(checkAddr(blockAddr), 0);
        counters.onFree(blockBytes);
        freeBytes += blockBytes;
        insertHole(prevHoleAddr, blockAddr, blockBytes);
    }

    /**
     * Resizes in place when it can - shrinking, or growing into a hole right after the block - else allocates,
     * copies and frees. An address not aligned to {@code byteAlignment} always moves.
     */
    @Override
    public long reallocate(final long address, final long newByteSize, final long byteAlignment) {
        AllocatorErrors.checkRequest(newByteSize, byteAlignment, maxAllocationSize());
        final long prevHoleAddr = locateUsedBlock(address);
        if ((address & (byteAlignment - 1)) == 0 && resizeInPlace(prevHoleAddr, blockAddr(address), newByteSize)) {
            return address;
        }
        return Allocator.super.reallocate(address, newByteSize, byteAlignment);
    }

    /** @return whether the used block at {@code blockAddr} now holds {@code newByteSize} bytes without moving */
    private boolean resizeInPlace(final long prevHoleAddr, final long blockAddr, final long newByteSize) {
        final Memory memory = this.memory;
        final long oldBytes = memory.getLong(sizeAddr(blockAddr)) & SIZE_MASK;
        final long newBytes = usedBlockSize(newByteSize);
        if (newBytes <= oldBytes) {
            if (newBytes < oldBytes) {
                writeUsedHeader(blockAddr, newBytes);
                freeBytes += oldBytes - newBytes;
                insertHole(prevHoleAddr, blockAddr + newBytes, oldBytes - newBytes);
            }
            counters.onResize(oldBytes, newBytes);
            return true;
        }
        final long nextHole = prevHoleAddr == NO_BLOCK ? firstHoleAddr : memory.getLong(nextHoleAddr(prevHoleAddr));
        if (nextHole != blockAddr + oldBytes) {
            return false;
        }
        final long holeBytes = memory.getLong(sizeAddr(nextHole));
        if (oldBytes + holeBytes < newBytes) {
            return false;
        }
        final long restBytes = oldBytes + holeBytes - newBytes;
        long followingAddr = memory.getLong(nextHoleAddr(nextHole));
        if (restBytes != 0) {
            writeHole(blockAddr + newBytes, restBytes, followingAddr);
            followingAddr = blockAddr + newBytes;
        }
        link(prevHoleAddr, followingAddr);
        writeUsedHeader(blockAddr, newBytes);
        freeBytes -= newBytes - oldBytes;
        counters.onResize(oldBytes, newBytes);
        return true;
    }

    /** @return the payload bytes of the block: its size less the header */
    @Override
    public long usableSize(final long address) {
        locateUsedBlock(address);
        return (memory.getLong(sizeAddr(blockAddr(address))) & SIZE_MASK) - HEADER_BYTES;
    }

    // ------------------------------------------------------------------------------------------------ the list

    /**
     * Checks that {@code address} is the payload of a used block, as the class Javadoc describes.
     *
     * @return the last hole below the block, or {@link #NO_BLOCK} if there is none
     */
    private long locateUsedBlock(final long address) {
        final Memory memory = this.memory;
        final LinkedListRegions regions = this.regions;
        final int region = regions.indexOf(address);
        if (region < 0 || (address & (GRANULARITY - 1)) != 0 || address - regions.startAddr(region) < HEADER_BYTES) {
            throw rejectedAddress(address);
        }
        final long blockAddr = blockAddr(address);
        final long prevHoleAddr = lastHoleAtOrBelow(blockAddr);
        final long holeAddr;
        if (prevHoleAddr == NO_BLOCK) {
            holeAddr = firstHoleAddr;
        } else if (blockAddr - prevHoleAddr < memory.getLong(sizeAddr(prevHoleAddr))) {
            throw rejectedAddress(address); // inside a hole: freed already, or never a block
        } else {
            holeAddr = memory.getLong(nextHoleAddr(prevHoleAddr));
        }
        final long regionEndAddr = regions.endAddr(region);
        final long limitAddr = holeAddr != NO_BLOCK && holeAddr < regionEndAddr ? holeAddr : regionEndAddr;
        if (!isUsedHeader(blockAddr, memory.getLong(sizeAddr(blockAddr)), memory.getLong(checkAddr(blockAddr)),
            limitAddr)) {
            throw rejectedAddress(address);
        }
        return prevHoleAddr;
    }

    /** @return the last hole starting at or below {@code address}, or {@link #NO_BLOCK} */
    private long lastHoleAtOrBelow(final long address) {
        long prevHoleAddr = NO_BLOCK;
        long holeAddr = firstHoleAddr;
        while (holeAddr != NO_BLOCK && holeAddr <= address) {
            prevHoleAddr = holeAddr;
            holeAddr = memory.getLong(nextHoleAddr(holeAddr));
        }
        return prevHoleAddr;
    }

    /**
     * Makes {@code [blockAddr, blockAddr + blockBytes)} free, merging it with the hole {@code prevHoleAddr} before it
     * and the hole after it when they touch it.
     *
     * @param prevHoleAddr the last hole below the range, or {@link #NO_BLOCK}
     */
    private void insertHole(final long prevHoleAddr, final long blockAddr, final long blockBytes) {
        final Memory memory = this.memory;
        final long nextHole = prevHoleAddr == NO_BLOCK ? firstHoleAddr : memory.getLong(nextHoleAddr(prevHoleAddr));
        long holeBytes = blockBytes;
        long followingAddr = nextHole;
        if (nextHole == blockAddr + blockBytes) {
            holeBytes += memory.getLong(sizeAddr(nextHole));
            followingAddr = memory.getLong(nextHoleAddr(nextHole));
        }
        if (prevHoleAddr != NO_BLOCK) {
            final long prevBytes = memory.getLong(sizeAddr(prevHoleAddr));
            if (prevHoleAddr + prevBytes == blockAddr) {
                writeHole(prevHoleAddr, prevBytes + holeBytes, followingAddr);
                return;
            }
        }
        writeHole(blockAddr, holeBytes, followingAddr);
        link(prevHoleAddr, blockAddr);
    }

    /** Points the hole {@code prevHoleAddr} (or the list head, for {@link #NO_BLOCK}) at {@code holeAddr}. */
    private void link(final long prevHoleAddr, final long holeAddr) {
        if (prevHoleAddr == NO_BLOCK) {
            firstHoleAddr = holeAddr;
        } else {
            memory.setLong(nextHoleAddr(prevHoleAddr), holeAddr);
        }
    }

    private void writeHole(final long holeAddr, final long holeBytes, final long nextHole) {
        memory.setLong(sizeAddr(holeAddr), holeBytes);
        memory.setLong(nextHoleAddr(holeAddr), nextHole);
    }

    private void writeUsedHeader(final long blockAddr, final long blockBytes) {
        final long sizeWord = usedSizeWord(blockBytes);
        memory.setLong(sizeAddr(blockAddr), sizeWord);
        memory.setLong(checkAddr(blockAddr), checkWord(blockAddr, sizeWord));
    }

    // ------------------------------------------------------------------------------------------------ regions

    /**
     * Adds {@code [address, address + byteSize)}, trimmed inward to the granularity, as free memory. A range that
     * touches a region merges with it (and may join two regions into one).
     *
     * <p>Preconditions: the range is memory of {@link #memory()} that nothing else uses; the heap writes a header
     * there at once.
     *
     * @throws IllegalArgumentException if the size is not positive, the range passes or reaches the end of the
     *                                  address space, contains address 0, holds no whole block, overlaps a region
     *                                  (bytes that trimming drops included), or is not in the memory
     *                                  ({@link Memory#checkRange}); nothing has changed then
     */
    public void addRegion(final long address, final long byteSize) {
        regions.checkAdd(address, byteSize);
        final long startAddr = LinkedListRegions.trimmedStart(address);
        final long endAddr = LinkedListRegions.trimmedEnd(address, byteSize);
        probe(startAddr, endAddr);
        regions.add(address, byteSize);
        addFreeRange(startAddr, endAddr - startAddr);
    }

    /**
     * Grows the highest region by {@code byteSize} bytes at its end ({@link #heapEndAddress()}); a hole at the end
     * of the region grows with it.
     *
     * <p>Preconditions: {@code [heapEndAddress(), heapEndAddress() + byteSize)} is memory of {@link #memory()} that
     * nothing else uses (in a kernel: pages just mapped).
     *
     * @throws IllegalArgumentException if {@code byteSize} is not a positive multiple of the granularity, the
     *                                  grown region would pass or reach the end of the address space or contain
     *                                  address 0, or the growth is not in the memory ({@link Memory#checkRange})
     * @throws IllegalStateException    if the heap has no region yet
     */
    public void extend(final long byteSize) {
        final long startAddr = regions.checkExtend(byteSize);
        probe(startAddr, startAddr + byteSize);
        regions.extendHighest(byteSize);
        addFreeRange(startAddr, byteSize);
    }

    /** Checks both ends of a range about to be added, so that one past the memory fails before anything changes. */
    private void probe(final long startAddr, final long endAddr) {
        Memory.checkRange(memory, startAddr, endAddr - startAddr);
    }

    /** Frees a range just added to a region. */
    private void addFreeRange(final long startAddr, final long byteSize) {
        freeBytes += byteSize;
        insertHole(lastHoleAtOrBelow(startAddr), startAddr, byteSize);
    }

    /** @return how many regions the heap has; touching regions count as one */
    public int regionCount() {
        return regions.count();
    }

    /**
     * @return the first address of region {@code index}, regions being sorted by address
     * @throws IndexOutOfBoundsException if there is no such region
     */
    public long regionStartAddress(final int index) {
        return regions.startAddr(checkRegionIndex(index));
    }

    /**
     * @return the address one past the end of region {@code index}
     * @throws IndexOutOfBoundsException if there is no such region
     */
    public long regionEndAddress(final int index) {
        return regions.endAddr(checkRegionIndex(index));
    }

    /**
     * @return the end of the highest region, where {@link #extend} grows the heap
     * @throws IllegalStateException if the heap has no region yet
     */
    public long heapEndAddress() {
        return regions.highestEndAddr();
    }

    private int checkRegionIndex(final int index) {
        if (index < 0 || index >= regions.count()) {
            throw new IndexOutOfBoundsException("no such region: index=" + index + ", regionCount="
                + regions.count());
        }
        return index;
    }

    // ------------------------------------------------------------------------------------------------ figures

    /**
     * Walks every region block by block, in address order, as {@code checkIntegrity} does; for diagnostics and
     * tests (it allocates nothing itself, but it is linear in the blocks of the heap).
     *
     * @throws HeapCorruptionException if a size word would take the walk out of its region
     */
    public void forEachBlock(final LinkedListBlockVisitor visitor) {
        long holeAddr = firstHoleAddr;
        for (int region = 0; region < regions.count(); region++) {
            final long endAddr = regions.endAddr(region);
            long blockAddr = regions.startAddr(region);
            while (blockAddr < endAddr) {
                final long blockBytes = memory.getLong(sizeAddr(blockAddr)) & SIZE_MASK;
                if (blockBytes < MIN_BLOCK_SIZE || blockBytes > endAddr - blockAddr) {
                    throw new HeapCorruptionException("block size leaves its region: blockBytes=" + blockBytes,
                        blockAddr);
                }
                final boolean used = blockAddr != holeAddr;
                if (!used) {
                    holeAddr = memory.getLong(nextHoleAddr(holeAddr));
                }
                visitor.visit(blockAddr, blockBytes, used);
                blockAddr += blockBytes;
            }
        }
    }

    /** @return the largest region's size less one header, 0 for a heap without memory */
    @Override
    public long maxAllocationSize() {
        return Math.max(regions.largestBytes() - HEADER_BYTES, 0);
    }

    @Override
    public Memory memory() {
        return memory;
    }

    /** @return the statistics; {@code bytesInUse} counts headers and rounding, and in use plus free is the heap */
    @Override
    public AllocatorStats stats() {
        return counters.snapshot(regions.totalBytes(), freeBytes);
    }

    /**
     * Checks the regions (sorted, apart, summing to the heap size), the holes (in address order, inside a region,
     * at least the minimum block, not touching), and every region walked block by block (used headers intact,
     * blocks tiling the region), then the sums against the statistics. Linear in the heap's blocks.
     */
    @Override
    public void checkIntegrity() {
        regions.checkIntegrity();
        new LinkedListIntegrity(memory, regions).check(firstHoleAddr, freeBytes, counters.bytesInUse(),
            counters.liveBlocks());
    }

    @Override
    public String toString() {
        return "LinkedListHeap[regions=" + regions.count() + ", heapBytes=" + regions.totalBytes() + ", freeBytes="
            + freeBytes + "]";
    }

    // ------------------------------------------------------------------------------------------------ errors

    /**
     * The slow path of a rejected address: walks from the nearest hole to say exactly what {@code address} is.
     *
     * @return the exception to throw
     * @throws HeapCorruptionException if the walk finds a damaged header on the way
     */
    private RuntimeException rejectedAddress(final long address) {
        final int region = regions.indexOf(address);
        if (region < 0) {
            return AllocatorErrors.notInHeap(address);
        }
        final long regionStartAddr = regions.startAddr(region);
        final long holeAddr = lastHoleAtOrBelow(address);
        final boolean holeInRegion = holeAddr != NO_BLOCK && holeAddr >= regionStartAddr;
        final long holeEndAddr = holeInRegion ? holeAddr + memory.getLong(sizeAddr(holeAddr)) : regionStartAddr;
        if (address < holeEndAddr) {
            // A freed block lay somewhere in this hole; say "double free" where one could have started.
            final boolean couldHaveBeenABlock = (address & (GRANULARITY - 1)) == 0
                && address - holeAddr >= HEADER_BYTES && holeEndAddr - address >= MIN_USED_BLOCK_SIZE - HEADER_BYTES;
            return couldHaveBeenABlock ? AllocatorErrors.doubleFree(address) : AllocatorErrors.notBlockStart(address);
        }
        // Between the hole (or the region's start) and the address lie only used blocks: walk them.
        final long regionEndAddr = regions.endAddr(region);
        long blockAddr = holeEndAddr;
        while (true) {
            final long sizeWord = memory.getLong(sizeAddr(blockAddr));
            if (!isUsedHeader(blockAddr, sizeWord, memory.getLong(checkAddr(blockAddr)), regionEndAddr)) {
                return new HeapCorruptionException("used block header is damaged (size word " + hex(sizeWord)
                    + ") before " + hex(address), blockAddr);
            }
            final long blockBytes = sizeWord & SIZE_MASK;
            if (address - blockAddr < blockBytes) {
                break;
            }
            blockAddr += blockBytes;
        }
        if (address < payloadAddr(blockAddr)) {
            return AllocatorErrors.notBlockStart(address);
        }
        if (address == payloadAddr(blockAddr)) {
            return new HeapCorruptionException("used block overlaps the hole after it", blockAddr);
        }
        return AllocatorErrors.interiorPointer(address, payloadAddr(blockAddr));
    }
}

package dev.ffmalloc.buddy;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorCounters;
import dev.ffmalloc.alloc.AllocatorErrors;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.memory.Memory;

import java.util.Arrays;
import java.util.Objects;

import static dev.ffmalloc.alloc.AllocatorErrors.hex;

/**
 * A binary buddy allocator (Knowlton, "A fast storage allocator", CACM 1965; Knuth, TAOCP vol. 1, 2.5): blocks of
 * {@code minBlockSize << order} bytes, each naturally aligned to its size in the address space, split on allocate
 * and merged with their buddy (block number XOR {@code 2^order}) on free. Allocate and free take time proportional
 * to the number of orders: a bitmap of non-empty orders finds the free list to split from, free lists are doubly
 * linked so a buddy is unlinked in constant time, and no list is ever scanned.
 *
 * <h2>Two metadata placements</h2>
 * Every minimum block of the span has a state word: not managed, inside a block, or the head of a free
 * or used block with its order (allocated blocks have no header, so the order must be kept elsewhere).
 * <ul>
 *   <li>{@link #inBand}: a heap. The state words are a byte table carved from the start of the span itself (counted
 *       as metadata in {@link #stats()}: {@code heapBytes} includes it, {@code bytesInUse} and {@code bytesFree}
 *       do not), and the free-list links live in the free blocks.</li>
 *   <li>{@link #outOfBand}: a frame allocator. State words and links (as block indices) live in a frame table in
 *       another memory, like Linux's {@code struct page} array; the managed memory is never touched.</li>
 * </ul>
 * Both start with nothing managed, as Linux's buddy allocator before {@code memblock_free_all}; memory joins with
 * {@link #addFreeRange}, which carves a range into the largest naturally aligned blocks. The in-band factory adds
 * its span minus the table.
 *
 * <h2>Example: a physical frame allocator</h2>
 * {@snippet :
 * // Frames 0 .. 8 GiB, frame table on the host; only the usable E820 ranges become free.
 * long physBytes = 8L << 30;
 * long tableBytes = BuddyAllocator.frameTableBytes(physBytes, BuddyConfig.PAGE_FRAMES); // 24 MiB
 * NativeMemory table = NativeMemory.allocate(arena, tableBytes);
 * BuddyAllocator frames = BuddyAllocator.outOfBand(null, table, table.baseAddress(), 0, physBytes,
 *     BuddyConfig.PAGE_FRAMES);
 * frames.addFreeRange(0x0, 0x9FC00);                     // 639 KiB low memory (frame 0 is left out)
 * frames.addFreeRange(0x100000, 0xBFFDC000L - 0x100000); // 1 MiB .. ~3 GiB
 * long physAddr = frames.allocateOrder(0);               // one 4 KiB frame
 * long hugeAddr = frames.allocateOrder(9);               // a 2 MiB-aligned 2 MiB block
 * frames.free(physAddr);
 * }
 * The table costs 12 bytes per 4 KiB frame of the span (0.3%), holes included, as Linux's flat {@code mem_map}.
 *
 * <h2>Addresses</h2>
 * Blocks are aligned in absolute addresses (block number = {@code addr >>> log2(minBlockSize)}, as a PFN is), so an
 * alignment up to a block's size costs nothing and a larger one raises the order. Address 0 is never managed: it is
 * {@link #NO_BLOCK}, and like Linux's page 0 it is left out of every range.
 *
 * <h2>What it does not do</h2>
 * It is single-threaded (wrap it in a {@code LockedAllocator}); it wastes up to half of every block (see
 * {@link BuddyConfig}); {@link #reallocate} grows a block in place only into free upper buddies; it does not keep
 * per-migratetype lists or per-CPU caches as Linux does.
 */
public final class BuddyAllocator implements Allocator {

    /** The block index that ends a free list. */
    static final long NO_INDEX = -1;

    private final BuddyMetadata metadata;
    /** Where block contents live, for {@link #reallocate}; null for an out-of-band allocator given none. */
    private final Memory blockMemory;
    private final BuddyConfig config;
    private final int minBlockShift;
    private final int maxOrder;
    /** Address of block index 0, a multiple of the minimum block size. */
    private final long spanAddr;
    /** Bytes of the span, a whole number of minimum blocks: {@code blockCount << minBlockShift}. */
    private final long spanByteSize;
    /** {@code spanAddr >>> minBlockShift}: block numbers (index + this) decide alignment and buddies. */
    private final long firstBlockNumber;
    /** Min blocks in the span; indices run from 0 to {@code blockCount - 1}. */
    private final long blockCount;
    /** Bytes of the span that hold metadata (the in-band table), never managed. */
    private final long metadataBytes;
    /** {@code freeHead[k]}: index of the first free block of order k, or {@link #NO_INDEX}. */
    private final long[] freeHead;
    /** {@code freeCount[k]}: length of the free list of order k. */
    private final long[] freeCount;
    /** Bit k is set iff {@code freeHead[k] != NO_INDEX}. */
    private long nonEmptyOrders;
    /** Bytes in managed min blocks; every one lies in exactly one free or used block. */
    private long managedBytes;
    /** The largest order whose naturally aligned window is wholly managed somewhere, or -1 if none is. */
    private int largestPossibleOrder = -1;
    private final AllocatorCounters counters = new AllocatorCounters();

    private BuddyAllocator(final BuddyMetadata metadata, final Memory blockMemory, final BuddyConfig config,
                           final long spanAddr, final long blockCount, final long metadataBytes) {
        this.metadata = metadata;
        this.blockMemory = blockMemory;
        this.config = config;
        this.minBlockShift = config.minBlockShift();
        this.maxOrder = config.maxOrder();
        this.spanAddr = spanAddr;
        this.spanByteSize = blockCount << minBlockShift;
        this.firstBlockNumber = spanAddr >>> minBlockShift;
        this.blockCount = blockCount;
        this.metadataBytes = metadataBytes;
        this.freeHead = new long[config.orderCount()];
        this.freeCount = new long[config.orderCount()];
        Arrays.fill(freeHead, NO_INDEX);
    }

    // ------------------------------------------------------------------------------------------------ factories

    /**
     * Creates a heap over {@code [spanAddr, spanAddr + spanByteSize)} in {@code memory}: a state table of one byte
     * per minimum block is carved from the start of the span, and the rest is added with {@link #addFreeRange}.
     *
     * @param memory       the memory the span lives in; the allocator reads and writes the span through it
     * @param spanAddr     a multiple of {@code config.minBlockSize()}
     * @param spanByteSize bytes of the span; a partial minimum block at the end is ignored
     * @param config       the orders
     * @return a heap with every block of the span after the table free
     * @throws IllegalArgumentException if the span is misaligned, wraps, leaves no room after its table, or is not
     *                                  in the memory ({@link Memory#checkRange})
     */
    public static BuddyAllocator inBand(final Memory memory, final long spanAddr, final long spanByteSize,
                                        final BuddyConfig config) {
        Objects.requireNonNull(memory, "memory");
        final long blockCount = checkSpan(spanAddr, spanByteSize, config);
        final long tableBytes = InBandLayout.tableBytes(blockCount, config.minBlockSize());
        final long blockBytes = blockCount << config.minBlockShift();
        if (tableBytes >= blockBytes) {
            throw new IllegalArgumentException("span leaves no room for blocks after its state table: spanByteSize="
                + spanByteSize + ", tableBytes=" + tableBytes);
        }
        Memory.checkRange(memory, spanAddr, blockBytes);
        memory.fill(spanAddr, blockCount * InBandLayout.STATE_BYTES, (byte) BlockState.NOT_MANAGED);
        final InBandMetadata metadata = new InBandMetadata(memory, spanAddr, config.minBlockShift());
        final BuddyAllocator allocator = new BuddyAllocator(metadata, memory, config, spanAddr, blockCount,
            tableBytes);
        allocator.addFreeRange(spanAddr + tableBytes, blockBytes - tableBytes);
        return allocator;
    }

    /**
     * Creates a frame allocator over {@code [spanAddr, spanAddr + spanByteSize)} whose metadata all lives in a frame
     * table of {@link #frameTableBytes} bytes at {@code tableAddr} in {@code tableMemory}; the span itself is never
     * read or written. Nothing is managed until {@link #addFreeRange} adds it. The table is zeroed here.
     *
     * @param blockMemory where block contents live, used only by {@link #reallocate}'s copy; may be null, and then
     *                    {@link #memory()} and {@link #reallocate} throw {@link UnsupportedOperationException}
     * @param tableMemory  where the frame table lives
     * @param tableAddr    a multiple of 4, in {@code tableMemory}, not overlapping the span if both memories are one
     * @param spanAddr     address of the first block, a multiple of {@code config.minBlockSize()}; may be 0, as a
     *                     physical address space is (address 0 itself is never managed)
     * @param spanByteSize bytes the table covers; a partial minimum block at the end is ignored
     * @param config       the orders
     * @return an allocator that manages nothing yet
     * @throws IllegalArgumentException if the span or the table address is bad
     */
    public static BuddyAllocator outOfBand(final Memory blockMemory, final Memory tableMemory, final long tableAddr,
                                           final long spanAddr, final long spanByteSize, final BuddyConfig config) {
        Objects.requireNonNull(tableMemory, "tableMemory");
        final long blockCount = checkSpan(spanAddr, spanByteSize, config);
        checkIndexable(blockCount);
        if ((tableAddr & (FrameTableLayout.ENTRY_ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException("frame table address is not " + FrameTableLayout.ENTRY_ALIGNMENT
                + "-byte aligned: tableAddr=" + hex(tableAddr));
        }
        final long tableBytes = FrameTableLayout.tableBytes(blockCount);
        if (tableMemory == blockMemory && tableAddr - spanAddr < spanByteSize && spanAddr - tableAddr < tableBytes) {
            throw new IllegalArgumentException("frame table overlaps the span it describes: tableAddr="
                + hex(tableAddr) + ", tableBytes=" + tableBytes + ", spanAddr=" + hex(spanAddr) + ", spanByteSize="
                + spanByteSize);
        }
        tableMemory.fill(tableAddr, tableBytes, (byte) 0);
        return new BuddyAllocator(new OutOfBandMetadata(tableMemory, tableAddr), blockMemory, config, spanAddr,
            blockCount, 0);
    }

    /**
     * Sizes the frame table of an out-of-band allocator.
     *
     * @param spanByteSize bytes of the span the table covers
     * @param config       the orders
     * @return {@code floor(spanByteSize / minBlockSize) * 12}: one 12-byte entry per minimum block
     * @throws IllegalArgumentException if the size is negative, or the span has more minimum blocks than a frame
     *                                  table can index (so that a caller sizing its table first learns it early)
     */
    public static long frameTableBytes(final long spanByteSize, final BuddyConfig config) {
        if (spanByteSize < 0) {
            throw new IllegalArgumentException("span size is negative: spanByteSize=" + spanByteSize);
        }
        final long blockCount = spanByteSize >>> config.minBlockShift();
        checkIndexable(blockCount);
        return FrameTableLayout.tableBytes(blockCount);
    }

    private static void checkIndexable(final long blockCount) {
        if (blockCount > FrameTableLayout.MAX_BLOCK_COUNT) {
            throw new IllegalArgumentException("span has more blocks than a frame table can index: blockCount="
                + blockCount + ", maxBlockCount=" + FrameTableLayout.MAX_BLOCK_COUNT);
        }
    }

    /** @return the number of min blocks of a valid span, or throws naming what is wrong with it */
    private static long checkSpan(final long spanAddr, final long spanByteSize, final BuddyConfig config) {
        Objects.requireNonNull(config, "config");
        if ((spanAddr & (config.minBlockSize() - 1)) != 0) {
            throw new IllegalArgumentException("span address is not a multiple of the minimum block size: spanAddr="
                + hex(spanAddr) + ", minBlockSize=" + config.minBlockSize());
        }
        if (spanByteSize < config.minBlockSize()) {
            throw new IllegalArgumentException("span is smaller than one minimum block: spanByteSize=" + spanByteSize
                + ", minBlockSize=" + config.minBlockSize());
        }
        final long spanEnd = spanAddr + spanByteSize;
        if (Long.compareUnsigned(spanEnd, spanAddr) <= 0) {
            throw new IllegalArgumentException("span runs past the end of the address space: spanAddr="
                + hex(spanAddr) + ", spanByteSize=" + spanByteSize);
        }
        return spanByteSize >>> config.minBlockShift();
    }

    // ------------------------------------------------------------------------------------------------ adding memory

    /**
     * Adds {@code [addr, addr + byteSize)} to the free memory, as Linux's {@code memblock_free_all} hands a free
     * range to the buddy allocator: the range is rounded inward to whole minimum blocks (and address 0 left out),
     * then carved from its start into blocks whose order is {@code min(maxOrder, lowest set bit of the block
     * number)}, reduced until the block ends within the range; each block goes through the normal free path, so it
     * merges with free buddies added before. Takes time proportional to the range's minimum blocks.
     *
     * @param addr     first byte of the range, any alignment
     * @param byteSize bytes of the range
     * @throws IllegalArgumentException if the size is negative, the range is not inside the span, overlaps the
     *                                  in-band state table, or any of its minimum blocks is already managed
     *                                  (nothing is added then)
     */
    public void addFreeRange(final long addr, final long byteSize) {
        final long offset = addr - spanAddr;
        if (byteSize < 0) {
            throw new IllegalArgumentException("range size is negative: addr=" + hex(addr) + ", byteSize="
                + byteSize);
        }
        if (Long.compareUnsigned(offset, spanByteSize) > 0 || byteSize > spanByteSize - offset) {
            throw rangeOutsideSpan(addr, byteSize);
        }
        final long minBlockMask = config.minBlockSize() - 1;
        long startIndex = (offset + minBlockMask) >>> minBlockShift;
        final long endIndex = (offset + byteSize) >>> minBlockShift;
        if (firstBlockNumber + startIndex == 0) {
            startIndex++;
        }
        if (startIndex < endIndex && startIndex < metadataBytes >>> minBlockShift) {
            throw rangeOverlapsTable(addr, byteSize);
        }
        checkNotManaged(startIndex, endIndex, addr, byteSize);
        for (long index = startIndex; index < endIndex; index++) {
            metadata.setState(index, BlockState.INSIDE);
        }
        long index = startIndex;
        while (index < endIndex) {
            final int order = carveOrder(firstBlockNumber + index, endIndex - index);
            release(index, order);
            index += 1L << order;
        }
        if (startIndex < endIndex) {
            managedBytes += (endIndex - startIndex) << minBlockShift;
            raiseLargestPossibleOrder(startIndex, endIndex);
        }
    }

    /** Checks that no min block of {@code [startIndex, endIndex)} is managed yet, before anything changes. */
    private void checkNotManaged(final long startIndex, final long endIndex, final long addr, final long byteSize) {
        for (long index = startIndex; index < endIndex; index++) {
            final int state = metadata.state(index);
            if (state != BlockState.NOT_MANAGED) {
                throw rangeOverlapsManaged(addr, byteSize, blockAddr(index), state);
            }
        }
    }

    /** @return the order of the block carved at {@code blockNumber} with {@code blocksLeft} min blocks to go */
    private int carveOrder(final long blockNumber, final long blocksLeft) {
        int order = Math.min(maxOrder, Long.numberOfTrailingZeros(blockNumber));
        while ((1L << order) > blocksLeft) {
            order--;
        }
        return order;
    }

    /**
     * Raises {@link #largestPossibleOrder} to the largest order with a wholly managed window overlapping the range
     * just added. Per order, at most the two windows at the range's ends are scanned (their parts outside it).
     */
    private void raiseLargestPossibleOrder(final long startIndex, final long endIndex) {
        for (int order = maxOrder; order > largestPossibleOrder; order--) {
            final long windowBlocks = 1L << order;
            final long firstWindow = ((firstBlockNumber + startIndex) & -windowBlocks) - firstBlockNumber;
            for (long window = firstWindow; window < endIndex; window += windowBlocks) {
                if (isWindowManaged(window, window + windowBlocks, startIndex, endIndex)) {
                    largestPossibleOrder = order;
                    return;
                }
            }
        }
    }

    /** @return whether every min block of {@code [window, windowEnd)} is managed, knowing the range is */
    private boolean isWindowManaged(final long window, final long windowEnd, final long startIndex,
                                    final long endIndex) {
        if (window < 0 || windowEnd > blockCount) {
            return false;
        }
        return allManaged(window, Math.min(startIndex, windowEnd)) && allManaged(Math.max(endIndex, window), windowEnd);
    }

    private boolean allManaged(final long fromIndex, final long toIndex) {
        for (long index = fromIndex; index < toIndex; index++) {
            if (metadata.state(index) == BlockState.NOT_MANAGED) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ allocation

    /**
     * Allocates the smallest block that holds {@code byteSize} bytes and is aligned to {@code byteAlignment}: the
     * block of order {@code orderForSize(max(byteSize, byteAlignment, 1))}.
     *
     * @throws IllegalArgumentException also if the alignment is above the largest block that could exist
     */
    @Override
    public long tryAllocate(final long byteSize, final long byteAlignment) {
        AllocatorErrors.checkRequest(byteSize, byteAlignment, maxAllocationSize());
        checkAlignment(byteAlignment);
        return allocateOrderUnchecked(config.orderForSize(Math.max(byteSize, byteAlignment)));
    }

    /**
     * Rejects an alignment no block could ever have (a block is aligned to its size): above the largest block of an
     * in-band heap, which never grows, else above the largest block size of the configuration, since a frame
     * allocator may still be given more memory.
     */
    private void checkAlignment(final long byteAlignment) {
        final long maxAlignment = metadata instanceof InBandMetadata ? maxAllocationSize() : config.maxBlockSize();
        if (byteAlignment > maxAlignment) {
            throw AllocatorErrors.alignmentTooLarge(byteAlignment, maxAlignment);
        }
    }

    /**
     * Allocates a block of {@code order}, as Linux's {@code alloc_pages} does.
     *
     * @param order from 0 to maxOrder
     * @return the block's address, aligned to its size {@code minBlockSize << order}
     * @throws IllegalArgumentException if the order is outside 0..maxOrder
     * @throws OutOfMemoryException     if no free block of that order or above exists
     */
    public long allocateOrder(final int order) {
        final long blockAddr = tryAllocateOrder(order);
        if (blockAddr == NO_BLOCK) {
            throw AllocatorErrors.outOfMemory(config.blockSize(order), config.blockSize(order), freeBytes());
        }
        return blockAddr;
    }

    /**
     * Allocates a block of {@code order} without creating garbage when none is free.
     *
     * @param order from 0 to maxOrder
     * @return the block's address, or {@link #NO_BLOCK} if no free block of that order or above exists
     * @throws IllegalArgumentException if the order is outside 0..maxOrder
     */
    public long tryAllocateOrder(final int order) {
        checkOrder(order);
        return allocateOrderUnchecked(order);
    }

    /** The allocation path: take the smallest free block of at least {@code order}, split it down to it. */
    private long allocateOrderUnchecked(final int order) {
        final long candidateOrders = nonEmptyOrders & (-1L << order);
        if (candidateOrders == 0) {
            return NO_BLOCK;
        }
        int blockOrder = Long.numberOfTrailingZeros(candidateOrders);
        final long blockIndex = freeHead[blockOrder];
        assert metadata.state(blockIndex) == BlockState.free(blockOrder) : "listed block is not free of its order";
        unlinkFree(blockIndex, blockOrder);
        // Split: keep the lower half, free the upper half one order down, until the block has the order asked.
        while (blockOrder > order) {
            blockOrder--;
            pushFree(blockIndex + (1L << blockOrder), blockOrder);
        }
        metadata.setState(blockIndex, BlockState.used(order));
        counters.onAllocate(config.blockSize(order));
        return blockAddr(blockIndex);
    }

    // ------------------------------------------------------------------------------------------------ free

    /**
     * Frees a block and merges it with its buddy as far as possible.
     *
     * <p>Preconditions: none beyond the checked ones. Every bad address is detected exactly from the state words:
     * an address outside the span or never added, an address inside a block (aligned to a min block or not), and a
     * double free (the block, or a merged block containing it, is free).
     *
     * @throws IllegalArgumentException if the address was never handed out or points inside a block
     * @throws IllegalStateException    if the block is already free
     */
    @Override
    public void free(final long address) {
        final long blockIndex = usedBlockIndex(address);
        final int order = BlockState.order(metadata.state(blockIndex));
        counters.onFree(config.blockSize(order));
        release(blockIndex, order);
    }

    /** Frees block {@code blockIndex} of {@code order}: merge with free buddies while possible, then list it. */
    private void release(final long blockIndex, final int order) {
        long index = blockIndex;
        int blockOrder = order;
        while (blockOrder < maxOrder) {
            final long buddyIndex = ((firstBlockNumber + index) ^ (1L << blockOrder)) - firstBlockNumber;
            if (Long.compareUnsigned(buddyIndex, blockCount) >= 0
                || metadata.state(buddyIndex) != BlockState.free(blockOrder)) {
                break;
            }
            unlinkFree(buddyIndex, blockOrder);
            assert (Math.min(index, buddyIndex) + firstBlockNumber & (2L << blockOrder) - 1) == 0
                : "merged block is not naturally aligned";
            metadata.setState(Math.max(index, buddyIndex), BlockState.INSIDE);
            index = Math.min(index, buddyIndex);
            blockOrder++;
        }
        pushFree(index, blockOrder);
    }

    /**
     * @return the index of the used block that starts at {@code address}
     * @throws RuntimeException the exception of {@link #badAddress} if it is not one
     */
    private long usedBlockIndex(final long address) {
        final long offset = address - spanAddr;
        if (Long.compareUnsigned(offset, spanByteSize) >= 0) {
            throw AllocatorErrors.notInHeap(address);
        }
        final long blockIndex = offset >>> minBlockShift;
        final int state = metadata.state(blockIndex);
        if (BlockState.isUsed(state) && blockAddr(blockIndex) == address) {
            return blockIndex;
        }
        throw badAddress(address, blockIndex, state);
    }

    /** Works out why {@code address}, in min block {@code blockIndex}, is not the start of a used block. */
    private RuntimeException badAddress(final long address, final long blockIndex, final int state) {
        if (state == BlockState.NOT_MANAGED) {
            return AllocatorErrors.notInHeap(address);
        }
        final long headIndex = blockContaining(blockIndex);
        if (headIndex == NO_INDEX) {
            return new HeapCorruptionException("min block is inside no block: state=" + BlockState.describe(state),
                blockAddr(blockIndex));
        }
        final long blockAddr = blockAddr(headIndex);
        if (BlockState.isUsed(metadata.state(headIndex))) {
            return AllocatorErrors.interiorPointer(address, blockAddr);
        }
        return blockAddr == address ? AllocatorErrors.doubleFree(address) : insideFreeBlock(address, blockAddr);
    }

    /**
     * @return the index of the head of the block containing managed min block {@code blockIndex}, or
     * {@link #NO_INDEX} if none does (a broken table). The head is at the block number with the low {@code k} bits
     * cleared for the block's order {@code k}, so at most one candidate per order is looked at.
     */
    private long blockContaining(final long blockIndex) {
        if (BlockState.isHead(metadata.state(blockIndex))) {
            return blockIndex;
        }
        final long blockNumber = firstBlockNumber + blockIndex;
        for (int order = 1; order <= maxOrder; order++) {
            final long headIndex = (blockNumber & (-1L << order)) - firstBlockNumber;
            if (headIndex < 0) {
                break;
            }
            final int state = metadata.state(headIndex);
            if (BlockState.isHead(state) && BlockState.order(state) >= order) {
                return headIndex;
            }
        }
        return NO_INDEX;
    }

    // ------------------------------------------------------------------------------------------------ free lists

    /** Makes {@code blockIndex} a free block of {@code order} at the head of its list. */
    private void pushFree(final long blockIndex, final int order) {
        final long headIndex = freeHead[order];
        metadata.setState(blockIndex, BlockState.free(order));
        metadata.setPrevFree(blockIndex, NO_INDEX);
        metadata.setNextFree(blockIndex, headIndex);
        if (headIndex != NO_INDEX) {
            metadata.setPrevFree(headIndex, blockIndex);
        }
        freeHead[order] = blockIndex;
        freeCount[order]++;
        nonEmptyOrders |= 1L << order;
    }

    /** Takes the free block {@code blockIndex} out of the list of {@code order}; the caller sets its new state. */
    private void unlinkFree(final long blockIndex, final int order) {
        final long prevIndex = metadata.prevFree(blockIndex);
        final long nextIndex = metadata.nextFree(blockIndex);
        if (prevIndex == NO_INDEX) {
            freeHead[order] = nextIndex;
        } else {
            metadata.setNextFree(prevIndex, nextIndex);
        }
        if (nextIndex != NO_INDEX) {
            metadata.setPrevFree(nextIndex, prevIndex);
        }
        if (--freeCount[order] == 0) {
            nonEmptyOrders &= ~(1L << order);
        }
    }

    // ------------------------------------------------------------------------------------------------ resizing

    /**
     * Resizes a block in place when it can: shrinking frees its upper halves; growing takes its upper buddies when
     * the block is the lower half at every order on the way up and each buddy is free at exactly that order (so the
     * contents stay put and nothing is copied). Otherwise it allocates a block of the new order, copies and frees
     * the old one. Takes time proportional to the number of orders, plus the copy.
     *
     * @throws UnsupportedOperationException if this out-of-band allocator has no block memory
     * @throws OutOfMemoryException          if no block of the new order is free; the old block is untouched
     */
    @Override
    public long reallocate(final long address, final long newByteSize, final long byteAlignment) {
        final Memory memory = memory();
        final long blockIndex = usedBlockIndex(address);
        AllocatorErrors.checkRequest(newByteSize, byteAlignment, maxAllocationSize());
        checkAlignment(byteAlignment);
        final int oldOrder = BlockState.order(metadata.state(blockIndex));
        final int newOrder = config.orderForSize(Math.max(newByteSize, byteAlignment));
        if (newOrder <= oldOrder || canGrowInPlace(blockIndex, oldOrder, newOrder)) {
            resizeInPlace(blockIndex, oldOrder, newOrder);
            return address;
        }
        final long newAddress = allocateOrderUnchecked(newOrder);
        if (newAddress == NO_BLOCK) {
            throw AllocatorErrors.outOfMemory(newByteSize, byteAlignment, freeBytes());
        }
        memory.copy(address, newAddress, Math.min(config.blockSize(oldOrder), newByteSize));
        counters.onFree(config.blockSize(oldOrder));
        release(blockIndex, oldOrder);
        return newAddress;
    }

    /** @return whether the upper buddy of the block at every order from {@code oldOrder} up is free of that order */
    private boolean canGrowInPlace(final long blockIndex, final int oldOrder, final int newOrder) {
        final long blockNumber = firstBlockNumber + blockIndex;
        for (int order = oldOrder; order < newOrder; order++) {
            final long buddyIndex = blockIndex + (1L << order);
            if ((blockNumber & (1L << order)) != 0 || buddyIndex >= blockCount
                || metadata.state(buddyIndex) != BlockState.free(order)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Changes the order of used block {@code blockIndex}: growing absorbs the free upper buddies (checked by
     * {@link #canGrowInPlace}); shrinking frees the upper halves, which cannot merge since their buddy is the kept
     * part. The block stays aligned to its new size: to grow it was the lower half at every order.
     */
    private void resizeInPlace(final long blockIndex, final int oldOrder, final int newOrder) {
        for (int order = oldOrder; order < newOrder; order++) {
            final long buddyIndex = blockIndex + (1L << order);
            unlinkFree(buddyIndex, order);
            metadata.setState(buddyIndex, BlockState.INSIDE);
        }
        for (int order = oldOrder - 1; order >= newOrder; order--) {
            pushFree(blockIndex + (1L << order), order);
        }
        metadata.setState(blockIndex, BlockState.used(newOrder));
        counters.onResize(config.blockSize(oldOrder), config.blockSize(newOrder));
    }

    // ------------------------------------------------------------------------------------------------ queries

    /** @return the size of the block at {@code address}, {@code minBlockSize << order} */
    @Override
    public long usableSize(final long address) {
        return config.blockSize(orderOf(address));
    }

    /**
     * @return the order of the used block at {@code address}
     * @throws IllegalArgumentException if the address is not the start of a used block
     * @throws IllegalStateException    if the block is free
     */
    public int orderOf(final long address) {
        return BlockState.order(metadata.state(usedBlockIndex(address)));
    }

    /**
     * @return the size of the largest block that could ever exist: the largest naturally aligned window of at most
     * {@code maxBlockSize} bytes that is wholly managed; 0 while nothing is managed
     */
    @Override
    public long maxAllocationSize() {
        return largestPossibleOrder < 0 ? 0 : config.blockSize(largestPossibleOrder);
    }

    /**
     * @return the memory block contents live in
     * @throws UnsupportedOperationException if this out-of-band allocator was given no block memory
     */
    @Override
    public Memory memory() {
        if (blockMemory == null) {
            throw new UnsupportedOperationException("out-of-band buddy allocator was given no block memory: spanAddr="
                + hex(spanAddr) + ", spanByteSize=" + spanByteSize);
        }
        return blockMemory;
    }

    /** @return statistics; {@code heapBytes} is the managed bytes plus the in-band table */
    @Override
    public AllocatorStats stats() {
        return counters.snapshot(managedBytes + metadataBytes, freeBytes());
    }

    /**
     * @param order from 0 to maxOrder
     * @return how many free blocks of {@code order} there are
     */
    public long freeBlocks(final int order) {
        checkOrder(order);
        return freeCount[order];
    }

    /** @return a new array: element k is the number of free blocks of order k */
    public long[] freeBlocksPerOrder() {
        return freeCount.clone();
    }

    /** @return bytes in free blocks */
    public long freeBytes() {
        long bytes = 0;
        for (int order = 0; order <= maxOrder; order++) {
            bytes += freeCount[order] << (minBlockShift + order);
        }
        return bytes;
    }

    /** @return bytes in managed min blocks (free or used), without the in-band table */
    public long managedBytes() {
        return managedBytes;
    }

    /** @return the orders */
    public BuddyConfig config() {
        return config;
    }

    /** @return the address of the first byte of the span */
    public long spanAddr() {
        return spanAddr;
    }

    /** @return bytes of the span, a whole number of minimum blocks */
    public long spanByteSize() {
        return spanByteSize;
    }

    private long blockAddr(final long blockIndex) {
        return spanAddr + (blockIndex << minBlockShift);
    }

    private void checkOrder(final int order) {
        if (order < 0 || order > maxOrder) {
            throw new IllegalArgumentException("order is out of range: order=" + order + ", maxOrder=" + maxOrder);
        }
    }

    // ------------------------------------------------------------------------------------------------ integrity

    /**
     * Checks every free list (links agree both ways, no cycle, each listed block a free head of that order, the
     * non-empty bitmap), then walks the state table block by block (heads naturally aligned and inside the span,
     * every other min block of a block marked inside, no two free buddies of one order), and matches the counts
     * and bytes found against the lists and the statistics. Takes time proportional to the span's min blocks.
     */
    @Override
    public void checkIntegrity() {
        for (int order = 0; order <= maxOrder; order++) {
            checkFreeList(order);
        }
        final long[] freeFound = new long[maxOrder + 1];
        long usedBlocks = 0;
        long usedBytes = 0;
        long managedBlocks = 0;
        long index = 0;
        while (index < blockCount) {
            final int state = metadata.state(index);
            if (state == BlockState.NOT_MANAGED) {
                index++;
                continue;
            }
            final int order = checkHead(index, state);
            if (BlockState.isFree(state)) {
                freeFound[order]++;
            } else {
                usedBlocks++;
                usedBytes += config.blockSize(order);
            }
            managedBlocks += 1L << order;
            index += 1L << order;
        }
        for (int order = 0; order <= maxOrder; order++) {
            if (freeFound[order] != freeCount[order]) {
                throw new HeapCorruptionException("free heads in the table differ from the free list: order=" + order
                    + ", inTable=" + freeFound[order] + ", listed=" + freeCount[order], spanAddr);
            }
        }
        checkTotals(usedBlocks, usedBytes, managedBlocks);
    }

    /** Checks the free list of {@code order} and its bit in {@link #nonEmptyOrders}. */
    private void checkFreeList(final int order) {
        final boolean listed = freeHead[order] != NO_INDEX;
        if (listed != ((nonEmptyOrders >>> order & 1) != 0) || listed != (freeCount[order] != 0)) {
            throw new HeapCorruptionException("non-empty bitmap, head and count disagree: order=" + order
                + ", count=" + freeCount[order], spanAddr);
        }
        long prevIndex = NO_INDEX;
        long count = 0;
        for (long index = freeHead[order]; index != NO_INDEX; index = metadata.nextFree(index)) {
            if (index < 0 || index >= blockCount) {
                throw new HeapCorruptionException("free list links outside the span: order=" + order + ", index="
                    + index, prevIndex == NO_INDEX ? spanAddr : blockAddr(prevIndex));
            }
            if (++count > freeCount[order]) {
                throw new HeapCorruptionException("free list is longer than its count (a cycle?): order=" + order
                    + ", count=" + freeCount[order], blockAddr(index));
            }
            if (metadata.prevFree(index) != prevIndex) {
                throw new HeapCorruptionException("free list prev link disagrees with next link: order=" + order,
                    blockAddr(index));
            }
            final int state = metadata.state(index);
            if (state != BlockState.free(order)) {
                throw new HeapCorruptionException("free list of order " + order + " holds a block whose state is "
                    + BlockState.describe(state), blockAddr(index));
            }
            prevIndex = index;
        }
        if (count != freeCount[order]) {
            throw new HeapCorruptionException("free list is shorter than its count: order=" + order + ", count="
                + freeCount[order] + ", listed=" + count, spanAddr);
        }
    }

    /** Checks the block whose head is at {@code index}; returns its order. */
    private int checkHead(final long index, final int state) {
        if (!BlockState.isHead(state)) {
            throw new HeapCorruptionException("min block is inside no block: state=" + BlockState.describe(state),
                blockAddr(index));
        }
        final int order = BlockState.order(state);
        final long blocks = 1L << order;
        if (order > maxOrder || ((firstBlockNumber + index) & (blocks - 1)) != 0 || index + blocks > blockCount) {
            throw new HeapCorruptionException("block is above maxOrder, misaligned or past the span: state="
                + BlockState.describe(state), blockAddr(index));
        }
        for (long inside = index + 1; inside < index + blocks; inside++) {
            if (metadata.state(inside) != BlockState.INSIDE) {
                throw new HeapCorruptionException("min block of a " + BlockState.describe(state) + " block is "
                    + BlockState.describe(metadata.state(inside)), blockAddr(inside));
            }
        }
        if (BlockState.isFree(state) && order < maxOrder) {
            final long buddyIndex = ((firstBlockNumber + index) ^ blocks) - firstBlockNumber;
            if (Long.compareUnsigned(buddyIndex, blockCount) < 0 && metadata.state(buddyIndex) == state) {
                throw new HeapCorruptionException("free buddies of one order were not merged: order=" + order,
                    blockAddr(index));
            }
        }
        return order;
    }

    private void checkTotals(final long usedBlocks, final long usedBytes, final long managedBlocks) {
        if (usedBlocks != counters.liveBlocks() || usedBytes != counters.bytesInUse()) {
            throw new HeapCorruptionException("used blocks differ from the statistics: usedBlocks=" + usedBlocks
                + ", liveBlocks=" + counters.liveBlocks() + ", usedBytes=" + usedBytes + ", bytesInUse="
                + counters.bytesInUse(), spanAddr);
        }
        if (managedBlocks << minBlockShift != managedBytes) {
            throw new HeapCorruptionException("blocks in the table do not cover the managed bytes: blockBytes="
                + (managedBlocks << minBlockShift) + ", managedBytes=" + managedBytes, spanAddr);
        }
    }

    @Override
    public String toString() {
        return "BuddyAllocator[" + (metadata instanceof InBandMetadata ? "in-band" : "out-of-band") + ", span="
            + hex(spanAddr) + "+" + spanByteSize + ", " + config + "]";
    }

    // ------------------------------------------------------------------------------------------------ errors

    private IllegalArgumentException rangeOutsideSpan(final long addr, final long byteSize) {
        return new IllegalArgumentException("range lies outside the span: addr=" + hex(addr) + ", byteSize="
            + byteSize + ", spanAddr=" + hex(spanAddr) + ", spanEnd=" + hex(spanAddr + spanByteSize));
    }

    private IllegalArgumentException rangeOverlapsTable(final long addr, final long byteSize) {
        return new IllegalArgumentException("range overlaps the in-band state table: addr=" + hex(addr)
            + ", byteSize=" + byteSize + ", tableAddr=" + hex(spanAddr) + ", tableBytes=" + metadataBytes);
    }

    private static IllegalArgumentException rangeOverlapsManaged(final long addr, final long byteSize,
                                                                 final long minBlockAddr, final int state) {
        return new IllegalArgumentException("range overlaps memory already managed: addr=" + hex(addr)
            + ", byteSize=" + byteSize + ", minBlockAddr=" + hex(minBlockAddr) + ", state="
            + BlockState.describe(state));
    }

    private static IllegalStateException insideFreeBlock(final long address, final long blockAddr) {
        return new IllegalStateException("address lies inside a free block (a double free, or never a block start):"
            + " addr=" + hex(address) + ", blockAddr=" + hex(blockAddr));
    }
}

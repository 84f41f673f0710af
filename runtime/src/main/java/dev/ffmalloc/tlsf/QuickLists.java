package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.HeapCorruptionException;
import org.agrona.collections.Long2LongHashMap;

import static dev.ffmalloc.tlsf.TlsfLayout.GRANULARITY_LOG2;
import static dev.ffmalloc.tlsf.TlsfLayout.MIN_BLOCK_SIZE;

/**
 * Quick lists in front of a {@link Tlsf} heap (the "quick fit" of Weinstock and Wulf, what glibc's tcache is to its
 * bins): one short LIFO stack of freed blocks per exact block size, so that a block freed and soon asked for again
 * at the same size goes out and comes back without splitting, merging, or touching a neighbour or a free list.
 *
 * <p>A block in a quick list stays used for the heap around it (its neighbours never merge with it) and carries
 * {@link TlsfLayout#SIZE_QUICK}, by which a second free of it is caught. {@link Tlsf} merges parked blocks back into
 * the free lists, largest first, when an allocation finds no fit, so parked blocks never cause an out-of-memory; and
 * it bounds what they hold: at most {@link QuickListConfig#depth()} blocks per size and
 * {@link QuickListConfig#maxBytes()} bytes in all, never more than an eighth of the heap, and never more than the heap's
 * free lists hold.
 *
 * <p>The stacks are slices of one Java array, allocated once ({@code depth} addresses per size): pushing and popping
 * write no garbage and never touch native memory, so a quick allocation or free costs the heap nothing beyond the
 * block's own size word.
 *
 * <p>In front of the stacks, one slot holds a block parked without the flag: the block the last allocation handed
 * out, freed before any other allocation, whose size word the heap knows (see {@link Tlsf#free}). Taking it back
 * writes nothing either, so the common allocate/free pair at one size touches no memory at all. A second free of it
 * is caught by comparing its address with the slot's. It counts as parked in every figure and limit, except the
 * per-size depth.
 */
final class QuickLists {

    /**
     * What the taking functions return when they have no block, and the empty front slot's address: -1, which no
     * block address can be (they are multiples of 16), where 0 can (a heap may start at address 0).
     */
    static final long NO_PARKED_BLOCK = -1;

    /** The lists hold at most this fraction of the heap: an eighth. */
    static final long HEAP_SHARE_DIVISOR = 8;

    private final QuickListConfig config;
    /** The largest block size a list holds: {@code config.maxBlockSize()}, or 0 when the lists are off. */
    private final long maxBlockSize;
    private final int depth;
    /** The most bytes the lists may hold now: the configured limit, or an eighth of the heap if that is less. */
    private long byteLimit;
    /**
     * The stacks: list {@code i} (block size {@code i * 16}) holds its blocks, oldest first, in
     * {@code parked[i * depth]} to {@code parked[i * depth + lengths[i] - 1]}.
     */
    private final long[] parked;
    /** Blocks in each list, at most {@link #depth}. */
    private final int[] lengths;
    /** No list above this one holds a block (list 0, of 0-byte blocks, never does). */
    private int highestList;
    /**
     * Blocks and bytes ever pushed and ever popped: what is parked is the difference. Push and pop each write only
     * their own pair, so the counts add no store-to-load chain to a free/allocate loop (see AllocatorCounters).
     */
    private long blocksPushed;
    private long bytesPushed;
    private long blocksPopped;
    private long bytesPopped;
    /** Blocks taken out by {@link #popLargest} and {@link #drain}, to go back to the free lists (slow paths). */
    private long blocksFlushed;
    /**
     * The front slot: at most one parked block whose header still reads used without the quick flag, because the
     * heap parked it without touching it (see {@link Tlsf#free}); {@link #NO_PARKED_BLOCK} when empty. A block of
     * exactly its size is taken from it before the stacks, so an allocate/free pair at one size touches no header.
     */
    private long frontAddr = NO_PARKED_BLOCK;
    /** The front block's size, 0 when the slot is empty (no block is 0 bytes). */
    private long frontSize;

    QuickLists(final QuickListConfig config) {
        this.config = config;
        this.maxBlockSize = config.enabled() ? config.maxBlockSize() : 0;
        this.depth = config.depth();
        final int lists = config.enabled() ? (int) (maxBlockSize >>> GRANULARITY_LOG2) + 1 : 0;
        this.parked = new long[lists * depth];
        this.lengths = new int[lists];
    }

    /**
     * Sets the byte limit for a heap of {@code heapBytes}: {@link QuickListConfig#maxBytes()}, but never more than
     * {@value #HEAP_SHARE_DIVISOR}th of the heap, so that a small heap does not park most of itself. Blocks parked
     * above a lowered limit stay until they are taken or flushed.
     */
    void limitForHeap(final long heapBytes) {
        byteLimit = Math.min(config.maxBytes(), heapBytes / HEAP_SHARE_DIVISOR);
    }

    /**
     * @param blockSize     the size of a block being freed
     * @param freeListBytes the bytes in the heap's free lists now
     * @return whether the block may be parked now: its list has room, and the parked bytes stay within the byte
     *         limit and at most {@code freeListBytes}, so that at least half of what is free stays in the free lists,
     *         where a request of any size can find it. Without that bound, a heap with little free memory (a growable
     *         heap grows only as far as it must) would park nearly all of it, and most requests of another size would
     *         find no fit and merge parked blocks back.
     */
    boolean accepts(final long blockSize, final long freeListBytes) {
        final long parkedAfter = bytesPushed - bytesPopped + blockSize;
        return blockSize <= maxBlockSize && lengths[(int) (blockSize >>> GRANULARITY_LOG2)] < depth
            && parkedAfter <= byteLimit && parkedAfter <= freeListBytes;
    }

    /**
     * @return whether a block may be parked in the front slot now: the slot is empty and the byte limits of
     *         {@link #accepts} hold (the stacks' depth does not apply to it)
     */
    boolean acceptsFront(final long blockSize, final long freeListBytes) {
        final long parkedAfter = bytesPushed - bytesPopped + blockSize;
        return frontSize == 0 && blockSize <= maxBlockSize && parkedAfter <= byteLimit
            && parkedAfter <= freeListBytes;
    }

    /** Parks a block that {@link #acceptsFront} in the front slot; its size word is untouched. */
    void pushFront(final long blockAddr, final long blockSize) {
        frontAddr = blockAddr;
        frontSize = blockSize;
        blocksPushed++;
        bytesPushed += blockSize;
    }

    /**
     * @return the front block if it has exactly {@code blockSize} bytes (never 0), taken out of the slot; or
     *         {@link #NO_PARKED_BLOCK}
     */
    long popFront(final long blockSize) {
        if (blockSize != frontSize) {
            return NO_PARKED_BLOCK;
        }
        final long blockAddr = frontAddr;
        frontAddr = NO_PARKED_BLOCK;
        frontSize = 0;
        blocksPopped++;
        bytesPopped += blockSize;
        return blockAddr;
    }

    /** @return the block in the front slot, or {@link #NO_PARKED_BLOCK} */
    long frontBlock() {
        return frontAddr;
    }

    /** Parks a block that {@link #accepts} its size; its size word already carries the quick flag. */
    void push(final long blockAddr, final long blockSize) {
        final int list = (int) (blockSize >>> GRANULARITY_LOG2);
        parked[list * depth + lengths[list]++] = blockAddr;
        if (list > highestList) {
            highestList = list;
        }
        blocksPushed++;
        bytesPushed += blockSize;
    }

    /**
     * @return the most recently parked block of exactly {@code blockSize} bytes, taken out of its list; or
     *         {@link #NO_PARKED_BLOCK}
     */
    long pop(final long blockSize) {
        if (blockSize > maxBlockSize) {
            return NO_PARKED_BLOCK;
        }
        final int list = (int) (blockSize >>> GRANULARITY_LOG2);
        final int length = lengths[list];
        if (length == 0) {
            return NO_PARKED_BLOCK;
        }
        lengths[list] = length - 1;
        blocksPopped++;
        bytesPopped += blockSize;
        return parked[list * depth + length - 1];
    }

    /**
     * Takes the most recently parked block of the largest parked size out of the lists. Linear in the lists.
     *
     * @return its address (its size is in its size word), or {@link #NO_PARKED_BLOCK} if every list is empty
     */
    long popLargest() {
        final long largest = largestBlockSize();
        if (largest == 0) {
            return NO_PARKED_BLOCK;
        }
        blocksFlushed++;
        return largest == frontSize ? popFront(largest) : pop(largest);
    }

    /** Receives each block {@link #drain} takes out. */
    interface DrainedBlock {
        void take(long blockAddr);
    }

    /** Takes every parked block out of the lists, the front one first, handing each to {@code sink}. */
    void drain(final DrainedBlock sink) {
        if (frontSize != 0) {
            blocksFlushed++;
            sink.take(popFront(frontSize));
        }
        for (int list = highestList; list > 0; list--) {
            final long blockSize = (long) list << GRANULARITY_LOG2;
            while (lengths[list] != 0) {
                blocksFlushed++;
                sink.take(pop(blockSize));
            }
        }
    }

    /**
     * @return the size of the largest parked block, or 0. Amortized constant time: the search starts at
     *         {@link #highestList} and moves it down past the lists it finds empty, which only a push above can
     *         refill.
     */
    long largestBlockSize() {
        int list = highestList;
        while (list > 0 && lengths[list] == 0) {
            list--;
        }
        highestList = list;
        return Math.max(frontSize, (long) list << GRANULARITY_LOG2);
    }

    /** @return how many blocks are parked */
    long blockCount() {
        return blocksPushed - blocksPopped;
    }

    /** @return how many allocations, ever, took a parked block: the blocks taken out other than by a flush */
    long quickAllocations() {
        return blocksPopped - blocksFlushed;
    }

    /** @return the bytes of the parked blocks, headers included */
    long byteCount() {
        return bytesPushed - bytesPopped;
    }

    /** @return the limits the lists were made with */
    QuickListConfig config() {
        return config;
    }

    /** Receives each parked block from {@link #check}, to verify it against the heap. */
    interface ParkedBlockCheck {
        /** @param flagged whether its size word carries the quick flag: every parked block but the front one */
        void check(long blockAddr, long blockSize, boolean flagged);
    }

    /**
     * Checks the lists' own invariants (lengths within the depth, none above the highest list, totals as counted, no
     * block parked twice) and hands every parked block to {@code blockCheck}.
     *
     * @throws HeapCorruptionException naming the first broken invariant
     */
    void check(final ParkedBlockCheck blockCheck) {
        final Long2LongHashMap seen = new Long2LongHashMap(0);
        long blocks = 0;
        long bytes = 0;
        if ((frontAddr == NO_PARKED_BLOCK) != (frontSize == 0) || frontSize < 0 || frontSize > maxBlockSize
            || (frontSize != 0 && frontSize < MIN_BLOCK_SIZE)) {
            throw new HeapCorruptionException("the front slot holds a block of " + MIN_BLOCK_SIZE + " to "
                + maxBlockSize + " bytes, or none: frontSize=" + frontSize, frontAddr);
        }
        if (frontSize != 0) {
            seen.put(frontAddr, frontSize);
            blockCheck.check(frontAddr, frontSize, false);
            blocks++;
            bytes += frontSize;
        }
        for (int list = 0; list < lengths.length; list++) {
            final long blockSize = (long) list << GRANULARITY_LOG2;
            final int length = lengths[list];
            if (length < 0 || length > depth || (length > 0 && blockSize < MIN_BLOCK_SIZE)) {
                throw new HeapCorruptionException("quick list of " + blockSize + "-byte blocks holds 0 to " + depth
                    + " blocks, none below the minimum block: length=" + length, 0);
            }
            if (length > 0 && list > highestList) {
                throw new HeapCorruptionException("no quick list above the highest one holds a block: list of "
                    + blockSize + "-byte blocks holds " + length + ", highest list=" + highestList, 0);
            }
            for (int i = 0; i < length; i++) {
                final long blockAddr = parked[list * depth + i];
                if (seen.put(blockAddr, blockSize) != 0) {
                    throw new HeapCorruptionException("a block is parked once", blockAddr);
                }
                blockCheck.check(blockAddr, blockSize, true);
            }
            blocks += length;
            bytes += length * blockSize;
        }
        if (blocks != blockCount() || bytes != byteCount() || bytes > config.maxBytes()) {
            throw new HeapCorruptionException("quick lists hold the blocks and bytes counted, within the limit: "
                + "blocks=" + blocks + "/" + blockCount() + ", bytes=" + bytes + "/" + byteCount() + ", maxBytes="
                + config.maxBytes(), 0);
        }
    }

    @Override
    public String toString() {
        return "QuickLists[" + config + ", blocks=" + blockCount() + ", bytes=" + byteCount() + "]";
    }
}

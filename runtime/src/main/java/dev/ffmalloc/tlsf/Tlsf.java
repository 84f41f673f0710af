package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorCounters;
import dev.ffmalloc.alloc.AllocatorErrors;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.memory.Memory;

import java.util.Arrays;

import static dev.ffmalloc.alloc.AllocatorErrors.hex;
import static dev.ffmalloc.tlsf.TlsfLayout.GRANULARITY;
import static dev.ffmalloc.tlsf.TlsfLayout.HEADER_SIZE;
import static dev.ffmalloc.tlsf.TlsfLayout.MIN_BLOCK_SIZE;
import static dev.ffmalloc.tlsf.TlsfLayout.PADDED_PAYLOAD_OFFSET;
import static dev.ffmalloc.tlsf.TlsfLayout.PAD_SIZE;
import static dev.ffmalloc.tlsf.TlsfLayout.PAD_TAG;
import static dev.ffmalloc.tlsf.TlsfLayout.SENTINEL_SIZE;
import static dev.ffmalloc.tlsf.TlsfLayout.SIZE_PADDED;
import static dev.ffmalloc.tlsf.TlsfLayout.SENTINEL_WORD;
import static dev.ffmalloc.tlsf.TlsfLayout.SIZE_QUICK;
import static dev.ffmalloc.tlsf.TlsfLayout.SIZE_USED;
import static dev.ffmalloc.tlsf.TlsfLayout.freePrevLink;
import static dev.ffmalloc.tlsf.TlsfLayout.isPrevFree;
import static dev.ffmalloc.tlsf.TlsfLayout.isQuick;
import static dev.ffmalloc.tlsf.TlsfLayout.flags;
import static dev.ffmalloc.tlsf.TlsfLayout.hasTagOf;
import static dev.ffmalloc.tlsf.TlsfLayout.isUsed;
import static dev.ffmalloc.tlsf.TlsfLayout.sizeWord;
import static dev.ffmalloc.tlsf.TlsfLayout.linkedAddr;
import static dev.ffmalloc.tlsf.TlsfLayout.nextFreeAddr;
import static dev.ffmalloc.tlsf.TlsfLayout.prevFreeAddr;
import static dev.ffmalloc.tlsf.TlsfLayout.prevPhysAddr;
import static dev.ffmalloc.tlsf.TlsfLayout.size;

/**
 * A Two-Level Segregated Fit heap (M. Masmano, I. Ripoll, A. Crespo, J. Real, "TLSF: a new dynamic memory allocator
 * for real-time systems", ECRTS 2004), in the shape of the Rust crate rlsf: allocation, free and in-place
 * reallocation in constant time, over one or more pools of memory reached through a {@link Memory}.
 *
 * <h2>How it works</h2>
 * Free blocks sit in {@code FLLEN x SLLEN} doubly linked lists by size ({@link TlsfConfig} gives the mapping). A
 * first-level bitmap says which ranges have a non-empty list, a second-level bitmap per range says which of its
 * lists; two bit scans find the first non-empty list at or above the request's rounded-up class, whose head fits
 * (good fit). The block is split and the remainder goes back to its list; a freed block merges with both physical
 * neighbours, found through the size (forward) and the back link (backward) in its header ({@link TlsfLayout}).
 * When good fit finds nothing, one look at the head of the request's own list may still find a block big enough
 * (so that a pool can serve a request of its whole size).
 * Each pool ends with a sentinel, a used block of 16 bytes, so that every block has a next block to look at.
 *
 * <h2>Quick lists</h2>
 * In front of the free lists sit {@linkplain QuickLists quick lists} ({@link QuickListConfig}, on by default): a
 * freed block of up to 4 KiB of request is parked, unmerged, on a short stack for its exact size, and the next
 * request of that size takes it back without splitting, merging or touching a neighbour. Allocate/free pairs of one
 * size, the commonest pattern, then cost one size word write each way; and none at all when the block freed is the
 * one the last allocation handed out, which parks in the quick lists' front slot untouched (see {@link #free}).
 * Parked blocks count as free in the statistics; an allocation that finds no fit merges parked blocks back, largest
 * first, until one fits (all of them before it fails), so they never make an allocation fail, and
 * {@link GrowableTlsf#trim} merges them all before giving memory back. A block is parked only while the parked bytes
 * stay at most the bytes in the free lists, so at least half of what is free can serve a request of any size, and a
 * heap with little free memory rarely finds no fit. The price: that fallback is linear in the parked blocks (at most depth x sizes) and in the sizes, and parked
 * blocks are not merged with their free neighbours until then, so a fixed heap's footprint may grow by up to
 * {@link QuickListConfig#maxBytes()}.
 * {@link QuickListConfig#OFF} gives the plain TLSF of the paper and rlsf, constant time in every case.
 *
 * <h2>What it detects</h2>
 * {@link #free}, {@link #reallocate} and {@link #usableSize} check in constant time (after finding the pool: the
 * pool of the previous check, else a binary search over the pools) that the address lies in a pool, is 16-byte
 * aligned, and has a header (or padding word) before it whose size fits the pool and which carries the
 * {@linkplain TlsfLayout#addressTag address tag} of its place; then that the block is used. The check reads only
 * that header, so a free that parks its block touches no other block. (A free of the block the last allocation
 * handed out, still unchanged, is checked by comparing the address alone.) They detect: an address outside every
 * pool; a double free, as "not the start of a block" once the block's header is gone inside another block (it merged
 * into a free predecessor, a free block before it absorbed it, or a reallocation grew over it or moved it down:
 * every such header is cleared, as is the first header of a pool taken out of the heap), else as "already free"
 * (the block is free on its own, or parked); and an interior pointer or never-handed-out address inside a pool,
 * unless the bytes before it happen to form a header with the right tag (a 1-in-32,768 chance for arbitrary data,
 * none for small numbers and user-space pointers, whose bit 63 is clear, nor for higher-half pointers, whose size
 * bits exceed any pool; and no old header is left inside a block for a partial store to revive). They cannot
 * detect: a stale address whose block was freed and handed out again at the same place (the free frees the new
 * block); user data that forges a header with its tag.
 *
 * <h2>Drawbacks</h2>
 * Not thread-safe (wrap it in a {@link dev.ffmalloc.alloc.LockedAllocator}); every block costs a 16-byte header,
 * so it is wasteful for many tiny objects (use a slab cache); good fit is not best fit, so it can fail while a
 * block of up to {@code 1/SLLEN} more than the request is free; an over-aligned request searches for
 * {@code alignment - 16} extra bytes.
 */
public final class Tlsf implements Allocator {

    private final Memory memory;
    private final TlsfConfig config;
    /** log2 of SLLEN, copied from the config for the hot paths. */
    private final int sli;
    /** SLLEN - 1, the second-level part of a list index. */
    private final int slMask;

    /** Bit {@code fl} is set iff {@code slBitmaps[fl] != 0}. */
    private long flBitmap;
    /** Bit {@code sl} of {@code slBitmaps[fl]} is set iff {@code freeHeads[(fl << sli) | sl] != 0}. */
    private final long[] slBitmaps;
    /**
     * The first free block of each list, or 0; every block in list {@code i} is free and has
     * {@code config.mapFloor(size) == i}.
     */
    private final long[] freeHeads;

    /** Start addresses of the pools, sorted (unsigned); {@code poolStarts[i] < poolEnds[i] <= poolStarts[i + 1]}. */
    private long[] poolStarts = new long[4];
    /** End addresses (exclusive) of the pools; the sentinel is the last 16 bytes of each. */
    private long[] poolEnds = new long[4];
    private int poolCount;
    /** The sum of the pools' sizes. */
    private long poolBytes;
    /** The sum of the free blocks' sizes. */
    private long bytesFree;
    /** How many free blocks are in the lists. */
    private long freeBlockCount;
    /** The largest request the current pools could ever serve; recomputed when pools change. */
    private long maxAllocationSize;
    /** The size word of the block {@link #checkedBlockOf} returned last, so that free need not read it again. */
    private long checkedSizeWord;
    /**
     * The pool that held the address {@link #checkedBlockOf} checked last ({@code [start, end)}, empty when there is
     * none), so that frees into the same pool skip the binary search over the pools. Reset when the pools change.
     */
    private long hintPoolStart;
    private long hintPoolEnd;

    /** Freed blocks waiting to be handed out again at the same size; counted free, not in use. */
    private final QuickLists quickLists;
    /** Frees a parked block into the free lists (made once, so that a flush allocates nothing). */
    private final QuickLists.DrainedBlock mergeBack;
    /**
     * The payload of the block the last allocation handed out, while that block is live and its size word is still
     * the one the allocation wrote ({@code sizeWord(block, lastAllocatedSize, SIZE_USED)}); {@link #NO_BLOCK} (which
     * no allocation hands out) otherwise. Its free needs no header read to be checked, and parks it in the quick
     * lists' front slot without a header write.
     */
    private long lastAllocatedPayload;
    private long lastAllocatedSize;

    private final AllocatorCounters counters = new AllocatorCounters();

    /**
     * Creates a heap with no pool; add memory with {@link #addPool}.
     *
     * @param memory where the pools' addresses are read and written
     * @param config FLLEN and SLLEN
     */
    public Tlsf(final Memory memory, final TlsfConfig config) {
        this.memory = memory;
        this.config = config;
        this.sli = config.sli();
        this.slMask = config.slLen() - 1;
        this.slBitmaps = new long[config.flLen()];
        this.freeHeads = new long[config.listCount()];
        this.quickLists = new QuickLists(config.quickLists());
        this.mergeBack = blockAddr -> freeMerging(blockAddr, size(memory.getLong(blockAddr)), true);
    }

    /** Creates a heap with the {@linkplain TlsfConfig#DEFAULT default configuration} and no pool. */
    public Tlsf(final Memory memory) {
        this(memory, TlsfConfig.DEFAULT);
    }

    /** @return the configuration */
    public TlsfConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------------------ allocation

    /**
     * {@inheritDoc}
     *
     * <p>Constant time. An alignment up to 16 costs nothing; a larger one searches for {@code alignment - 16}
     * extra bytes, returns a leading gap of 32 bytes or more to the free lists, and keeps a gap of 16 bytes inside
     * the block, so a block costs at most {@code alignment - 16} bytes more than an unaligned one.
     */
    @Override
    public long tryAllocate(final long byteSize, final long byteAlignment) {
        AllocatorErrors.checkRequest(byteSize, byteAlignment, maxAllocationSize);
        return allocateNoCheck(byteSize, byteAlignment);
    }

    /**
     * {@link #tryAllocate} without the argument check, for {@link GrowableTlsf}. When nothing fits, the quick lists
     * go back to the free lists and the search runs again, so parked blocks never make an allocation fail.
     */
    long allocateNoCheck(final long byteSize, final long byteAlignment) {
        if (byteAlignment > GRANULARITY) {
            return allocateAlignedSlowPath(byteSize, byteAlignment);
        }
        // 1. The block size, and a block of exactly that size parked in the front slot (its size word still reads
        //    used: nothing to write), else in a quick list.
        final long neededSize = TlsfLayout.blockSizeFor(byteSize);
        final long frontAddr = quickLists.popFront(neededSize);
        if (frontAddr != QuickLists.NO_PARKED_BLOCK) {
            return handOut(frontAddr, neededSize);
        }
        final Memory memory = this.memory;
        final long quickAddr = quickLists.pop(neededSize);
        if (quickAddr != QuickLists.NO_PARKED_BLOCK) {
            memory.setLong(quickAddr, sizeWord(quickAddr, neededSize, SIZE_USED));
            return handOut(quickAddr, neededSize);
        }
        // 2. Else the first non-empty free list whose every block is at least that big.
        final int list = findFitList(neededSize);
        if (list < 0) {
            return flushUntilFitSlowPath(neededSize, byteSize, byteAlignment);
        }
        // 3. Take its head.
        final long blockAddr = freeHeads[list];
        final long blockSize = size(memory.getLong(blockAddr));
        assert blockSize >= neededSize : "good fit: a block of list " + list + " is smaller than " + neededSize;
        // 4. Give back the rest if it can be a block, and mark what is left used.
        final long usedSize = takeListHead(blockAddr, blockSize, list, neededSize);
        memory.setLong(blockAddr, sizeWord(blockAddr, usedSize, SIZE_USED));
        return handOut(blockAddr, usedSize);
    }

    /** @return the payload of an unpadded block whose size word reads used, counted and remembered as the last one */
    private long handOut(final long blockAddr, final long blockSize) {
        counters.onAllocate(blockSize);
        final long payloadAddr = TlsfLayout.payloadAddr(blockAddr);
        lastAllocatedPayload = payloadAddr;
        lastAllocatedSize = blockSize;
        return payloadAddr;
    }

    /**
     * Takes the head of list {@code list} out of the lists, keeping {@code keepSize} bytes of it and freeing the
     * rest if it can be a block. The rest needs no merging: the block after a free block is used.
     *
     * @return the size the block keeps: {@code keepSize}, or {@code blockSize} if the rest was too small
     */
    private long takeListHead(final long blockAddr, final long blockSize, final int list, final long keepSize) {
        final long restSize = blockSize - keepSize;
        final Memory memory = this.memory;
        if (restSize < MIN_BLOCK_SIZE) {
            unlinkFree(blockAddr, blockSize, list);
            // The next block's back link loses its free flag.
            memory.setLong(prevPhysAddr(blockAddr + blockSize), blockAddr);
            return blockSize;
        }
        final long restAddr = blockAddr + keepSize;
        memory.setLong(restAddr, sizeWord(restAddr, restSize, 0));
        memory.setLong(prevPhysAddr(restAddr), blockAddr);
        memory.setLong(prevPhysAddr(blockAddr + blockSize), freePrevLink(restAddr));
        listInPlaceOf(restAddr, restSize, blockAddr, blockSize, list);
        return keepSize;
    }

    private long allocateAlignedSlowPath(final long byteSize, final long byteAlignment) {
        final long neededSize = TlsfLayout.blockSizeFor(byteSize);
        // The payload of a block lies 16 bytes after a 16-aligned header: at most alignment - 16 bytes of padding.
        final long maxPadding = byteAlignment - HEADER_SIZE;
        if (maxPadding > config.maxBlockSize() - neededSize) {
            return NO_BLOCK;
        }
        final int list = findFitList(neededSize + maxPadding);
        if (list < 0) {
            return flushUntilFitSlowPath(neededSize + maxPadding, byteSize, byteAlignment);
        }
        final long freeAddr = freeHeads[list];
        long blockSize = size(memory.getLong(freeAddr));
        unlinkFree(freeAddr, blockSize, list);

        final long payloadAddr = (TlsfLayout.payloadAddr(freeAddr) + byteAlignment - 1) & -byteAlignment;
        final long padding = payloadAddr - TlsfLayout.payloadAddr(freeAddr);
        long blockAddr = freeAddr;
        long usedSize = neededSize;
        long flags = SIZE_USED;
        if (padding >= MIN_BLOCK_SIZE) {
            // The gap can be a block of its own: give it back (its predecessor is used, as freeAddr was free).
            blockAddr = freeAddr + padding;
            blockSize -= padding;
            memory.setLong(freeAddr, sizeWord(freeAddr, padding, 0));
            linkFree(freeAddr, padding);
            memory.setLong(prevPhysAddr(blockAddr), freePrevLink(freeAddr));
        } else if (padding != 0) {
            // 16 bytes cannot be a block: keep them, with the padding word that leads back to the header.
            usedSize += PAD_SIZE;
            flags |= SIZE_PADDED;
            memory.setLong(TlsfLayout.wordBeforePayloadAddr(payloadAddr), TlsfLayout.padWord(blockAddr));
        }
        // The next block's back link names the block, used now (it named the free block, flagged).
        memory.setLong(prevPhysAddr(blockAddr + blockSize), blockAddr);
        usedSize = splitOff(blockAddr, blockSize, usedSize);
        memory.setLong(blockAddr, sizeWord(blockAddr, usedSize, flags));
        counters.onAllocate(usedSize);
        return payloadAddr;
    }

    /**
     * No free block of {@code searchSize} bytes: merges parked blocks back into the free lists, largest first, until
     * one fits, then allocates. A parked block as large as the request is enough by itself, so this usually merges
     * one block; it merges them all before it reports no fit, so parked blocks never make an allocation fail.
     */
    private long flushUntilFitSlowPath(final long searchSize, final long byteSize, final long byteAlignment) {
        long blockAddr;
        while ((blockAddr = quickLists.popLargest()) != QuickLists.NO_PARKED_BLOCK) {
            freeMerging(blockAddr, size(memory.getLong(blockAddr)), true);
            if (findFitList(searchSize) >= 0) {
                // The search that failed now succeeds, so this call ends without coming back here.
                return allocateNoCheck(byteSize, byteAlignment);
            }
        }
        return NO_BLOCK;
    }

    /**
     * Frees every block parked in the quick lists into the free lists, merging each with its free neighbours.
     * Linear in the parked blocks and the lists; {@link GrowableTlsf#trim} calls it before giving memory back.
     */
    void flushQuickLists() {
        quickLists.drain(mergeBack);
    }

    /**
     * @return a list whose head has at least {@code blockSize} bytes: the first non-empty list at or above the
     *         size's rounded-up class (good fit), else the size's own list if its head is big enough; or -1
     */
    private int findFitList(final long blockSize) {
        final int list = findNonEmptyList(config.mapCeil(blockSize));
        return list >= 0 ? list : ownListHeadSlowPath(blockSize);
    }

    /**
     * Before reporting no fit, looks once at the head of the list that holds {@code blockSize} itself: its blocks
     * may be big enough, and a fresh pool's only block is always the head of its list, so a pool can serve a
     * request of its whole size. Constant time, and only on the way to failure.
     */
    private int ownListHeadSlowPath(final long blockSize) {
        if (blockSize > config.maxBlockSize()) {
            return -1;
        }
        final int list = config.mapFloor(blockSize);
        final long headAddr = freeHeads[list];
        return headAddr != 0 && size(memory.getLong(headAddr)) >= blockSize ? list : -1;
    }

    /**
     * @return the first non-empty list at or above {@code listIndex}, or -1
     */
    private int findNonEmptyList(final int listIndex) {
        int fl = listIndex >>> sli;
        if (fl >= slBitmaps.length) {
            return -1;
        }
        long slMap = slBitmaps[fl] & (-1L << (listIndex & slMask));
        if (slMap == 0) {
            // Nothing in this range at or above the slice: take the first non-empty list of a larger range.
            final long flMap = flBitmap & (-2L << fl);
            if (flMap == 0) {
                return -1;
            }
            fl = Long.numberOfTrailingZeros(flMap);
            slMap = slBitmaps[fl];
        }
        return (fl << sli) | Long.numberOfTrailingZeros(slMap);
    }

    /**
     * Keeps the first {@code keepSize} bytes of the block and frees the rest if it can be a block.
     * Precondition: the block after {@code blockAddr + blockSize} has its back link at {@code blockAddr}.
     *
     * @return the size the block keeps: {@code keepSize}, or {@code blockSize} if the rest was too small
     */
    private long splitOff(final long blockAddr, final long blockSize, final long keepSize) {
        final long restSize = blockSize - keepSize;
        if (restSize < MIN_BLOCK_SIZE) {
            return blockSize;
        }
        final long restAddr = blockAddr + keepSize;
        memory.setLong(prevPhysAddr(restAddr), blockAddr);
        freeMerging(restAddr, restSize, false);
        return keepSize;
    }

    // ------------------------------------------------------------------------------------------------ free

    /**
     * {@inheritDoc}
     *
     * <p>Constant time after finding the pool (a binary search over the pools). See the class comment for what is
     * detected.
     *
     * <p>Preconditions: {@code address} was returned by this heap and not freed since; a stale address whose
     * memory has been handed out again frees the new block.
     */
    @Override
    public void free(final long address) {
        // The block the last allocation handed out is known live and unchanged, so comparing the address checks the
        // free: no size word to read, and parked in the front slot, none to write (a user write over it in between
        // goes unseen here, as any overrun into a header that keeps its tag does).
        if (address == lastAllocatedPayload && address != NO_BLOCK) {
            lastAllocatedPayload = NO_BLOCK;
            if (quickLists.acceptsFront(lastAllocatedSize, bytesFree)) {
                counters.onFree(lastAllocatedSize);
                quickLists.pushFront(TlsfLayout.blockAddrOfPayload(address), lastAllocatedSize);
                return;
            }
        }
        final long blockAddr = checkedBlockOf(address);
        final long sizeWord = checkedSizeWord;
        final long blockSize = size(sizeWord);
        counters.onFree(blockSize);
        // A padded block goes straight back: its payload is not where a quick allocation would put it.
        if ((sizeWord & SIZE_PADDED) == 0 && quickLists.accepts(blockSize, bytesFree)) {
            memory.setLong(blockAddr, sizeWord | SIZE_QUICK);
            quickLists.push(blockAddr, blockSize);
            return;
        }
        freeMerging(blockAddr, blockSize, true);
    }

    /**
     * Makes {@code [blockAddr, blockAddr + blockSize)}, whose back link is set, a free block merged with its free
     * physical neighbours: the next one always, the previous one if {@code prevMayBeFree} (when it is not, its
     * header may not be written yet).
     */
    private void freeMerging(final long blockAddr, final long blockSize, final boolean prevMayBeFree) {
        final Memory memory = this.memory;
        long startAddr = blockAddr;
        long size = blockSize;
        // A free neighbour already in a list, whose place the merged block may take.
        long listedAddr = 0;
        long listedSize = 0;
        int listedList = -1;
        // The back link's flag says whether the previous block is free: its header is read only to merge.
        if (prevMayBeFree) {
            final long prevLink = memory.getLong(prevPhysAddr(blockAddr));
            if (isPrevFree(prevLink)) {
                final long prevAddr = linkedAddr(prevLink);
                startAddr = prevAddr;
                listedAddr = prevAddr;
                listedSize = size(memory.getLong(prevAddr));
                listedList = config.mapFloor(listedSize);
                size += listedSize;
            }
        }
        // A header that ends up inside the merged block is cleared, so that no tagged header is ever left inside a
        // block: a second free of its address is still caught, and a later partial store into the block (a small
        // int over its low half) cannot turn it back into a header that passes the tag check. (The free-list links
        // of a listed block lie after its header, so they outlive the clearing.)
        long endAddr = blockAddr + blockSize;
        final long nextWord = memory.getLong(endAddr);
        if (!isUsed(nextWord)) {
            final long nextSize = size(nextWord);
            if (listedAddr == 0) {
                listedAddr = endAddr;
                listedSize = nextSize;
                listedList = config.mapFloor(nextSize);
            } else {
                unlinkFree(endAddr, nextSize, config.mapFloor(nextSize));
            }
            memory.setLong(endAddr, 0);
            size += nextSize;
            endAddr += nextSize;
        }
        if (startAddr != blockAddr) {
            memory.setLong(blockAddr, 0);
        }
        memory.setLong(startAddr, sizeWord(startAddr, size, 0));
        memory.setLong(prevPhysAddr(endAddr), freePrevLink(startAddr));
        if (listedAddr == 0) {
            linkFree(startAddr, size);
        } else {
            listInPlaceOf(startAddr, size, listedAddr, listedSize, listedList);
        }
    }

    /**
     * Lists the free block at {@code blockAddr}, whose size word is written, instead of the listed free block at
     * {@code listedAddr} (the same block grown, a block it absorbed, or the block it was split from). If both
     * belong to the same list, the new block takes the old one's place: no unlink, no push, no bitmap change.
     */
    private void listInPlaceOf(final long blockAddr, final long blockSize, final long listedAddr,
                               final long listedSize, final int listedList) {
        if (config.mapFloor(blockSize) != listedList) {
            unlinkFree(listedAddr, listedSize, listedList);
            linkFree(blockAddr, blockSize);
            return;
        }
        if (blockAddr != listedAddr) {
            final Memory memory = this.memory;
            final long nextAddr = memory.getLong(nextFreeAddr(listedAddr));
            final long prevAddr = prevInList(listedAddr, listedList);
            memory.setLong(nextFreeAddr(blockAddr), nextAddr);
            memory.setLong(prevFreeAddr(blockAddr), prevAddr);
            if (prevAddr != 0) {
                memory.setLong(nextFreeAddr(prevAddr), blockAddr);
            } else {
                freeHeads[listedList] = blockAddr;
            }
            if (nextAddr != 0) {
                memory.setLong(prevFreeAddr(nextAddr), blockAddr);
            }
        }
        bytesFree += blockSize - listedSize;
    }

    /** Pushes a free block, whose size word is written, on the head of its list. */
    private void linkFree(final long blockAddr, final long blockSize) {
        final Memory memory = this.memory;
        final int list = config.mapFloor(blockSize);
        final long headAddr = freeHeads[list];
        memory.setLong(nextFreeAddr(blockAddr), headAddr);
        memory.setLong(prevFreeAddr(blockAddr), 0);
        if (headAddr != 0) {
            memory.setLong(prevFreeAddr(headAddr), blockAddr);
        }
        freeHeads[list] = blockAddr;
        final int fl = list >>> sli;
        slBitmaps[fl] |= 1L << (list & slMask);
        flBitmap |= 1L << fl;
        bytesFree += blockSize;
        freeBlockCount++;
    }

    /**
     * @return the block before a listed free block in its list {@code list}, or 0: the head's is known without
     *         reading its link (allocation always takes a head, so this saves a read on most operations)
     */
    private long prevInList(final long blockAddr, final int list) {
        return freeHeads[list] == blockAddr ? 0 : memory.getLong(prevFreeAddr(blockAddr));
    }

    /** Takes a free block out of list {@code list}, which is {@code config.mapFloor(blockSize)}. */
    private void unlinkFree(final long blockAddr, final long blockSize, final int list) {
        final Memory memory = this.memory;
        final long nextAddr = memory.getLong(nextFreeAddr(blockAddr));
        final long prevAddr = prevInList(blockAddr, list);
        if (nextAddr != 0) {
            memory.setLong(prevFreeAddr(nextAddr), prevAddr);
        }
        if (prevAddr != 0) {
            memory.setLong(nextFreeAddr(prevAddr), nextAddr);
        } else {
            freeHeads[list] = nextAddr;
            if (nextAddr == 0) {
                final int fl = list >>> sli;
                final long slMap = slBitmaps[fl] & ~(1L << (list & slMask));
                slBitmaps[fl] = slMap;
                if (slMap == 0) {
                    flBitmap &= ~(1L << fl);
                }
            }
        }
        bytesFree -= blockSize;
        freeBlockCount--;
    }

    // ------------------------------------------------------------------------------------------------ reallocate

    /**
     * {@inheritDoc}
     *
     * <p>Tries, in this order: shrink in place (the tail goes back to the free lists); grow into a free next
     * block; move down into a free previous block (with the next block too if it is free), copying the contents
     * with {@link Memory#copy}; and only then allocate a new block, copy and free the old one. The first three are
     * constant time and are skipped if the address does not have the requested alignment. If no block fits
     * anywhere, the parked blocks go back to the free lists (linear in them) and the first three run again, since
     * a parked neighbour may have been the room needed: parked blocks never make a reallocation fail.
     *
     * @throws IllegalArgumentException as {@link #free} and {@link #tryAllocate} do
     * @throws IllegalStateException    if the block is free
     */
    @Override
    public long reallocate(final long address, final long newByteSize, final long byteAlignment) {
        AllocatorErrors.checkRequest(newByteSize, byteAlignment, maxAllocationSize);
        final long newAddr = resizeOrMove(checkedBlockOf(address), address, newByteSize, byteAlignment);
        if (newAddr == NO_BLOCK) {
            throw AllocatorErrors.outOfMemory(newByteSize, byteAlignment, bytesFree);
        }
        return newAddr;
    }

    /**
     * The steps of {@link #reallocate} on a checked live block: in place, else moved into a free block, else, since
     * the failed search merged the parked blocks back and a parked neighbour may have been the room needed, in place
     * once more (after merging any parked block left, as when the request could never fit).
     *
     * @return the new payload address, or {@link #NO_BLOCK} with the block where it was
     */
    long resizeOrMove(final long blockAddr, final long payloadAddr, final long newByteSize,
                      final long byteAlignment) {
        // Whatever happens below, the block's size word may change: it is no longer known unchanged.
        lastAllocatedPayload = NO_BLOCK;
        final long resizedAddr = reallocateInPlace(blockAddr, payloadAddr, newByteSize, byteAlignment);
        if (resizedAddr != NO_BLOCK) {
            return resizedAddr;
        }
        final long newAddr = allocateNoCheck(newByteSize, byteAlignment);
        if (newAddr != NO_BLOCK) {
            moveAndFree(blockAddr, payloadAddr, newAddr, newByteSize);
            return newAddr;
        }
        flushQuickLists();
        return reallocateInPlace(blockAddr, payloadAddr, newByteSize, byteAlignment);
    }

    /** Copies a live block's contents to a new block and frees the old block. */
    private void moveAndFree(final long blockAddr, final long payloadAddr, final long newAddr, final long newByteSize) {
        final long blockSize = size(memory.getLong(blockAddr));
        memory.copy(payloadAddr, newAddr, Math.min(blockAddr + blockSize - payloadAddr, newByteSize));
        counters.onFree(blockSize);
        freeMerging(blockAddr, blockSize, true);
    }

    /**
     * The constant-time paths of {@link #reallocate}, on a checked live block.
     *
     * @return the new payload address, or {@link #NO_BLOCK} if the block must move elsewhere
     */
    private long reallocateInPlace(final long blockAddr, final long payloadAddr, final long newByteSize,
                           final long byteAlignment) {
        if ((payloadAddr & (byteAlignment - 1)) != 0) {
            return NO_BLOCK;
        }
        final Memory memory = this.memory;
        final long sizeWord = memory.getLong(blockAddr);
        final long blockSize = size(sizeWord);
        final long payloadOffset = payloadAddr - blockAddr;
        final long neededSize = Math.max(MIN_BLOCK_SIZE,
            (payloadOffset + Math.max(newByteSize, 1) + GRANULARITY - 1) & -GRANULARITY);
        // 1. Shrink (or keep): the tail goes back, merged with a free next block.
        if (neededSize <= blockSize) {
            return resizeInPlace(blockAddr, sizeWord, blockSize, blockSize, neededSize, payloadAddr);
        }
        // 2. Grow into a free next block.
        final long nextAddr = blockAddr + blockSize;
        final long nextWord = memory.getLong(nextAddr);
        final long nextFreeSize = isUsed(nextWord) ? 0 : size(nextWord);
        if (nextFreeSize != 0 && blockSize + nextFreeSize >= neededSize) {
            unlinkFree(nextAddr, nextFreeSize, config.mapFloor(nextFreeSize));
            memory.setLong(nextAddr, 0);
            memory.setLong(prevPhysAddr(nextAddr + nextFreeSize), blockAddr);
            return resizeInPlace(blockAddr, sizeWord, blockSize, blockSize + nextFreeSize, neededSize, payloadAddr);
        }
        // 3. Move down into a free previous block, taking the free next block too.
        return moveDownSlowPath(blockAddr, blockSize, payloadAddr, newByteSize, byteAlignment, nextFreeSize);
    }

    /** Makes the block at {@code blockAddr}, now spanning {@code spanSize}, keep {@code neededSize} of it. */
    private long resizeInPlace(final long blockAddr, final long sizeWord, final long oldSize, final long spanSize,
                               final long neededSize, final long payloadAddr) {
        final long newSize = splitOff(blockAddr, spanSize, neededSize);
        memory.setLong(blockAddr, sizeWord(blockAddr, newSize, flags(sizeWord)));
        counters.onResize(oldSize, newSize);
        return payloadAddr;
    }

    private long moveDownSlowPath(final long blockAddr, final long blockSize, final long payloadAddr,
                                  final long newByteSize, final long byteAlignment, final long nextFreeSize) {
        final Memory memory = this.memory;
        final long prevLink = memory.getLong(prevPhysAddr(blockAddr));
        if (!isPrevFree(prevLink)) {
            return NO_BLOCK;
        }
        final long prevAddr = linkedAddr(prevLink);
        final long prevWord = memory.getLong(prevAddr);
        final long newPayloadAddr = TlsfLayout.payloadAddr(prevAddr);
        final long neededSize = TlsfLayout.blockSizeFor(newByteSize);
        final long spanSize = size(prevWord) + blockSize + nextFreeSize;
        if (isUsed(prevWord) || (newPayloadAddr & (byteAlignment - 1)) != 0 || spanSize < neededSize) {
            return NO_BLOCK;
        }
        unlinkFree(prevAddr, size(prevWord), config.mapFloor(size(prevWord)));
        if (nextFreeSize != 0) {
            unlinkFree(blockAddr + blockSize, nextFreeSize, config.mapFloor(nextFreeSize));
            memory.setLong(blockAddr + blockSize, 0);
        }
        // The old header goes (the copy may overwrite it with contents), so a second free of the old address is
        // caught. Copy before writing any header the split may place inside the old contents.
        memory.setLong(blockAddr, 0);
        memory.copy(payloadAddr, newPayloadAddr, Math.min(blockAddr + blockSize - payloadAddr, newByteSize));
        memory.setLong(prevPhysAddr(prevAddr + spanSize), prevAddr);
        return resizeInPlace(prevAddr, SIZE_USED, blockSize, spanSize, neededSize, newPayloadAddr);
    }

    // ------------------------------------------------------------------------------------------------ queries

    /** {@inheritDoc} Constant time after finding the pool. */
    @Override
    public long usableSize(final long address) {
        final long blockAddr = checkedBlockOf(address);
        return blockAddr + size(memory.getLong(blockAddr)) - address;
    }

    /** @return the largest request the current pools could ever serve, and at most the configuration's limit */
    @Override
    public long maxAllocationSize() {
        return maxAllocationSize;
    }

    @Override
    public Memory memory() {
        return memory;
    }

    /**
     * {@inheritDoc} {@code heapBytes} is the sum of the pools; the difference to in use + free is the sentinels.
     * Blocks parked in the quick lists count as free: they are available to allocation.
     */
    @Override
    public AllocatorStats stats() {
        return counters.snapshot(poolBytes, bytesFree + quickLists.byteCount());
    }

    /** @return the statistics with the shape of the free memory; walks the largest non-empty list */
    public TlsfStats tlsfStats() {
        final long largest = largestFreeBlock();
        final long allFree = bytesFree + quickLists.byteCount();
        final double fragmentation = allFree == 0 ? 0.0 : 1.0 - (double) largest / allFree;
        return new TlsfStats(stats(), poolCount, freeBlockCount, largest, fragmentation, quickLists.blockCount(),
            quickLists.byteCount(), quickLists.quickAllocations());
    }

    /**
     * @return the size of the largest free block, parked ones included, or 0: the largest block of the highest
     *         non-empty list, or the largest parked block if that is larger
     */
    public long largestFreeBlock() {
        final long largestParked = quickLists.largestBlockSize();
        if (flBitmap == 0) {
            return largestParked;
        }
        final int fl = 63 - Long.numberOfLeadingZeros(flBitmap);
        final int list = (fl << sli) | (63 - Long.numberOfLeadingZeros(slBitmaps[fl]));
        long largest = largestParked;
        for (long blockAddr = freeHeads[list]; blockAddr != 0; blockAddr = memory.getLong(nextFreeAddr(blockAddr))) {
            largest = Math.max(largest, size(memory.getLong(blockAddr)));
        }
        return largest;
    }

    /**
     * Finds the header of the live block whose payload is {@code payloadAddr}, or throws.
     *
     * @throws IllegalArgumentException if the address is outside every pool or not the start of a block
     * @throws IllegalStateException    if the block is free
     */
    long checkedBlockOf(final long payloadAddr) {
        if (Long.compareUnsigned(payloadAddr - hintPoolStart, hintPoolEnd - hintPoolStart) >= 0
            && !hintPoolOf(payloadAddr)) {
            throw AllocatorErrors.notInHeap(payloadAddr);
        }
        final long poolStart = hintPoolStart;
        if ((payloadAddr & (GRANULARITY - 1)) != 0 || payloadAddr - poolStart < HEADER_SIZE) {
            throw AllocatorErrors.notBlockStart(payloadAddr);
        }
        final Memory memory = this.memory;
        long word = memory.getLong(TlsfLayout.wordBeforePayloadAddr(payloadAddr));
        final long blockAddr;
        if ((word & PAD_TAG) != 0) {
            blockAddr = TlsfLayout.blockAddrOfPaddedPayload(payloadAddr);
            if (payloadAddr - poolStart < PADDED_PAYLOAD_OFFSET || word != TlsfLayout.padWord(blockAddr)) {
                throw AllocatorErrors.notBlockStart(payloadAddr);
            }
            word = memory.getLong(blockAddr);
            if ((word & SIZE_PADDED) == 0) {
                throw AllocatorErrors.notBlockStart(payloadAddr);
            }
        } else {
            blockAddr = TlsfLayout.blockAddrOfPayload(payloadAddr);
            if ((word & SIZE_PADDED) != 0) {
                throw AllocatorErrors.notBlockStart(payloadAddr);
            }
        }
        final long blockSize = size(word);
        final long sentinelAddr = TlsfLayout.sentinelAddr(hintPoolEnd);
        if (blockSize < MIN_BLOCK_SIZE || blockSize > sentinelAddr - blockAddr || !hasTagOf(word, blockAddr)) {
            throw AllocatorErrors.notBlockStart(payloadAddr);
        }
        if (!isUsed(word) || isQuick(word) || blockAddr == quickLists.frontBlock()) {
            throw AllocatorErrors.doubleFree(payloadAddr);
        }
        checkedSizeWord = word;
        return blockAddr;
    }

    // ------------------------------------------------------------------------------------------------ pools

    /**
     * Adds {@code [addr, addr + byteSize)} to the heap. The range is trimmed to 16-byte boundaries. If it starts
     * exactly where a pool ends, that pool grows in place (its free tail, if any, merges with the new memory);
     * otherwise it becomes a new pool. A range larger than {@link TlsfConfig#maxPoolSize()} becomes several
     * pools.
     *
     * <p>Preconditions: the range is memory of {@link #memory()} that nothing else uses, now or later.
     *
     * @return how many bytes of the range the heap took: 0 if it is too small to hold a block (a new pool needs
     *         {@value TlsfLayout#MIN_BLOCK_SIZE} bytes plus a {@value TlsfLayout#SENTINEL_SIZE}-byte sentinel,
     *         growth {@value TlsfLayout#MIN_BLOCK_SIZE} bytes)
     * @throws IllegalArgumentException if the size is not positive, the range wraps around the address space,
     *                                  overlaps a pool or is not in the memory ({@link Memory#checkRange})
     */
    public long addPool(final long addr, final long byteSize) {
        if (byteSize <= 0) {
            throw poolSizeNotPositive(byteSize);
        }
        if (Long.compareUnsigned(addr + byteSize, addr) < 0) {
            throw poolWrapsAround(addr, byteSize);
        }
        // Pools are sorted and disjoint: only the last one starting below the range's end can overlap it.
        final int below = poolIndexBelow(addr + byteSize - 1);
        if (below >= 0 && Long.compareUnsigned(poolEnds[below], addr) > 0) {
            throw poolOverlaps(addr, byteSize, poolStarts[below], poolEnds[below] - poolStarts[below]);
        }
        final long startAddr = (addr + GRANULARITY - 1) & -GRANULARITY;
        final long endAddr = (addr + byteSize) & -GRANULARITY;
        if (Long.compareUnsigned(endAddr, startAddr) <= 0) {
            return 0;
        }
        // The range may become several pools, after growing the one it follows: check both of its ends first, so
        // that a range running past the memory fails before anything has changed.
        Memory.checkRange(memory, startAddr, endAddr - startAddr);
        final int adjacent = poolIndexOf(startAddr - 1);
        long usedBytes = 0;
        long freshAddr = startAddr;
        if (adjacent >= 0) {
            final long grownEnd = startAddr + Math.min(endAddr - startAddr,
                poolStarts[adjacent] + config.maxPoolSize() - startAddr);
            if (grownEnd - startAddr >= MIN_BLOCK_SIZE) {
                growPool(adjacent, grownEnd);
                usedBytes = grownEnd - startAddr;
                freshAddr = grownEnd;
            }
        }
        while (endAddr - freshAddr >= MIN_BLOCK_SIZE + SENTINEL_SIZE) {
            final long poolEnd = freshAddr + Math.min(endAddr - freshAddr, config.maxPoolSize());
            createPool(freshAddr, poolEnd);
            usedBytes += poolEnd - freshAddr;
            freshAddr = poolEnd;
        }
        poolsChanged();
        return usedBytes;
    }

    private void createPool(final long startAddr, final long endAddr) {
        final long sentinelAddr = TlsfLayout.sentinelAddr(endAddr);
        memory.setLong(prevPhysAddr(sentinelAddr), freePrevLink(startAddr));
        memory.setLong(sentinelAddr, SENTINEL_WORD);
        memory.setLong(prevPhysAddr(startAddr), 0);
        memory.setLong(startAddr, sizeWord(startAddr, sentinelAddr - startAddr, 0));
        linkFree(startAddr, sentinelAddr - startAddr);
        insertPool(startAddr, endAddr);
    }

    /** Moves the sentinel of pool {@code pool} to the end of {@code newEndAddr} and frees what it gained. */
    private void growPool(final int pool, final long newEndAddr) {
        forgetHintPool();
        final long oldSentinelAddr = TlsfLayout.sentinelAddr(poolEnds[pool]);
        final long newSentinelAddr = TlsfLayout.sentinelAddr(newEndAddr);
        memory.setLong(prevPhysAddr(newSentinelAddr), oldSentinelAddr);
        memory.setLong(newSentinelAddr, SENTINEL_WORD);
        // The old sentinel becomes a free block; its back link already names the pool's last block.
        poolBytes += newEndAddr - poolEnds[pool];
        poolEnds[pool] = newEndAddr;
        freeMerging(oldSentinelAddr, newSentinelAddr - oldSentinelAddr, true);
    }

    private void insertPool(final long startAddr, final long endAddr) {
        forgetHintPool();
        if (poolCount == poolStarts.length) {
            poolStarts = Arrays.copyOf(poolStarts, poolCount * 2);
            poolEnds = Arrays.copyOf(poolEnds, poolCount * 2);
        }
        final int index = poolIndexBelow(startAddr) + 1;
        System.arraycopy(poolStarts, index, poolStarts, index + 1, poolCount - index);
        System.arraycopy(poolEnds, index, poolEnds, index + 1, poolCount - index);
        poolStarts[index] = startAddr;
        poolEnds[index] = endAddr;
        poolCount++;
        poolBytes += endAddr - startAddr;
    }

    /** @return whether pool {@code pool} holds no used block (and no parked one): it is one free block */
    boolean isPoolFree(final int pool) {
        final long startAddr = poolStarts[pool];
        final long word = memory.getLong(startAddr);
        return !isUsed(word) && size(word) == poolEnds[pool] - startAddr - SENTINEL_SIZE;
    }

    /**
     * Takes pool {@code pool} out of the heap if it holds no used block.
     *
     * @return the pool's size, or 0 if it has a used block and stays
     */
    long removePoolIfFree(final int pool) {
        if (!isPoolFree(pool)) {
            return 0;
        }
        final long startAddr = poolStarts[pool];
        final long endAddr = poolEnds[pool];
        final long blockSize = endAddr - startAddr - SENTINEL_SIZE;
        unlinkFree(startAddr, blockSize, config.mapFloor(blockSize));
        // The memory may come back inside another pool's block: it keeps no tagged header.
        memory.setLong(startAddr, 0);
        System.arraycopy(poolStarts, pool + 1, poolStarts, pool, poolCount - pool - 1);
        System.arraycopy(poolEnds, pool + 1, poolEnds, pool, poolCount - pool - 1);
        poolCount--;
        poolBytes -= endAddr - startAddr;
        poolsChanged();
        return endAddr - startAddr;
    }

    /**
     * Cuts the free tail of pool {@code pool} off at a multiple of {@code unitBytes}, keeping a free block of 0 or
     * at least {@value TlsfLayout#MIN_BLOCK_SIZE} bytes before the new sentinel. Does nothing if the pool's last
     * block is used, if the pool is all free (take it out whole with {@link #removePoolIfFree}), or if its end is
     * not a multiple of the unit.
     *
     * @return how many bytes the pool lost at its end, a multiple of {@code unitBytes}, or 0
     */
    long shrinkPoolTail(final int pool, final long unitBytes) {
        final long poolAddr = poolStarts[pool];
        final long endAddr = poolEnds[pool];
        final long lastAddr = linkedAddr(memory.getLong(prevPhysAddr(TlsfLayout.sentinelAddr(endAddr))));
        final long lastWord = memory.getLong(lastAddr);
        if (isUsed(lastWord) || lastAddr == poolAddr || (endAddr & (unitBytes - 1)) != 0) {
            return 0;
        }
        long newEndAddr = (lastAddr + SENTINEL_SIZE + unitBytes - 1) & -unitBytes;
        final long keptFree = TlsfLayout.sentinelAddr(newEndAddr) - lastAddr;
        if (keptFree != 0 && keptFree < MIN_BLOCK_SIZE) {
            newEndAddr += unitBytes;
        }
        if (Long.compareUnsigned(newEndAddr - poolAddr, endAddr - poolAddr) >= 0) {
            return 0;
        }
        final long lastSize = size(lastWord);
        unlinkFree(lastAddr, lastSize, config.mapFloor(lastSize));
        final long newSentinelAddr = TlsfLayout.sentinelAddr(newEndAddr);
        if (newSentinelAddr == lastAddr) {
            // Nothing free is kept: the last block's header becomes the sentinel, its back link already right.
            memory.setLong(lastAddr, SENTINEL_WORD);
        } else {
            memory.setLong(prevPhysAddr(newSentinelAddr), freePrevLink(lastAddr));
            memory.setLong(newSentinelAddr, SENTINEL_WORD);
            memory.setLong(lastAddr, sizeWord(lastAddr, newSentinelAddr - lastAddr, 0));
            linkFree(lastAddr, newSentinelAddr - lastAddr);
        }
        poolEnds[pool] = newEndAddr;
        poolBytes -= endAddr - newEndAddr;
        poolsChanged();
        return endAddr - newEndAddr;
    }

    /** Makes the pool holding {@code addr} the hint pool; @return false if no pool holds it */
    private boolean hintPoolOf(final long addr) {
        final int pool = poolIndexOf(addr);
        if (pool < 0) {
            return false;
        }
        hintPoolStart = poolStarts[pool];
        hintPoolEnd = poolEnds[pool];
        return true;
    }

    /** Forgets the hint pool; every change to a pool's bounds calls it before anything else can fail. */
    private void forgetHintPool() {
        hintPoolStart = 0;
        hintPoolEnd = 0;
    }

    /** After any change to the pools: forgets the hint pool and recomputes the largest request. */
    private void poolsChanged() {
        forgetHintPool();
        long largestBlock = 0;
        for (int pool = 0; pool < poolCount; pool++) {
            largestBlock = Math.max(largestBlock, poolEnds[pool] - poolStarts[pool] - SENTINEL_SIZE);
        }
        maxAllocationSize = Math.max(0, Math.min(config.maxAllocationSize(), largestBlock - HEADER_SIZE));
        quickLists.limitForHeap(poolBytes);
    }

    /** @return the index of the pool holding {@code addr}, or -1 */
    private int poolIndexOf(final long addr) {
        final int pool = poolIndexBelow(addr);
        return pool >= 0 && Long.compareUnsigned(addr - poolStarts[pool], poolEnds[pool] - poolStarts[pool]) < 0
            ? pool : -1;
    }

    /** @return the index of the last pool starting at or below {@code addr} (unsigned), or -1 */
    private int poolIndexBelow(final long addr) {
        int low = 0;
        int high = poolCount - 1;
        while (low <= high) {
            final int middle = (low + high) >>> 1;
            if (Long.compareUnsigned(poolStarts[middle], addr) <= 0) {
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return high;
    }

    /** @return how many pools the heap has; pools are numbered in address order */
    public int poolCount() {
        return poolCount;
    }

    /** @return the start address of pool {@code pool} */
    public long poolAddress(final int pool) {
        return poolStarts[checkPool(pool)];
    }

    /** @return the size of pool {@code pool}, its sentinel included */
    public long poolByteSize(final int pool) {
        return poolEnds[checkPool(pool)] - poolStarts[pool];
    }

    private int checkPool(final int pool) {
        if (pool < 0 || pool >= poolCount) {
            throw new IndexOutOfBoundsException("no such pool: pool=" + pool + ", poolCount=" + poolCount);
        }
        return pool;
    }

    // ------------------------------------------------------------------------------------------------ walking

    /**
     * Reports every block of pool {@code pool} in address order, without allocating.
     *
     * @throws IndexOutOfBoundsException if there is no such pool
     */
    public void forEachBlock(final int pool, final TlsfBlockVisitor visitor) {
        final long sentinelAddr = TlsfLayout.sentinelAddr(poolEnds[checkPool(pool)]);
        long blockAddr = poolStarts[pool];
        while (blockAddr != sentinelAddr) {
            final long word = memory.getLong(blockAddr);
            if (size(word) == 0) {
                throw new HeapCorruptionException("block size is not 0", blockAddr);
            }
            visitor.visit(blockAddr, size(word), isUsed(word) && !isQuick(word)
                && blockAddr != quickLists.frontBlock());
            blockAddr += size(word);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Checks, pool by pool: block sizes are multiples of 16, at least the minimum and add up to the pool;
     * every size word carries its block's address tag; every back link names the previous block; no two free blocks are adjacent; the sentinel ends the pool.
     * Then, list by list: every block is a free block of a pool, in the list its size maps to, with consistent
     * links; the bitmaps agree with the heads; every free block is in a list; and the counters add up.
     */
    @Override
    public void checkIntegrity() {
        long walkedFreeBlocks = 0;
        long walkedFreeBytes = 0;
        long walkedUsedBytes = 0;
        long walkedParkedBlocks = 0;
        for (int pool = 0; pool < poolCount; pool++) {
            if (pool > 0 && Long.compareUnsigned(poolEnds[pool - 1], poolStarts[pool]) > 0) {
                throw new HeapCorruptionException("pools are sorted and disjoint", poolStarts[pool]);
            }
            final long sentinelAddr = TlsfLayout.sentinelAddr(poolEnds[pool]);
            long prevAddr = 0;
            boolean prevFree = false;
            long blockAddr = poolStarts[pool];
            while (blockAddr != sentinelAddr) {
                final long word = memory.getLong(blockAddr);
                final long blockSize = size(word);
                checkBlock(blockAddr, word, prevAddr, prevFree, sentinelAddr);
                if (!isUsed(word)) {
                    if (prevFree) {
                        throw new HeapCorruptionException("no two free blocks are adjacent", blockAddr);
                    }
                    walkedFreeBlocks++;
                    walkedFreeBytes += blockSize;
                } else if (isQuick(word) || blockAddr == quickLists.frontBlock()) {
                    walkedParkedBlocks++;
                } else {
                    walkedUsedBytes += blockSize;
                }
                prevFree = !isUsed(word);
                prevAddr = blockAddr;
                blockAddr += blockSize;
            }
            if (memory.getLong(sentinelAddr) != (SENTINEL_WORD)
                || memory.getLong(prevPhysAddr(sentinelAddr)) != (prevFree ? freePrevLink(prevAddr) : prevAddr)) {
                throw new HeapCorruptionException("a sentinel with a back link to the last block ends each pool",
                    sentinelAddr);
            }
        }
        checkFreeLists(walkedFreeBlocks);
        checkQuickLists(walkedParkedBlocks);
        checkCounter(walkedFreeBytes == bytesFree, "free bytes counted equal the free blocks");
        checkCounter(walkedFreeBlocks == freeBlockCount, "free blocks counted equal the free blocks");
        checkCounter(walkedUsedBytes == counters.bytesInUse(), "bytes in use counted equal the used blocks");
    }

    private void checkBlock(final long blockAddr, final long word, final long prevAddr, final boolean prevFree,
                            final long sentinelAddr) {
        final long blockSize = size(word);
        if (blockSize < MIN_BLOCK_SIZE || blockSize > sentinelAddr - blockAddr) {
            throw new HeapCorruptionException("block size is at least " + MIN_BLOCK_SIZE
                + " and stays inside the pool: size=" + blockSize, blockAddr);
        }
        if ((word & PAD_TAG) != 0 || (!isUsed(word) && (word & (SIZE_PADDED | SIZE_QUICK)) != 0)
            || (isQuick(word) && (word & SIZE_PADDED) != 0)) {
            throw new HeapCorruptionException("flags are valid: word=" + hex(word), blockAddr);
        }
        if (!hasTagOf(word, blockAddr)) {
            throw new HeapCorruptionException("size word carries the block's address tag: word=" + hex(word)
                + ", tag=" + hex(TlsfLayout.addressTag(blockAddr)), blockAddr);
        }
        final long prevLink = memory.getLong(prevPhysAddr(blockAddr));
        if (linkedAddr(prevLink) != prevAddr) {
            throw new HeapCorruptionException("back link names the previous block: prev=" + hex(prevAddr),
                blockAddr);
        }
        if (isPrevFree(prevLink) != prevFree) {
            throw new HeapCorruptionException("back link flags the previous block free iff it is: prevFree="
                + prevFree, blockAddr);
        }
        if ((word & SIZE_PADDED) != 0 && memory.getLong(TlsfLayout.wordBeforePayloadAddr(
            TlsfLayout.paddedPayloadAddr(blockAddr))) != TlsfLayout.padWord(blockAddr)) {
            throw new HeapCorruptionException("a padded block has its padding word", blockAddr);
        }
    }

    private void checkFreeLists(final long walkedFreeBlocks) {
        long listedBlocks = 0;
        for (int fl = 0; fl < slBitmaps.length; fl++) {
            if (((flBitmap >>> fl) & 1) != (slBitmaps[fl] != 0 ? 1 : 0)) {
                throw new HeapCorruptionException("first-level bit " + fl + " is set iff its bitmap is not empty",
                    0);
            }
            for (int sl = 0; sl <= slMask; sl++) {
                final int list = (fl << sli) | sl;
                if (((slBitmaps[fl] >>> sl) & 1) != (freeHeads[list] != 0 ? 1 : 0)) {
                    throw new HeapCorruptionException("second-level bit " + sl + " of range " + fl
                        + " is set iff its list is not empty", freeHeads[list]);
                }
                listedBlocks += checkFreeList(list, walkedFreeBlocks - listedBlocks);
            }
        }
        checkCounter(listedBlocks == walkedFreeBlocks, "every free block is in a list");
    }

    /** @return how many blocks list {@code list} holds, at most {@code maxBlocks} (more means a cycle) */
    private long checkFreeList(final int list, final long maxBlocks) {
        long count = 0;
        long prevAddr = 0;
        for (long blockAddr = freeHeads[list]; blockAddr != 0; blockAddr = memory.getLong(nextFreeAddr(blockAddr))) {
            final int pool = poolIndexOf(blockAddr);
            if (pool < 0 || ((blockAddr - poolStarts[pool]) & (GRANULARITY - 1)) != 0) {
                throw new HeapCorruptionException("a listed block lies in a pool", blockAddr);
            }
            final long word = memory.getLong(blockAddr);
            if (isUsed(word) || config.mapFloor(size(word)) != list) {
                throw new HeapCorruptionException("a listed block is free and in list " + list + ": word="
                    + hex(word), blockAddr);
            }
            if (memory.getLong(prevPhysAddr(blockAddr + size(word))) != freePrevLink(blockAddr)) {
                throw new HeapCorruptionException("a listed block is a block (the next one links back to it)",
                    blockAddr);
            }
            if (memory.getLong(prevFreeAddr(blockAddr)) != prevAddr) {
                throw new HeapCorruptionException("free-list links agree both ways", blockAddr);
            }
            if (++count > maxBlocks) {
                throw new HeapCorruptionException("free list " + list + " holds no more blocks than the pools",
                    blockAddr);
            }
            prevAddr = blockAddr;
        }
        return count;
    }

    /**
     * Checks that every parked block is a whole block of a pool, with the quick flag and the size of its list, and
     * that the heap walk found exactly the parked blocks.
     */
    private void checkQuickLists(final long walkedParkedBlocks) {
        quickLists.check((blockAddr, blockSize, flagged) -> {
            final int pool = poolIndexOf(blockAddr);
            if (pool < 0 || ((blockAddr - poolStarts[pool]) & (GRANULARITY - 1)) != 0) {
                throw new HeapCorruptionException("a parked block lies in a pool", blockAddr);
            }
            final long word = memory.getLong(blockAddr);
            if (word != sizeWord(blockAddr, blockSize, SIZE_USED | (flagged ? SIZE_QUICK : 0))) {
                throw new HeapCorruptionException("a parked block is used, flagged quick (but the front one) and of"
                    + " its list's size " + blockSize + ": word=" + hex(word), blockAddr);
            }
            if (linkedAddr(memory.getLong(prevPhysAddr(blockAddr + blockSize))) != blockAddr) {
                throw new HeapCorruptionException("a parked block is a block (the next one links back to it)",
                    blockAddr);
            }
        });
        checkCounter(quickLists.blockCount() == walkedParkedBlocks,
            "every block flagged quick, and the front one, is parked");
        checkCounter(lastAllocatedPayload == NO_BLOCK || lastAllocatedStillLive(),
            "the last block handed out is live with the size word it was given");
    }

    private boolean lastAllocatedStillLive() {
        final long blockAddr = TlsfLayout.blockAddrOfPayload(lastAllocatedPayload);
        return poolIndexOf(blockAddr) >= 0 && blockAddr != quickLists.frontBlock()
            && memory.getLong(blockAddr) == sizeWord(blockAddr, lastAllocatedSize, SIZE_USED);
    }

    private static void checkCounter(final boolean holds, final String invariant) {
        if (!holds) {
            throw new HeapCorruptionException(invariant, 0);
        }
    }

    @Override
    public String toString() {
        return "Tlsf[flLen=" + config.flLen() + ", slLen=" + config.slLen() + ", pools=" + poolCount
            + ", poolBytes=" + poolBytes + ", bytesFree=" + bytesFree + "]";
    }

    // ------------------------------------------------------------------------------------------------ errors

    static IllegalArgumentException poolSizeNotPositive(final long byteSize) {
        return new IllegalArgumentException("pool size must be positive: byteSize=" + byteSize);
    }

    static IllegalArgumentException poolWrapsAround(final long addr, final long byteSize) {
        return new IllegalArgumentException("pool wraps around the address space: addr=" + hex(addr)
            + ", byteSize=" + byteSize);
    }

    static IllegalArgumentException poolOverlaps(final long addr, final long byteSize, final long poolAddr,
                                                 final long poolByteSize) {
        return new IllegalArgumentException("pool overlaps a pool of this heap: addr=" + hex(addr) + ", byteSize="
            + byteSize + ", poolAddr=" + hex(poolAddr) + ", poolByteSize=" + poolByteSize);
    }
}

package dev.ffmalloc.linkedlist;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.memory.Memory;

import static dev.ffmalloc.alloc.AllocatorErrors.hex;
import static dev.ffmalloc.linkedlist.LinkedListLayout.GRANULARITY;
import static dev.ffmalloc.linkedlist.LinkedListLayout.MIN_BLOCK_SIZE;
import static dev.ffmalloc.linkedlist.LinkedListLayout.SIZE_FLAGS_MASK;
import static dev.ffmalloc.linkedlist.LinkedListLayout.SIZE_MASK;
import static dev.ffmalloc.linkedlist.LinkedListLayout.checkAddr;
import static dev.ffmalloc.linkedlist.LinkedListLayout.isUsedHeader;
import static dev.ffmalloc.linkedlist.LinkedListLayout.nextHoleAddr;
import static dev.ffmalloc.linkedlist.LinkedListLayout.sizeAddr;

/**
 * The integrity check of a {@link LinkedListHeap}, the block walker of rlsf's {@code iter_blocks} in spirit: first
 * the hole list alone, then every region block by block, then the sums against the heap's figures. Cold code; it
 * allocates only the exception it throws.
 */
final class LinkedListIntegrity {

    private final Memory memory;
    private final LinkedListRegions regions;

    LinkedListIntegrity(final Memory memory, final LinkedListRegions regions) {
        this.memory = memory;
        this.regions = regions;
    }

    /**
     * @throws HeapCorruptionException naming the first broken invariant and where it broke
     */
    void check(final long firstHoleAddr, final long freeBytes, final long bytesInUse, final long liveBlocks) {
        final long holeBytes = checkHoles(firstHoleAddr);
        if (holeBytes != freeBytes) {
            throw new HeapCorruptionException("holes hold " + holeBytes + " bytes but the heap counts " + freeBytes
                + " free", firstHoleAddr);
        }
        long usedBytes = 0;
        long usedBlocks = 0;
        long holeAddr = firstHoleAddr;
        for (int region = 0; region < regions.count(); region++) {
            final long endAddr = regions.endAddr(region);
            long blockAddr = regions.startAddr(region);
            while (blockAddr < endAddr) {
                final long sizeWord = memory.getLong(sizeAddr(blockAddr));
                if (blockAddr == holeAddr) {
                    holeAddr = memory.getLong(nextHoleAddr(holeAddr));
                    blockAddr += sizeWord;
                    continue;
                }
                if (holeAddr != Allocator.NO_BLOCK && holeAddr < blockAddr) {
                    throw new HeapCorruptionException("hole does not start at a block boundary", holeAddr);
                }
                final long limitAddr = holeAddr != Allocator.NO_BLOCK && holeAddr < endAddr ? holeAddr : endAddr;
                final long checkWord = memory.getLong(checkAddr(blockAddr));
                if (!isUsedHeader(blockAddr, sizeWord, checkWord, limitAddr)) {
                    throw new HeapCorruptionException("used block header is damaged or the block overruns the next "
                        + "hole or its region's end: sizeWord=" + hex(sizeWord) + ", checkWord=" + hex(checkWord)
                        + ", limitAddr=" + hex(limitAddr), blockAddr);
                }
                usedBytes += sizeWord & SIZE_MASK;
                usedBlocks++;
                blockAddr += sizeWord & SIZE_MASK;
            }
        }
        if (holeAddr != Allocator.NO_BLOCK) {
            throw new HeapCorruptionException("hole does not start at a block boundary", holeAddr);
        }
        if (usedBytes != bytesInUse || usedBlocks != liveBlocks) {
            throw new HeapCorruptionException("used blocks hold " + usedBytes + " bytes in " + usedBlocks
                + " blocks but the statistics count " + bytesInUse + " bytes in " + liveBlocks + " blocks",
                regions.count() == 0 ? 0 : regions.startAddr(0));
        }
    }

    /** @return the bytes in holes, after checking each hole against its region and the hole before it */
    private long checkHoles(final long firstHoleAddr) {
        long holeBytes = 0;
        long prevEndAddr = 0;
        boolean first = true;
        for (long holeAddr = firstHoleAddr; holeAddr != Allocator.NO_BLOCK;
             holeAddr = memory.getLong(nextHoleAddr(holeAddr))) {
            final int region = regions.indexOf(holeAddr);
            if (region < 0) {
                throw new HeapCorruptionException("hole lies outside every region", holeAddr);
            }
            if ((holeAddr & (GRANULARITY - 1)) != 0) {
                throw new HeapCorruptionException("hole is not aligned to the granularity", holeAddr);
            }
            final long sizeWord = memory.getLong(sizeAddr(holeAddr));
            if ((sizeWord & SIZE_FLAGS_MASK) != 0 || sizeWord < MIN_BLOCK_SIZE
                || sizeWord > regions.endAddr(region) - holeAddr) {
                throw new HeapCorruptionException("hole size word is not a multiple of the granularity between the "
                    + "minimum block and its region's end: sizeWord=" + hex(sizeWord), holeAddr);
            }
            if (!first && holeAddr < prevEndAddr) {
                throw new HeapCorruptionException("hole overlaps or precedes the hole before it", holeAddr);
            }
            if (!first && holeAddr == prevEndAddr) {
                throw new HeapCorruptionException("hole touches the hole before it (they should have merged)",
                    holeAddr);
            }
            holeBytes += sizeWord;
            prevEndAddr = holeAddr + sizeWord;
            first = false;
        }
        return holeBytes;
    }
}

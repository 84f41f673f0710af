package dev.ffmalloc.slab;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorCounters;
import dev.ffmalloc.alloc.AllocatorErrors;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

import static dev.ffmalloc.slab.SlabInfoLayout.COOKIE_OFFSET;
import static dev.ffmalloc.slab.SlabInfoLayout.FIRST_FREE_OFFSET;
import static dev.ffmalloc.slab.SlabInfoLayout.FREE_LIST_WORD_OFFSET;
import static dev.ffmalloc.slab.SlabInfoLayout.IN_USE_OFFSET;
import static dev.ffmalloc.slab.SlabInfoLayout.LIST_EMPTY;
import static dev.ffmalloc.slab.SlabInfoLayout.LIST_FULL;
import static dev.ffmalloc.slab.SlabInfoLayout.LIST_INDEX_OFFSET;
import static dev.ffmalloc.slab.SlabInfoLayout.NEXT_OFFSET;
import static dev.ffmalloc.slab.SlabInfoLayout.LIST_NONE;
import static dev.ffmalloc.slab.SlabInfoLayout.NO_FREE_OBJECT;
import static dev.ffmalloc.slab.SlabInfoLayout.PREV_OFFSET;
import static dev.ffmalloc.slab.SlabInfoLayout.SLAB_ADDR_OFFSET;
import static dev.ffmalloc.slab.SlabInfoLayout.bitmapWordAddr;
import static dev.ffmalloc.slab.SlabInfoLayout.firstFree;
import static dev.ffmalloc.slab.SlabInfoLayout.freeListWord;
import static dev.ffmalloc.slab.SlabInfoLayout.inUse;

/**
 * A slab cache (seed 001, after Bonwick's slab allocator and Linux's SLUB): objects of one size carved from slabs
 * that a {@link SlabBackend} provides, in one of three configurations (see {@link SlabConfig} and
 * {@link ObjectSizeType}).
 *
 * <h2>Structure</h2>
 * Each slab has a SlabInfo ({@link SlabInfoLayout}) holding a free-object list (the link is stored in the free object)
 * and an allocation bitmap. SlabInfos are linked into doubly linked lists: full slabs, empty slabs, and the partial
 * slabs in {@code B = min(objectsPerSlab, SlabConfig.partialBuckets())} buckets by objects in use
 * ({@code bucketOf(inUse)}: {@code inUse * B / objectsPerSlab} by a fixed-point multiply, which may give one bucket
 * less), with a 64-bit mask of non-empty buckets. Allocation prefers
 * the fullest partial slab: it takes a slab of the highest real bucket, so exactly the fullest when a slab holds at
 * most {@code B} objects, to within {@code objectsPerSlab / B} objects otherwise. Filling the fullest slabs first lets
 * the emptiest drain and go back to the backend. Up to {@link SlabConfig#emptySlabsKept()} empty slabs are kept
 * instead of given back, so allocating and freeing at a slab boundary does not call the backend each time.
 *
 * <h2>Lazy buckets</h2>
 * Moving a slab between lists touches its two list neighbours and the new list's head: random cache lines, each a
 * miss that depends on the SlabInfo's own miss. So a free moves a slab only when it leaves the full list or becomes
 * empty; a partial slab otherwise stays in the bucket it was put in, which may be higher than {@code bucketOf(inUse)}
 * but never lower (frees only lower the count, and allocation moves a slab up at once). Allocation looks at the head
 * of the highest non-empty bucket; if that slab's real bucket is lower, it moves it there and looks again. The slab it
 * ends with has a real bucket equal to the highest recorded one, which bounds every other slab's real bucket: the
 * preference above holds exactly as with eager buckets. Each such move takes a slab strictly down, after at least one
 * free since it was last placed, so allocation is constant time amortized over the frees.
 *
 * <h2>Finding the SlabInfo of an object on free</h2>
 * With {@code SMALL} and slab size == page size, by masking the address to its page (no lookup); otherwise through
 * the backend's page-to-SlabInfo entries, one saved per page of each slab. Either way the SlabInfo's cookie word
 * (this cache's cookie XOR the slab address) must match, which rejects foreign memory and slabs of other caches.
 *
 * <h2>Costs and limits</h2>
 * {@link #free(long)} runs in constant time and {@link #tryAllocate()} in constant time amortized over the frees
 * (lazy buckets); neither allocates on the Java heap, apart from a slab's first allocation (which builds its free
 * list, linear in the objects per slab) and the calls to the backend. A free reads three words of the SlabInfo and
 * writes two of them and the object's link (see {@link SlabInfoLayout}), and touches other SlabInfos only when its
 * slab leaves the full list or empties. Not thread-safe: wrap it in a {@link dev.ffmalloc.alloc.LockedAllocator}. No object constructors or
 * destructors (unlike Bonwick's caches), no per-CPU caches, no colouring.
 */
public final class SlabCache implements Allocator, AutoCloseable {

    private static final AtomicLong COOKIE_SEQUENCE = new AtomicLong();
    private static final long COOKIE_MULTIPLIER = 0x9E3779B97F4A7C15L;

    private final SlabConfig config;
    private final SlabBackend backend;
    private final Memory memory;
    private final long objectSize;
    private final long objectStride;
    /** See {@link SlabConfig#objectIndex}: object index = {@code multiplyHigh(offset, strideReciprocal)}. */
    private final long strideReciprocal;
    private final long objectsPerSlab;
    private final long slabSize;
    private final long pageSize;
    /** {@code ~(pageSize - 1)}: masks an address to its page. */
    private final long pageMask;
    private final long slabInfoSize;
    private final long slabInfoOffset;
    private final long guaranteedAlignment;
    /** SMALL with slab == page: the SlabInfo of an address is at its page plus {@link #slabInfoOffset}. */
    private final boolean masked;
    /** SMALL: the SlabInfo is inside the slab; LARGE: it comes from the backend. */
    private final boolean inlineSlabInfo;
    /** Real bucket of a partial slab = {@code (inUse * bucketFactor) >>> 32}, in {@code [0, partialHeads.length)}. */
    private final long bucketFactor;
    private final int emptySlabsKept;
    /** Non-zero in its low bit, so {@code cookie ^ slabAddr} (page aligned) is never 0, the cleared value. */
    private final long cookie;
    private final AllocatorCounters counters = new AllocatorCounters();

    /** Head SlabInfo of each partial bucket, 0 if empty; a slab in bucket b has a real bucket of b or lower. */
    private final long[] partialHeads;
    /** Bit b set iff {@code partialHeads[b] != 0}. */
    private long partialMask;
    /** Head of the full list (every object in use), 0 if empty. */
    private long fullHead;
    /** Head of the empty list (no object in use), 0 if empty; it holds at most {@link #emptySlabsKept} slabs. */
    private long emptyHead;
    private long fullSlabs;
    private long partialSlabs;
    private long emptySlabs;
    /** Bytes of slabs and out-of-slab SlabInfos held from the backend. */
    private long bytesFromBackend;
    /** Pages per slab; page loops count them, so that a slab ending at the top of a signed range still works. */
    private final long pagesPerSlab;
    /**
     * Masked configuration: every slab of this cache lies in {@code [lowSlabAddr, highSlabEnd)}, compared unsigned
     * ({@code highSlabEnd} 0 for a slab ending at the top of the address space).
     */
    private long lowSlabAddr;
    private long highSlabEnd;
    private boolean closed;

    /**
     * Creates a cache; it takes no memory until the first allocation.
     *
     * @param config  the validated shape of the cache
     * @param backend where slabs (and, for {@code LARGE}, SlabInfos) come from; it must implement the functions
     *                the configuration needs (see {@link SlabBackend})
     */
    public SlabCache(final SlabConfig config, final SlabBackend backend) {
        this.config = config;
        this.backend = backend;
        this.memory = backend.memory();
        this.objectSize = config.objectSize();
        this.objectStride = config.objectStride();
        this.strideReciprocal = config.strideReciprocal();
        this.objectsPerSlab = config.objectsPerSlab();
        this.slabSize = config.slabSize();
        this.pageSize = config.pageSize();
        this.pageMask = -config.pageSize();
        this.pagesPerSlab = config.slabSize() / config.pageSize();
        this.slabInfoSize = config.slabInfoSize();
        this.slabInfoOffset = config.slabInfoOffset();
        this.guaranteedAlignment = config.guaranteedAlignment();
        this.masked = config.findsSlabInfoByMasking();
        this.inlineSlabInfo = config.sizeType() == ObjectSizeType.SMALL;
        final int buckets = config.partialBuckets();
        this.bucketFactor = objectsPerSlab <= buckets ? 1L << 32 : ((long) buckets << 32) / objectsPerSlab;
        this.partialHeads = new long[(int) Math.min(objectsPerSlab, buckets)];
        this.emptySlabsKept = config.emptySlabsKept();
        this.cookie = (COOKIE_SEQUENCE.incrementAndGet() * COOKIE_MULTIPLIER) | 1;
        if (objectsPerSlab > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many objects per slab: objectsPerSlab=" + objectsPerSlab
                + ", max=" + Integer.MAX_VALUE);
        }
    }

    // --------------------------------------------------------------------------------------------- hot paths

    /**
     * Allocates one object.
     *
     * @return the object's address, aligned to {@link #objectAlignment()}
     * @throws dev.ffmalloc.alloc.OutOfMemoryException if the backend has no slab left
     * @throws IllegalStateException                   if the cache is closed
     */
    public long allocate() {
        final long objectAddr = tryAllocate();
        if (objectAddr == NO_BLOCK) {
            throw AllocatorErrors.outOfMemory(objectSize, guaranteedAlignment, stats().bytesFree());
        }
        return objectAddr;
    }

    /**
     * Allocates one object, reporting exhaustion without creating garbage. Constant time amortized over the frees
     * (moving stale slabs to their real bucket, see the class documentation), apart from a new slab.
     *
     * @return the object's address, or {@link #NO_BLOCK} if the backend has no slab left
     * @throws IllegalStateException if the cache is closed
     */
    public long tryAllocate() {
        final Memory memory = this.memory;
        // 1. The head of the highest partial bucket, unless its free-list word shows it stale (slow path: move stale
        //    heads down); else a kept empty slab, else a new one (slow path).
        long slabInfoAddr;
        int list;
        long freeListWord;
        if (partialMask != 0) {
            list = highestBucket();
            slabInfoAddr = partialHeads[list];
            freeListWord = memory.getLong(slabInfoAddr + FREE_LIST_WORD_OFFSET);
            if (bucketOf(inUse(freeListWord)) != list) {
                moveStaleHeadsDown();
                list = highestBucket();
                slabInfoAddr = partialHeads[list];
                freeListWord = memory.getLong(slabInfoAddr + FREE_LIST_WORD_OFFSET);
            }
        } else {
            slabInfoAddr = emptyOrNewSlab();
            if (slabInfoAddr == NO_BLOCK) {
                return NO_BLOCK;
            }
            list = LIST_EMPTY;
            freeListWord = memory.getLong(slabInfoAddr + FREE_LIST_WORD_OFFSET);
        }
        assert memory.getInt(slabInfoAddr + LIST_INDEX_OFFSET) == list : "list index";
        // 2. Pop the first free object (its link holds the next one's index) and count it: one write of the free-list
        //    word.
        final int objectIndex = firstFree(freeListWord);
        assert objectIndex != NO_FREE_OBJECT : "a partial or empty slab has a free object";
        final long objectAddr = slabAddrOf(slabInfoAddr) + objectIndex * objectStride;
        final int inUse = inUse(freeListWord) + 1;
        memory.setLong(slabInfoAddr + FREE_LIST_WORD_OFFSET, freeListWord((int) memory.getLong(objectAddr), inUse));
        // 3. Mark it in use in the bitmap.
        final long wordAddr = bitmapWordAddr(slabInfoAddr, objectIndex);
        memory.setLong(wordAddr, memory.getLong(wordAddr) | (1L << objectIndex));
        // 4. Move the slab up to the list its new count belongs to (its bucket was its real one).
        final int newList = listFor(inUse);
        if (newList != list) {
            unlink(slabInfoAddr, list);
            link(slabInfoAddr, newList);
        }
        counters.onAllocate(objectStride);
        return objectAddr;
    }

    /**
     * Returns an object to the cache. Constant time, apart from a slab given back to the backend. It touches the
     * object and its SlabInfo, and the slab lists only when the slab was full or becomes empty.
     *
     * <p>Preconditions: none beyond the checked ones; an address that is not a live object of this cache is rejected
     * and the cache is left unchanged. (In the masked configuration the cache reads the would-be SlabInfo word of the
     * address's page if that page lies between its lowest and highest slab, so that memory must be readable.)
     *
     * @param objectAddr an address returned by this cache's allocate and not freed since
     * @throws IllegalArgumentException if the address is not an object of this cache: foreign, inside an object,
     *                                  inside a SlabInfo or past a slab's last object
     * @throws IllegalStateException    if the object is already free, or the cache is closed
     * @throws RuntimeException         whatever the backend throws when the slab the object empties goes back to
     *                                  it; the object is freed and the slab out of the cache even then
     */
    @Override
    public void free(final long objectAddr) {
        final Memory memory = this.memory;
        // 1. Find and check the SlabInfo, then the object's index on the slab's grid.
        final long slabInfoAddr = slabInfoOf(objectAddr);
        final long objectIndex = objectIndexOf(objectAddr, slabInfoAddr);
        // 2. Its bit must be set: else it is a double free.
        final long wordAddr = bitmapWordAddr(slabInfoAddr, objectIndex);
        final long word = memory.getLong(wordAddr);
        final long bit = 1L << objectIndex;
        if ((word & bit) == 0) {
            throw AllocatorErrors.doubleFree(objectAddr);
        }
        // 3. Clear the bit, push the object on the free list and count it: one read and one write of the free-list
        //    word.
        memory.setLong(wordAddr, word & ~bit);
        final long freeListWord = memory.getLong(slabInfoAddr + FREE_LIST_WORD_OFFSET);
        final int firstFree = firstFree(freeListWord);
        final int inUse = inUse(freeListWord) - 1;
        memory.setLong(objectAddr, firstFree);
        memory.setLong(slabInfoAddr + FREE_LIST_WORD_OFFSET, freeListWord((int) objectIndex, inUse));
        counters.onFree(objectStride);
        // 4. A partial slab stays in its bucket (lazy buckets): only full -> partial and -> empty move it.
        if (inUse == 0 || firstFree == NO_FREE_OBJECT) {
            freeSlowPath(slabInfoAddr, inUse);
        }
    }

    // ------------------------------------------------------------------------------------ Allocator contract

    /**
     * Allocates one object for a request of at most {@link #objectSize()} bytes and {@link #objectAlignment()}.
     *
     * @throws IllegalArgumentException if the size is negative or above the object size, or the alignment is not a
     *                                  power of two or above the object alignment
     */
    @Override
    public long tryAllocate(final long byteSize, final long byteAlignment) {
        checkRequest(byteSize, byteAlignment);
        return tryAllocate();
    }

    /** A cache never moves an object: any size up to the object size fits where it is. */
    @Override
    public long reallocate(final long address, final long newByteSize, final long byteAlignment) {
        checkRequest(newByteSize, byteAlignment);
        usableSize(address);
        return address;
    }

    /** @return {@link #objectSize()} for a live object */
    @Override
    public long usableSize(final long address) {
        final long slabInfoAddr = slabInfoOf(address);
        final long objectIndex = objectIndexOf(address, slabInfoAddr);
        if ((memory.getLong(bitmapWordAddr(slabInfoAddr, objectIndex)) & (1L << objectIndex)) == 0) {
            throw AllocatorErrors.doubleFree(address);
        }
        return objectSize;
    }

    /** @return the object size */
    @Override
    public long maxAllocationSize() {
        return objectSize;
    }

    @Override
    public Memory memory() {
        return memory;
    }

    /**
     * Statistics in the common shape: the heap is what the cache holds from the backend, a block is an object
     * counted with its stride, free bytes are the free objects of the slabs held.
     */
    @Override
    public AllocatorStats stats() {
        final long freeObjects = (fullSlabs + partialSlabs + emptySlabs) * objectsPerSlab - counters.liveBlocks();
        return counters.snapshot(bytesFromBackend, freeObjects * objectStride);
    }

    /** @return the cache's own statistics: objects in use, slabs per list, bytes from the backend */
    public SlabStats slabStats() {
        return new SlabStats(counters.liveBlocks(), fullSlabs, partialSlabs, emptySlabs, objectsPerSlab,
            bytesFromBackend);
    }

    /** @return the configuration the cache was made with */
    public SlabConfig config() {
        return config;
    }

    /** @return the size of an object */
    public long objectSize() {
        return objectSize;
    }

    /** @return the alignment every object has (at least the one asked for, and at least 8) */
    public long objectAlignment() {
        return guaranteedAlignment;
    }

    /**
     * A segment over one live object, to reach a {@code StructLayout}'s fields through its var handles; only for a
     * backend over {@link NativeMemory}.
     *
     * @throws IllegalArgumentException      if the address is not an object of this cache
     * @throws IllegalStateException         if the object is free
     * @throws UnsupportedOperationException if the memory is not native
     */
    public MemorySegment objectSegment(final long objectAddr) {
        if (!(memory instanceof NativeMemory nativeMemory)) {
            throw new UnsupportedOperationException("objects are not in native memory: memory=" + memory);
        }
        usableSize(objectAddr);
        return nativeMemory.segment().asSlice(objectAddr - nativeMemory.baseAddress(), objectSize);
    }

    /**
     * Gives every slab back to the backend, live objects included, and forgets the SlabInfo entries; the objects
     * that were live count as freed. Afterwards allocation, free, reallocation, {@code usableSize} and
     * {@code objectSegment} throw {@link IllegalStateException}; the statistics, {@code checkIntegrity},
     * {@code maxAllocationSize} and {@code memory} still answer. Closing twice does nothing.
     *
     * <p>If a backend call throws, the exception goes to the caller and the cache stays open: the slabs given back
     * so far are out of it, the others still in it, and {@code close()} may be called again.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        releaseList(LIST_FULL);
        for (int bucket = 0; bucket < partialHeads.length; bucket++) {
            releaseList(bucket);
        }
        releaseList(LIST_EMPTY);
        // Only now: a backend call that throws above leaves the cache open with the slabs not yet given back, and
        // close() may be called again.
        closed = true;
        lowSlabAddr = 0;
        highSlabEnd = 0;
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------------------------------ slow paths

    private void checkRequest(final long byteSize, final long byteAlignment) {
        AllocatorErrors.checkRequest(byteSize, byteAlignment, objectSize);
        if (byteAlignment > guaranteedAlignment) {
            throw AllocatorErrors.alignmentTooLarge(byteAlignment, guaranteedAlignment);
        }
    }

    /** @return the highest non-empty partial bucket; at least one must be non-empty */
    private int highestBucket() {
        return Long.SIZE - 1 - Long.numberOfLeadingZeros(partialMask);
    }

    /**
     * Moves the head of the highest partial bucket down to its real bucket, and again, until that head is in its real
     * bucket: then it is a slab of the highest real bucket.
     */
    private void moveStaleHeadsDown() {
        int bucket = highestBucket();
        long slabInfoAddr = partialHeads[bucket];
        int realBucket = bucketOf(memory.getInt(slabInfoAddr + IN_USE_OFFSET));
        while (realBucket != bucket) {
            assert realBucket < bucket : "a partial slab's bucket is at least its real bucket";
            moveToList(slabInfoAddr, realBucket);
            bucket = highestBucket();
            slabInfoAddr = partialHeads[bucket];
            realBucket = bucketOf(memory.getInt(slabInfoAddr + IN_USE_OFFSET));
        }
    }

    /** A free left {@code inUse} objects in a slab that was full or is now empty: move it, or give it back. */
    private void freeSlowPath(final long slabInfoAddr, final int inUse) {
        if (inUse == 0) {
            onSlabEmptied(slabInfoAddr);
        } else {
            moveToList(slabInfoAddr, bucketOf(inUse));
        }
    }

    /** @return a slab in the empty list: a kept one, else a new one; or {@link #NO_BLOCK} */
    private long emptyOrNewSlab() {
        if (emptyHead != 0) {
            return emptyHead;
        }
        if (closed) {
            throw closed();
        }
        return newSlab();
    }

    /**
     * @return the SlabInfo of a slab fresh from the backend, linked into the empty list; or {@link #NO_BLOCK}
     * @throws IllegalStateException if the backend hands out a slab or SlabInfo this cache cannot use: misaligned,
     *                               outside the memory, or a slab the cache (or a cache sharing the page map)
     *                               already holds; what the backend handed out goes back to it, except a slab that
     *                               is already held
     */
    private long newSlab() {
        final long slabAddr = backend.allocateSlab(slabSize, pageSize);
        if (slabAddr == SlabBackend.NO_MEMORY) {
            return NO_BLOCK;
        }
        if ((slabAddr & (pageSize - 1)) != 0) {
            backend.freeSlab(slabAddr, slabSize, pageSize);
            throw misalignedSlab(slabAddr, pageSize);
        }
        // Until the slab is whole, a failure (no SlabInfo, or a backend call that throws) gives back what it took;
        // but not a slab already held: giving it back would free memory in use.
        long slabInfoAddr = SlabBackend.NO_MEMORY;
        long pagesSaved = 0;
        boolean held = false;
        boolean formatted = false;
        boolean whole = false;
        try {
            held = isHeld(slabAddr);
            if (held) {
                throw slabAlreadyHeld(slabAddr);
            }
            slabInfoAddr = inlineSlabInfo ? slabAddr + slabInfoOffset : backend.allocateSlabInfo(slabInfoSize);
            if (slabInfoAddr == SlabBackend.NO_MEMORY) {
                return NO_BLOCK;
            }
            if ((slabInfoAddr & (Long.BYTES - 1)) != 0) {
                throw misalignedSlabInfo(slabInfoAddr);
            }
            try {
                // Both ends first: checked in every mode, so that unchecked memory does not write past its end.
                Memory.checkRange(memory, slabAddr, slabSize);
                if (!inlineSlabInfo) {
                    Memory.checkRange(memory, slabInfoAddr, slabInfoSize);
                }
                formatSlab(slabAddr, slabInfoAddr);
            } catch (final RuntimeException notWritable) {
                throw new IllegalStateException("backend returned memory the cache cannot write: slabAddr="
                    + AllocatorErrors.hex(slabAddr) + ", slabInfoAddr=" + AllocatorErrors.hex(slabInfoAddr),
                    notWritable);
            }
            formatted = true;
            if (!masked) {
                for (; pagesSaved < pagesPerSlab; pagesSaved++) {
                    backend.saveSlabInfoAddr(slabAddr + pagesSaved * pageSize, slabInfoAddr);
                }
            }
            whole = true;
        } finally {
            if (!whole && !held) {
                undoNewSlab(slabAddr, slabInfoAddr, pagesSaved, formatted);
            }
        }
        if (masked) {
            widenSlabRange(slabAddr);
        }
        bytesFromBackend += slabSize + (inlineSlabInfo ? 0 : slabInfoSize);
        link(slabInfoAddr, LIST_EMPTY);
        return slabInfoAddr;
    }

    /**
     * @return whether a slab the backend just handed out overlaps one this cache already holds (masked: its SlabInfo
     *         carries this cache's cookie, which a slab loses when it goes back; slabs are whole cache pages, so they
     *         overlap only if equal) or one the page map has an entry for (any of its pages)
     */
    private boolean isHeld(final long slabAddr) {
        if (!masked) {
            for (long page = 0; page < pagesPerSlab; page++) {
                if (backend.slabInfoAddr(slabAddr + page * pageSize) != PageMap.MISSING) {
                    return true;
                }
            }
            return false;
        }
        return inSlabRange(slabAddr)
            && memory.getLong(slabAddr + slabInfoOffset + COOKIE_OFFSET) == (cookie ^ slabAddr);
    }

    /**
     * Gives back what a {@link #newSlab} that failed took: its page entries, its SlabInfo, its slab. The cookie, the
     * last word {@link #formatSlab} writes, is cleared only if the format finished: a format that failed wrote none,
     * and memory that refused a store is not written again.
     */
    private void undoNewSlab(final long slabAddr, final long slabInfoAddr, final long pagesSaved,
                             final boolean formatted) {
        for (long page = 0; page < pagesSaved; page++) {
            backend.deleteSlabInfoAddr(slabAddr + page * pageSize);
        }
        if (slabInfoAddr != SlabBackend.NO_MEMORY) {
            if (formatted) {
                memory.setLong(slabInfoAddr + COOKIE_OFFSET, 0L);
            }
            if (!inlineSlabInfo) {
                backend.freeSlabInfo(slabInfoAddr, slabInfoSize);
            }
        }
        backend.freeSlab(slabAddr, slabSize, pageSize);
    }

    /** Writes a new slab's SlabInfo (no object in use) and threads every object on the free list, in index order. */
    private void formatSlab(final long slabAddr, final long slabInfoAddr) {
        final Memory memory = this.memory;
        memory.setLong(slabInfoAddr + SLAB_ADDR_OFFSET, slabAddr);
        memory.setLong(slabInfoAddr + FREE_LIST_WORD_OFFSET, freeListWord(0, 0));
        memory.setInt(slabInfoAddr + LIST_INDEX_OFFSET, LIST_NONE);
        // Word stores, not Memory.fill: a fill may build a slice object, and this runs for every new slab.
        final long bitmapEnd = slabInfoAddr + SlabInfoLayout.BITMAP_OFFSET
            + SlabInfoLayout.bitmapWords(objectsPerSlab) * Long.BYTES;
        for (long wordAddr = bitmapWordAddr(slabInfoAddr, 0); wordAddr < bitmapEnd; wordAddr += Long.BYTES) {
            memory.setLong(wordAddr, 0L);
        }
        long objectAddr = slabAddr;
        for (long objectIndex = 1; objectIndex < objectsPerSlab; objectIndex++, objectAddr += objectStride) {
            memory.setLong(objectAddr, objectIndex);
        }
        memory.setLong(objectAddr, NO_FREE_OBJECT);
        // Last: a slab carries the cookie only once every other word is written (see undoNewSlab).
        memory.setLong(slabInfoAddr + COOKIE_OFFSET, cookie ^ slabAddr);
    }

    /** Masked configuration: whether {@code addr} lies between this cache's lowest and highest slab. */
    private boolean inSlabRange(final long addr) {
        // Unsigned: one compare rejects addresses below and above the range.
        return Long.compareUnsigned(addr - lowSlabAddr, highSlabEnd - lowSlabAddr) < 0;
    }

    private void widenSlabRange(final long slabAddr) {
        if (lowSlabAddr == highSlabEnd) {
            lowSlabAddr = slabAddr;
            highSlabEnd = slabAddr + slabSize;
        } else {
            if (Long.compareUnsigned(slabAddr, lowSlabAddr) < 0) {
                lowSlabAddr = slabAddr;
            }
            // End addresses minus one, so that 0 (the top of the address space) compares highest.
            if (Long.compareUnsigned(slabAddr + slabSize - 1, highSlabEnd - 1) > 0) {
                highSlabEnd = slabAddr + slabSize;
            }
        }
    }

    /** A slab's last object was freed: keep it as an empty slab, or give it back if enough are kept. */
    private void onSlabEmptied(final long slabInfoAddr) {
        if (emptySlabs < emptySlabsKept) {
            moveToList(slabInfoAddr, LIST_EMPTY);
        } else {
            unlink(slabInfoAddr, memory.getInt(slabInfoAddr + LIST_INDEX_OFFSET));
            releaseSlab(slabInfoAddr);
        }
    }

    /**
     * Gives an unlinked slab (and its SlabInfo, if out of the slab) back to the backend, with its page entries. The
     * cache lets go of the slab before it calls the backend, so a backend call that throws leaves the cache whole
     * (the slab is no longer in it, nor counted) and the exception goes to the caller.
     */
    private void releaseSlab(final long slabInfoAddr) {
        final long slabAddr = memory.getLong(slabInfoAddr + SLAB_ADDR_OFFSET);
        memory.setLong(slabInfoAddr + COOKIE_OFFSET, 0L);
        bytesFromBackend -= slabSize + (inlineSlabInfo ? 0 : slabInfoSize);
        if (!masked) {
            for (long page = 0; page < pagesPerSlab; page++) {
                backend.deleteSlabInfoAddr(slabAddr + page * pageSize);
            }
        }
        if (!inlineSlabInfo) {
            backend.freeSlabInfo(slabInfoAddr, slabInfoSize);
        }
        backend.freeSlab(slabAddr, slabSize, pageSize);
    }

    private void releaseList(final int list) {
        long slabInfoAddr;
        while ((slabInfoAddr = head(list)) != 0) {
            final int inUse = memory.getInt(slabInfoAddr + IN_USE_OFFSET);
            for (int i = 0; i < inUse; i++) {
                counters.onFree(objectStride);
            }
            unlink(slabInfoAddr, list);
            releaseSlab(slabInfoAddr);
        }
    }

    /**
     * @return the checked SlabInfo of the slab that holds {@code objectAddr}
     * @throws IllegalArgumentException if no slab of this cache holds it
     */
    private long slabInfoOf(final long objectAddr) {
        final long pageAddr = objectAddr & pageMask;
        final long slabInfoAddr;
        final long slabAddr;
        if (masked) {
            if (!inSlabRange(pageAddr)) {
                throw notAnObject(objectAddr);
            }
            slabAddr = pageAddr;
            slabInfoAddr = pageAddr + slabInfoOffset;
        } else {
            slabInfoAddr = backend.slabInfoAddr(pageAddr);
            if (slabInfoAddr == PageMap.MISSING) {
                throw notAnObject(objectAddr);
            }
            slabAddr = slabAddrOf(slabInfoAddr);
        }
        if (memory.getLong(slabInfoAddr + COOKIE_OFFSET) != (cookie ^ slabAddr)) {
            throw notAnObject(objectAddr);
        }
        return slabInfoAddr;
    }

    /**
     * @return the index of the object at {@code objectAddr} in its slab
     * @throws IllegalArgumentException if the address is not on the slab's object grid
     */
    private long objectIndexOf(final long objectAddr, final long slabInfoAddr) {
        final long slabAddr = slabAddrOf(slabInfoAddr);
        final long offset = objectAddr - slabAddr;
        final long objectIndex = Math.multiplyHigh(offset, strideReciprocal);
        assert objectIndex == offset / objectStride : "stride reciprocal";
        if (objectIndex >= objectsPerSlab) {
            throw inlineSlabInfo && offset >= slabInfoOffset
                ? insideSlabInfo(objectAddr, slabInfoAddr) : pastLastObject(objectAddr, slabAddr, objectsPerSlab);
        }
        final long objectStart = slabAddr + objectIndex * objectStride;
        if (objectStart != objectAddr) {
            throw AllocatorErrors.interiorPointer(objectAddr, objectStart);
        }
        return objectIndex;
    }

    /**
     * @return the address of the slab whose SlabInfo is at {@code slabInfoAddr}: computed when the SlabInfo is inside
     *         the slab, so that the hot paths compute every SlabInfo field's address from the object's address alone
     *         and issue those loads without waiting for one of them
     */
    private long slabAddrOf(final long slabInfoAddr) {
        return inlineSlabInfo ? slabInfoAddr - slabInfoOffset : memory.getLong(slabInfoAddr + SLAB_ADDR_OFFSET);
    }

    // ---------------------------------------------------------------------------------------------- lists

    /** @return the list a slab with {@code inUse} objects in use belongs to, its real bucket if partial */
    private int listFor(final int inUse) {
        if (inUse == objectsPerSlab) {
            return LIST_FULL;
        }
        if (inUse == 0) {
            return LIST_EMPTY;
        }
        return bucketOf(inUse);
    }

    /** @return the real bucket of a partial slab with {@code inUse} objects in use */
    private int bucketOf(final int inUse) {
        return (int) ((inUse * bucketFactor) >>> 32);
    }

    private void moveToList(final long slabInfoAddr, final int list) {
        final int current = memory.getInt(slabInfoAddr + LIST_INDEX_OFFSET);
        if (current != list) {
            unlink(slabInfoAddr, current);
            link(slabInfoAddr, list);
        }
    }

    private long head(final int list) {
        if (list == LIST_FULL) {
            return fullHead;
        }
        if (list == LIST_EMPTY) {
            return emptyHead;
        }
        return partialHeads[list];
    }

    private void setHead(final int list, final long slabInfoAddr, final int countChange) {
        if (list == LIST_FULL) {
            fullHead = slabInfoAddr;
            fullSlabs += countChange;
        } else if (list == LIST_EMPTY) {
            emptyHead = slabInfoAddr;
            emptySlabs += countChange;
        } else {
            partialHeads[list] = slabInfoAddr;
            partialSlabs += countChange;
            partialMask = slabInfoAddr != 0 ? partialMask | (1L << list) : partialMask & ~(1L << list);
        }
    }

    /** Pushes an unlinked SlabInfo on the head of {@code list}. */
    private void link(final long slabInfoAddr, final int list) {
        final Memory memory = this.memory;
        final long headAddr = head(list);
        memory.setLong(slabInfoAddr + PREV_OFFSET, 0L);
        memory.setLong(slabInfoAddr + NEXT_OFFSET, headAddr);
        if (headAddr != 0) {
            memory.setLong(headAddr + PREV_OFFSET, slabInfoAddr);
        }
        memory.setInt(slabInfoAddr + LIST_INDEX_OFFSET, list);
        setHead(list, slabInfoAddr, 1);
    }

    /** Takes a SlabInfo out of {@code list}, the list it is linked into. */
    private void unlink(final long slabInfoAddr, final int list) {
        final Memory memory = this.memory;
        final long prevAddr = memory.getLong(slabInfoAddr + PREV_OFFSET);
        final long nextAddr = memory.getLong(slabInfoAddr + NEXT_OFFSET);
        if (nextAddr != 0) {
            memory.setLong(nextAddr + PREV_OFFSET, prevAddr);
        }
        if (prevAddr != 0) {
            memory.setLong(prevAddr + NEXT_OFFSET, nextAddr);
            countOnly(list, -1);
        } else {
            setHead(list, nextAddr, -1);
        }
        memory.setInt(slabInfoAddr + LIST_INDEX_OFFSET, LIST_NONE);
    }

    private void countOnly(final int list, final int countChange) {
        if (list == LIST_FULL) {
            fullSlabs += countChange;
        } else if (list == LIST_EMPTY) {
            emptySlabs += countChange;
        } else {
            partialSlabs += countChange;
        }
    }

    // ---------------------------------------------------------------------------------------- integrity

    /**
     * Walks the full, partial and empty lists and every slab's free list and bitmap, checking every invariant of
     * {@link SlabInfoLayout} and of this class, and that the counters add up.
     *
     * @throws HeapCorruptionException naming the first broken invariant
     */
    @Override
    public void checkIntegrity() {
        long objects = checkList(LIST_FULL, fullSlabs) + checkList(LIST_EMPTY, emptySlabs);
        long partialSeen = 0;
        requireThat(partialMask >>> partialHeads.length == 0 || partialHeads.length == Long.SIZE,
            "no mask bit above the last bucket", 0);
        for (int bucket = 0; bucket < partialHeads.length; bucket++) {
            requireThat((partialHeads[bucket] != 0) == ((partialMask & (1L << bucket)) != 0),
                "bucket bit set iff bucket non-empty, bucket=" + bucket, partialHeads[bucket]);
            final SlabWalk walk = walkList(bucket, partialSlabs - partialSeen);
            partialSeen += walk.slabs;
            objects += walk.objects;
        }
        if (partialSeen != partialSlabs) {
            throw new HeapCorruptionException("partial slabs counted = partial slabs linked (" + partialSlabs + " vs "
                + partialSeen + ")", 0);
        }
        if (objects != counters.liveBlocks()) {
            throw new HeapCorruptionException("objects in use in slabs = live objects counted (" + objects + " vs "
                + counters.liveBlocks() + ")", 0);
        }
        if (emptySlabs > emptySlabsKept) {
            throw new HeapCorruptionException("empty slabs kept <= " + emptySlabsKept + " (" + emptySlabs + ")",
                emptyHead);
        }
        final long slabs = fullSlabs + partialSlabs + emptySlabs;
        if (bytesFromBackend != slabs * (slabSize + (inlineSlabInfo ? 0 : slabInfoSize))) {
            throw new HeapCorruptionException("bytes from backend = slabs * bytes per slab (" + bytesFromBackend
                + " for " + slabs + " slabs)", 0);
        }
    }

    /** @return objects in use in a list whose length must be {@code expectedSlabs} */
    private long checkList(final int list, final long expectedSlabs) {
        final SlabWalk walk = walkList(list, expectedSlabs);
        if (walk.slabs != expectedSlabs) {
            throw new HeapCorruptionException("slabs counted = slabs linked in list " + list + " (" + expectedSlabs
                + " vs " + walk.slabs + ")", head(list));
        }
        return walk.objects;
    }

    private record SlabWalk(long slabs, long objects) {
    }

    private SlabWalk walkList(final int list, final long maxSlabs) {
        long slabs = 0;
        long objects = 0;
        long prevAddr = 0;
        for (long slabInfoAddr = head(list); slabInfoAddr != 0;
             slabInfoAddr = memory.getLong(slabInfoAddr + NEXT_OFFSET)) {
            if (++slabs > maxSlabs) {
                throw new HeapCorruptionException("list " + list + " holds at most " + maxSlabs + " slabs",
                    slabInfoAddr);
            }
            if (memory.getLong(slabInfoAddr + PREV_OFFSET) != prevAddr) {
                throw new HeapCorruptionException("prev link = previous SlabInfo in list " + list, slabInfoAddr);
            }
            objects += checkSlab(slabInfoAddr, list);
            prevAddr = slabInfoAddr;
        }
        return new SlabWalk(slabs, objects);
    }

    /** @return the objects in use in the slab, after checking its SlabInfo, bitmap and free list */
    private long checkSlab(final long slabInfoAddr, final int list) {
        final long slabAddr = memory.getLong(slabInfoAddr + SLAB_ADDR_OFFSET);
        final int inUse = memory.getInt(slabInfoAddr + IN_USE_OFFSET);
        requireThat((slabAddr & (pageSize - 1)) == 0, "slab address page aligned", slabInfoAddr);
        requireThat(memory.getLong(slabInfoAddr + COOKIE_OFFSET) == (cookie ^ slabAddr), "cookie = cache cookie XOR "
            + "slab address", slabInfoAddr);
        requireThat(memory.getInt(slabInfoAddr + LIST_INDEX_OFFSET) == list, "list index = list " + list,
            slabInfoAddr);
        if (list >= 0) {
            requireThat(inUse > 0 && inUse < objectsPerSlab && bucketOf(inUse) <= list, "objects in use (" + inUse
                + ") of a slab in bucket " + list + " are partial, of that bucket or a lower one", slabInfoAddr);
        } else {
            requireThat(inUse >= 0 && inUse <= objectsPerSlab && listFor(inUse) == list,
                "objects in use (" + inUse + ") belong to list " + list, slabInfoAddr);
        }
        requireThat(!inlineSlabInfo || slabInfoAddr == slabAddr + slabInfoOffset, "SlabInfo at its slab offset",
            slabInfoAddr);
        if (masked) {
            requireThat(Long.compareUnsigned(slabAddr + slabSize - 1 - lowSlabAddr, highSlabEnd - 1 - lowSlabAddr) <= 0,
                "slab inside the range", slabInfoAddr);
        } else {
            for (long page = 0; page < pagesPerSlab; page++) {
                final long pageAddr = slabAddr + page * pageSize;
                requireThat(backend.slabInfoAddr(pageAddr) == slabInfoAddr, "page entry of page 0x"
                    + Long.toHexString(pageAddr) + " = its SlabInfo", slabInfoAddr);
            }
        }
        long bitsSet = 0;
        for (long word = 0; word < SlabInfoLayout.bitmapWords(objectsPerSlab); word++) {
            bitsSet += Long.bitCount(memory.getLong(bitmapWordAddr(slabInfoAddr, word * Long.SIZE)));
        }
        requireThat(bitsSet == inUse, "bits set in the bitmap = objects in use (" + bitsSet + " vs " + inUse + ")",
            slabInfoAddr);
        checkFreeList(slabInfoAddr, slabAddr, objectsPerSlab - inUse);
        return inUse;
    }

    private void checkFreeList(final long slabInfoAddr, final long slabAddr, final long expectedFree) {
        long free = 0;
        for (long objectIndex = memory.getInt(slabInfoAddr + FIRST_FREE_OFFSET); objectIndex != NO_FREE_OBJECT;
             objectIndex = memory.getLong(slabAddr + objectIndex * objectStride)) {
            requireThat(++free <= expectedFree, "free list holds objects per slab - objects in use = " + expectedFree,
                slabInfoAddr);
            requireThat(objectIndex >= 0 && objectIndex < objectsPerSlab, "free-list link " + objectIndex
                + " names an object of the slab (0 to " + (objectsPerSlab - 1) + ")", slabInfoAddr);
            requireThat((memory.getLong(bitmapWordAddr(slabInfoAddr, objectIndex)) & (1L << objectIndex)) == 0,
                "free object " + objectIndex + " has its bitmap bit clear", slabInfoAddr);
        }
        requireThat(free == expectedFree, "free list length = " + expectedFree + " (" + free + ")", slabInfoAddr);
    }

    private static void requireThat(final boolean holds, final String invariant, final long address) {
        if (!holds) {
            throw new HeapCorruptionException(invariant, address);
        }
    }

    @Override
    public String toString() {
        return "SlabCache[" + config + ", " + slabStats() + "]";
    }

    // ------------------------------------------------------------------------------------------ errors

    private IllegalStateException closed() {
        return new IllegalStateException("slab cache is closed: objectSize=" + objectSize);
    }

    private RuntimeException notAnObject(final long address) {
        return closed ? closed() : AllocatorErrors.notInHeap(address);
    }

    private static IllegalArgumentException insideSlabInfo(final long address, final long slabInfoAddr) {
        return new IllegalArgumentException("address is inside a SlabInfo, not an object: addr="
            + AllocatorErrors.hex(address) + ", slabInfoAddr=" + AllocatorErrors.hex(slabInfoAddr));
    }

    private static IllegalArgumentException pastLastObject(final long address, final long slabAddr,
                                                           final long objectsPerSlab) {
        return new IllegalArgumentException("address is past the last object of its slab: addr="
            + AllocatorErrors.hex(address) + ", slabAddr=" + AllocatorErrors.hex(slabAddr) + ", objectsPerSlab="
            + objectsPerSlab);
    }

    private static IllegalStateException misalignedSlabInfo(final long slabInfoAddr) {
        return new IllegalStateException("backend returned a SlabInfo not aligned to 8 bytes: slabInfoAddr="
            + AllocatorErrors.hex(slabInfoAddr));
    }

    private static IllegalStateException slabAlreadyHeld(final long slabAddr) {
        return new IllegalStateException("backend returned a slab that a cache already holds: slabAddr="
            + AllocatorErrors.hex(slabAddr));
    }

    private static IllegalStateException misalignedSlab(final long slabAddr, final long pageSize) {
        return new IllegalStateException("backend returned a slab not aligned to the page size: slabAddr="
            + AllocatorErrors.hex(slabAddr) + ", pageSize=" + pageSize);
    }
}

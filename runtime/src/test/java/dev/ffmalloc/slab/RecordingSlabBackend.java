package dev.ffmalloc.slab;

import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;
import org.agrona.BitUtil;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A test backend over a region of a {@link NativeMemory}, carved into page-aligned slabs of one size (and, for
 * {@code LARGE}, SlabInfo slots at the region's end). It records every call, fails the test on a function the
 * configuration must not call (seed 001's table) and on any call that does not match what it handed out, and can
 * verify at the end that every slab, SlabInfo and page entry came back.
 */
final class RecordingSlabBackend implements SlabBackend {

    private final NativeMemory memory;
    private final SlabConfig config;
    private final PageMap pageMap;
    private final boolean lookupAllowed;
    private final boolean slabInfoAllowed;
    private final ArrayDeque<Long> freeSlabs = new ArrayDeque<>();
    private final ArrayDeque<Long> freeSlabInfos = new ArrayDeque<>();
    private final Set<Long> liveSlabs = new HashSet<>();
    private final Set<Long> liveSlabInfos = new HashSet<>();
    private final long slabInfoSlotBytes;
    /** The slabs it carves: {@code [regionAddr, regionAddr + slabs * slabSize)}. */
    private final long regionAddr;
    private final long slabsEnd;
    private long slabsAllocated;
    /** Saves left before {@link #saveSlabInfoAddr} throws; negative for no limit. */
    private long saveBudget = -1;
    private long slabsFreed;
    private long slabInfosAllocated;
    private long lookups;
    /** How many more slabs it hands out before it reports no memory; unlimited when negative. */
    private long slabBudget = -1;
    /** What the next {@link #allocateSlab} hands out instead of a free slab, if not 0 (a broken backend). */
    private long nextSlabOverride;
    /** Added to the next SlabInfo address handed out (a broken backend). */
    private long nextSlabInfoSkew;
    /** How many more {@link #freeSlab} calls throw, keeping the slab (a broken backend). */
    private long freeSlabFailures;

    /**
     * A backend over {@code memory} from its first page boundary: native memory is only 4 KiB aligned, and a cache
     * may use larger pages.
     */
    RecordingSlabBackend(final NativeMemory memory, final SlabConfig config, final PageMap pageMap) {
        this(memory, firstPageAddr(memory, config), memory.endAddress() - firstPageAddr(memory, config), config,
            pageMap);
    }

    private static long firstPageAddr(final NativeMemory memory, final SlabConfig config) {
        return BitUtil.align(memory.baseAddress(), config.pageSize());
    }

    /** A backend over {@code [regionAddr, regionAddr + regionBytes)} of {@code memory}, page aligned. */
    RecordingSlabBackend(final NativeMemory memory, final long regionAddr, final long regionBytes,
                         final SlabConfig config, final PageMap pageMap) {
        this.memory = memory;
        this.config = config;
        this.pageMap = pageMap;
        this.lookupAllowed = !config.findsSlabInfoByMasking();
        this.slabInfoAllowed = config.sizeType() == ObjectSizeType.LARGE;
        assertEquals(0, regionAddr % config.pageSize(), "region not page aligned");
        slabInfoSlotBytes = slabInfoAllowed ? config.slabInfoSize() : 0;
        final long slabs = regionBytes / (config.slabSize() + slabInfoSlotBytes);
        this.regionAddr = regionAddr;
        this.slabsEnd = regionAddr + slabs * config.slabSize();
        for (long slab = 0; slab < slabs; slab++) {
            freeSlabs.addLast(regionAddr + slab * config.slabSize());
            if (slabInfoAllowed) {
                freeSlabInfos.addLast(regionAddr + slabs * config.slabSize() + slab * slabInfoSlotBytes);
            }
        }
    }

    /** From now on, hand out no SlabInfo. */
    void refuseSlabInfos() {
        freeSlabInfos.clear();
    }

    /** From now on, let {@code count} more page entries be saved, then throw on each save (as a full page map would). */
    void failSavesAfter(final long count) {
        saveBudget = count;
    }

    /**
     * Hand out {@code slabAddr} on the next {@link #allocateSlab}, whatever it is: live, outside the memory. A slab
     * outside the region is not handed out again once given back.
     */
    void handOutNextSlab(final long slabAddr) {
        nextSlabOverride = slabAddr;
    }

    /** Hand out the next SlabInfo {@code skew} bytes past its slot. */
    void skewNextSlabInfo(final long skew) {
        nextSlabInfoSkew = skew;
    }

    /** Let the next {@code count} {@link #freeSlab} calls throw and keep their slab. */
    void failFreeSlabs(final long count) {
        freeSlabFailures = count;
    }

    /** From now on, hand out at most {@code count} more slabs. */
    void limitSlabs(final long count) {
        slabBudget = count;
    }

    @Override
    public Memory memory() {
        return memory;
    }

    @Override
    public long allocateSlab(final long slabSize, final long pageSize) {
        assertEquals(config.slabSize(), slabSize, "slab size asked for");
        assertEquals(config.pageSize(), pageSize, "page size asked for");
        if (slabBudget == 0 || freeSlabs.isEmpty()) {
            return NO_MEMORY;
        }
        if (slabBudget > 0) {
            slabBudget--;
        }
        if (nextSlabOverride != 0) {
            final long slabAddr = nextSlabOverride;
            nextSlabOverride = 0;
            freeSlabs.remove(slabAddr);
            liveSlabs.add(slabAddr);
            slabsAllocated++;
            return slabAddr;
        }
        final long slabAddr = freeSlabs.removeFirst();
        liveSlabs.add(slabAddr);
        slabsAllocated++;
        return slabAddr;
    }

    @Override
    public void freeSlab(final long slabAddr, final long slabSize, final long pageSize) {
        assertEquals(config.slabSize(), slabSize, "slab size given back");
        assertEquals(config.pageSize(), pageSize, "page size given back");
        if (freeSlabFailures > 0) {
            freeSlabFailures--;
            throw new IllegalStateException("cannot take the slab back (a test's failure)");
        }
        if (!liveSlabs.remove(slabAddr)) {
            fail("slab given back that was not handed out: 0x" + Long.toHexString(slabAddr));
        }
        if (slabAddr - regionAddr >= 0 && slabAddr < slabsEnd) {
            freeSlabs.addFirst(slabAddr);
        }
        slabsFreed++;
    }

    @Override
    public long allocateSlabInfo(final long byteSize) {
        requireSlabInfoAllowed("allocateSlabInfo");
        assertEquals(config.slabInfoSize(), byteSize, "SlabInfo size asked for");
        if (freeSlabInfos.isEmpty()) {
            return NO_MEMORY;
        }
        final long slabInfoAddr = freeSlabInfos.removeFirst() + nextSlabInfoSkew;
        nextSlabInfoSkew = 0;
        liveSlabInfos.add(slabInfoAddr);
        slabInfosAllocated++;
        return slabInfoAddr;
    }

    @Override
    public void freeSlabInfo(final long slabInfoAddr, final long byteSize) {
        requireSlabInfoAllowed("freeSlabInfo");
        assertEquals(config.slabInfoSize(), byteSize, "SlabInfo size given back");
        if (!liveSlabInfos.remove(slabInfoAddr)) {
            fail("SlabInfo given back that was not handed out: 0x" + Long.toHexString(slabInfoAddr));
        }
        freeSlabInfos.addFirst(slabInfoAddr & -Long.BYTES);
    }

    @Override
    public void saveSlabInfoAddr(final long pageAddr, final long slabInfoAddr) {
        requireLookupAllowed("saveSlabInfoAddr");
        if (saveBudget-- == 0) {
            saveBudget = 0;
            throw new IllegalStateException("page map is full (a test's failure)");
        }
        assertTrue(liveSlabs.contains(pageAddr & -config.slabSize()) || isPageOfLiveSlab(pageAddr),
            "entry saved for a page of no live slab: 0x" + Long.toHexString(pageAddr));
        assertEquals(PageMap.MISSING, pageMap.get(pageAddr), "entry saved twice");
        pageMap.put(pageAddr, slabInfoAddr);
    }

    @Override
    public long slabInfoAddr(final long pageAddr) {
        requireLookupAllowed("slabInfoAddr");
        lookups++;
        return pageMap.get(pageAddr);
    }

    @Override
    public void deleteSlabInfoAddr(final long pageAddr) {
        requireLookupAllowed("deleteSlabInfoAddr");
        assertTrue(pageMap.get(pageAddr) != PageMap.MISSING, "entry deleted that was never saved: 0x"
            + Long.toHexString(pageAddr));
        pageMap.remove(pageAddr);
    }

    /** Fails unless every slab, SlabInfo and page entry handed out came back. */
    void assertEverythingReturned() {
        assertEquals(Set.of(), liveSlabs, "slabs not given back");
        assertEquals(Set.of(), liveSlabInfos, "SlabInfos not given back");
        assertEquals(0, pageMap.size(), "page entries not deleted");
    }

    long slabsAllocated() {
        return slabsAllocated;
    }

    long slabsFreed() {
        return slabsFreed;
    }

    long slabInfosAllocated() {
        return slabInfosAllocated;
    }

    long lookups() {
        return lookups;
    }

    int liveSlabs() {
        return liveSlabs.size();
    }

    /** @return the address of a slab this backend has not handed out, to build foreign pointers from */
    long someFreeSlab() {
        return freeSlabs.peekLast();
    }

    private boolean isPageOfLiveSlab(final long pageAddr) {
        for (final long slabAddr : liveSlabs) {
            if (pageAddr - slabAddr >= 0 && pageAddr - slabAddr < config.slabSize()) {
                return true;
            }
        }
        return false;
    }

    private void requireLookupAllowed(final String function) {
        if (!lookupAllowed) {
            fail("configuration must not call " + function + ": " + config);
        }
    }

    private void requireSlabInfoAllowed(final String function) {
        if (!slabInfoAllowed) {
            fail("configuration must not call " + function + ": " + config);
        }
    }
}

package dev.ffmalloc.x86sim.kernel;

import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.FrameSource;
import dev.ffmalloc.x86sim.paging.TlbInvalidation;
import dev.ffmalloc.x86sim.paging.Mapper;
import dev.ffmalloc.x86sim.paging.MapperError;
import dev.ffmalloc.x86sim.paging.MapperException;
import dev.ffmalloc.x86sim.paging.MapperFlush;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PageTableFlags;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import dev.ffmalloc.x86sim.paging.TranslateResult;
import dev.ffmalloc.x86sim.paging.VirtAddr;

/**
 * A kernel's address space laid out as Linux x86_64 lays out its own with 4-level paging
 * (Documentation/arch/x86/x86_64/mm.rst): a direct map of physical memory at {@link #DIRECT_MAP_BASE} with the
 * largest pages that fit, the kernel image at {@link #KERNEL_IMAGE_BASE}, and a heap that grows page by page from
 * {@link #HEAP_BASE} in the vmalloc range, each page a frame from the frame allocator.
 *
 * <p>All kernel mappings are supervisor-only and global; the direct map and the heap are not executable, the
 * image is. Not thread-safe.
 */
public final class KernelAddressSpace {

    /** Linux's {@code page_offset_base}: virtual address of physical address 0 in the direct map. */
    public static final long DIRECT_MAP_BASE = 0xFFFF_8880_0000_0000L;
    /** Linux's {@code __START_KERNEL_map}: the kernel image's mapping of low physical memory. */
    public static final long KERNEL_IMAGE_BASE = 0xFFFF_FFFF_8000_0000L;
    /** The size of the kernel-image range (512 MiB). */
    public static final long KERNEL_IMAGE_MAX_BYTES = 512L << 20;
    /** Linux's {@code vmalloc_base}: where the heap's pages are mapped. */
    public static final long HEAP_BASE = 0xFFFF_C900_0000_0000L;
    /** The size of the vmalloc range (32 TiB). */
    public static final long HEAP_MAX_BYTES = 32L << 40;

    private static final long KERNEL_DATA = PageTableFlags.WRITABLE | PageTableFlags.GLOBAL
        | PageTableFlags.NO_EXECUTE;
    private static final long KERNEL_TEXT = PageTableFlags.WRITABLE | PageTableFlags.GLOBAL;
    private static final long PAGE_BYTES = PageSize.SIZE_4KIB.byteSize();

    /** What {@link #tryGrowHeap} returns when the heap cannot grow; the heap range never contains 0. */
    public static final long NO_HEAP = 0L;

    private final Mapper mapper;
    private final FrameSource frames;
    /**
     * Invariant: the pages of {@code [HEAP_BASE, heapEnd)} not given back by {@link #releaseHeap} are mapped with
     * 4 KiB pages whose frames came from {@code frames}.
     */
    private long heapEnd = HEAP_BASE;

    private KernelAddressSpace(final Mapper mapper, final FrameSource frames) {
        this.mapper = mapper;
        this.frames = frames;
    }

    /**
     * An empty address space whose tables, and the heap's pages, come from {@code frames}.
     *
     * @param physical the machine's physical memory
     */
    public static KernelAddressSpace create(final Memory physical, final CpuModel model,
                                            final FrameSource frames) {
        return new KernelAddressSpace(Mapper.create(physical, model, frames, false), frames);
    }

    /**
     * Maps {@code [physStart, physStart + byteSize)} at {@code DIRECT_MAP_BASE + physStart}, with 1 GiB, 2 MiB or
     * 4 KiB pages as the alignment allows.
     *
     * @return the flush token (a mapping of a range never mapped before may be ignored)
     */
    public MapperFlush mapDirect(final PhysAddr physStart, final long byteSize) {
        return mapper.mapRange(VirtAddr.of(DIRECT_MAP_BASE + physStart.value()), physStart, byteSize, KERNEL_DATA,
            PageSize.SIZE_1GIB);
    }

    /**
     * Maps the kernel image, loaded at {@code physStart}, at {@code KERNEL_IMAGE_BASE + physStart} (Linux links the
     * kernel at {@code 0xffffffff81000000} for a 16 MiB load address), executable, with 2 MiB pages where possible.
     *
     * @throws IllegalArgumentException if the image leaves the 512 MiB kernel-image range
     */
    public MapperFlush mapKernelImage(final PhysAddr physStart, final long byteSize) {
        if (physStart.value() + byteSize > KERNEL_IMAGE_MAX_BYTES) {
            throw new IllegalArgumentException("kernel image leaves the kernel-image range: physStart=0x"
                + Long.toHexString(physStart.value()) + ", byteSize=" + byteSize);
        }
        return mapper.mapRange(VirtAddr.of(KERNEL_IMAGE_BASE + physStart.value()), physStart, byteSize, KERNEL_TEXT,
            PageSize.SIZE_2MIB);
    }

    /**
     * Grows the heap by {@code byteSize} rounded up to 4 KiB: each new page gets a frame from the frame source.
     * No flush is needed: the range was never mapped, and no TLB caches a missing translation.
     *
     * @return the virtual address of the first new byte (the old heap end)
     * @throws OutOfMemoryException if the frames run out or the vmalloc range is full; the heap is unchanged
     */
    public long growHeap(final long byteSize) {
        final long start = tryGrowHeap(byteSize);
        if (start == NO_HEAP) {
            throw new OutOfMemoryException("kernel heap cannot grow: byteSize=" + byteSize + ", heapBytes="
                + (heapEnd - HEAP_BASE));
        }
        return start;
    }

    /**
     * Like {@link #growHeap}, reporting failure without an exception.
     *
     * @return the virtual address of the first new byte, or {@link #NO_HEAP}; the heap is then unchanged
     * @throws IllegalArgumentException if {@code byteSize} is not positive
     */
    public long tryGrowHeap(final long byteSize) {
        if (byteSize <= 0) {
            throw new IllegalArgumentException("heap growth must be positive: byteSize=" + byteSize);
        }
        final long pages = (byteSize + PAGE_BYTES - 1) / PAGE_BYTES;
        final long start = heapEnd;
        if (pages > (HEAP_BASE + HEAP_MAX_BYTES - start) / PAGE_BYTES) {
            return NO_HEAP;
        }
        for (long page = 0; page < pages; page++) {
            final long frameAddr = frames.allocateFrame();
            if (frameAddr == FrameSource.NO_FRAME) {
                return undoGrowth(start);
            }
            try {
                mapper.map(VirtAddr.of(heapEnd), PhysAddr.of(frameAddr), PageSize.SIZE_4KIB, KERNEL_DATA).ignore();
            } catch (final MapperException refused) {
                // The page needed a new page table and no frame was left for it (anything else is a bug).
                frames.deallocateFrame(frameAddr);
                undoGrowth(start);
                if (refused.error() != MapperError.FRAME_ALLOCATION_FAILED) {
                    throw refused;
                }
                return NO_HEAP;
            }
            heapEnd += PAGE_BYTES;
        }
        return start;
    }

    /**
     * Unmaps the pages a growth mapped from {@code start} on and gives their frames back, with the page tables that
     * held only them (frames are short when a growth fails); @return NO_HEAP
     */
    private long undoGrowth(final long start) {
        if (heapEnd != start) {
            unmapHeapPages(start, heapEnd, null);
            mapper.releaseEmptyTables(VirtAddr.of(start), VirtAddr.of(heapEnd - 1)).ignore();
        }
        heapEnd = start;
        return NO_HEAP;
    }

    /**
     * Unmaps the heap pages of {@code [virtAddr, virtAddr + byteSize)}, gives their frames back and flushes them
     * from {@code cpu}'s TLB; if the range is the heap's tail, the heap end moves back.
     *
     * @throws IllegalArgumentException if the range is not whole pages inside the heap, or holds a page released
     *                                  before; nothing is changed then
     */
    public void releaseHeap(final long virtAddr, final long byteSize, final TlbInvalidation cpu) {
        if (((virtAddr | byteSize) & (PAGE_BYTES - 1)) != 0 || byteSize <= 0 || virtAddr < HEAP_BASE
            || virtAddr + byteSize > heapEnd || virtAddr + byteSize < virtAddr) {
            throw new IllegalArgumentException("range is not whole pages of the heap: virtAddr=0x"
                + Long.toHexString(virtAddr) + ", byteSize=" + byteSize + ", heapEnd=0x" + Long.toHexString(heapEnd));
        }
        for (long pageAddr = virtAddr; pageAddr != virtAddr + byteSize; pageAddr += PAGE_BYTES) {
            if (!(mapper.translate(VirtAddr.of(pageAddr)) instanceof TranslateResult.Mapped)) {
                throw new IllegalArgumentException("range holds a heap page released before: virtAddr=0x"
                    + Long.toHexString(virtAddr) + ", byteSize=" + byteSize + ", page=0x"
                    + Long.toHexString(pageAddr));
            }
        }
        unmapHeapPages(virtAddr, virtAddr + byteSize, cpu);
        if (virtAddr + byteSize == heapEnd) {
            heapEnd = virtAddr;
        }
    }

    private void unmapHeapPages(final long startAddr, final long endAddr, final TlbInvalidation cpu) {
        for (long pageAddr = startAddr; pageAddr != endAddr; pageAddr += PAGE_BYTES) {
            final Mapper.Unmapped unmapped = mapper.unmap(VirtAddr.of(pageAddr), PageSize.SIZE_4KIB);
            if (cpu == null) {
                unmapped.flush().ignore();
            } else {
                unmapped.flush().flush(cpu);
            }
            frames.deallocateFrame(unmapped.frame().value());
        }
    }

    /** @return the first address of the heap */
    public long heapStart() {
        return HEAP_BASE;
    }

    /** @return one past the last mapped heap byte */
    public long heapEnd() {
        return heapEnd;
    }

    /** @return the mapper behind the address space, for its statistics and further mappings */
    public Mapper mapper() {
        return mapper;
    }

    /** @return the value to load into CR3 */
    public long cr3() {
        return mapper.topTableAddr().value();
    }
}

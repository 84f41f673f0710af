package dev.ffmalloc.x86sim.kernel;

import dev.ffmalloc.alloc.HeapSelfTests;
import dev.ffmalloc.alloc.LockedAllocator;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.memory.ShiftedMemory;
import dev.ffmalloc.tlsf.GrowableTlsf;
import dev.ffmalloc.tlsf.TlsfConfig;
import dev.ffmalloc.x86sim.FlatPhysicalMemory;
import dev.ffmalloc.x86sim.cpu.AccessKind;
import dev.ffmalloc.x86sim.cpu.AccessResult;
import dev.ffmalloc.x86sim.cpu.ControlRegisters;
import dev.ffmalloc.x86sim.cpu.Cpu;
import dev.ffmalloc.x86sim.cpu.VirtualMemory;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PageTableLevel;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import dev.ffmalloc.x86sim.paging.StackFrameSource;
import dev.ffmalloc.x86sim.paging.TranslateResult;
import dev.ffmalloc.x86sim.paging.VirtAddr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static dev.ffmalloc.x86sim.kernel.KernelAddressSpace.DIRECT_MAP_BASE;
import static dev.ffmalloc.x86sim.kernel.KernelAddressSpace.HEAP_BASE;
import static dev.ffmalloc.x86sim.kernel.KernelAddressSpace.KERNEL_IMAGE_BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 64 MiB machine: the direct map of all RAM, the kernel image loaded at 16 MiB, and a TLSF heap in mapped virtual
 * memory, grown on demand, exercised through the MMU with seed 004's three heap tests. Page tables and heap frames
 * come from [32 MiB, 64 MiB).
 */
class KernelAddressSpaceTest {

    static final long MIB = 1 << 20;

    Arena arena;
    ShiftedMemory ram;
    StackFrameSource frames;
    KernelAddressSpace kernel;
    Cpu cpu;
    VirtualMemory memory;

    @BeforeEach
    void boot() {
        arena = Arena.ofConfined();
        ram = FlatPhysicalMemory.allocate(arena, 64 * MIB);
        frames = new StackFrameSource(32 * MIB, 64 * MIB);
        kernel = KernelAddressSpace.create(ram, CpuModel.DEFAULT, frames);
        kernel.mapDirect(PhysAddr.of(0), 64 * MIB).ignore();
        kernel.mapKernelImage(PhysAddr.of(16 * MIB), 4 * MIB).ignore();
        cpu = new Cpu(0, ram, CpuModel.DEFAULT);
        cpu.setEferBit(ControlRegisters.EFER_NXE, true);
        cpu.setCr4Bit(ControlRegisters.CR4_PGE, true);
        cpu.writeCr3(kernel.cr3());
        memory = new VirtualMemory(cpu, ram, false);
    }

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void theDirectMapCoversAllRamWithTheLargestPagesThatFit() {
        assertEquals(32, kernel.mapper().pagesMapped(PageSize.SIZE_2MIB) - 2);
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x3F_FFFF8L), PageSize.SIZE_2MIB),
            cpu.access(DIRECT_MAP_BASE + 0x3F_FFFF8L, AccessKind.WRITE, false));
        assertEquals(new AccessResult.PageFault(0x11, DIRECT_MAP_BASE), cpu.access(DIRECT_MAP_BASE,
            AccessKind.EXECUTE, false));
        assertEquals(new AccessResult.PageFault(0x5, DIRECT_MAP_BASE), cpu.access(DIRECT_MAP_BASE,
            AccessKind.READ, true));
    }

    @Test
    void aGibibyteAlignedDirectMapUsesGibibytePages() {
        kernel.mapDirect(PhysAddr.of(1L << 32), 1L << 30).ignore();
        assertEquals(new AccessResult.Translated(PhysAddr.of((1L << 32) + 0x1234_5678L), PageSize.SIZE_1GIB),
            cpu.access(DIRECT_MAP_BASE + (1L << 32) + 0x1234_5678L, AccessKind.READ, false));
    }

    @Test
    void theKernelImageIsExecutableAtTheTopTwoGibibytes() {
        assertEquals(new AccessResult.Translated(PhysAddr.of(16 * MIB + 0x100), PageSize.SIZE_2MIB),
            cpu.access(KERNEL_IMAGE_BASE + 16 * MIB + 0x100, AccessKind.EXECUTE, false));
        assertEquals(0xFFFF_FFFF_8100_0100L, KERNEL_IMAGE_BASE + 16 * MIB + 0x100, "Linux's link address");
    }

    @Test
    void heapPagesAreFramesAlsoSeenThroughTheDirectMap() {
        final long start = kernel.growHeap(3 * 4096);
        assertEquals(HEAP_BASE, start);
        assertEquals(HEAP_BASE + 3 * 4096, kernel.heapEnd());
        memory.setLong(HEAP_BASE + 4096 + 16, 0x5EED_0004L);
        final TranslateResult.Mapped mapped =
            (TranslateResult.Mapped) kernel.mapper().translate(VirtAddr.of(HEAP_BASE + 4096 + 16));
        assertEquals(0x5EED_0004L, memory.getLong(DIRECT_MAP_BASE + mapped.physAddr().value()));
    }

    @Test
    void aHeapThatCannotGrowIsLeftAsItWas() {
        final long framesFree = frames.framesFree();
        final OutOfMemoryException refused = assertThrows(OutOfMemoryException.class,
            () -> kernel.growHeap((framesFree + 1) * 4096));
        assertEquals("kernel heap cannot grow: byteSize=" + (framesFree + 1) * 4096 + ", heapBytes=0",
            refused.getMessage());
        assertEquals(HEAP_BASE, kernel.heapEnd());
        assertEquals(framesFree, frames.framesFree(), "the page tables the growth made went back too");
        assertEquals(new TranslateResult.NotMapped(PageTableLevel.PML4),
            kernel.mapper().translate(VirtAddr.of(HEAP_BASE)));
    }

    /**
     * The heap's first page needs three new page tables: with the page's frame and two more left, the third table
     * cannot be had. The growth reports no heap, keeps no frame but the tables it made, and maps nothing.
     */
    @Test
    void aGrowthThatFindsNoFrameForAPageTableIsReportedAndUndone() {
        final StackFrameSource few = new StackFrameSource(0x10_0000, 0x10_4000);
        final KernelAddressSpace small = KernelAddressSpace.create(ram, CpuModel.DEFAULT, few);
        assertEquals(3, few.framesFree());
        assertEquals(KernelAddressSpace.NO_HEAP, small.tryGrowHeap(4096));
        assertEquals(HEAP_BASE, small.heapEnd());
        assertEquals(3, few.framesFree(), "the page's frame went back (the mapper took no table frame)");
        assertThrows(OutOfMemoryException.class, () -> small.growHeap(4096));
        assertEquals(3, few.framesFree());
    }

    /** The growth's first 512 pages fill a page table; the 513th needs another, and no frame is left for it. */
    @Test
    void aFailedGrowthGivesBackThePageTablesItMade() {
        final StackFrameSource few = new StackFrameSource(0x10_0000, 0x10_0000 + 517 * 4096L);
        final KernelAddressSpace small = KernelAddressSpace.create(ram, CpuModel.DEFAULT, few);
        assertEquals(516, few.framesFree());
        assertEquals(KernelAddressSpace.NO_HEAP, small.tryGrowHeap(513 * 4096L));
        assertEquals(516, few.framesFree());
        assertEquals(1, small.mapper().tablesAllocated(), "only the top-level table");
        assertEquals(HEAP_BASE, small.heapEnd());
    }

    @Test
    void releasingARangeWithAPageReleasedBeforeChangesNothing() {
        final long start = kernel.growHeap(4 * 4096);
        kernel.releaseHeap(start + 4096, 4096, cpu);
        final long framesFree = frames.framesFree();
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> kernel.releaseHeap(start, 3 * 4096, cpu));
        assertEquals("range holds a heap page released before: virtAddr=0x" + Long.toHexString(start)
            + ", byteSize=12288, page=0x" + Long.toHexString(start + 4096), refused.getMessage());
        assertEquals(framesFree, frames.framesFree());
        assertTrue(kernel.mapper().translate(VirtAddr.of(start)) instanceof TranslateResult.Mapped);
        assertEquals(start + 4 * 4096, kernel.heapEnd());
    }

    // ---------------------------------------------------------------- seed 004's heap tests, through the MMU

    /** A TLSF heap of 64 KiB in the kernel heap range that grows by at least 64 KiB whenever it runs out. */
    private GrowableTlsf growingHeap() {
        return new GrowableTlsf(new KernelHeapSource(kernel, memory), TlsfConfig.DEFAULT, 64 * 1024, 64 * 1024);
    }

    @Test
    void simpleAllocationsHoldTheirValues() {
        final GrowableTlsf tlsf = growingHeap();
        final String report = HeapSelfTests.simpleAllocation(new LockedAllocator(tlsf));
        assertTrue(report.matches("simple allocation: boxes at 0xffffc900000[0-9a-f]{5}, 0xffffc900000[0-9a-f]{5} "
            + "hold 41 and 13"), report);
        assertEquals(0, tlsf.stats().liveBlocks());
        tlsf.checkIntegrity();
    }

    @Test
    void aLargeVectorGrownByReallocationSumsToTheTriangularNumber() {
        final GrowableTlsf tlsf = growingHeap();
        assertEquals("large vector: 100000 longs sum to 5000050000 = n(n+1)/2",
            HeapSelfTests.largeVector(new LockedAllocator(tlsf), 100_000));
        assertTrue(kernel.heapEnd() - HEAP_BASE >= 100_000 * Long.BYTES, "the heap grew to hold the vector");
        tlsf.checkIntegrity();
        System.out.println("KernelAddressSpaceTest vector: heapBytes=" + (kernel.heapEnd() - HEAP_BASE) + ", "
            + cpu.tlb());
    }

    @Test
    void manyAllocationsInARowPassOnlyIfFreedMemoryIsReused() {
        final GrowableTlsf tlsf = growingHeap();
        assertEquals("many allocations: 100000 x 64 B (6400000 bytes) allocated and freed in a row",
            HeapSelfTests.manyAllocations(new LockedAllocator(tlsf), 100_000, 64));
        assertEquals(HEAP_BASE + 64 * 1024, kernel.heapEnd(), "the heap never had to grow");
        tlsf.checkIntegrity();
    }
}

package dev.ffmalloc.x86sim.kernel;

import dev.ffmalloc.alloc.HeapSelfTests;
import dev.ffmalloc.alloc.LockedAllocator;
import dev.ffmalloc.tlsf.GrowableTlsf;
import dev.ffmalloc.x86sim.Machine;
import dev.ffmalloc.x86sim.boot.FrameAllocator;
import dev.ffmalloc.x86sim.cpu.AccessKind;
import dev.ffmalloc.x86sim.cpu.ControlRegisters;
import dev.ffmalloc.x86sim.cpu.Cpu;
import dev.ffmalloc.x86sim.cpu.Tlb;
import dev.ffmalloc.x86sim.cpu.VirtualMemory;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.Mapper;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import dev.ffmalloc.x86sim.phys.PhysRange;

import java.io.PrintStream;

/**
 * The second half of the machine's boot, after the buddy frame allocator has taken over from memblock: builds the
 * kernel's address space on frames from the buddy allocator, turns paging on in CPU 0, places the runtime's TLSF
 * heap in mapped virtual memory (grown page by page), runs seed 004's heap tests in it through the MMU, and prints
 * each step with the TLB's counters.
 */
public final class KernelBoot {

    /** Elements of the vector test: 800 KB of longs, grown by doubling. */
    public static final long VECTOR_ELEMENTS = 100_000;
    /** Rounds of the many-allocations test. */
    public static final long MANY_ROUNDS = 100_000;
    /** Block size of the many-allocations test. */
    public static final long MANY_BYTE_SIZE = 64;

    private static final long PAGE_BYTES = 4096;

    private KernelBoot() {
    }

    /**
     * Boots the kernel's memory on {@code machine}.
     *
     * @param frames           the buddy frame allocator memblock handed off to
     * @param kernelImageAddr  where the kernel image was loaded (reserved in memblock)
     * @param kernelImageBytes its size
     * @throws IllegalStateException if a heap test fails
     */
    public static void run(final Machine machine, final FrameAllocator frames, final long kernelImageAddr,
                           final long kernelImageBytes, final PrintStream out) {
        final BuddyFrameSource frameSource = new BuddyFrameSource(frames.buddy());
        final KernelAddressSpace kernel = KernelAddressSpace.create(machine.ram(), CpuModel.DEFAULT, frameSource);
        mapAddressSpace(machine, kernel, kernelImageAddr, kernelImageBytes, out);

        final Cpu cpu = new Cpu(0, machine.ram(), CpuModel.DEFAULT);
        cpu.setEferBit(ControlRegisters.EFER_NXE, true);
        cpu.setCr4Bit(ControlRegisters.CR4_PGE | ControlRegisters.CR4_SMEP | ControlRegisters.CR4_SMAP, true);
        cpu.watch(kernel.mapper());
        cpu.writeCr3(kernel.cr3());
        out.printf("CPU 0: CR3=0x%x, CR0.WP, CR4.PGE|SMEP|SMAP, EFER.NXE%n", cpu.registers().cr3());
        printTranslation(cpu, KernelAddressSpace.DIRECT_MAP_BASE + machine.ram().ranges().getLast().startAddr(),
            AccessKind.WRITE, out);
        printTranslation(cpu, KernelAddressSpace.KERNEL_IMAGE_BASE + kernelImageAddr, AccessKind.EXECUTE, out);
        printTranslation(cpu, KernelAddressSpace.DIRECT_MAP_BASE + kernelImageAddr, AccessKind.EXECUTE, out);

        runHeap(kernel, new VirtualMemory(cpu, machine.ram(), false), out);
        out.printf("frames from the buddy allocator: %d in use (page tables: %d)%n", frameSource.framesInUse(),
            kernel.mapper().tablesAllocated());
        final Tlb tlb = cpu.tlb();
        out.println();
        out.println("== MMU of CPU 0 ==");
        out.printf("TLB hits: %d, misses: %d, page walks: %d%n", tlb.hits(), tlb.misses(), tlb.walks());
        out.printf("TLB entries now: %d x 4KiB, %d x 2MiB, %d x 1GiB%n", tlb.validEntries(PageSize.SIZE_4KIB),
            tlb.validEntries(PageSize.SIZE_2MIB), tlb.validEntries(PageSize.SIZE_1GIB));
    }

    private static void mapAddressSpace(final Machine machine, final KernelAddressSpace kernel,
                                        final long kernelImageAddr, final long kernelImageBytes,
                                        final PrintStream out) {
        final Mapper mapper = kernel.mapper();
        long directBytes = 0;
        for (final PhysRange range : machine.ram().ranges()) {
            final long startAddr = (range.startAddr() + PAGE_BYTES - 1) & -PAGE_BYTES;
            final long endAddr = range.endAddr() & -PAGE_BYTES;
            if (endAddr > startAddr) {
                // Fresh mappings: no TLB can hold them yet, and paging is not on.
                kernel.mapDirect(PhysAddr.of(startAddr), endAddr - startAddr).ignore();
                directBytes += endAddr - startAddr;
            }
        }
        out.println();
        out.println("== kernel address space (4-level paging, frames from the buddy allocator) ==");
        out.printf("direct map at 0x%x: %d bytes of RAM in %d x 1GiB + %d x 2MiB + %d x 4KiB pages%n",
            KernelAddressSpace.DIRECT_MAP_BASE, directBytes, mapper.pagesMapped(PageSize.SIZE_1GIB),
            mapper.pagesMapped(PageSize.SIZE_2MIB), mapper.pagesMapped(PageSize.SIZE_4KIB));
        final long[] before = {mapper.pagesMapped(PageSize.SIZE_2MIB), mapper.pagesMapped(PageSize.SIZE_4KIB)};
        kernel.mapKernelImage(PhysAddr.of(kernelImageAddr), kernelImageBytes).ignore();
        out.printf("kernel image at 0x%x: %s in %d x 2MiB + %d x 4KiB pages%n",
            KernelAddressSpace.KERNEL_IMAGE_BASE + kernelImageAddr, PhysRange.ofSize(kernelImageAddr, kernelImageBytes),
            mapper.pagesMapped(PageSize.SIZE_2MIB) - before[0], mapper.pagesMapped(PageSize.SIZE_4KIB) - before[1]);
        out.printf("page tables: %d (%d bytes)%n", mapper.tablesAllocated(), mapper.tablesAllocated() * PAGE_BYTES);
    }

    private static void printTranslation(final Cpu cpu, final long virtAddr, final AccessKind kind,
                                         final PrintStream out) {
        out.printf("  %-7s 0x%x -> %s%n", kind.name().toLowerCase(java.util.Locale.ROOT), virtAddr,
            cpu.access(virtAddr, kind, false));
    }

    private static void runHeap(final KernelAddressSpace kernel, final VirtualMemory memory, final PrintStream out) {
        final GrowableTlsf tlsf = new GrowableTlsf(new KernelHeapSource(kernel, memory));
        final LockedAllocator heap = new LockedAllocator(tlsf);
        out.println();
        out.printf("== kernel heap: TLSF at 0x%x, grown page by page, every access through the MMU ==%n",
            kernel.heapStart());
        out.println(HeapSelfTests.simpleAllocation(heap));
        out.println(HeapSelfTests.largeVector(heap, VECTOR_ELEMENTS));
        out.println(HeapSelfTests.manyAllocations(heap, MANY_ROUNDS, MANY_BYTE_SIZE));
        out.printf("heap: peak footprint %d bytes, %d pool(s), %d allocations%n", tlsf.peakFootprintBytes(),
            tlsf.poolCount(), heap.stats().allocations());
        final long released = tlsf.trim();
        out.printf("trim: %d bytes unmapped and their frames given back; heap end now 0x%x%n", released,
            kernel.heapEnd());
    }
}

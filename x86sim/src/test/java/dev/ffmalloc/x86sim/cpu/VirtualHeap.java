package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.memory.ShiftedMemory;
import dev.ffmalloc.x86sim.FlatPhysicalMemory;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.Mapper;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PageTableFlags;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import dev.ffmalloc.x86sim.paging.StackFrameSource;
import dev.ffmalloc.x86sim.paging.VirtAddr;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test fixture: virtual memory whose virtual addresses are numerically those of a {@link NativeMemory} heap of the
 * conformance suite, mapped with 4 KiB pages in reverse frame order (so no two neighbouring virtual pages are
 * neighbours in physical memory) to RAM of a simulated machine. The suite's address checks then hold unchanged,
 * while every access goes through the MMU.
 */
final class VirtualHeap {

    /** Physical RAM below this holds the page tables; the heap's frames come after. */
    private static final long TABLE_AREA = 1 << 20;

    final ShiftedMemory ram;
    final Cpu cpu;
    final Mapper mapper;
    final VirtualMemory memory;

    VirtualHeap(final Arena arena, final NativeMemory heap) {
        final long pages = heap.byteSize() / 4096;
        ram = FlatPhysicalMemory.allocate(arena, TABLE_AREA + heap.byteSize());
        mapper = Mapper.create(ram, CpuModel.DEFAULT, new StackFrameSource(0x1000, TABLE_AREA), false);
        cpu = new Cpu(0, ram, CpuModel.DEFAULT);
        for (long page = 0; page < pages; page++) {
            final long frameAddr = TABLE_AREA + (pages - 1 - page) * 4096;
            mapper.map(VirtAddr.of(heap.baseAddress() + page * 4096), PhysAddr.of(frameAddr), PageSize.SIZE_4KIB,
                PageTableFlags.WRITABLE | PageTableFlags.NO_EXECUTE).ignore();
        }
        cpu.setEferBit(ControlRegisters.EFER_NXE, true);
        cpu.writeCr3(mapper.topTableAddr().value());
        memory = new VirtualMemory(cpu, ram, false);
    }

    /** Asserts that the heap's accesses were translated: the TLB was filled by page walks and then hit. */
    void assertAccessesWentThroughTheTlb(final String testName) {
        final Tlb tlb = cpu.tlb();
        System.out.println(testName + ": " + tlb);
        assertTrue(tlb.hits() > 0 && tlb.walks() > 0, tlb.toString());
    }
}

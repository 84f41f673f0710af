package dev.ffmalloc.x86sim.kernel;

import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.tlsf.TlsfPoolSource;
import dev.ffmalloc.x86sim.cpu.VirtualMemory;

/**
 * The kernel heap's memory for a {@code GrowableTlsf}: fresh pages mapped after the heap's last page, each backed by
 * a frame from the frame source, read and written through the MMU; released pages are unmapped, flushed from the
 * CPU's TLB and their frames given back.
 */
public final class KernelHeapSource implements TlsfPoolSource {

    private static final long PAGE_BYTES = 4096;

    private final KernelAddressSpace addressSpace;
    private final VirtualMemory memory;

    /**
     * @param addressSpace where the pages are mapped
     * @param memory       the CPU's view of virtual memory the heap reads and writes through
     */
    public KernelHeapSource(final KernelAddressSpace addressSpace, final VirtualMemory memory) {
        this.addressSpace = addressSpace;
        this.memory = memory;
    }

    @Override
    public Memory memory() {
        return memory;
    }

    @Override
    public long unitBytes() {
        return PAGE_BYTES;
    }

    @Override
    public long capacityBytes() {
        return KernelAddressSpace.HEAP_MAX_BYTES;
    }

    @Override
    public long obtain(final long byteSize) {
        final long start = addressSpace.tryGrowHeap(byteSize);
        return start == KernelAddressSpace.NO_HEAP ? NO_MEMORY : start;
    }

    @Override
    public void release(final long addr, final long byteSize) {
        addressSpace.releaseHeap(addr, byteSize, memory.cpu());
    }
}

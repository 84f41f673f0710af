package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.memory.ShiftedMemory;
import dev.ffmalloc.x86sim.FlatPhysicalMemory;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.Mapper;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PageTableFlags;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import dev.ffmalloc.x86sim.paging.StackFrameSource;
import dev.ffmalloc.x86sim.paging.VirtAddr;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Translations (TLB hits, misses that walk, D-bit re-walks) and loads and stores through {@link VirtualMemory}
 * allocate nothing on the Java heap: the bytes this thread allocated, as the JVM counts them, do not change.
 */
class GarbageFreeTranslationTest {

    @Test
    void translatingAndAccessingAllocatesNothing() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            final ShiftedMemory ram = FlatPhysicalMemory.allocate(arena, 4 << 20);
            final Mapper mapper = Mapper.create(ram, CpuModel.DEFAULT, new StackFrameSource(0x1000, 0x10_0000),
                false);
            final long base = 0xFFFF_C900_0000_0000L;
            mapper.mapRange(VirtAddr.of(base), PhysAddr.of(0x10_0000), 0x20_0000, PageTableFlags.WRITABLE,
                PageSize.SIZE_4KIB).ignore();
            final Cpu cpu = new Cpu(0, ram, CpuModel.DEFAULT);
            cpu.writeCr3(mapper.topTableAddr().value());
            final VirtualMemory memory = new VirtualMemory(cpu, ram, false);
            exercise(cpu, memory, base);
            final long threadId = Thread.currentThread().threadId();
            final long before = threads.getThreadAllocatedBytes(threadId);
            final long checksum = exercise(cpu, memory, base);
            final long after = threads.getThreadAllocatedBytes(threadId);
            assertEquals(0, after - before, "bytes allocated by 2 x 512 x 64 translations; checksum=" + checksum);
        }
    }

    private static long exercise(final Cpu cpu, final VirtualMemory memory, final long base) {
        long checksum = 0;
        for (int round = 0; round < 2; round++) {
            cpu.flushTlb();
            for (long page = 0; page < 512; page++) {
                for (long offset = 0; offset < 4096; offset += 64) {
                    final long virtAddr = base + page * 4096 + offset;
                    checksum += memory.getLong(virtAddr);
                    memory.setLong(virtAddr, checksum);
                }
            }
        }
        return checksum + cpu.translate(base, AccessKind.READ, false);
    }
}

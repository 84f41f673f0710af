package dev.ffmalloc.nativetests;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.LockedAllocator;
import dev.ffmalloc.buddy.BuddyAllocator;
import dev.ffmalloc.buddy.BuddyConfig;
import dev.ffmalloc.bump.BumpAllocator;
import dev.ffmalloc.bump.FreeRange;
import dev.ffmalloc.linkedlist.LinkedListHeap;
import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.slab.NativePageMap;
import dev.ffmalloc.slab.ObjectSizeType;
import dev.ffmalloc.slab.PageMap;
import dev.ffmalloc.slab.RegionSlabBackend;
import dev.ffmalloc.slab.SlabCache;
import dev.ffmalloc.slab.SlabConfig;
import dev.ffmalloc.tlsf.ArenaPoolSource;
import dev.ffmalloc.tlsf.GrowableTlsf;
import dev.ffmalloc.tlsf.Tlsf;
import dev.ffmalloc.tlsf.TlsfConfig;
import dev.ffmalloc.tlsf.TlsfStats;
import dev.ffmalloc.x86sim.Simulator;
import dev.ffmalloc.x86sim.cpu.AccessKind;
import dev.ffmalloc.x86sim.cpu.AccessResult;
import dev.ffmalloc.x86sim.cpu.Cpu;
import dev.ffmalloc.x86sim.firmware.E820Preset;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.Mapper;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PageTableFlags;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import dev.ffmalloc.x86sim.paging.StackFrameSource;
import dev.ffmalloc.x86sim.paging.VirtAddr;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The examples of README.md, as written there, with the claims of their comments asserted: a README example that
 * stops compiling or stops doing what it says fails the build.
 */
class ReadmeExamplesTest {

    @Test
    void bumpThenLinkedListHeap() {
        try (Arena arena = Arena.ofConfined()) {
            NativeMemory ram = NativeMemory.allocate(arena, 1 << 20);
            BumpAllocator boot = new BumpAllocator(ram);
            long table = boot.allocate(4096, 4096);      // page-aligned
            long scratch = boot.allocate(256);
            boot.free(scratch);                          // rolls the top back
            FreeRange rest = boot.handOff();             // boot is retired: any further call throws

            assertEquals(0, table % 4096);
            assertEquals(scratch, rest.address());
            assertThrows(IllegalStateException.class, () -> boot.allocate(8));

            LinkedListHeap heap = new LinkedListHeap(ram, rest.address(), 64 * 1024);
            long block = heap.allocate(100, 64);         // 64-byte aligned
            block = heap.reallocate(block, 1000, 64);    // in place if the next hole is big enough
            heap.extend(4096);                           // grow at the end (the memory must be there)
            heap.free(block);
            Allocator shared = new LockedAllocator(heap); // seed 004's LockedHeap
            shared.free(shared.allocate(32));
            heap.checkIntegrity();

            assertEquals(0, heap.stats().liveBlocks());
            assertEquals(rest.address() + 64 * 1024 + 4096, heap.heapEndAddress());
        }
    }

    @Test
    void buddyHeapAndFrameAllocator() {
        try (Arena arena = Arena.ofConfined()) {
            NativeMemory ram = NativeMemory.allocate(arena, 1 << 20);
            BuddyAllocator buddy = BuddyAllocator.inBand(ram, ram.baseAddress(), ram.byteSize(), BuddyConfig.BYTE_HEAP);
            long address = buddy.allocate(100);          // a 128-byte block, 16-byte aligned
            assertEquals(128, buddy.usableSize(address));
            address = buddy.reallocate(address, 200, 16); // grows in place if its upper buddy is free
            buddy.free(address);
            buddy.checkIntegrity();

            long physBytes = 8L << 30;                   // frames of an 8 GiB physical space, table off to the side
            NativeMemory table = NativeMemory.allocate(arena, BuddyAllocator.frameTableBytes(physBytes, BuddyConfig.PAGE_FRAMES));
            BuddyAllocator frames = BuddyAllocator.outOfBand(null, table, table.baseAddress(), 0, physBytes,
                BuddyConfig.PAGE_FRAMES);
            frames.addFreeRange(0x0, 0x9FC00);           // usable E820 ranges; address 0 is never managed
            frames.addFreeRange(0x100000, 0xBFFDC000L - 0x100000);
            long frame = frames.allocateOrder(0);        // like alloc_pages(0)
            long[] perOrder = frames.freeBlocksPerOrder(); // as /proc/buddyinfo shows
            frames.free(frame);

            assertEquals(0, frame % 4096);
            assertEquals(11, perOrder.length);
            assertEquals((0x9F000 - 0x1000 + 0xBFFDC000L - 0x100000) / 4096, frames.freeBytes() / 4096);
            frames.checkIntegrity();
        }
    }

    @Test
    void tlsfHeapAndGrowableHeap() {
        try (Arena arena = Arena.ofConfined()) {
            NativeMemory memory = NativeMemory.allocate(arena, 64 << 20);
            Tlsf heap = new Tlsf(memory);                       // TlsfConfig.DEFAULT: FLLEN 32, SLLEN 32, quick lists
            assertEquals(TlsfConfig.DEFAULT, heap.config());
            assertEquals(32, heap.config().flLen());
            assertEquals(32, heap.config().slLen());
            assertTrue(heap.config().quickLists().enabled());
            heap.addPool(memory.baseAddress(), memory.byteSize());
            long block = heap.allocate(1000);                   // 16-byte aligned; allocate(size, 4096) works too
            memory.setLong(block, 42);
            block = heap.reallocate(block, 4000, 16);           // in place when a neighbour is free
            assertEquals(42, memory.getLong(block));
            heap.free(block);
            TlsfStats stats = heap.tlsfStats();                 // pools, largest free block, fragmentation
            assertEquals(1, stats.pools());
            heap.checkIntegrity();

            ArenaPoolSource source = ArenaPoolSource.reserve(arena, 1L << 30); // hands out pages bottom-up
            GrowableTlsf growable = new GrowableTlsf(source);  // grows by at least 64 KiB
            growable.free(growable.allocate(100_000));
            growable.trim();                                    // gives the free memory back to the source
            long peak = growable.peakFootprintBytes();
            assertTrue(peak >= 100_000 && peak < 200_000, "peak footprint " + peak);
            assertEquals(0, growable.footprintBytes());
            growable.checkIntegrity();
        }
    }

    @Test
    void typedSlabCache() {
        try (Arena arena = Arena.ofConfined()) {
            StructLayout point = MemoryLayout.structLayout(JAVA_LONG.withName("id"), JAVA_DOUBLE.withName("x"));
            VarHandle x = point.varHandle(MemoryLayout.PathElement.groupElement("x"));
            try (PageMap pages = new NativePageMap()) {
                NativeMemory slabs = NativeMemory.allocate(arena, 16 << 20);
                SlabConfig config = SlabConfig.ofLayout(point, 16384, 4096, ObjectSizeType.SMALL);
                SlabCache points = new SlabCache(config,
                    new RegionSlabBackend(slabs, slabs.baseAddress(), slabs.byteSize(), config, pages));
                long object = points.allocate();         // or tryAllocate(): 0 when out of slabs
                x.set(points.objectSegment(object), 0L, 2.5); // typed access through the layout
                assertEquals(2.5, (double) x.get(points.objectSegment(object), 0L));
                assertEquals(2.5, Double.longBitsToDouble(slabs.getLong(object + 8)));
                points.free(object);
                points.checkIntegrity();
                points.close();                          // every slab goes back to the backend
            }
        }
    }

    @Test
    void pagingUnitDrivenFromOutside() {
        try (Simulator machine = Simulator.boot(E820Preset.SMALL_VM.map(), CpuModel.DEFAULT, 1)) {
            machine.writeEntry(0x10_1000, 0x10_2000 | 0x7);             // PML4[0] -> PDPT, P|RW|US
            machine.writeEntry(0x10_2008, 0x10_3000 | 0x7);             // PDPT[1] -> PD
            machine.writeEntry(0x10_3000, 0x20_0000 | 0x83);            // PD[0]: 2 MiB page, P|RW|PS (supervisor)
            Cpu cpu = machine.cpu(0);
            cpu.writeCr3(0x10_1000);
            AccessResult write = machine.access(0, 0x4000_1234L, AccessKind.WRITE, false);
            AccessResult userRead = machine.access(0, 0x4000_1234L, AccessKind.READ, true);
            long entry = machine.readEntry(0x10_3000);                  // 0x2000e3: A and D set by the write
            cpu.invlpg(0x4000_1234L);

            assertEquals(0x201234L, assertInstanceOf(AccessResult.Translated.class, write).physAddr().value());
            final AccessResult.PageFault fault = assertInstanceOf(AccessResult.PageFault.class, userRead);
            assertEquals(0x5, fault.errorCode());
            assertEquals(0x4000_1234L, fault.cr2());
            assertEquals(0x2000e3L, entry);

            Mapper mapper = machine.newAddressSpace(new StackFrameSource(0x10_0000, 0x20_0000), false);
            mapper.mapRange(VirtAddr.of(0xFFFF_C900_0000_0000L), PhysAddr.of(0x40_0000), 1 << 20,
                PageTableFlags.WRITABLE, PageSize.SIZE_2MIB).flush(cpu);
            cpu.writeCr3(mapper.topTableAddr().value());
            Tlsf heap = new Tlsf(machine.virtualMemory(0, false));          // a fault throws CpuFaultException
            heap.addPool(0xFFFF_C900_0000_0000L, 1 << 20);

            final long block = heap.allocate(64);
            heap.memory().setLong(block, 42);
            assertTrue(block >= 0xFFFF_C900_0000_0000L);
            assertEquals(42, machine.physical().getLong(0x40_0000 + (block - 0xFFFF_C900_0000_0000L)));
            heap.free(block);
            heap.checkIntegrity();
        }
    }
}

package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.memory.ShiftedMemory;
import dev.ffmalloc.x86sim.FlatPhysicalMemory;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.Mapper;
import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PageTableFlags;
import dev.ffmalloc.x86sim.paging.PhysAddr;
import dev.ffmalloc.x86sim.paging.StackFrameSource;
import dev.ffmalloc.x86sim.paging.TranslateResult;
import dev.ffmalloc.x86sim.paging.VirtAddr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Virtual memory over three 4 KiB pages at {@link #BASE} mapped to frames in reverse order (page 0 to the highest
 * frame), so every access that crosses a page boundary would go wrong if it were not split.
 */
class VirtualMemoryTest {

    static final long BASE = 0xFFFF_C900_0000_0000L;
    static final long[] FRAMES = {0x12000, 0x11000, 0x10000};

    Arena arena;
    ShiftedMemory ram;
    Mapper mapper;
    Cpu cpu;
    VirtualMemory memory;

    @BeforeEach
    void boot() {
        arena = Arena.ofConfined();
        ram = FlatPhysicalMemory.allocate(arena, 1 << 20);
        mapper = Mapper.create(ram, CpuModel.DEFAULT, new StackFrameSource(0x1000, 0x10000), false);
        for (int page = 0; page < FRAMES.length; page++) {
            mapper.map(VirtAddr.of(BASE + page * 4096L), PhysAddr.of(FRAMES[page]), PageSize.SIZE_4KIB,
                PageTableFlags.WRITABLE).ignore();
        }
        cpu = new Cpu(0, ram, CpuModel.DEFAULT);
        cpu.writeCr3(mapper.topTableAddr().value());
        memory = new VirtualMemory(cpu, ram, false);
    }

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void loadsAndStoresLandInTheMappedFrameLittleEndian() {
        memory.setLong(BASE + 4096 + 8, 0x0102_0304_0506_0708L);
        assertEquals(0x0102_0304_0506_0708L, ram.getLong(0x11008));
        assertEquals((byte) 0x08, memory.getByte(BASE + 4096 + 8));
        assertEquals((short) 0x0506, memory.getShort(BASE + 4096 + 10));
        assertEquals(0x0102_0304, memory.getInt(BASE + 4096 + 12));
        assertEquals(0x11000L | 0x63, ram.getLong(leafEntryAddr(BASE + 4096)), "A and D set by the write");
    }

    @Test
    void aFillAcrossPagesIsSplitAtTheBoundary() {
        memory.fill(BASE + 4096 - 3, 10, (byte) 0x5A);
        for (int i = 0; i < 3; i++) {
            assertEquals((byte) 0x5A, ram.getByte(0x12000 + 4096 - 3 + i));
        }
        for (int i = 0; i < 7; i++) {
            assertEquals((byte) 0x5A, ram.getByte(0x11000 + i));
        }
        assertEquals(0, ram.getByte(0x11007));
        assertEquals(0, ram.getByte(0x13000), "the frame physically after page 0 is untouched");
    }

    @Test
    void copiesAcrossPagesAgreeWithMemmoveInEveryDirection() {
        final long seed = 0xC0FFEEL;
        System.out.println("VirtualMemoryTest.copies seed=0x" + Long.toHexString(seed));
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] model = new byte[3 * 4096];
        for (int i = 0; i < model.length; i++) {
            model[i] = (byte) random.nextInt();
            memory.setByte(BASE + i, model[i]);
        }
        for (int round = 0; round < 300; round++) {
            final int byteSize = random.nextInt(0, 6000);
            final int src = random.nextInt(0, model.length - byteSize + 1);
            final int dst = random.nextInt(0, model.length - byteSize + 1);
            memory.copy(BASE + src, BASE + dst, byteSize);
            System.arraycopy(model, src, model, dst, byteSize);
        }
        final byte[] actual = new byte[model.length];
        for (int i = 0; i < model.length; i++) {
            actual[i] = memory.getByte(BASE + i);
        }
        assertArrayEquals(model, actual);
    }

    @Test
    void aFaultCarriesVectorErrorCodeAndAddress() {
        final long unmapped = BASE + 3 * 4096 + 16;
        final CpuFaultException fault = assertThrows(CpuFaultException.class, () -> memory.setLong(unmapped, 1));
        assertEquals(14, fault.vector());
        assertEquals(0x2, fault.errorCode());
        assertEquals(unmapped, fault.virtAddr());
        assertEquals(unmapped, cpu.cr2());
        assertEquals("page fault: vector=14, errorCode=0x2, addr=0xffffc90000003010, reason=not present,"
            + " supervisor write", fault.getMessage());
        final CpuFaultException gp = assertThrows(CpuFaultException.class,
            () -> memory.getLong(0x0000_8000_0000_0000L));
        assertEquals("general protection fault: vector=13, errorCode=0x0, addr=0x800000000000,"
            + " reason=non-canonical address", gp.getMessage());
    }

    @Test
    void aFillThatReachesAnUnmappedPageFaultsThere() {
        final CpuFaultException fault = assertThrows(CpuFaultException.class,
            () -> memory.fill(BASE + 3 * 4096 - 8, 16, (byte) 1));
        assertEquals(BASE + 3 * 4096, fault.virtAddr());
    }

    @Test
    void userModeVirtualMemoryCannotTouchSupervisorPages() {
        final VirtualMemory userMemory = new VirtualMemory(cpu, ram, true);
        final CpuFaultException fault = assertThrows(CpuFaultException.class, () -> userMemory.getLong(BASE));
        assertEquals(0x5, fault.errorCode());
    }

    @Test
    void misalignedAccessesAreRefused() {
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> memory.getLong(BASE + 4092));
        assertEquals("access is not naturally aligned: addr=0xffffc90000000ffc, byteSize=8", thrown.getMessage());
        assertEquals(0, cpu.tlb().hits() + cpu.tlb().misses(), "checked before translating");
    }

    private long leafEntryAddr(final long virtAddr) {
        final TranslateResult.Mapped pageTable = (TranslateResult.Mapped) mapper.translate(VirtAddr.of(virtAddr));
        assertEquals(PageSize.SIZE_4KIB, pageTable.pageSize());
        // The page tables come from the frame allocator in order: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000.
        return 0x4000 + 8L * ((virtAddr >>> 12) & 511);
    }
}

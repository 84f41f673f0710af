package dev.ffmalloc.x86sim.paging;

import dev.ffmalloc.memory.ShiftedMemory;
import dev.ffmalloc.x86sim.FlatPhysicalMemory;
import dev.ffmalloc.x86sim.cpu.AccessKind;
import dev.ffmalloc.x86sim.cpu.AccessResult;
import dev.ffmalloc.x86sim.cpu.ControlRegisters;
import dev.ffmalloc.x86sim.cpu.Cpu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;

import static dev.ffmalloc.x86sim.paging.PageSize.SIZE_1GIB;
import static dev.ffmalloc.x86sim.paging.PageSize.SIZE_2MIB;
import static dev.ffmalloc.x86sim.paging.PageSize.SIZE_4KIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mapper: every operation, every error with its message, and that a refused operation changes nothing. */
class MapperTest {

    static final long RW = PageTableFlags.WRITABLE;
    static final long US = PageTableFlags.USER;
    static final long KERNEL_PAGE = 0xFFFF_8880_0020_0000L;

    Arena arena;
    ShiftedMemory ram;
    StackFrameSource frames;
    Mapper mapper;
    Cpu cpu;

    @BeforeEach
    void boot() {
        arena = Arena.ofConfined();
        ram = FlatPhysicalMemory.allocate(arena, 8 << 20);
        frames = new StackFrameSource(1 << 20, 8 << 20);
        mapper = Mapper.create(ram, CpuModel.DEFAULT, frames, false);
        cpu = new Cpu(0, ram, CpuModel.DEFAULT);
        cpu.writeCr3(mapper.topTableAddr().value());
    }

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void aMapCreatesTablesWhoseEntriesPermitWhatTheLeafPermits() {
        mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, RW | US).flush(cpu);
        assertEquals(4, mapper.tablesAllocated());
        final long top = mapper.topTableAddr().value();
        assertEquals(0x10_1000L | 0x7, ram.getLong(top), "PML4E -> first table from the allocator, P|RW|US");
        assertEquals(0x10_2000L | 0x7, ram.getLong(0x10_1000));
        assertEquals(0x10_3000L | 0x7, ram.getLong(0x10_2000 + 2 * 8));
        assertEquals(0x9000L | 0x7, ram.getLong(0x10_3000));
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x9123), SIZE_4KIB),
            cpu.access(0x40_0123, AccessKind.WRITE, true));
    }

    @Test
    void largePagesGetPsAndSupervisorReadOnlyParentsStayNarrow() {
        mapper.map(VirtAddr.of(KERNEL_PAGE), PhysAddr.of(0x20_0000), SIZE_2MIB, PageTableFlags.GLOBAL).ignore();
        final TranslateResult.Mapped mapped = (TranslateResult.Mapped) mapper.translate(VirtAddr.of(KERNEL_PAGE + 5));
        assertEquals(new TranslateResult.Mapped(PhysAddr.of(0x20_0000), 5, SIZE_2MIB, 0x181, 0x1), mapped);
        assertEquals(0x20_0005, mapped.physAddr().value());
    }

    @Test
    void mapThenTranslateGivesTheFrameAndOffsetForRandomPages() {
        final long seed = 0x6A7E_5EEDL;
        System.out.println("MapperTest.mapThenTranslate seed=0x" + Long.toHexString(seed));
        final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int i = 0; i < 200; i++) {
            final PageSize pageSize = PageSize.values()[random.nextInt(3)];
            final long virtAddr = VirtAddr.truncate(random.nextLong() & ~pageSize.offsetMask(), 48).value();
            final long frame = random.nextLong(1L << 40) & ~pageSize.offsetMask();
            try {
                mapper.map(VirtAddr.of(virtAddr), PhysAddr.of(frame), pageSize, RW).flush(cpu);
            } catch (final MapperException overlap) {
                continue;
            }
            final long offset = random.nextLong(pageSize.byteSize());
            final TranslateResult result = mapper.translate(VirtAddr.of(virtAddr + offset));
            assertEquals(new TranslateResult.Mapped(PhysAddr.of(frame), offset, pageSize,
                PageTableFlags.PRESENT | RW | (pageSize == SIZE_4KIB ? 0 : PageTableFlags.PAGE_SIZE),
                PageTableFlags.PRESENT | RW), result);
            assertEquals(new AccessResult.Translated(PhysAddr.of(frame + offset), pageSize),
                cpu.access(virtAddr + offset, AccessKind.READ, false));
        }
    }

    @Test
    void unmapReturnsTheFrameAndAnAccessThenFaults() {
        mapper.map(VirtAddr.of(KERNEL_PAGE), PhysAddr.of(0x7000), SIZE_4KIB, RW).flush(cpu);
        cpu.access(KERNEL_PAGE, AccessKind.READ, false);
        final Mapper.Unmapped unmapped = mapper.unmap(VirtAddr.of(KERNEL_PAGE), SIZE_4KIB);
        assertEquals(PhysAddr.of(0x7000), unmapped.frame());
        assertInstanceOf(AccessResult.Translated.class, cpu.access(KERNEL_PAGE, AccessKind.READ, false),
            "the TLB still holds the translation until the flush");
        unmapped.flush().flush(cpu);
        assertEquals(new AccessResult.PageFault(0x2, KERNEL_PAGE), cpu.access(KERNEL_PAGE, AccessKind.WRITE, false));
        assertEquals(new TranslateResult.NotMapped(PageTableLevel.PT), mapper.translate(VirtAddr.of(KERNEL_PAGE)));
    }

    @Test
    void mappingOnePageChangesNoOtherTranslation() {
        final long[] pages = {0x40_0000, 0x40_1000, 0x60_0000, 0x4000_0000L, KERNEL_PAGE, KERNEL_PAGE + 0x2000};
        for (int i = 0; i < pages.length; i++) {
            mapper.map(VirtAddr.of(pages[i]), PhysAddr.of(0x1000L * (i + 1)), SIZE_4KIB, RW).flush(cpu);
        }
        final TranslateResult[] before = new TranslateResult[pages.length];
        for (int i = 0; i < pages.length; i++) {
            before[i] = mapper.translate(VirtAddr.of(pages[i] + 8));
        }
        mapper.map(VirtAddr.of(KERNEL_PAGE + 0x1000), PhysAddr.of(0xF000), SIZE_4KIB, RW | US).flush(cpu);
        mapper.map(VirtAddr.of(0x20_0000), PhysAddr.of(0x20_0000), SIZE_2MIB, 0).flush(cpu);
        for (int i = 0; i < pages.length; i++) {
            final TranslateResult.Mapped old = (TranslateResult.Mapped) before[i];
            final TranslateResult.Mapped now = (TranslateResult.Mapped) mapper.translate(VirtAddr.of(pages[i] + 8));
            assertEquals(old.frame(), now.frame());
            assertEquals(old.offset(), now.offset());
            assertEquals(old.leafFlags(), now.leafFlags());
        }
    }

    @Test
    void theSameRangeMappedWith4KiB2MiBAnd1GiBPagesTranslatesIdentically() {
        final long virtStart = 0xFFFF_8880_4000_0000L;
        final long physStart = 0x1_4000_0000L;
        final long[] offsets = new java.util.SplittableRandom(0xA11CE).longs(500, 0, 1L << 30).toArray();
        long[] reference = null;
        for (final PageSize largest : new PageSize[] {SIZE_1GIB, SIZE_2MIB, SIZE_4KIB}) {
            mapper.mapRange(VirtAddr.of(virtStart), PhysAddr.of(physStart), 1L << 30, RW, largest).flush(cpu);
            final long[] physAddrs = new long[offsets.length];
            for (int i = 0; i < offsets.length; i++) {
                final AccessResult result = cpu.access(virtStart + offsets[i], AccessKind.WRITE, false);
                final AccessResult.Translated translated = (AccessResult.Translated) result;
                assertEquals(largest, translated.pageSize());
                physAddrs[i] = translated.physAddr().value();
            }
            if (reference == null) {
                reference = physAddrs;
                for (int i = 0; i < offsets.length; i++) {
                    assertEquals(physStart + offsets[i], reference[i]);
                }
            } else {
                org.junit.jupiter.api.Assertions.assertArrayEquals(reference, physAddrs, "page size " + largest);
            }
            for (long done = 0; done < 1L << 30; done += largest.byteSize()) {
                mapper.unmap(VirtAddr.of(virtStart + done), largest).flush().ignore();
            }
            mapper.releaseEmptyTables(VirtAddr.of(virtStart), VirtAddr.of(virtStart + (1L << 30) - 1)).flush(cpu);
        }
        assertEquals(1, mapper.tablesAllocated(), "every table but the top one given back");
    }

    @Test
    void mapRangeUsesTheLargestPagesTheAlignmentAllows() {
        mapper.mapRange(VirtAddr.of(0x1F_F000), PhysAddr.of(0x1F_F000), 0x20_2000, RW, SIZE_1GIB).flush(cpu);
        assertEquals(SIZE_4KIB, pageSizeAt(0x1F_F000));
        assertEquals(SIZE_2MIB, pageSizeAt(0x20_0000));
        assertEquals(SIZE_4KIB, pageSizeAt(0x40_0000));
        assertInstanceOf(TranslateResult.NotMapped.class, mapper.translate(VirtAddr.of(0x40_1000)));
    }

    @Test
    void anIdentityMapTranslatesAnAddressToItself() {
        mapper.identityMap(PhysAddr.of(0x4000_0000L), SIZE_1GIB, RW).flush(cpu);
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x4567_89ABL), SIZE_1GIB),
            cpu.access(0x4567_89ABL, AccessKind.READ, false));
    }

    @Test
    void mapWidensAnExistingParentAndAsksForAFullFlush() {
        mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, 0).flush(cpu);
        cpu.setEferBit(ControlRegisters.EFER_NXE, true);
        final long top = mapper.topTableAddr().value();
        ram.setLong(top, ram.getLong(top) | PageTableFlags.NO_EXECUTE);
        final MapperFlush flush = mapper.map(VirtAddr.of(0x40_1000), PhysAddr.of(0xA000), SIZE_4KIB, RW | US);
        assertTrue(flush.flushesAll());
        flush.flush(cpu);
        assertEquals(0x10_1000L | 0x7, ram.getLong(top), "R/W and U/S added, XD removed");
        assertInstanceOf(AccessResult.Translated.class, cpu.access(0x40_1000, AccessKind.EXECUTE, true));
        assertEquals(new AccessResult.PageFault(0x7, 0x40_0000), cpu.access(0x40_0000, AccessKind.WRITE, true));
    }

    @Test
    void updateFlagsKeepsTheFrameAndWidensParents() {
        mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, 0).flush(cpu);
        assertEquals(new AccessResult.PageFault(0x7, 0x40_0000), cpu.access(0x40_0000, AccessKind.WRITE, true));
        mapper.updateFlags(VirtAddr.of(0x40_0000), SIZE_4KIB, RW | US).flush(cpu);
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x9000), SIZE_4KIB),
            cpu.access(0x40_0000, AccessKind.WRITE, true));
    }

    @Test
    void releaseEmptyTablesKeepsTablesWithNonZeroEntries() {
        mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, RW).flush(cpu);
        mapper.map(VirtAddr.of(0x40_1000), PhysAddr.of(0xA000), SIZE_4KIB, RW).flush(cpu);
        final long before = frames.framesFree();
        mapper.unmap(VirtAddr.of(0x40_0000), SIZE_4KIB).flush().flush(cpu);
        final long pte = 0x10_3000 + 8;
        ram.setLong(pte, 0x1234_5000L);
        mapper.releaseEmptyTables(VirtAddr.of(0), VirtAddr.of(0x7FFF_FFFF_FFFFL)).flush(cpu);
        assertEquals(4, mapper.tablesAllocated(), "a swap-style non-present entry keeps its table");
        ram.setLong(pte, 0);
        mapper.releaseEmptyTables(VirtAddr.of(0), VirtAddr.of(0x7FFF_FFFF_FFFFL)).flush(cpu);
        assertEquals(1, mapper.tablesAllocated());
        assertEquals(before + 3, frames.framesFree());
        assertEquals(0, ram.getLong(mapper.topTableAddr().value()));
    }

    @Test
    void releaseEmptyTablesLeavesTablesOutsideTheRange() {
        mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, RW).flush(cpu);
        mapper.unmap(VirtAddr.of(0x40_0000), SIZE_4KIB).flush().flush(cpu);
        mapper.releaseEmptyTables(VirtAddr.of(KERNEL_PAGE), VirtAddr.of(-1L)).flush(cpu);
        assertEquals(4, mapper.tablesAllocated());
        mapper.releaseEmptyTables(VirtAddr.of(0x40_0000), VirtAddr.of(0x40_0FFF)).flush(cpu);
        assertEquals(1, mapper.tablesAllocated());
    }

    @Test
    void translateReportsReservedBitsAsAnInvalidFrameAddress() {
        mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, RW).flush(cpu);
        ram.setLong(0x10_3000, 1L << 50 | 0x9003);
        assertEquals(new TranslateResult.InvalidFrameAddress(1L << 50 | 0x9003, PageTableLevel.PT),
            mapper.translate(VirtAddr.of(0x40_0000)));
    }

    /** The leaf flags are everything outside the frame's address field: bit 12 of a 2 MiB leaf is PAT, a flag. */
    @Test
    void translateReportsThePatBitOfALargePageAmongItsLeafFlags() {
        mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x20_0000), SIZE_2MIB, RW).flush(cpu);
        final long pdeAddr = 0x10_2000 + 2 * 8;
        ram.setLong(pdeAddr, ram.getLong(pdeAddr) | 0x1000);
        final TranslateResult.Mapped mapped = (TranslateResult.Mapped) mapper.translate(VirtAddr.of(0x40_1234));
        assertEquals(PhysAddr.of(0x20_0000), mapped.frame());
        assertEquals(0x1000 | 0x80 | RW | PageTableFlags.PRESENT, mapped.leafFlags());
    }

    @Test
    void aFiveLevelMapperMapsAddressesAbove48Bits() {
        final Mapper fiveLevel = Mapper.create(ram, CpuModel.DEFAULT, frames, true);
        final long high = 0x00AB_CDEF_0000_0000L;
        fiveLevel.map(VirtAddr.of(high), PhysAddr.of(0x3000), SIZE_4KIB, RW).ignore();
        cpu.setCr4Bit(ControlRegisters.CR4_LA57, true);
        cpu.writeCr3(fiveLevel.topTableAddr().value());
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x3042), SIZE_4KIB),
            cpu.access(high + 0x42, AccessKind.READ, false));
        assertEquals(5, fiveLevel.tablesAllocated());
    }

    // ---------------------------------------------------------------------------------------------- errors

    @Test
    void alreadyMapped() {
        mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, RW).flush(cpu);
        assertRefused(MapperError.ALREADY_MAPPED, "page is already mapped: virtAddr=0x400000, pageSize=4KiB,"
                + " existingEntry=0x9003, level=PT",
            () -> mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0xA000), SIZE_4KIB, RW));
        assertRefused(MapperError.ALREADY_MAPPED, "page is already mapped: virtAddr=0x400000, pageSize=2MiB,"
                + " existingEntry=0x103003, level=PD",
            () -> mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x20_0000), SIZE_2MIB, RW));
    }

    @Test
    void parentEntryHugePage() {
        mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x20_0000), SIZE_2MIB, RW).flush(cpu);
        assertRefused(MapperError.PARENT_ENTRY_HUGE_PAGE, "page lies inside a larger page: virtAddr=0x401000,"
                + " pageSize=4KiB, hugeEntry=0x200083, level=PD",
            () -> mapper.map(VirtAddr.of(0x40_1000), PhysAddr.of(0xA000), SIZE_4KIB, RW));
        assertRefused(MapperError.PARENT_ENTRY_HUGE_PAGE, "page lies inside a larger page: virtAddr=0x401000,"
                + " pageSize=4KiB, hugeEntry=0x200083, level=PD",
            () -> mapper.unmap(VirtAddr.of(0x40_1000), SIZE_4KIB));
    }

    @Test
    void frameAllocationFailedTakesNoFrameAndWritesNothing() {
        final StackFrameSource twoFrames = new StackFrameSource(0x10_0000, 0x10_3000);
        final Mapper small = Mapper.create(ram, CpuModel.DEFAULT, twoFrames, false);
        final MapperException refused = assertThrows(MapperException.class,
            () -> small.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, RW));
        assertEquals(MapperError.FRAME_ALLOCATION_FAILED, refused.error());
        assertEquals("no frame for a page table: virtAddr=0x400000, tablesNeeded=3", refused.getMessage());
        assertEquals(2, twoFrames.framesFree());
        assertEquals(0, ram.getLong(small.topTableAddr().value()));
        assertEquals(1, small.tablesAllocated());
    }

    @Test
    void notMapped() {
        assertRefused(MapperError.NOT_MAPPED, "page is not mapped: virtAddr=0x400000, pageSize=4KiB, level=PML4",
            () -> mapper.unmap(VirtAddr.of(0x40_0000), SIZE_4KIB));
        mapper.map(VirtAddr.of(0x40_1000), PhysAddr.of(0x9000), SIZE_4KIB, RW).flush(cpu);
        assertRefused(MapperError.NOT_MAPPED, "page is not mapped: virtAddr=0x400000, pageSize=4KiB, level=PT",
            () -> mapper.updateFlags(VirtAddr.of(0x40_0000), SIZE_4KIB, RW));
    }

    @Test
    void pageSizeMismatch() {
        mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, RW).flush(cpu);
        assertRefused(MapperError.PAGE_SIZE_MISMATCH, "page is mapped by a table of smaller pages:"
                + " virtAddr=0x400000, pageSize=2MiB, tableEntry=0x103003, level=PD",
            () -> mapper.unmap(VirtAddr.of(0x40_0000), SIZE_2MIB));
    }

    @Test
    void notAligned() {
        assertRefused(MapperError.NOT_ALIGNED, "virtual address is not aligned to the page size: virtAddr=0x401000,"
                + " pageSize=2MiB",
            () -> mapper.map(VirtAddr.of(0x40_1000), PhysAddr.of(0x20_0000), SIZE_2MIB, RW));
        assertRefused(MapperError.NOT_ALIGNED, "physical address is not aligned to the page size: physAddr=0x9800,"
                + " pageSize=4KiB",
            () -> mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9800), SIZE_4KIB, RW));
        assertRefused(MapperError.NOT_ALIGNED, "range size is not a positive multiple of 4KiB: virtAddr=0x400000,"
                + " byteSize=4097",
            () -> mapper.mapRange(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), 4097, RW, SIZE_2MIB));
    }

    @Test
    void nonCanonical() {
        assertRefused(MapperError.NON_CANONICAL, "virtual address is not canonical for this paging mode:"
                + " virtAddr=0x800000000000, linearBits=48",
            () -> mapper.map(VirtAddr.of(0x8000_0000_0000L), PhysAddr.of(0x9000), SIZE_4KIB, RW));
        final IllegalArgumentException notEven57 = assertThrows(IllegalArgumentException.class,
            () -> VirtAddr.of(0x0100_0000_0000_0000L));
        assertEquals("virtual address is not canonical: virtAddr=0x100000000000000, linearBits=57",
            notEven57.getMessage());
    }

    @Test
    void aRangeThatLeavesItsCanonicalHalfIsRefused() {
        assertRefused(MapperError.NON_CANONICAL, "range leaves the canonical half it starts in:"
                + " virtAddr=0xfffffffffffff000, byteSize=8192, linearBits=48",
            () -> mapper.mapRange(VirtAddr.of(0xFFFF_FFFF_FFFF_F000L), PhysAddr.of(0x40_0000), 0x2000, RW, SIZE_4KIB));
        assertRefused(MapperError.NON_CANONICAL, "virtual address is not canonical for this paging mode:"
                + " virtAddr=0x800000000000, linearBits=48",
            () -> mapper.mapRange(VirtAddr.of(0x7FFF_FFFF_F000L), PhysAddr.of(0x40_0000), 0x2000, RW, SIZE_4KIB));
        assertEquals(new TranslateResult.NotMapped(PageTableLevel.PML4), mapper.translate(VirtAddr.of(0)));
    }

    @Test
    void unsupported() {
        assertRefused(MapperError.UNSUPPORTED, "frame lies above MAXPHYADDR: physAddr=0x400000000000,"
                + " maxPhysAddrBits=46",
            () -> mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(1L << 46), SIZE_4KIB, RW));
        final Mapper noGigabytePages = new Mapper(ram, new CpuModel(46, false), frames,
            mapper.topTableAddr(), false);
        assertRefused(MapperError.UNSUPPORTED, "the CPU model has no 1GiB pages: virtAddr=0x40000000",
            () -> noGigabytePages.map(VirtAddr.of(0x4000_0000L), PhysAddr.of(0), SIZE_1GIB, RW));
    }

    @Test
    void invalidFlags() {
        assertRefused(MapperError.INVALID_FLAGS, "flags contain address bits or PS: virtAddr=0x400000, flags=0x83",
            () -> mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, 0x83));
        assertRefused(MapperError.INVALID_FLAGS, "flags contain address bits or PS: virtAddr=0x400000, flags=0x5003",
            () -> mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, 0x5003));
    }

    @Test
    void aTokenNeitherFlushedNorIgnoredIsCaughtByTheNextChange() {
        assertTrue(MapperTest.class.desiredAssertionStatus(), "tests run with -ea");
        final MapperFlush forgotten = mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, RW);
        final AssertionError error = assertThrows(AssertionError.class,
            () -> mapper.map(VirtAddr.of(0x40_1000), PhysAddr.of(0xA000), SIZE_4KIB, RW));
        assertEquals("a TLB flush token was neither flushed nor ignored: unresolvedFlushes=1,"
            + " last=MapperFlush[page, virtAddr=0x400000, resolved=false]", error.getMessage());
        assertFalse(forgotten.isResolved());
        forgotten.ignore();
        mapper.map(VirtAddr.of(0x40_1000), PhysAddr.of(0xA000), SIZE_4KIB, RW).ignore();
        assertEquals(0, mapper.unresolvedFlushes());
    }

    @Test
    void aWatchingCpuRefusesToWalkWhileATokenIsUnresolved() {
        cpu.watch(mapper);
        final MapperFlush pending = mapper.map(VirtAddr.of(0x40_0000), PhysAddr.of(0x9000), SIZE_4KIB, RW);
        final AssertionError error = assertThrows(AssertionError.class,
            () -> cpu.access(0x40_0000, AccessKind.READ, false));
        assertEquals("a TLB flush token of a watched mapper was neither flushed nor ignored: cpu=0,"
            + " virtAddr=0x400000", error.getMessage());
        pending.flush(cpu);
        assertEquals(new AccessResult.Translated(PhysAddr.of(0x9000), SIZE_4KIB),
            cpu.access(0x40_0000, AccessKind.READ, false));
    }

    @Test
    void aRefusedMapRangeUnmapsWhatItMapped() {
        mapper.map(VirtAddr.of(0x40_3000), PhysAddr.of(0x9000), SIZE_4KIB, RW).flush(cpu);
        final MapperException refused = assertThrows(MapperException.class,
            () -> mapper.mapRange(VirtAddr.of(0x40_0000), PhysAddr.of(0x10000), 0x4000, RW, SIZE_2MIB));
        assertEquals(MapperError.ALREADY_MAPPED, refused.error());
        for (long page = 0x40_0000; page < 0x40_3000; page += 0x1000) {
            assertEquals(new TranslateResult.NotMapped(PageTableLevel.PT), mapper.translate(VirtAddr.of(page)));
        }
        assertInstanceOf(TranslateResult.Mapped.class, mapper.translate(VirtAddr.of(0x40_3000)));
    }

    /** The range's first page widens the parents to user-writable; its second is refused: they are narrowed back. */
    @Test
    void aRefusedMapRangeNarrowsTheParentsItWidened() {
        mapper.map(VirtAddr.of(0x1000), PhysAddr.of(0x9000), SIZE_4KIB, 0).flush(cpu);
        mapper.map(VirtAddr.of(0x3000), PhysAddr.of(0xA000), SIZE_4KIB, 0).flush(cpu);
        assertRefused(MapperError.ALREADY_MAPPED, "page is already mapped: virtAddr=0x3000, pageSize=4KiB,"
                + " existingEntry=0xa001, level=PT",
            () -> mapper.mapRange(VirtAddr.of(0x2000), PhysAddr.of(0x50_0000), 0x2000, RW | US, SIZE_4KIB));
        assertEquals(new TranslateResult.NotMapped(PageTableLevel.PT), mapper.translate(VirtAddr.of(0x2000)));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private PageSize pageSizeAt(final long virtAddr) {
        return ((TranslateResult.Mapped) mapper.translate(VirtAddr.of(virtAddr))).pageSize();
    }

    /** Asserts the refusal, its message, and that the tables and the frame allocator are unchanged. */
    private void assertRefused(final MapperError error, final String message, final Executable call) {
        final long tables = mapper.tablesAllocated();
        final long framesFree = frames.framesFree();
        final long[] snapshot = snapshotTables();
        final MapperException refused = assertThrows(MapperException.class, call);
        assertEquals(error, refused.error());
        assertEquals(message, refused.getMessage());
        assertEquals(tables, mapper.tablesAllocated());
        assertEquals(framesFree, frames.framesFree());
        org.junit.jupiter.api.Assertions.assertArrayEquals(snapshot, snapshotTables(), "tables changed");
        assertEquals(0, mapper.unresolvedFlushes());
    }

    /** @return every word of the table frames [1 MiB, 1 MiB + 64 KiB) */
    private long[] snapshotTables() {
        final long[] words = new long[8192];
        for (int i = 0; i < words.length; i++) {
            words[i] = ram.getLong((1 << 20) + 8L * i);
        }
        return words;
    }
}

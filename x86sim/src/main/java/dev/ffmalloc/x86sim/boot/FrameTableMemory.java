package dev.ffmalloc.x86sim.boot;

import dev.ffmalloc.memory.Memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The memory a frame table lives in, populated only where there is RAM to describe: Linux's SPARSEMEM_VMEMMAP, where
 * the {@code struct page} array is virtually contiguous over all of physical memory but backed page by page only for
 * present sections.
 *
 * <p>The table spans {@code [tableAddr, tableAddr + tableByteSize)} in an address space of its own. Each 4 KiB page
 * of it is either populated (a writable zeroed page from the arena, via {@link #populate}) or the shared read-only
 * zero page: reads of an unpopulated page return zeros (an entry nobody manages), a {@link #fill} with zero skips
 * it, and any other write throws. So a table over a 64 GiB address space with 362 MiB of RAM costs about
 * {@code 362 MiB / 4096 * entryBytes}, and walking the whole table (an integrity check) still works.
 *
 * <p>An access costs one subtraction, one unsigned compare, one shift and one array load; a write adds one
 * reference compare. Accesses at most 8 bytes wide and naturally aligned never straddle two pages.
 */
public final class FrameTableMemory implements Memory {

    /** The granularity of population: one page of table. */
    public static final long PAGE_SIZE = 4096;

    private static final int PAGE_SHIFT = 12;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena;
    private final long tableAddr;
    private final long tableByteSize;

    /** {@code pages[i]} backs the table's page {@code i}: a populated page of its own, or {@link #zeroPage}. */
    private final MemorySegment[] pages;

    /** A read-only page of zeros shared by every unpopulated page. */
    private final MemorySegment zeroPage;

    private long populatedPages;

    /**
     * A table with no page populated.
     *
     * @param arena         where populated pages come from; closing it ends the table
     * @param tableAddr     the address of the table's first byte, page-aligned
     * @param tableByteSize the table's size in bytes
     * @throws IllegalArgumentException if the address is not page-aligned or the size is not positive
     */
    public FrameTableMemory(final Arena arena, final long tableAddr, final long tableByteSize) {
        if ((tableAddr & (PAGE_SIZE - 1)) != 0 || tableByteSize <= 0) {
            throw new IllegalArgumentException("frame table must be page-aligned and non-empty: tableAddr=0x"
                + Long.toHexString(tableAddr) + ", tableByteSize=" + tableByteSize);
        }
        this.arena = arena;
        this.tableAddr = tableAddr;
        this.tableByteSize = tableByteSize;
        this.zeroPage = arena.allocate(PAGE_SIZE, PAGE_SIZE).asReadOnly();
        this.pages = new MemorySegment[Math.toIntExact((tableByteSize + PAGE_SIZE - 1) >>> PAGE_SHIFT)];
        Arrays.fill(pages, zeroPage);
    }

    /**
     * Backs every page of the table that {@code [address, address + byteSize)} touches with a zeroed page of its own;
     * pages already populated are left as they are.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the table
     */
    public void populate(final long address, final long byteSize) {
        checkInside(address, byteSize);
        final int firstPage = (int) ((address - tableAddr) >>> PAGE_SHIFT);
        final int endPage = (int) ((address - tableAddr + byteSize + PAGE_SIZE - 1) >>> PAGE_SHIFT);
        int page = firstPage;
        while (page < endPage) {
            if (pages[page] != zeroPage) {
                page++;
                continue;
            }
            int runEnd = page;
            while (runEnd < endPage && pages[runEnd] == zeroPage) {
                runEnd++;
            }
            // One segment per run of unpopulated pages, sliced into pages.
            final MemorySegment run = arena.allocate((runEnd - page) * PAGE_SIZE, PAGE_SIZE);
            for (int i = page; i < runEnd; i++) {
                pages[i] = run.asSlice((i - page) * PAGE_SIZE, PAGE_SIZE);
            }
            populatedPages += runEnd - page;
            page = runEnd;
        }
    }

    /** @return the address of the table's first byte */
    public long tableAddr() {
        return tableAddr;
    }

    /** @return the table's size in bytes, populated or not */
    public long tableByteSize() {
        return tableByteSize;
    }

    /** @return the bytes actually backed: populated pages times {@link #PAGE_SIZE} */
    public long populatedBytes() {
        return populatedPages * PAGE_SIZE;
    }

    // -------------------------------------------------------------------------------------------------- access

    /** @return the page holding {@code address}, populated or the zero page */
    private MemorySegment pageOf(final long address) {
        final long offset = address - tableAddr;
        if (Long.compareUnsigned(offset, tableByteSize) >= 0) {
            throw outsideTable(address, 1);
        }
        return pages[(int) (offset >>> PAGE_SHIFT)];
    }

    /** @return the populated page holding {@code address}, for a write */
    private MemorySegment writablePageOf(final long address) {
        final MemorySegment page = pageOf(address);
        if (page == zeroPage) {
            throw unpopulated(address);
        }
        return page;
    }

    private static long inPage(final long address) {
        return address & (PAGE_SIZE - 1);
    }

    @Override
    public byte getByte(final long address) {
        return pageOf(address).get(ValueLayout.JAVA_BYTE, inPage(address));
    }

    @Override
    public void setByte(final long address, final byte value) {
        writablePageOf(address).set(ValueLayout.JAVA_BYTE, inPage(address), value);
    }

    @Override
    public short getShort(final long address) {
        Memory.checkAligned(address, Short.BYTES);
        return pageOf(address).get(SHORT, inPage(address));
    }

    @Override
    public void setShort(final long address, final short value) {
        Memory.checkAligned(address, Short.BYTES);
        writablePageOf(address).set(SHORT, inPage(address), value);
    }

    @Override
    public int getInt(final long address) {
        Memory.checkAligned(address, Integer.BYTES);
        return pageOf(address).get(INT, inPage(address));
    }

    @Override
    public void setInt(final long address, final int value) {
        Memory.checkAligned(address, Integer.BYTES);
        writablePageOf(address).set(INT, inPage(address), value);
    }

    @Override
    public long getLong(final long address) {
        Memory.checkAligned(address, Long.BYTES);
        return pageOf(address).get(LONG, inPage(address));
    }

    @Override
    public void setLong(final long address, final long value) {
        Memory.checkAligned(address, Long.BYTES);
        writablePageOf(address).set(LONG, inPage(address), value);
    }

    /** Fills page by page; unpopulated pages already hold zeros, so a zero fill skips them. */
    @Override
    public void fill(final long address, final long byteSize, final byte value) {
        checkInside(address, byteSize);
        long done = 0;
        while (done < byteSize) {
            final long chunkAddr = address + done;
            final long chunkBytes = Math.min(byteSize - done, PAGE_SIZE - inPage(chunkAddr));
            final MemorySegment page = pageOf(chunkAddr);
            if (page != zeroPage) {
                page.asSlice(inPage(chunkAddr), chunkBytes).fill(value);
            } else if (value != 0) {
                throw unpopulated(chunkAddr);
            }
            done += chunkBytes;
        }
    }

    /** Copies through a buffer on the Java heap: tables are not copied on any hot path. */
    @Override
    public void copy(final long srcAddress, final long dstAddress, final long byteSize) {
        checkInside(srcAddress, byteSize);
        checkInside(dstAddress, byteSize);
        final byte[] buffer = new byte[Math.toIntExact(byteSize)];
        for (int i = 0; i < buffer.length; i++) {
            buffer[i] = getByte(srcAddress + i);
        }
        for (int i = 0; i < buffer.length; i++) {
            setByte(dstAddress + i, buffer[i]);
        }
    }

    private void checkInside(final long address, final long byteSize) {
        final long offset = address - tableAddr;
        if (byteSize < 0 || Long.compareUnsigned(offset, tableByteSize) > 0 || byteSize > tableByteSize - offset) {
            throw outsideTable(address, byteSize);
        }
    }

    @Override
    public String toString() {
        return "FrameTableMemory[0x" + Long.toHexString(tableAddr) + ", tableByteSize=" + tableByteSize
            + ", populatedBytes=" + populatedBytes() + "]";
    }

    // -------------------------------------------------------------------------------------------------- errors

    private IndexOutOfBoundsException outsideTable(final long address, final long byteSize) {
        return new IndexOutOfBoundsException("access outside the frame table: addr=0x" + Long.toHexString(address)
            + ", byteSize=" + byteSize + ", tableAddr=0x" + Long.toHexString(tableAddr) + ", tableByteSize="
            + tableByteSize);
    }

    private IllegalStateException unpopulated(final long address) {
        return new IllegalStateException("write to an unpopulated page of the frame table: addr=0x"
            + Long.toHexString(address));
    }
}

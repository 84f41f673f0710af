package dev.ffmalloc.x86sim.phys;

import dev.ffmalloc.memory.Memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * {@link Memory} over a sparse physical address space: each span of RAM is backed by its own zeroed off-heap segment,
 * so RAM costs only what is present, however large the address space.
 *
 * <h2>Lookup</h2>
 * An address finds its span in constant time through a section table in the spirit of Linux's SPARSEMEM: one slot
 * per {@link #SECTION_BYTES} of address space, up to the end of the last span. A slot holds the span that covers the
 * most of its section, so the usual access costs one shift, two loads and one unsigned compare. Spans may start and
 * end inside a section (low memory on untidy firmware): a section that two or more spans share also gets a page
 * index, one {@code short} per 4 KiB page naming the span that holds it (spans are whole pages), so an address the
 * slot's span misses costs one more load there. The section table costs one reference per 128 MiB up to the highest
 * address (at most 2 MiB for the 46-bit physical address space of 4-level paging); each shared section's page index
 * costs 64 KiB.
 *
 * <h2>Errors</h2>
 * An access to a hole or past the end throws {@link UnbackedAddressException} naming the address; so does a
 * {@link #fill} or {@link #copy} that would run from one span into the next, even where the spans touch in the
 * address space (they are distinct segments). Misaligned 16/32/64-bit accesses throw
 * {@link IllegalArgumentException} (the segments are page-aligned, so natural alignment of the physical address is
 * what the JDK checks). After {@link #close()} every access throws {@link IllegalStateException}.
 *
 * <h2>Threads</h2>
 * The segments come from the arena the owner passes in; with {@link Arena#ofShared()} any thread (a simulated CPU)
 * may access them. The {@link Memory} accesses are plain loads and stores; {@link #compareAndSetLong} and
 * {@link #getLongVolatile} are the atomic ones page-table updates shared between CPUs need.
 *
 */
public final class PhysicalMemory implements Memory {

    /** log2 of {@link #SECTION_BYTES}: Linux's {@code SECTION_SIZE_BITS} on x86_64. */
    public static final int SECTION_SHIFT = 27;

    /** The address space one section-table slot covers: 128 MiB. */
    public static final long SECTION_BYTES = 1L << SECTION_SHIFT;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** (segment, offset) access to a little-endian long, for the atomic operations. */
    private static final VarHandle LONG_HANDLE = LONG.varHandle();
    private static final Span[] CLOSED = new Span[0];
    /** log2 of the page size the page indexes of shared sections work in. */
    private static final int PAGE_SHIFT = 12;
    /** Entry of a page index for a page no span holds. */
    private static final short NO_SPAN = -1;

    /** One present range and the segment behind it: address {@code startAddr + i} is byte {@code i}. */
    private record Span(long startAddr, long byteSize, MemorySegment segment) {
        long endAddr() {
            return startAddr + byteSize;
        }
    }

    private final String name;

    /** Sorted by address; disjoint. */
    private final Span[] spans;

    /**
     * Slot {@code s} holds the span covering the most of {@code [s << SECTION_SHIFT, (s + 1) << SECTION_SHIFT)}, or
     * null if none meets it. {@link #CLOSED} (length 0) once closed, which sends every access to the slow path.
     */
    private Span[] sectionTable;

    /** What {@link #sectionTable} holds until {@link #close()}. */
    private final Span[] sectionSpans;

    /**
     * Slot {@code s} is null if at most one span meets section {@code s}; otherwise entry {@code p} is the index in
     * {@link #spans} of the span holding page {@code p} of the section, or {@link #NO_SPAN}. Read on the slow path.
     */
    private final short[][] pageIndexes;

    private final long byteSize;

    /**
     * Backs each of {@code ranges} with a zeroed segment from {@code arena}.
     *
     * @param arena  where the segments come from; the owner closes it after {@link #close()}
     * @param name   what the memory is, for messages ({@code RAM})
     * @param ranges page-aligned ranges, sorted and disjoint
     * @throws IllegalArgumentException if there is no range, or the ranges are not page-aligned, sorted and disjoint
     */
    public PhysicalMemory(final Arena arena, final String name, final List<PhysRange> ranges) {
        checkRanges(ranges);
        this.name = name;
        this.spans = new Span[ranges.size()];
        long total = 0;
        for (int i = 0; i < spans.length; i++) {
            final PhysRange range = ranges.get(i);
            spans[i] = new Span(range.startAddr(), range.byteSize(), arena.allocate(range.byteSize(),
                PhysRange.PAGE_SIZE));
            total += range.byteSize();
        }
        this.byteSize = total;
        final int sections = Math.toIntExact((spans[spans.length - 1].endAddr() + SECTION_BYTES - 1) >>> SECTION_SHIFT);
        this.sectionSpans = new Span[sections];
        this.pageIndexes = new short[sections][];
        fillSectionTables(spans, sectionSpans, pageIndexes);
        this.sectionTable = sectionSpans;
    }

    private static void checkRanges(final List<PhysRange> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("physical memory needs at least one range");
        }
        long previousEnd = 0;
        for (final PhysRange range : ranges) {
            if (((range.startAddr() | range.endAddr()) & (PhysRange.PAGE_SIZE - 1)) != 0
                || range.startAddr() < previousEnd) {
                throw new IllegalArgumentException("ranges must be page-aligned, sorted and disjoint: range="
                    + range + ", previousEnd=0x" + Long.toHexString(previousEnd));
            }
            previousEnd = range.endAddr();
        }
    }

    private static void fillSectionTables(final Span[] spans, final Span[] best, final short[][] pageIndexes) {
        if (spans.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("too many ranges for the page index: ranges=" + spans.length);
        }
        final long[] bestCovered = new long[best.length];
        final int[] spansMet = new int[best.length];
        for (final Span span : spans) {
            for (long section = span.startAddr >>> SECTION_SHIFT; section << SECTION_SHIFT < span.endAddr();
                 section++) {
                final int slot = (int) section;
                final long sectionStart = section << SECTION_SHIFT;
                final long covered = Math.min(span.endAddr(), sectionStart + SECTION_BYTES)
                    - Math.max(span.startAddr, sectionStart);
                spansMet[slot]++;
                if (covered > bestCovered[slot]) {
                    best[slot] = span;
                    bestCovered[slot] = covered;
                }
            }
        }
        for (int spanIndex = 0; spanIndex < spans.length; spanIndex++) {
            final Span span = spans[spanIndex];
            for (long pageAddr = span.startAddr; pageAddr < span.endAddr(); pageAddr += 1L << PAGE_SHIFT) {
                final int slot = (int) (pageAddr >>> SECTION_SHIFT);
                if (spansMet[slot] < 2) {
                    pageAddr = Math.min(span.endAddr(), (long) (slot + 1) << SECTION_SHIFT) - (1L << PAGE_SHIFT);
                    continue;
                }
                if (pageIndexes[slot] == null) {
                    pageIndexes[slot] = new short[(int) (SECTION_BYTES >>> PAGE_SHIFT)];
                    Arrays.fill(pageIndexes[slot], NO_SPAN);
                }
                pageIndexes[slot][(int) ((pageAddr & (SECTION_BYTES - 1)) >>> PAGE_SHIFT)] = (short) spanIndex;
            }
        }
    }

    /** @return what this memory is, as messages name it */
    public String name() {
        return name;
    }

    /** @return the bytes backed by segments: the sum of the ranges' sizes */
    public long byteSize() {
        return byteSize;
    }

    /** @return the backed ranges, sorted */
    public List<PhysRange> ranges() {
        return Arrays.stream(spans).map(span -> PhysRange.ofSize(span.startAddr, span.byteSize)).toList();
    }

    /** @return one past the highest backed address */
    public long endAddr() {
        return spans[spans.length - 1].endAddr();
    }

    /** @return whether {@code address} has memory behind it */
    public boolean isBacked(final long address) {
        final long section = address >>> SECTION_SHIFT;
        if (section >= sectionSpans.length) {
            return false;
        }
        final Span span = sectionSpans[(int) section];
        return span != null && Long.compareUnsigned(address - span.startAddr, span.byteSize) < 0
            || spanOfSharedSection(address) != null;
    }

    /**
     * Makes every later access throw {@link IllegalStateException}. Call it before closing the arena, so that an
     * access after the end is a clear error rather than the JDK's closed-scope exception. Idempotent.
     */
    public void close() {
        sectionTable = CLOSED;
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return sectionTable == CLOSED;
    }

    // -------------------------------------------------------------------------------------------------- lookup

    /** The hot path: the span holding {@code address}, from its section's slot, or the slow path. */
    private Span spanOf(final long address) {
        final Span[] table = sectionTable;
        final long section = address >>> SECTION_SHIFT;
        if (section < table.length) {
            final Span span = table[(int) section];
            if (span != null && Long.compareUnsigned(address - span.startAddr, span.byteSize) < 0) {
                return span;
            }
        }
        return spanOfSlowPath(address);
    }

    private Span spanOfSlowPath(final long address) {
        if (sectionTable == CLOSED) {
            throw closed(address);
        }
        final Span span = spanOfSharedSection(address);
        if (span == null) {
            throw unbacked(address);
        }
        return span;
    }

    /** @return the span holding {@code address} according to its section's page index, or null (a hole) */
    private Span spanOfSharedSection(final long address) {
        final long section = address >>> SECTION_SHIFT;
        final short[] pageIndex = section < pageIndexes.length ? pageIndexes[(int) section] : null;
        if (pageIndex == null) {
            return null;
        }
        final short spanIndex = pageIndex[(int) ((address & (SECTION_BYTES - 1)) >>> PAGE_SHIFT)];
        return spanIndex == NO_SPAN ? null : spans[spanIndex];
    }

    /** @return the span holding all of {@code [address, address + byteSize)}, {@code byteSize > 0} */
    private Span spanOfRange(final long address, final long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("size is negative: byteSize=" + byteSize);
        }
        final Span span = spanOf(address);
        if (byteSize > span.endAddr() - address) {
            throw crossesSpan(address, byteSize, span.endAddr());
        }
        return span;
    }

    // -------------------------------------------------------------------------------------------------- access

    @Override
    public byte getByte(final long address) {
        final Span span = spanOf(address);
        return span.segment.get(ValueLayout.JAVA_BYTE, address - span.startAddr);
    }

    @Override
    public void setByte(final long address, final byte value) {
        final Span span = spanOf(address);
        span.segment.set(ValueLayout.JAVA_BYTE, address - span.startAddr, value);
    }

    @Override
    public short getShort(final long address) {
        Memory.checkAligned(address, Short.BYTES);
        final Span span = spanOf(address);
        return span.segment.get(SHORT, address - span.startAddr);
    }

    @Override
    public void setShort(final long address, final short value) {
        Memory.checkAligned(address, Short.BYTES);
        final Span span = spanOf(address);
        span.segment.set(SHORT, address - span.startAddr, value);
    }

    @Override
    public int getInt(final long address) {
        Memory.checkAligned(address, Integer.BYTES);
        final Span span = spanOf(address);
        return span.segment.get(INT, address - span.startAddr);
    }

    @Override
    public void setInt(final long address, final int value) {
        Memory.checkAligned(address, Integer.BYTES);
        final Span span = spanOf(address);
        span.segment.set(INT, address - span.startAddr, value);
    }

    /** The paging unit's hot path: a page-table entry load. Constant time. */
    @Override
    public long getLong(final long address) {
        Memory.checkAligned(address, Long.BYTES);
        final Span span = spanOf(address);
        return span.segment.get(LONG, address - span.startAddr);
    }

    /** The paging unit's hot path: a page-table entry store. Constant time. */
    @Override
    public void setLong(final long address, final long value) {
        Memory.checkAligned(address, Long.BYTES);
        final Span span = spanOf(address);
        span.segment.set(LONG, address - span.startAddr, value);
    }

    /**
     * Atomically sets the 64-bit value at {@code address} (8-byte aligned) to {@code newValue} if it is
     * {@code expectedValue}, with volatile semantics: how a CPU's page walk sets the accessed and dirty bits of a
     * page-table entry that other CPUs may be updating too.
     *
     * @return whether the value was {@code expectedValue} and is now {@code newValue}
     */
    public boolean compareAndSetLong(final long address, final long expectedValue, final long newValue) {
        Memory.checkAligned(address, Long.BYTES);
        final Span span = spanOf(address);
        return LONG_HANDLE.compareAndSet(span.segment, address - span.startAddr, expectedValue, newValue);
    }

    /** @return the 64-bit value at {@code address} (8-byte aligned), read with volatile semantics */
    public long getLongVolatile(final long address) {
        Memory.checkAligned(address, Long.BYTES);
        final Span span = spanOf(address);
        return (long) LONG_HANDLE.getVolatile(span.segment, address - span.startAddr);
    }

    @Override
    public void fill(final long address, final long byteSize, final byte value) {
        final Span span = spanOfRange(address, byteSize);
        span.segment.asSlice(address - span.startAddr, byteSize).fill(value);
    }

    /** Copies within one span or between two; neither range may run from one span into the next. */
    @Override
    public void copy(final long srcAddress, final long dstAddress, final long byteSize) {
        final Span src = spanOfRange(srcAddress, byteSize);
        final Span dst = spanOfRange(dstAddress, byteSize);
        MemorySegment.copy(src.segment, srcAddress - src.startAddr, dst.segment, dstAddress - dst.startAddr,
            byteSize);
    }

    @Override
    public String toString() {
        return "PhysicalMemory[" + name + ", spans=" + spans.length + ", byteSize=" + byteSize + "]";
    }

    // -------------------------------------------------------------------------------------------------- errors

    private UnbackedAddressException unbacked(final long address) {
        return new UnbackedAddressException("no " + name + " at address: addr=0x" + Long.toHexString(address),
            address);
    }

    private UnbackedAddressException crossesSpan(final long address, final long byteSize, final long spanEnd) {
        return new UnbackedAddressException("access runs past the end of its " + name + " span: addr=0x"
            + Long.toHexString(address) + ", byteSize=" + byteSize + ", spanEnd=0x" + Long.toHexString(spanEnd),
            spanEnd);
    }

    private IllegalStateException closed(final long address) {
        return new IllegalStateException(name + " is closed: addr=0x" + Long.toHexString(address));
    }
}

package dev.ffmalloc.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@link Memory} over one native {@link MemorySegment}, addressed by the segment's real native addresses.
 *
 * <p>Every access goes through the segment, so the JDK checks its bounds and its arena's liveness: a bug in an
 * allocator can corrupt its own heap but never the JVM, and an access after the arena is closed throws
 * {@link IllegalStateException}.
 *
 * <p><b>Unchecked mode.</b> Started with {@code -D}{@value #UNCHECKED_PROPERTY}{@code =true}, a process skips those
 * checks (bounds, liveness, and a confined arena's owner thread) on every 8- to 64-bit load and store: the access
 * goes to its native address through one segment over the whole address space, nearly a plain load or store (still
 * through the FFM API). Alignment is still checked, {@link #fill} and {@link #copy} stay checked (so does
 * {@link Memory#checkRange}, which the allocators apply to every range they are given), and {@link ShiftedMemory}
 * checks its own range. The allocators reject bad input as before; but where a bad free is
 * caught only by check words in the heap (TLSF's and the linked list's headers), a pointer that fools them, or a
 * heap whose metadata the program overwrote, or a bug in an allocator, can now make an allocator write outside its
 * heap and corrupt or crash the JVM; and an access after the arena is closed reads or writes freed memory instead
 * of throwing. Use it, like Agrona's {@code agrona.disable.bounds.checks}, for trusted code whose arenas outlive
 * their allocators. The mode is read once, so the JIT folds the choice away. Making the segment is a restricted
 * method: without {@code --enable-native-access} JDK 25 prints a warning (later JDKs may refuse).
 */
public final class NativeMemory implements Memory {

    /** The page size this project aligns backing memory to. */
    public static final long PAGE_SIZE = 4096;

    /** The system property that turns on {@linkplain NativeMemory unchecked mode} for the whole process. */
    public static final String UNCHECKED_PROPERTY = "dev.ffmalloc.memory.unchecked";

    /** Whether this process runs in {@linkplain NativeMemory unchecked mode}: read once, at class initialization. */
    public static final boolean UNCHECKED = Boolean.getBoolean(UNCHECKED_PROPERTY);

    // Unaligned layouts, and the alignment checked on the address with one bit test: the JDK's check for an aligned
    // layout adds the segment's base to the offset and keeps a comparison for deoptimization, several instructions
    // on every access, and every one of them waits for the address when it comes from a cache miss.
    private static final ValueLayout.OfShort SHORT =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment segment;
    private final long baseAddress;

    /**
     * Every native address, at the offset equal to it. In a class of its own so that a checked process never makes
     * it (a restricted method). A constant of the global arena: the JIT folds its liveness check away and its bounds
     * check becomes one compare against a constant.
     */
    private static final class EveryAddress {
        static final MemorySegment SEGMENT = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    }

    /**
     * Wraps {@code segment}, which must be a native, writable segment.
     *
     * @throws IllegalArgumentException if the segment is on the Java heap or read-only (allocators write their
     *                                  metadata; and unchecked mode, which stores through another segment, would not
     *                                  see the read-only flag)
     */
    public NativeMemory(final MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment is not native: segment=" + segment);
        }
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException("segment is read-only: segment=" + segment);
        }
        this.segment = segment;
        this.baseAddress = segment.address();
    }

    /**
     * Allocates {@code byteSize} bytes of zeroed, page-aligned native memory from {@code arena}.
     *
     * @throws IllegalArgumentException if {@code byteSize} is not positive
     */
    public static NativeMemory allocate(final Arena arena, final long byteSize) {
        if (byteSize <= 0) {
            throw new IllegalArgumentException("memory size must be positive: byteSize=" + byteSize);
        }
        return new NativeMemory(arena.allocate(byteSize, PAGE_SIZE));
    }

    /** @return the native address of the first byte */
    public long baseAddress() {
        return baseAddress;
    }

    /** @return the native address one past the last byte */
    public long endAddress() {
        return baseAddress + segment.byteSize();
    }

    /** @return the size in bytes */
    public long byteSize() {
        return segment.byteSize();
    }

    /** @return the segment behind this memory */
    public MemorySegment segment() {
        return segment;
    }

    /** @return whether {@code address} lies inside this memory */
    public boolean contains(final long address) {
        return address - baseAddress >= 0 && address - baseAddress < segment.byteSize();
    }

    @Override
    public byte getByte(final long address) {
        return target().get(ValueLayout.JAVA_BYTE, offsetOf(address));
    }

    @Override
    public void setByte(final long address, final byte value) {
        target().set(ValueLayout.JAVA_BYTE, offsetOf(address), value);
    }

    @Override
    public short getShort(final long address) {
        Memory.checkAligned(address, Short.BYTES);
        return target().get(SHORT, offsetOf(address));
    }

    @Override
    public void setShort(final long address, final short value) {
        Memory.checkAligned(address, Short.BYTES);
        target().set(SHORT, offsetOf(address), value);
    }

    @Override
    public int getInt(final long address) {
        Memory.checkAligned(address, Integer.BYTES);
        return target().get(INT, offsetOf(address));
    }

    @Override
    public void setInt(final long address, final int value) {
        Memory.checkAligned(address, Integer.BYTES);
        target().set(INT, offsetOf(address), value);
    }

    @Override
    public long getLong(final long address) {
        Memory.checkAligned(address, Long.BYTES);
        return target().get(LONG, offsetOf(address));
    }

    @Override
    public void setLong(final long address, final long value) {
        Memory.checkAligned(address, Long.BYTES);
        target().set(LONG, offsetOf(address), value);
    }

    @Override
    public void fill(final long address, final long byteSize, final byte value) {
        segment.asSlice(address - baseAddress, byteSize).fill(value);
    }

    @Override
    public void copy(final long srcAddress, final long dstAddress, final long byteSize) {
        MemorySegment.copy(segment, srcAddress - baseAddress, segment, dstAddress - baseAddress, byteSize);
    }

    @Override
    public String toString() {
        return "NativeMemory[0x" + Long.toHexString(baseAddress) + ", 0x" + Long.toHexString(endAddress()) + ")";
    }

    /** @return the segment a load or store goes through: this memory's, or in unchecked mode every address's */
    private MemorySegment target() {
        return UNCHECKED ? EveryAddress.SEGMENT : segment;
    }

    /** @return {@code address}'s offset in {@link #target()} */
    private long offsetOf(final long address) {
        return UNCHECKED ? address : address - baseAddress;
    }

}

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
 * two checks on every 8- to 64-bit load and store: the access goes to its native address through one segment over
 * the whole address space, a plain load or store as with {@code sun.misc.Unsafe}. Alignment is still checked,
 * and {@link #fill} and {@link #copy} stay checked. The allocators still check every address a caller hands them
 * before they touch it, so a bad free is still rejected with the heap unchanged. What is lost: a heap whose metadata
 * the program itself overwrote (or a bug in an allocator) can then make an allocator write outside its heap and
 * corrupt or crash the JVM, and an access after the arena is closed reads or writes freed memory instead of
 * throwing. Use it, like Agrona's {@code agrona.disable.bounds.checks}, for trusted code whose arenas outlive their
 * allocators. The mode is read once, so the JIT folds the choice away; making the segment is a restricted method,
 * so the process needs {@code --enable-native-access}.
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
     * it (a restricted method); a constant, so the JIT drops its bounds and liveness checks.
     */
    private static final class EveryAddress {
        static final MemorySegment SEGMENT = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    }

    /**
     * Wraps {@code segment}, which must be a native segment.
     *
     * @throws IllegalArgumentException if the segment is on the Java heap
     */
    public NativeMemory(final MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment is not native: segment=" + segment);
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
        return UNCHECKED ? EveryAddress.SEGMENT.get(ValueLayout.JAVA_BYTE, address)
            : segment.get(ValueLayout.JAVA_BYTE, address - baseAddress);
    }

    @Override
    public void setByte(final long address, final byte value) {
        if (UNCHECKED) {
            EveryAddress.SEGMENT.set(ValueLayout.JAVA_BYTE, address, value);
        } else {
            segment.set(ValueLayout.JAVA_BYTE, address - baseAddress, value);
        }
    }

    @Override
    public short getShort(final long address) {
        if ((address & 1) != 0) {
            throw misaligned(address, Short.BYTES);
        }
        return UNCHECKED ? EveryAddress.SEGMENT.get(SHORT, address) : segment.get(SHORT, address - baseAddress);
    }

    @Override
    public void setShort(final long address, final short value) {
        if ((address & 1) != 0) {
            throw misaligned(address, Short.BYTES);
        }
        if (UNCHECKED) {
            EveryAddress.SEGMENT.set(SHORT, address, value);
        } else {
            segment.set(SHORT, address - baseAddress, value);
        }
    }

    @Override
    public int getInt(final long address) {
        if ((address & 3) != 0) {
            throw misaligned(address, Integer.BYTES);
        }
        return UNCHECKED ? EveryAddress.SEGMENT.get(INT, address) : segment.get(INT, address - baseAddress);
    }

    @Override
    public void setInt(final long address, final int value) {
        if ((address & 3) != 0) {
            throw misaligned(address, Integer.BYTES);
        }
        if (UNCHECKED) {
            EveryAddress.SEGMENT.set(INT, address, value);
        } else {
            segment.set(INT, address - baseAddress, value);
        }
    }

    @Override
    public long getLong(final long address) {
        if ((address & 7) != 0) {
            throw misaligned(address, Long.BYTES);
        }
        return UNCHECKED ? EveryAddress.SEGMENT.get(LONG, address) : segment.get(LONG, address - baseAddress);
    }

    @Override
    public void setLong(final long address, final long value) {
        if ((address & 7) != 0) {
            throw misaligned(address, Long.BYTES);
        }
        if (UNCHECKED) {
            EveryAddress.SEGMENT.set(LONG, address, value);
        } else {
            segment.set(LONG, address - baseAddress, value);
        }
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

    private static IllegalArgumentException misaligned(final long address, final int byteSize) {
        return new IllegalArgumentException("access is not naturally aligned: addr=0x" + Long.toHexString(address)
            + ", byteSize=" + byteSize);
    }
}

package dev.ffmalloc.x86sim;

import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;

import java.lang.foreign.Arena;

/**
 * Physical RAM without holes: physical addresses 0 to {@code byteSize} backed by one off-heap segment. The simplest
 * machine, for tests, benchmarks and users who want page tables without a firmware memory map.
 *
 * <p>An access outside the RAM throws {@link IndexOutOfBoundsException}: a page walk whose table pointer leaves RAM
 * surfaces as that exception (the simulator's "bus error"), never as an invented #PF.
 */
public final class FlatPhysicalMemory implements Memory {

    private final NativeMemory ram;
    private final long nativeBase;

    private FlatPhysicalMemory(final NativeMemory ram) {
        this.ram = ram;
        this.nativeBase = ram.baseAddress();
    }

    /**
     * Allocates {@code byteSize} bytes of zeroed RAM from {@code arena}.
     *
     * @throws IllegalArgumentException if {@code byteSize} is not a positive multiple of 4096
     */
    public static FlatPhysicalMemory allocate(final Arena arena, final long byteSize) {
        if (byteSize <= 0 || (byteSize & (NativeMemory.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("RAM size must be a positive multiple of 4096: byteSize=" + byteSize);
        }
        return new FlatPhysicalMemory(NativeMemory.allocate(arena, byteSize));
    }

    /** @return one past the highest physical address backed */
    public long byteSize() {
        return ram.byteSize();
    }

    @Override
    public byte getByte(final long physAddr) {
        return ram.getByte(nativeBase + physAddr);
    }

    @Override
    public void setByte(final long physAddr, final byte value) {
        ram.setByte(nativeBase + physAddr, value);
    }

    @Override
    public short getShort(final long physAddr) {
        return ram.getShort(nativeBase + physAddr);
    }

    @Override
    public void setShort(final long physAddr, final short value) {
        ram.setShort(nativeBase + physAddr, value);
    }

    @Override
    public int getInt(final long physAddr) {
        return ram.getInt(nativeBase + physAddr);
    }

    @Override
    public void setInt(final long physAddr, final int value) {
        ram.setInt(nativeBase + physAddr, value);
    }

    @Override
    public long getLong(final long physAddr) {
        return ram.getLong(nativeBase + physAddr);
    }

    @Override
    public void setLong(final long physAddr, final long value) {
        ram.setLong(nativeBase + physAddr, value);
    }

    @Override
    public void fill(final long physAddr, final long byteSize, final byte value) {
        ram.fill(nativeBase + physAddr, byteSize, value);
    }

    @Override
    public void copy(final long srcPhysAddr, final long dstPhysAddr, final long byteSize) {
        ram.copy(nativeBase + srcPhysAddr, nativeBase + dstPhysAddr, byteSize);
    }

    @Override
    public String toString() {
        return "FlatPhysicalMemory[0x0, 0x" + Long.toHexString(ram.byteSize()) + ")";
    }
}

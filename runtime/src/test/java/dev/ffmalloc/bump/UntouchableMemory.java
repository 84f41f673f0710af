package dev.ffmalloc.bump;

import dev.ffmalloc.memory.Memory;

/**
 * A {@link Memory} that fails on every access, standing for memory an allocator may not touch (physical frames that
 * are not mapped yet): an allocator that works over it keeps its metadata out-of-band.
 */
final class UntouchableMemory implements Memory {

    private static AssertionError touched(final long address) {
        return new AssertionError("memory touched: addr=0x" + Long.toHexString(address));
    }

    @Override
    public byte getByte(final long address) {
        throw touched(address);
    }

    @Override
    public void setByte(final long address, final byte value) {
        throw touched(address);
    }

    @Override
    public short getShort(final long address) {
        throw touched(address);
    }

    @Override
    public void setShort(final long address, final short value) {
        throw touched(address);
    }

    @Override
    public int getInt(final long address) {
        throw touched(address);
    }

    @Override
    public void setInt(final long address, final int value) {
        throw touched(address);
    }

    @Override
    public long getLong(final long address) {
        throw touched(address);
    }

    @Override
    public void setLong(final long address, final long value) {
        throw touched(address);
    }

    @Override
    public void fill(final long address, final long byteSize, final byte value) {
        throw touched(address);
    }

    @Override
    public void copy(final long srcAddress, final long dstAddress, final long byteSize) {
        throw touched(srcAddress);
    }
}

package dev.ffmalloc.linkedlist;

import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;

/**
 * A {@link Memory} whose addresses are those of a {@link NativeMemory} moved by a fixed amount: a stand-in for a
 * kernel heap mapped in the higher half (addresses that are negative as Java {@code long}s), without an MMU.
 */
final class ShiftedMemory implements Memory {

    private final NativeMemory backing;
    private final long shift;

    /** Address {@code baseAddress} of this memory is the first byte of {@code backing}. */
    ShiftedMemory(final NativeMemory backing, final long baseAddress) {
        this.backing = backing;
        this.shift = backing.baseAddress() - baseAddress;
    }

    @Override
    public byte getByte(final long address) {
        return backing.getByte(address + shift);
    }

    @Override
    public void setByte(final long address, final byte value) {
        backing.setByte(address + shift, value);
    }

    @Override
    public short getShort(final long address) {
        return backing.getShort(address + shift);
    }

    @Override
    public void setShort(final long address, final short value) {
        backing.setShort(address + shift, value);
    }

    @Override
    public int getInt(final long address) {
        return backing.getInt(address + shift);
    }

    @Override
    public void setInt(final long address, final int value) {
        backing.setInt(address + shift, value);
    }

    @Override
    public long getLong(final long address) {
        return backing.getLong(address + shift);
    }

    @Override
    public void setLong(final long address, final long value) {
        backing.setLong(address + shift, value);
    }

    @Override
    public void fill(final long address, final long byteSize, final byte value) {
        backing.fill(address + shift, byteSize, value);
    }

    @Override
    public void copy(final long srcAddress, final long dstAddress, final long byteSize) {
        backing.copy(srcAddress + shift, dstAddress + shift, byteSize);
    }
}

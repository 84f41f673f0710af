package dev.ffmalloc.tlsf;

import dev.ffmalloc.memory.Memory;

/** A {@link Memory} that counts every access it passes on, to show which paths touch memory at all. */
final class CountingMemory implements Memory {

    private final Memory memory;
    private long accesses;

    CountingMemory(final Memory memory) {
        this.memory = memory;
    }

    /** @return the accesses since the last call, and starts counting again */
    long takeCount() {
        final long count = accesses;
        accesses = 0;
        return count;
    }

    @Override
    public byte getByte(final long address) {
        accesses++;
        return memory.getByte(address);
    }

    @Override
    public void setByte(final long address, final byte value) {
        accesses++;
        memory.setByte(address, value);
    }

    @Override
    public short getShort(final long address) {
        accesses++;
        return memory.getShort(address);
    }

    @Override
    public void setShort(final long address, final short value) {
        accesses++;
        memory.setShort(address, value);
    }

    @Override
    public int getInt(final long address) {
        accesses++;
        return memory.getInt(address);
    }

    @Override
    public void setInt(final long address, final int value) {
        accesses++;
        memory.setInt(address, value);
    }

    @Override
    public long getLong(final long address) {
        accesses++;
        return memory.getLong(address);
    }

    @Override
    public void setLong(final long address, final long value) {
        accesses++;
        memory.setLong(address, value);
    }

    @Override
    public void fill(final long address, final long byteSize, final byte value) {
        accesses++;
        memory.fill(address, byteSize, value);
    }

    @Override
    public void copy(final long srcAddress, final long dstAddress, final long byteSize) {
        accesses++;
        memory.copy(srcAddress, dstAddress, byteSize);
    }
}

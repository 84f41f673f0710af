package dev.ffmalloc.memory;

/**
 * A {@link NativeMemory} seen at other addresses: address {@code baseAddress} of this memory is the first byte of the
 * backing memory, so {@code nativeAddress = address - baseAddress + backing.baseAddress()}.
 *
 * <p>Two uses: a heap placed at kernel addresses in the higher half (negative as Java {@code long}s) without an MMU,
 * and flat physical RAM whose addresses start at 0. Every access is the backing memory's, so bounds, alignment and
 * liveness are checked exactly as {@link NativeMemory} checks them: an address outside the range throws
 * {@link IndexOutOfBoundsException} (not in NativeMemory's opt-in unchecked mode).
 */
public final class ShiftedMemory implements Memory {

    private final NativeMemory backing;
    private final long baseAddress;
    /** What is added to an address of this memory to get the native address; wraps around freely. */
    private final long shift;

    /**
     * Shows {@code backing} at addresses from {@code baseAddress}.
     *
     * @param backing     the memory accessed
     * @param baseAddress the address its first byte gets here
     */
    public ShiftedMemory(final NativeMemory backing, final long baseAddress) {
        this.backing = backing;
        this.baseAddress = baseAddress;
        this.shift = backing.baseAddress() - baseAddress;
    }

    /** @return the address of the first byte */
    public long baseAddress() {
        return baseAddress;
    }

    /** @return the number of bytes covered */
    public long byteSize() {
        return backing.byteSize();
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

    @Override
    public String toString() {
        return "ShiftedMemory[0x" + Long.toHexString(baseAddress) + ", 0x"
            + Long.toHexString(baseAddress + backing.byteSize()) + ")";
    }
}

package dev.ffmalloc.memory;

/**
 * A {@link NativeMemory} seen at other addresses: address {@code baseAddress} of this memory is the first byte of the
 * backing memory, so {@code nativeAddress = address - baseAddress + backing.baseAddress()}.
 *
 * <p>Two uses: a heap placed at kernel addresses in the higher half (negative as Java {@code long}s) without an MMU,
 * and flat physical RAM whose addresses start at 0. Every access is the backing memory's, so bounds, alignment and
 * liveness are checked exactly as {@link NativeMemory} checks them: an address outside the range throws
 * {@link IndexOutOfBoundsException}. In NativeMemory's unchecked mode this class checks the range itself, one
 * compare, since its bounds are what its users report as errors (x86sim's flat RAM raises its bus errors from them);
 * liveness is then not checked.
 */
public final class ShiftedMemory implements Memory {

    private final NativeMemory backing;
    private final long baseAddress;
    /** What is added to an address of this memory to get the native address; wraps around freely. */
    private final long shift;
    private final long memoryBytes;

    /**
     * Shows {@code backing} at addresses from {@code baseAddress}.
     *
     * @param backing     the memory accessed
     * @param baseAddress the address its first byte gets here; congruent to the backing's native base address
     *                    modulo 8, so that an access aligned here is aligned there (the backing checks alignment)
     * @throws IllegalArgumentException if {@code baseAddress} and the backing's base differ modulo 8
     */
    public ShiftedMemory(final NativeMemory backing, final long baseAddress) {
        if (((backing.baseAddress() - baseAddress) & (Long.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("base address and the backing's native base differ modulo 8, so"
                + " aligned accesses would not stay aligned: baseAddress=0x" + Long.toHexString(baseAddress)
                + ", nativeBase=0x" + Long.toHexString(backing.baseAddress()));
        }
        this.backing = backing;
        this.baseAddress = baseAddress;
        this.shift = backing.baseAddress() - baseAddress;
        this.memoryBytes = backing.byteSize();
    }

    /** @return the address of the first byte */
    public long baseAddress() {
        return baseAddress;
    }

    /** @return the number of bytes covered */
    public long byteSize() {
        return memoryBytes;
    }

    @Override
    public byte getByte(final long address) {
        return backing.getByte(nativeAddress(address, 1));
    }

    @Override
    public void setByte(final long address, final byte value) {
        backing.setByte(nativeAddress(address, 1), value);
    }

    @Override
    public short getShort(final long address) {
        return backing.getShort(nativeAddress(address, 2));
    }

    @Override
    public void setShort(final long address, final short value) {
        backing.setShort(nativeAddress(address, 2), value);
    }

    @Override
    public int getInt(final long address) {
        return backing.getInt(nativeAddress(address, 4));
    }

    @Override
    public void setInt(final long address, final int value) {
        backing.setInt(nativeAddress(address, 4), value);
    }

    @Override
    public long getLong(final long address) {
        return backing.getLong(nativeAddress(address, 8));
    }

    @Override
    public void setLong(final long address, final long value) {
        backing.setLong(nativeAddress(address, 8), value);
    }

    @Override
    public void fill(final long address, final long byteSize, final byte value) {
        backing.fill(address + shift, byteSize, value);
    }

    @Override
    public void copy(final long srcAddress, final long dstAddress, final long byteSize) {
        backing.copy(srcAddress + shift, dstAddress + shift, byteSize);
    }

    /**
     * @return the backing memory's address for an access of {@code accessBytes} at {@code address}; the range is
     *         checked here only when the backing does not check it (unchecked mode, a constant the JIT folds)
     */
    private long nativeAddress(final long address, final int accessBytes) {
        // Checked here on this memory's own address, so that the message names it (the backing's check is then moot).
        Memory.checkAligned(address, accessBytes);
        final long offset = address - baseAddress;
        if (NativeMemory.UNCHECKED && (offset < 0 || offset > memoryBytes - accessBytes)) {
            throw new IndexOutOfBoundsException("access outside the memory: addr=0x" + Long.toHexString(address)
                + ", byteSize=" + accessBytes + ", memory=" + this);
        }
        return address + shift;
    }

    @Override
    public String toString() {
        return "ShiftedMemory[0x" + Long.toHexString(baseAddress) + ", 0x"
            + Long.toHexString(baseAddress + backing.byteSize()) + ")";
    }
}

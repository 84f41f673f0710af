package dev.ffmalloc.memory;

/**
 * Byte-addressed memory that allocators read and write their metadata through.
 *
 * <p>An address is a 64-bit value whose meaning depends on the implementation: a real native address for
 * {@link NativeMemory}, a virtual address translated by a simulated MMU in {@code x86sim}. Allocators never hold a
 * {@code MemorySegment}; they hold an address and this interface, so the same algorithm runs on both.
 *
 * <p>Loads and stores of 16, 32 and 64 bits must be naturally aligned (an address that is a multiple of the access
 * size); a misaligned access throws {@link IllegalArgumentException}. Values are little-endian, as on x86_64.
 * An access outside the memory throws {@link IndexOutOfBoundsException} or an implementation-specific exception
 * (a page fault, for virtual memory); it never corrupts memory it does not cover. (The one exception is opt-in:
 * {@link NativeMemory}'s unchecked mode drops this check for speed.)
 *
 * <p>Implementations are {@code final} so that an allocator's call sites stay monomorphic and the JIT inlines the
 * accesses.
 */
public interface Memory {

    /**
     * The alignment rule every implementation applies to its 16- to 64-bit accesses, with the one message for it.
     *
     * @param address  the address as the caller gave it (named in the message)
     * @param byteSize the access size: 2, 4 or 8
     * @throws IllegalArgumentException if {@code address} is not a multiple of {@code byteSize}
     */
    static void checkAligned(final long address, final int byteSize) {
        if ((address & (byteSize - 1)) != 0) {
            throw new IllegalArgumentException("access is not naturally aligned: addr=0x" + Long.toHexString(address)
                + ", byteSize=" + byteSize);
        }
    }

    /**
     * The check the in-band allocators (TLSF, the linked list, the in-band buddy, the region slab backend and the
     * slab cache's new slabs) make on a range they are given before they change anything: that both ends lie in
     * {@code memory}. It copies the first and the last byte onto themselves, and {@link #copy} is checked in every
     * mode ({@link NativeMemory}'s unchecked mode included), so a range past the memory is refused there too. Over
     * {@link NativeMemory} and {@link ShiftedMemory} the copy changes nothing and allocates nothing; other memories
     * may do what a write does (x86sim's virtual memory sets the pages' dirty bits). A closed arena or a wrong
     * thread is reported as the memory reports it, not as a range outside it.
     *
     * @param byteSize the range's size, positive
     * @throws IllegalArgumentException naming the range if the size is not positive or either end is not in the
     *                                  memory
     */
    static void checkRange(final Memory memory, final long address, final long byteSize) {
        if (byteSize <= 0) {
            throw new IllegalArgumentException("range size must be positive: addr=0x" + Long.toHexString(address)
                + ", byteSize=" + byteSize);
        }
        try {
            memory.copy(address, address, 1);
            memory.copy(address + byteSize - 1, address + byteSize - 1, 1);
        } catch (final IllegalStateException | WrongThreadException notAboutTheRange) {
            throw notAboutTheRange;
        } catch (final RuntimeException notInMemory) {
            throw new IllegalArgumentException("range is not in the memory: addr=0x" + Long.toHexString(address)
                + ", byteSize=" + byteSize + ", memory=" + memory, notInMemory);
        }
    }

    /** @return the byte at {@code address} */
    byte getByte(long address);

    /** Stores {@code value} at {@code address}. */
    void setByte(long address, byte value);

    /** @return the 16-bit value at {@code address} (2-byte aligned) */
    short getShort(long address);

    /** Stores {@code value} at {@code address} (2-byte aligned). */
    void setShort(long address, short value);

    /** @return the 32-bit value at {@code address} (4-byte aligned) */
    int getInt(long address);

    /** Stores {@code value} at {@code address} (4-byte aligned). */
    void setInt(long address, int value);

    /** @return the 64-bit value at {@code address} (8-byte aligned) */
    long getLong(long address);

    /** Stores {@code value} at {@code address} (8-byte aligned). */
    void setLong(long address, long value);

    /** Sets {@code byteSize} bytes from {@code address} to {@code value}. */
    void fill(long address, long byteSize, byte value);

    /**
     * Copies {@code byteSize} bytes from {@code srcAddress} to {@code dstAddress}; the ranges may overlap, and the
     * result is as if the source were first copied to a temporary buffer ({@code memmove}).
     */
    void copy(long srcAddress, long dstAddress, long byteSize);
}

package dev.ffmalloc.x86sim.paging;

/**
 * A linear (virtual) address in canonical form.
 *
 * <p>Invariant: the address is canonical for the widest linear address an x86_64 processor has, 57 bits: bits 63:57
 * equal bit 56. Whether it is also canonical for 4-level paging (bits 63:48 equal bit 47) depends on CR4.LA57 and is
 * checked by the paging unit (a #GP) and the {@link Mapper} (an error), which know the mode: an address such as
 * {@code 0x0000_8000_0000_0000} is a valid {@code VirtAddr} but unusable under 4-level paging.
 *
 * @param value the address
 */
public record VirtAddr(long value) {

    /** Linear address width with 4-level paging. */
    public static final int BITS_4_LEVEL = 48;

    /** Linear address width with 5-level paging (CR4.LA57). */
    public static final int BITS_5_LEVEL = 57;

    /**
     * @throws IllegalArgumentException if the address is not canonical for 57-bit linear addresses
     */
    public VirtAddr {
        if (!isCanonical(value, BITS_5_LEVEL)) {
            throw new IllegalArgumentException("virtual address is not canonical: virtAddr=0x"
                + Long.toHexString(value) + ", linearBits=" + BITS_5_LEVEL);
        }
    }

    /** @return the address {@code value}; see the constructor */
    public static VirtAddr of(final long value) {
        return new VirtAddr(value);
    }

    /**
     * @return {@code value} with bits 63:{@code linearBits} replaced by copies of bit {@code linearBits - 1}, which
     * is always canonical for that width
     */
    public static VirtAddr truncate(final long value, final int linearBits) {
        return new VirtAddr(signExtend(value, linearBits));
    }

    /** @return whether bits 63:{@code linearBits} of {@code virtAddr} all equal bit {@code linearBits - 1} */
    public static boolean isCanonical(final long virtAddr, final int linearBits) {
        return signExtend(virtAddr, linearBits) == virtAddr;
    }

    private static long signExtend(final long value, final int linearBits) {
        final int shift = Long.SIZE - linearBits;
        return value << shift >> shift;
    }

    /** @return whether the address is a multiple of {@code byteAlignment}, a power of two */
    public boolean isAligned(final long byteAlignment) {
        return (value & (byteAlignment - 1)) == 0;
    }

    /** @return the address plus {@code byteOffset} */
    public VirtAddr add(final long byteOffset) {
        return new VirtAddr(value + byteOffset);
    }

    @Override
    public String toString() {
        return "VirtAddr(0x" + Long.toHexString(value) + ")";
    }
}

package dev.ffmalloc.x86sim.paging;

/**
 * A physical address: a byte position in the machine's physical address space.
 *
 * <p>Invariant: bits 63:52 are zero, since no x86_64 processor has a MAXPHYADDR above 52. A particular CPU may
 * reserve more bits ({@link CpuModel#maxPhysAddrBits()}); that is checked where the address is used, not here.
 *
 * @param value the address
 */
public record PhysAddr(long value) {

    /** One more than the largest physical address any x86_64 processor can form (2^52). */
    public static final long LIMIT = 1L << 52;

    /**
     * @throws IllegalArgumentException if bits 63:52 are not zero
     */
    public PhysAddr {
        if ((value & -LIMIT) != 0) {
            throw new IllegalArgumentException("physical address has bits above bit 51 set: physAddr=0x"
                + Long.toHexString(value));
        }
    }

    /** @return the address {@code value}; see the constructor */
    public static PhysAddr of(final long value) {
        return new PhysAddr(value);
    }

    /** @return whether the address is a multiple of {@code byteAlignment}, a power of two */
    public boolean isAligned(final long byteAlignment) {
        return (value & (byteAlignment - 1)) == 0;
    }

    /** @return the address plus {@code byteOffset} */
    public PhysAddr add(final long byteOffset) {
        return new PhysAddr(value + byteOffset);
    }

    @Override
    public String toString() {
        return "PhysAddr(0x" + Long.toHexString(value) + ")";
    }
}

package dev.ffmalloc.x86sim.phys;

/**
 * A half-open range {@code [startAddr, endAddr)} of physical addresses.
 *
 * <p>Invariant: {@code 0 <= startAddr < endAddr} (unsigned physical addresses never reach bit 63 on x86_64, whose
 * MAXPHYADDR is at most 52). {@link #toString()} prints the range the way Linux's dmesg does: hex, inclusive end.
 *
 * @param startAddr the first physical address in the range
 * @param endAddr   the first physical address after the range
 */
public record PhysRange(long startAddr, long endAddr) {

    /** The size of a page frame, the unit RAM is managed in. */
    public static final long PAGE_SIZE = 4096;

    /**
     * @throws IllegalArgumentException if the range is empty or negative
     */
    public PhysRange {
        if (startAddr < 0 || endAddr <= startAddr) {
            throw new IllegalArgumentException("physical range is empty or negative: startAddr=0x"
                + Long.toHexString(startAddr) + ", endAddr=0x" + Long.toHexString(endAddr));
        }
    }

    /** @return the range of {@code byteSize} bytes from {@code startAddr} */
    public static PhysRange ofSize(final long startAddr, final long byteSize) {
        return new PhysRange(startAddr, startAddr + byteSize);
    }

    /** @return the size in bytes */
    public long byteSize() {
        return endAddr - startAddr;
    }

    /** @return the number of 4 KiB frames, when both ends are page-aligned */
    public long frames() {
        return byteSize() / PAGE_SIZE;
    }

    /** @return whether {@code physAddr} lies in the range */
    public boolean contains(final long physAddr) {
        return physAddr >= startAddr && physAddr < endAddr;
    }

    @Override
    public String toString() {
        return String.format("[mem 0x%016x-0x%016x]", startAddr, endAddr - 1);
    }
}

package dev.ffmalloc.alloc;

/**
 * Thrown by {@link Allocator#checkIntegrity()} when an invariant of the allocator's metadata does not hold.
 * The message names the invariant and the address where it broke.
 */
public final class HeapCorruptionException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final long address;

    /**
     * @param invariant what should have held, in words
     * @param address   where it did not
     */
    public HeapCorruptionException(final String invariant, final long address) {
        super("heap corrupted: " + invariant + ", addr=0x" + Long.toHexString(address));
        this.address = address;
    }

    /** @return the address where the invariant broke */
    public long address() {
        return address;
    }
}

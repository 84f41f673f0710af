package dev.ffmalloc.x86sim.phys;

/**
 * Thrown by {@link PhysicalMemory} for an access to an address with no memory behind it (a hole in the memory map,
 * or past its end), or one that would run from one span into the next. The message names the address.
 */
public final class UnbackedAddressException extends IndexOutOfBoundsException {

    private static final long serialVersionUID = 1L;

    private final long address;

    UnbackedAddressException(final String message, final long address) {
        super(message);
        this.address = address;
    }

    /** @return the first address of the access that has no memory behind it */
    public long address() {
        return address;
    }
}

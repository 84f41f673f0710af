package dev.ffmalloc.alloc;

/**
 * Thrown by {@link Allocator#allocate} when no free block fits the request. The allocator is unchanged; use
 * {@link Allocator#tryAllocate} where running out is expected and must not create garbage.
 */
public final class OutOfMemoryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what was asked and what was left */
    public OutOfMemoryException(final String message) {
        super(message);
    }
}

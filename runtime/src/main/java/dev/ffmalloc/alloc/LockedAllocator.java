package dev.ffmalloc.alloc;

import dev.ffmalloc.memory.Memory;


/**
 * An {@link Allocator} shared by many threads: every call takes one lock around the single-threaded allocator it
 * wraps, as the {@code LockedHeap} of Rust's {@code linked_list_allocator} does with a spinlock.
 *
 * <p>The lock is a {@link SpinLock}: uncontended it costs one compare-and-set to take and one release store to
 * give back, and it never allocates, contended or not, so the shared path stays garbage-free. It is not reentrant:
 * code run by {@link #withLock} must not call this wrapper again.
 */
public final class LockedAllocator implements Allocator {

    private final Allocator allocator;
    private final SpinLock lock = new SpinLock();

    /** @param allocator the allocator to guard; nothing else may call it directly afterwards */
    public LockedAllocator(final Allocator allocator) {
        this.allocator = allocator;
    }

    /**
     * Runs {@code action} on the wrapped allocator under the lock, for operations the contract does not name
     * ({@code extend}, {@code addRegion}, ...).
     */
    public <A extends Allocator> void withLock(final Class<A> type, final java.util.function.Consumer<A> action) {
        lock.lock();
        try {
            action.accept(type.cast(allocator));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long allocate(final long byteSize, final long byteAlignment) {
        lock.lock();
        try {
            return allocator.allocate(byteSize, byteAlignment);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long tryAllocate(final long byteSize, final long byteAlignment) {
        lock.lock();
        try {
            return allocator.tryAllocate(byteSize, byteAlignment);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void free(final long address) {
        lock.lock();
        try {
            allocator.free(address);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long reallocate(final long address, final long newByteSize, final long byteAlignment) {
        lock.lock();
        try {
            return allocator.reallocate(address, newByteSize, byteAlignment);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long usableSize(final long address) {
        lock.lock();
        try {
            return allocator.usableSize(address);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long maxAllocationSize() {
        lock.lock();
        try {
            return allocator.maxAllocationSize();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Memory memory() {
        return allocator.memory();
    }

    @Override
    public AllocatorStats stats() {
        lock.lock();
        try {
            return allocator.stats();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void checkIntegrity() {
        lock.lock();
        try {
            allocator.checkIntegrity();
        } finally {
            lock.unlock();
        }
    }
}

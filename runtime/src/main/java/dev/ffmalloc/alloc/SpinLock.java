package dev.ffmalloc.alloc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A test-and-test-and-set lock that never allocates: the lock of {@link LockedAllocator}.
 *
 * <p>Why not {@link java.util.concurrent.locks.ReentrantLock}: it allocates a queue node each time a thread has to
 * wait, which shows as garbage on the allocate/free path as soon as two threads contend. Allocator critical sections
 * are tens of nanoseconds, so a waiter spins ({@link Thread#onSpinWait()}) and only yields its core after
 * {@link #SPINS_BEFORE_YIELD} failed looks, which keeps a preempted owner from being starved on a small machine.
 *
 * <p>Not reentrant, not fair. {@link #lock()} is an acquire of the lock word and {@link #unlock()} a release store,
 * so everything the owner wrote before unlocking is visible to the next owner.
 */
public final class SpinLock {

    /** How many times a waiter looks at a held lock before it yields its core. */
    static final int SPINS_BEFORE_YIELD = 128;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SpinLock.class, "state", int.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 0 when free, 1 when held; written only through {@link #STATE}. */
    @SuppressWarnings("unused")
    private volatile int state;

    /** Takes the lock, spinning (then yielding) while another thread holds it. */
    public void lock() {
        if (!STATE.compareAndSet(this, 0, 1)) {
            lockSlowPath();
        }
    }

    private void lockSlowPath() {
        int spins = 0;
        do {
            // Test before test-and-set: wait on a plain read so the cache line is not bounced by failed CASes.
            while ((int) STATE.getOpaque(this) != 0) {
                if (++spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    spins = 0;
                    Thread.yield();
                }
            }
        } while (!STATE.compareAndSet(this, 0, 1));
    }

    /** Gives the lock back; only the thread holding it may call this. */
    public void unlock() {
        // Publishes every write made under the lock to the next thread that takes it.
        STATE.setRelease(this, 0);
    }

    /** @return whether some thread holds the lock now (a snapshot, for tests and assertions) */
    public boolean isLocked() {
        return (int) STATE.getVolatile(this) != 0;
    }
}

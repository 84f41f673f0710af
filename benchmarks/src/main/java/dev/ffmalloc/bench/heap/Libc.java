package dev.ffmalloc.bench.heap;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The C allocator reached through {@link Linker} downcalls, plain and with {@link Linker.Option#critical(boolean)
 * critical(false)}: the baseline every ratio of the suite is taken against.
 *
 * <p>Pointers cross the boundary as {@code long} ({@code JAVA_LONG}; on x86_64 and AArch64 a pointer and a
 * {@code long} travel in the same register), so no {@link MemorySegment} is made per call. The handles are
 * {@code static final}, hence constants the JIT inlines through.
 */
public final class Libc {

    /**
     * All of the address space as one segment, for stores into memory that {@code malloc} handed out. Unchecked by
     * nature (as C is): used only at addresses {@code malloc} returned.
     */
    public static final MemorySegment ALL_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** The alignment {@code malloc} guarantees on x86_64 glibc; larger alignments go to {@code aligned_alloc}. */
    public static final long MALLOC_ALIGNMENT = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);
    private static final FunctionDescriptor LONG_OF_LONG = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
        ValueLayout.JAVA_LONG);
    private static final FunctionDescriptor LONG_OF_LONG_LONG = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
    private static final FunctionDescriptor VOID_OF_LONG = FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG);

    private static final MethodHandle MALLOC = downcall("malloc", LONG_OF_LONG);
    private static final MethodHandle FREE = downcall("free", VOID_OF_LONG);
    private static final MethodHandle MALLOC_CRITICAL = downcall("malloc", LONG_OF_LONG, CRITICAL);
    private static final MethodHandle FREE_CRITICAL = downcall("free", VOID_OF_LONG, CRITICAL);
    private static final MethodHandle REALLOC = downcall("realloc", LONG_OF_LONG_LONG);
    private static final MethodHandle ALIGNED_ALLOC = downcall("aligned_alloc", LONG_OF_LONG_LONG);
    private static final MethodHandle MALLOC_USABLE_SIZE = downcall("malloc_usable_size", LONG_OF_LONG);

    private Libc() {
    }

    /** @return {@code malloc(byteSize)}: an address, or 0 if there is no memory */
    public static long malloc(final long byteSize) {
        try {
            return (long) MALLOC.invokeExact(byteSize);
        } catch (final Throwable unexpected) {
            throw downcallFailed("malloc", unexpected);
        }
    }

    /** {@code free(address)}. */
    public static void free(final long address) {
        try {
            FREE.invokeExact(address);
        } catch (final Throwable unexpected) {
            throw downcallFailed("free", unexpected);
        }
    }

    /** @return {@code malloc(byteSize)} through a critical downcall */
    public static long mallocCritical(final long byteSize) {
        try {
            return (long) MALLOC_CRITICAL.invokeExact(byteSize);
        } catch (final Throwable unexpected) {
            throw downcallFailed("malloc", unexpected);
        }
    }

    /** {@code free(address)} through a critical downcall. */
    public static void freeCritical(final long address) {
        try {
            FREE_CRITICAL.invokeExact(address);
        } catch (final Throwable unexpected) {
            throw downcallFailed("free", unexpected);
        }
    }

    /** @return {@code realloc(address, byteSize)}: an address, or 0 (the old block then stays valid) */
    public static long realloc(final long address, final long byteSize) {
        try {
            return (long) REALLOC.invokeExact(address, byteSize);
        } catch (final Throwable unexpected) {
            throw downcallFailed("realloc", unexpected);
        }
    }

    /** @return {@code aligned_alloc(byteAlignment, byteSize)}: an address, or 0 */
    public static long alignedAlloc(final long byteAlignment, final long byteSize) {
        try {
            return (long) ALIGNED_ALLOC.invokeExact(byteAlignment, byteSize);
        } catch (final Throwable unexpected) {
            throw downcallFailed("aligned_alloc", unexpected);
        }
    }

    /** @return {@code malloc_usable_size(address)} */
    public static long usableSize(final long address) {
        try {
            return (long) MALLOC_USABLE_SIZE.invokeExact(address);
        } catch (final Throwable unexpected) {
            throw downcallFailed("malloc_usable_size", unexpected);
        }
    }

    private static MethodHandle downcall(final String name, final FunctionDescriptor descriptor,
                                         final Linker.Option... options) {
        final MemorySegment symbol = LINKER.defaultLookup().find(name)
            .orElseThrow(() -> new IllegalStateException("libc has no such function: name=" + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static IllegalStateException downcallFailed(final String name, final Throwable cause) {
        return new IllegalStateException("downcall failed: function=" + name, cause);
    }
}

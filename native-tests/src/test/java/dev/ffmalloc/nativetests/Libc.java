package dev.ffmalloc.nativetests;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The few libc functions the native-side checks call, through FFM downcalls: C code reading and writing the blocks
 * the allocators hand out proves that their addresses are real native addresses with the promised bytes behind them.
 */
final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();

    private static final MethodHandle MEMSET = downcall("memset",
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MEMCMP = downcall("memcmp",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle MEMCHR = downcall("memchr",
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));

    private Libc() {
    }

    private static MethodHandle downcall(final String name, final FunctionDescriptor descriptor) {
        final MemorySegment symbol = LINKER.defaultLookup().find(name)
            .orElseThrow(() -> new IllegalStateException("libc has no symbol: name=" + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    /** C's {@code memset(address, value, byteSize)}. */
    static void memset(final long address, final int value, final long byteSize) {
        try {
            final MemorySegment ignored = (MemorySegment) MEMSET.invokeExact(MemorySegment.ofAddress(address), value,
                byteSize);
        } catch (final Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** C's {@code memcmp(first, second, byteSize)}. */
    static int memcmp(final long first, final long second, final long byteSize) {
        try {
            return (int) MEMCMP.invokeExact(MemorySegment.ofAddress(first), MemorySegment.ofAddress(second), byteSize);
        } catch (final Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** C's {@code memchr}: @return the address of the first byte equal to {@code value} in the range, or 0 */
    static long memchr(final long address, final int value, final long byteSize) {
        try {
            return ((MemorySegment) MEMCHR.invokeExact(MemorySegment.ofAddress(address), value, byteSize)).address();
        } catch (final Throwable t) {
            throw new AssertionError(t);
        }
    }
}

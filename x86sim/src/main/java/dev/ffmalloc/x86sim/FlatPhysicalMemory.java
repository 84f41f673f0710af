package dev.ffmalloc.x86sim;

import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.memory.ShiftedMemory;

import java.lang.foreign.Arena;

/**
 * Physical RAM without holes: physical addresses 0 to {@code byteSize} backed by one off-heap segment. The simplest
 * machine, for tests, benchmarks and users who want page tables without a firmware memory map.
 *
 * <p>The RAM is a {@link ShiftedMemory} whose addresses start at 0, so an access outside it throws
 * {@link IndexOutOfBoundsException}: a page walk whose table pointer leaves RAM surfaces as that exception (the
 * simulator's "bus error"), never as an invented #PF.
 */
public final class FlatPhysicalMemory {

    private FlatPhysicalMemory() {
    }

    /**
     * Allocates {@code byteSize} bytes of zeroed RAM from {@code arena}, at physical addresses 0 to
     * {@code byteSize}.
     *
     * @throws IllegalArgumentException if {@code byteSize} is not a positive multiple of 4096
     */
    public static ShiftedMemory allocate(final Arena arena, final long byteSize) {
        if (byteSize <= 0 || (byteSize & (NativeMemory.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("RAM size must be a positive multiple of 4096: byteSize=" + byteSize);
        }
        return new ShiftedMemory(NativeMemory.allocate(arena, byteSize), 0);
    }
}

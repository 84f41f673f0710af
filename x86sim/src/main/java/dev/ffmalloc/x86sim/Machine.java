package dev.ffmalloc.x86sim;

import dev.ffmalloc.x86sim.firmware.E820Map;
import dev.ffmalloc.x86sim.phys.PhysicalMemory;

import java.lang.foreign.Arena;

/**
 * A simulated x86_64 machine: its firmware memory map and the RAM the map says is usable.
 *
 * <p>All the machine's off-heap memory comes from one shared arena, so simulated CPUs on other threads may touch it,
 * and {@link #close()} releases it all at once. Using RAM after that throws {@link IllegalStateException}.
 */
public final class Machine implements AutoCloseable {

    private final E820Map memoryMap;
    private final Arena arena;
    private final PhysicalMemory ram;

    /**
     * Backs every usable range of {@code memoryMap} with its own zeroed off-heap segment.
     *
     * @throws IllegalArgumentException if the map has no usable page
     */
    public Machine(final E820Map memoryMap) {
        if (memoryMap.usableRanges().isEmpty()) {
            throw new IllegalArgumentException("memory map has no usable page:\n" + memoryMap.format());
        }
        this.memoryMap = memoryMap;
        this.arena = Arena.ofShared();
        try {
            this.ram = new PhysicalMemory(arena, "RAM", memoryMap.usableRanges());
        } catch (final RuntimeException | OutOfMemoryError failure) {
            arena.close();
            throw failure;
        }
    }

    /** @return the firmware memory map the machine was built from */
    public E820Map memoryMap() {
        return memoryMap;
    }

    /** @return the machine's RAM, addressed by physical address */
    public PhysicalMemory ram() {
        return ram;
    }

    /** @return the arena all the machine's off-heap memory comes from; closed with the machine */
    public Arena arena() {
        return arena;
    }

    /** Releases all the machine's memory. Idempotent. */
    @Override
    public void close() {
        // Each on its own state: a caller may have closed ram() or the arena already.
        if (!ram.isClosed()) {
            ram.close();
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}

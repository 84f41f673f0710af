package dev.ffmalloc.nativetests;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.buddy.BuddyAllocator;
import dev.ffmalloc.buddy.BuddyConfig;
import dev.ffmalloc.linkedlist.LinkedListHeap;
import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.tlsf.Tlsf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allocators checked from the native side: C's {@code memset} fills every usable byte of each block, and C's
 * {@code memcmp} and {@code memchr} check the bytes when the block is freed. A block that overlaps another, a usable
 * size that reaches into metadata, or an address that is not real native memory fails here even if every Java-side
 * check passed.
 */
class NativeSideTest {

    private static final long SEED = 0xC0FFEE_5EEDL;
    private static final long HEAP_BYTES = 8 << 20;
    private static final int OPERATIONS = 200_000;
    private static final long MAX_BLOCK = 4096;

    static Stream<Arguments> allocators() {
        return Stream.of(
            Arguments.of("tlsf", (Function<NativeMemory, Allocator>) heap -> {
                final Tlsf tlsf = new Tlsf(heap);
                tlsf.addPool(heap.baseAddress(), heap.byteSize());
                return tlsf;
            }),
            Arguments.of("buddy in-band", (Function<NativeMemory, Allocator>) heap ->
                BuddyAllocator.inBand(heap, heap.baseAddress(), heap.byteSize(), BuddyConfig.BYTE_HEAP)),
            Arguments.of("linked list", (Function<NativeMemory, Allocator>) LinkedListHeap::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allocators")
    void everyUsableByteBelongsToItsBlockAlone(final String name, final Function<NativeMemory, Allocator> factory) {
        System.out.println("NativeSideTest " + name + " seed=0x" + Long.toHexString(SEED));
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory heap = NativeMemory.allocate(arena, HEAP_BYTES);
            final NativeMemory reference = NativeMemory.allocate(arena, 64 * 1024);
            final Allocator allocator = factory.apply(heap);
            final long[] addresses = new long[2048];
            final int[] fillBytes = new int[addresses.length];
            for (int op = 0; op < OPERATIONS; op++) {
                final int slot = random.nextInt(addresses.length);
                if (addresses[slot] != 0) {
                    checkAndFree(allocator, reference, addresses[slot], fillBytes[slot]);
                    addresses[slot] = 0;
                } else {
                    final long address = allocator.tryAllocate(random.nextLong(0, MAX_BLOCK + 1),
                        1L << random.nextInt(3, 8));
                    if (address != Allocator.NO_BLOCK) {
                        assertTrue(heap.contains(address), () -> name + ": block outside the heap");
                        final int fill = 1 + random.nextInt(255);
                        Libc.memset(address, fill, allocator.usableSize(address));
                        addresses[slot] = address;
                        fillBytes[slot] = fill;
                    }
                }
                if ((op & 0xFFFF) == 0) {
                    allocator.checkIntegrity();
                }
            }
            for (int slot = 0; slot < addresses.length; slot++) {
                if (addresses[slot] != 0) {
                    checkAndFree(allocator, reference, addresses[slot], fillBytes[slot]);
                }
            }
            assertEquals(0, allocator.stats().liveBlocks());
            allocator.checkIntegrity();
        }
    }

    private static void checkAndFree(final Allocator allocator, final NativeMemory reference, final long address,
                                     final int fill) {
        final long usable = allocator.usableSize(address);
        Libc.memset(reference.baseAddress(), fill, usable);
        assertEquals(0, Libc.memcmp(address, reference.baseAddress(), usable),
            () -> "block at 0x" + Long.toHexString(address) + " changed while it was live");
        assertEquals(0, Libc.memchr(address, (fill + 1) & 0xFF, usable), "a foreign byte inside the block");
        assertEquals((byte) fill, allocator.memory().getByte(address + usable - 1), "Java sees what C wrote");
        allocator.free(address);
    }
}

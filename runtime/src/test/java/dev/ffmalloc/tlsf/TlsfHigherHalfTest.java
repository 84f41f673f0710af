package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.BlockPattern;
import dev.ffmalloc.alloc.ShadowHeap;
import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.memory.ShiftedMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Tlsf} at kernel addresses in the higher half, negative as signed {@code long}s, as {@code x86sim}'s kernel
 * heap has them: two pools on either side of a gap, random operations against the shadow model, and the range
 * checks of free.
 */
final class TlsfHigherHalfTest {

    private static final long SEED = 0x4161_F0F0L;
    /** Where the simulated kernel heap starts (Linux x86_64's vmalloc area). */
    private static final long VIRTUAL_BASE = 0xffff_c900_0000_0000L;
    private static final long BYTES = 1 << 20;

    @Test
    void randomOperationsAtHigherHalfAddressesAgreeWithTheShadowModel() {
        System.out.println("TlsfHigherHalfTest seed=0x" + Long.toHexString(SEED));
        try (Arena arena = Arena.ofConfined()) {
            final Memory memory = new ShiftedMemory(NativeMemory.allocate(arena, BYTES), VIRTUAL_BASE);
            final Tlsf tlsf = new Tlsf(memory, new TlsfConfig(16, 16));
            assertEquals(BYTES / 2, tlsf.addPool(VIRTUAL_BASE + BYTES / 2, BYTES / 2));
            assertEquals(BYTES / 4, tlsf.addPool(VIRTUAL_BASE, BYTES / 4));
            assertEquals(VIRTUAL_BASE, tlsf.poolAddress(0), "pools sorted as unsigned addresses");
            assertThrows(IllegalArgumentException.class, () -> tlsf.free(VIRTUAL_BASE + BYTES / 4 + 64));
            assertThrows(IllegalArgumentException.class, () -> tlsf.free(VIRTUAL_BASE + BYTES + 64));
            assertThrows(IllegalArgumentException.class, () -> tlsf.free(0x10_0000L));

            final ShadowHeap model = new ShadowHeap(VIRTUAL_BASE, VIRTUAL_BASE + BYTES);
            final SplittableRandom random = new SplittableRandom(SEED);
            final long[] live = new long[2048];
            int liveCount = 0;
            for (int op = 0; op < 200_000; op++) {
                if (liveCount > 0 && (random.nextInt(100) < 45 || liveCount == live.length)) {
                    final int slot = random.nextInt(liveCount);
                    final ShadowHeap.Block block = model.freed(live[slot]);
                    BlockPattern.check(memory, block.address(), block.byteSize(), block.id());
                    tlsf.free(live[slot]);
                    live[slot] = live[--liveCount];
                } else {
                    final long size = random.nextLong(0, 1024);
                    final long alignment = 1L << random.nextInt(3, 10);
                    final long address = tlsf.tryAllocate(size, alignment);
                    if (address != Tlsf.NO_BLOCK) {
                        model.allocated(address, size, alignment, op);
                        BlockPattern.write(memory, address, size, op);
                        live[liveCount++] = address;
                    }
                }
                if (op % 10_000 == 0) {
                    tlsf.checkIntegrity();
                }
            }
            for (int slot = 0; slot < liveCount; slot++) {
                tlsf.free(live[slot]);
            }
            assertEquals(BYTES / 2 + BYTES / 4 - 2 * TlsfLayout.SENTINEL_SIZE, tlsf.stats().bytesFree());
            tlsf.checkIntegrity();
        }
    }
}

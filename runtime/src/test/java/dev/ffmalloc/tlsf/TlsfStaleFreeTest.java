package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frees of addresses that were blocks once and are not now, in random heaps: every one is rejected and leaves the
 * heap as it was. Free checks only the header before an address (its flags and address tag), so this covers every
 * way a block start stops being one: its block freed on its own, merged into a free predecessor, absorbed by a freed
 * predecessor, parked and flushed, shrunk into, grown over, or moved by reallocate.
 */
final class TlsfStaleFreeTest {

    private static final long SEED = 0x57A1_EF4EL;
    private static final long HEAP_BYTES = 1 << 20;
    private static final int OPERATIONS = 200_000;
    /** A stale free is tried every this many operations (each compares every block before and after). */
    private static final int STALE_FREE_EVERY = 20;

    private Arena arena;
    private NativeMemory memory;

    @BeforeEach
    void openMemory() {
        arena = Arena.ofConfined();
        memory = NativeMemory.allocate(arena, HEAP_BYTES);
    }

    @AfterEach
    void closeMemory() {
        arena.close();
    }

    @ParameterizedTest(name = "quick lists: {0}")
    @ValueSource(booleans = {true, false})
    void everyFreeOfAnAddressThatIsNoLongerABlockIsRejectedChangingNothing(final boolean quickLists) {
        System.out.println("TlsfStaleFreeTest quickLists=" + quickLists + " seed=0x" + Long.toHexString(SEED));
        final SplittableRandom random = new SplittableRandom(SEED);
        final Tlsf tlsf = new Tlsf(memory, quickLists ? TlsfConfig.DEFAULT : TlsfTest.NO_QUICK_LISTS);
        tlsf.addPool(memory.baseAddress(), memory.byteSize());
        final List<Long> live = new ArrayList<>();
        final Set<Long> liveSet = new HashSet<>();
        final List<Long> stale = new ArrayList<>();
        int staleFrees = 0;
        for (int op = 0; op < OPERATIONS; op++) {
            final int choice = random.nextInt(10);
            if (choice < 4 || live.isEmpty()) {
                final long alignment = random.nextInt(8) == 0 ? 1L << (4 + random.nextInt(5)) : 16;
                final long address = tlsf.tryAllocate(1 + random.nextInt(2000), alignment);
                if (address != 0) {
                    live.add(address);
                    liveSet.add(address);
                    // Arbitrary contents: the first word, where a stale header would be found, gets a random value.
                    memory.setLong(address, random.nextLong());
                }
            } else {
                final int index = random.nextInt(live.size());
                final long address = live.get(index);
                final long moved = choice < 8 ? freed(tlsf, address) : reallocated(tlsf, address,
                    1 + random.nextInt(3000));
                if (moved == address) {
                    continue;
                }
                liveSet.remove(address);
                stale.add(address);
                if (moved == 0) {
                    live.set(index, live.get(live.size() - 1));
                    live.remove(live.size() - 1);
                } else {
                    live.set(index, moved);
                    liveSet.add(moved);
                }
            }
            if (op % STALE_FREE_EVERY == 0 && !stale.isEmpty()) {
                final long address = stale.get(random.nextInt(stale.size()));
                if (!liveSet.contains(address)) {
                    final List<TlsfBlocks.Block> before = TlsfBlocks.all(tlsf);
                    final TlsfStats statsBefore = tlsf.tlsfStats();
                    assertThrows(RuntimeException.class, () -> tlsf.free(address),
                        "op " + op + ": a free of 0x" + Long.toHexString(address) + ", no block now");
                    assertEquals(before, TlsfBlocks.all(tlsf), "op " + op);
                    assertEquals(statsBefore, tlsf.tlsfStats(), "op " + op);
                    staleFrees++;
                }
            }
        }
        tlsf.checkIntegrity();
        System.out.println("TlsfStaleFreeTest stale frees rejected: " + staleFrees);
        assertTrue(staleFrees > OPERATIONS / STALE_FREE_EVERY / 2, "stale frees tried: " + staleFrees);
    }

    /** Frees {@code address}, for the operation mix: a freed block has no new address. */
    private static long freed(final Tlsf tlsf, final long address) {
        tlsf.free(address);
        return 0;
    }

    /** @return where the block is after a resize to {@code byteSize}: unchanged if the heap had no room */
    private static long reallocated(final Tlsf tlsf, final long address, final long byteSize) {
        try {
            return tlsf.reallocate(address, byteSize, 16);
        } catch (final OutOfMemoryException noRoom) {
            return address;
        }
    }
}

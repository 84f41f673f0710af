package dev.ffmalloc.slab;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link PageMap} as an open-addressing table in native memory: linear probing, power-of-two capacity, a load
 * factor of at most 1/2, and backward-shift deletion (no tombstones, so a lookup never walks past dead slots).
 *
 * <p>Each slot is 16 bytes, the key then the value; key 0 marks an empty slot (page addresses are never 0). The home
 * slot of a key is the top bits of {@code key * 0x9E3779B97F4A7C15} (Fibonacci hashing), which spreads page
 * addresses whose low bits are all zero. Invariant: every key sits in its home slot or after it, with no empty slot
 * between its home slot and itself (cyclically).
 *
 * <p>The table lives in a shared {@link Arena} of its own; growing allocates a table twice as large, moves the
 * entries and closes the old arena (growth is rare: capacity doubles). {@link #close()} frees the table.
 */
public final class NativePageMap implements PageMap {

    private static final long SLOT_BYTES = 2 * Long.BYTES;
    private static final long VALUE_OFFSET = Long.BYTES;
    private static final long HASH_MULTIPLIER = 0x9E3779B97F4A7C15L;
    private static final int MIN_CAPACITY_BITS = 4;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG;

    private Arena arena;
    private MemorySegment slots;
    /** Capacity is {@code 1 << capacityBits} slots. */
    private int capacityBits;
    /** {@code capacity - 1}, to wrap a slot index. */
    private long slotMask;
    /** Entries held; at most half the capacity. */
    private int size;

    /** An empty map with room for 8 entries before it grows. */
    public NativePageMap() {
        this(MIN_CAPACITY_BITS);
    }

    private NativePageMap(final int capacityBits) {
        allocateSlots(capacityBits);
    }

    @Override
    public void put(final long pageAddr, final long slabInfoAddr) {
        PageMap.checkEntry(pageAddr, slabInfoAddr);
        checkOpen();
        if ((size + 1L) * 2 > slotMask + 1) {
            grow();
        }
        long slot = homeSlot(pageAddr);
        long key;
        while ((key = slots.get(WORD, slot * SLOT_BYTES)) != 0) {
            if (key == pageAddr) {
                slots.set(WORD, slot * SLOT_BYTES + VALUE_OFFSET, slabInfoAddr);
                return;
            }
            slot = (slot + 1) & slotMask;
        }
        slots.set(WORD, slot * SLOT_BYTES, pageAddr);
        slots.set(WORD, slot * SLOT_BYTES + VALUE_OFFSET, slabInfoAddr);
        size++;
    }

    @Override
    public long get(final long pageAddr) {
        final MemorySegment slots = this.slots;
        final long slotMask = this.slotMask;
        long slot = homeSlot(pageAddr);
        while (true) {
            final long key = slots.get(WORD, slot * SLOT_BYTES);
            if (key == 0) {
                return MISSING;
            }
            if (key == pageAddr) {
                return slots.get(WORD, slot * SLOT_BYTES + VALUE_OFFSET);
            }
            slot = (slot + 1) & slotMask;
        }
    }

    @Override
    public void remove(final long pageAddr) {
        checkOpen();
        if (pageAddr == 0) {
            return;
        }
        long slot = homeSlot(pageAddr);
        long key;
        while ((key = slots.get(WORD, slot * SLOT_BYTES)) != pageAddr) {
            if (key == 0) {
                return;
            }
            slot = (slot + 1) & slotMask;
        }
        shiftBackInto(slot);
        size--;
    }

    @Override
    public int size() {
        return size;
    }

    /** @return the slots the table has now (a power of two) */
    public long capacity() {
        return slotMask + 1;
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
            slots = MemorySegment.NULL;
            size = 0;
        }
    }

    /**
     * Empties {@code hole} and moves back into it every later key of the same probe run whose home slot does not lie
     * cyclically in {@code (hole, slot]}, so that no key is left behind an empty slot.
     */
    private void shiftBackInto(final long emptied) {
        long hole = emptied;
        long slot = emptied;
        while (true) {
            slot = (slot + 1) & slotMask;
            final long key = slots.get(WORD, slot * SLOT_BYTES);
            if (key == 0) {
                break;
            }
            final long home = homeSlot(key);
            final boolean homeAfterHole = ((slot - home) & slotMask) < ((slot - hole) & slotMask);
            if (!homeAfterHole) {
                slots.set(WORD, hole * SLOT_BYTES, key);
                slots.set(WORD, hole * SLOT_BYTES + VALUE_OFFSET, slots.get(WORD, slot * SLOT_BYTES + VALUE_OFFSET));
                hole = slot;
            }
        }
        slots.set(WORD, hole * SLOT_BYTES, 0L);
        slots.set(WORD, hole * SLOT_BYTES + VALUE_OFFSET, 0L);
    }

    private long homeSlot(final long pageAddr) {
        return (pageAddr * HASH_MULTIPLIER) >>> (Long.SIZE - capacityBits);
    }

    private void grow() {
        final Arena oldArena = arena;
        final MemorySegment oldSlots = slots;
        final long oldCapacity = slotMask + 1;
        allocateSlots(capacityBits + 1);
        size = 0;
        for (long slot = 0; slot < oldCapacity; slot++) {
            final long key = oldSlots.get(WORD, slot * SLOT_BYTES);
            if (key != 0) {
                put(key, oldSlots.get(WORD, slot * SLOT_BYTES + VALUE_OFFSET));
            }
        }
        oldArena.close();
    }

    /**
     * {@link #put} and {@link #remove} refuse a closed map by name; {@link #get}, on the hot path, does not check, and
     * fails on the closed map's empty table with the JDK's {@code IndexOutOfBoundsException}.
     */
    private void checkOpen() {
        if (arena == null) {
            throw new IllegalStateException("page map is closed");
        }
    }

    private void allocateSlots(final int bits) {
        capacityBits = bits;
        slotMask = (1L << bits) - 1;
        arena = Arena.ofShared();
        slots = arena.allocate((1L << bits) * SLOT_BYTES, Long.BYTES);
    }
}

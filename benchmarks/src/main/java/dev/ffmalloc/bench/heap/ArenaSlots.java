package dev.ffmalloc.bench.heap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Slots where every block is its own {@link Arena#ofConfined() confined arena}: allocate, then close the arena to
 * free. This is what the JDK offers a user who wants to free one block at a time. The arenas are confined to the
 * thread that allocates, which is the thread that runs the workload.
 */
public final class ArenaSlots implements SlotHeap {

    /** {@code arenas[slot]} owns the slot's block, or is null when the slot is empty. */
    private final Arena[] arenas;
    /** {@code blocks[slot]} is the slot's block, allocated from {@code arenas[slot]}, or null. */
    private final MemorySegment[] blocks;

    /** @param slots the number of slots */
    public ArenaSlots(final int slots) {
        this.arenas = new Arena[slots];
        this.blocks = new MemorySegment[slots];
    }

    @Override
    public int capacity() {
        return arenas.length;
    }

    @Override
    public boolean allocate(final int slot, final long byteSize, final long byteAlignment) {
        final Arena arena = Arena.ofConfined();
        blocks[slot] = arena.allocate(byteSize, byteAlignment);
        arenas[slot] = arena;
        return true;
    }

    @Override
    public void free(final int slot) {
        arenas[slot].close();
        arenas[slot] = null;
        blocks[slot] = null;
    }

    @Override
    public boolean reallocate(final int slot, final long newByteSize, final long byteAlignment) {
        final Arena arena = Arena.ofConfined();
        final MemorySegment newBlock = arena.allocate(newByteSize, byteAlignment);
        final MemorySegment oldBlock = blocks[slot];
        MemorySegment.copy(oldBlock, 0, newBlock, 0, Math.min(oldBlock.byteSize(), newByteSize));
        arenas[slot].close();
        arenas[slot] = arena;
        blocks[slot] = newBlock;
        return true;
    }

    @Override
    public boolean holds(final int slot) {
        return arenas[slot] != null;
    }

    @Override
    public void storeLong(final int slot, final long value) {
        blocks[slot].set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
    }

    @Override
    public long loadLong(final int slot) {
        return blocks[slot].get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }
}

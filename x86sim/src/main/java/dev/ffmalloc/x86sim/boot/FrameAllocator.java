package dev.ffmalloc.x86sim.boot;

import dev.ffmalloc.buddy.BuddyAllocator;

/**
 * What {@link BootMemory#handOff} turns the boot allocator into: the buddy allocator of page frames and the sparse
 * frame table its metadata lives in. There is no way back to the boot allocator.
 *
 * @param buddy      the frame allocator: {@code allocateOrder}, {@code free}, {@code freeBlocksPerOrder}, ...
 * @param frameTable the memory of the buddy's frame table (one entry per frame, populated only around RAM)
 */
public record FrameAllocator(BuddyAllocator buddy, FrameTableMemory frameTable) {

    /** @return the free frames, over every order */
    public long freeFrames() {
        return buddy.freeBytes() / buddy.config().minBlockSize();
    }
}

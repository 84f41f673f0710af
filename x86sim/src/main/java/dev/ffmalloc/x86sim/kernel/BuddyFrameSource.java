package dev.ffmalloc.x86sim.kernel;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.buddy.BuddyAllocator;
import dev.ffmalloc.x86sim.paging.FrameSource;

/**
 * The buddy frame allocator seen as a {@link FrameSource}: single frames (order 0) for page tables and heap pages,
 * and a count of the frames it handed out, for the boot report.
 */
public final class BuddyFrameSource implements FrameSource {

    private final BuddyAllocator buddy;
    /** Frames handed out through this source and not given back. */
    private long framesInUse;

    /** @param buddy a frame allocator whose order 0 is one 4 KiB frame */
    public BuddyFrameSource(final BuddyAllocator buddy) {
        if (buddy.config().minBlockSize() != 4096) {
            throw new IllegalArgumentException("order 0 must be one 4KiB frame: minBlockSize="
                + buddy.config().minBlockSize());
        }
        this.buddy = buddy;
    }

    @Override
    public long allocateFrame() {
        final long frameAddr = buddy.tryAllocateOrder(0);
        if (frameAddr == Allocator.NO_BLOCK) {
            return NO_FRAME;
        }
        framesInUse++;
        return frameAddr;
    }

    @Override
    public void deallocateFrame(final long frameAddr) {
        buddy.free(frameAddr);
        framesInUse--;
    }

    /** @return frames handed out through this source and not given back */
    public long framesInUse() {
        return framesInUse;
    }
}

package dev.ffmalloc.x86sim.paging;

import org.agrona.collections.LongArrayList;

/**
 * The smallest useful {@link FrameSource}: hands out the 4 KiB frames of one physical range in address order,
 * and reuses given-back frames last-in first-out. For machines built without the buddy frame allocator (tests,
 * benchmarks, outside users who just want page tables).
 */
public final class StackFrameSource implements FrameSource {

    private static final long FRAME_BYTES = PageSize.SIZE_4KIB.byteSize();

    private final long startAddr;
    private final long endAddr;
    /** Invariant: {@code startAddr <= nextAddr <= endAddr}; frames below it were handed out at least once. */
    private long nextAddr;
    private final LongArrayList freed = new LongArrayList();

    /**
     * @param startAddr first frame's physical address, 4 KiB-aligned
     * @param endAddr   one past the last byte, 4 KiB-aligned
     * @throws IllegalArgumentException if an address is not 4 KiB-aligned or the range is empty
     */
    public StackFrameSource(final long startAddr, final long endAddr) {
        if ((startAddr | endAddr) % FRAME_BYTES != 0 || endAddr <= startAddr) {
            throw new IllegalArgumentException("frame range must be non-empty and 4 KiB-aligned: startAddr=0x"
                + Long.toHexString(startAddr) + ", endAddr=0x" + Long.toHexString(endAddr));
        }
        this.startAddr = startAddr;
        this.endAddr = endAddr;
        this.nextAddr = startAddr;
    }

    @Override
    public long allocateFrame() {
        if (!freed.isEmpty()) {
            return freed.removeAt(freed.size() - 1);
        }
        if (nextAddr == endAddr) {
            return NO_FRAME;
        }
        final long frameAddr = nextAddr;
        nextAddr += FRAME_BYTES;
        return frameAddr;
    }

    /**
     * @throws IllegalArgumentException if {@code frameAddr} is not a frame this allocator handed out
     */
    @Override
    public void deallocateFrame(final long frameAddr) {
        if (frameAddr < startAddr || frameAddr >= nextAddr || frameAddr % FRAME_BYTES != 0) {
            throw new IllegalArgumentException("frame was never handed out by this allocator: frameAddr=0x"
                + Long.toHexString(frameAddr));
        }
        freed.addLong(frameAddr);
    }

    /** @return frames that can still be handed out */
    public long framesFree() {
        return (endAddr - nextAddr) / FRAME_BYTES + freed.size();
    }
}

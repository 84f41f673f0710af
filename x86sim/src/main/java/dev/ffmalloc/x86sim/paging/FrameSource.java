package dev.ffmalloc.x86sim.paging;

/**
 * Where the {@link Mapper} gets 4 KiB frames for page tables and gives back the frames of tables it releases: a
 * view of whatever allocates physical frames (the buddy frame allocator, or a {@link StackFrameSource}).
 *
 * <p>Preconditions for implementations: a frame handed out is 4 KiB-aligned, backed by physical memory, and used by
 * nothing else until it is given back.
 */
public interface FrameSource {

    /** What {@link #allocateFrame} returns when no frame is left; physical address 0 is a valid frame. */
    long NO_FRAME = -1L;

    /** @return the physical address of a free 4 KiB frame, or {@link #NO_FRAME} */
    long allocateFrame();

    /** Takes back a frame that {@link #allocateFrame} handed out. */
    void deallocateFrame(long frameAddr);
}

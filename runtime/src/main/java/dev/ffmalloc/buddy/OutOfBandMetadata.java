package dev.ffmalloc.buddy;

import dev.ffmalloc.memory.Memory;

/**
 * Out-of-band placement (see {@link FrameTableLayout}): every word lives in a frame table in another memory; the
 * managed memory is never read or written.
 */
final class OutOfBandMetadata implements BuddyMetadata {

    private final Memory tableMemory;
    /** Address of the entry of block 0. */
    private final long tableAddr;

    OutOfBandMetadata(final Memory tableMemory, final long tableAddr) {
        this.tableMemory = tableMemory;
        this.tableAddr = tableAddr;
    }

    @Override
    public int state(final long blockIndex) {
        return tableMemory.getInt(FrameTableLayout.stateAddr(tableAddr, blockIndex));
    }

    @Override
    public void setState(final long blockIndex, final int stateWord) {
        tableMemory.setInt(FrameTableLayout.stateAddr(tableAddr, blockIndex),
            stateWord);
    }

    @Override
    public long nextFree(final long blockIndex) {
        return tableMemory.getInt(FrameTableLayout.nextFreeAddr(tableAddr, blockIndex));
    }

    @Override
    public void setNextFree(final long blockIndex, final long nextIndex) {
        tableMemory.setInt(FrameTableLayout.nextFreeAddr(tableAddr, blockIndex),
            (int) nextIndex);
    }

    @Override
    public long prevFree(final long blockIndex) {
        return tableMemory.getInt(FrameTableLayout.prevFreeAddr(tableAddr, blockIndex));
    }

    @Override
    public void setPrevFree(final long blockIndex, final long prevIndex) {
        tableMemory.setInt(FrameTableLayout.prevFreeAddr(tableAddr, blockIndex),
            (int) prevIndex);
    }
}

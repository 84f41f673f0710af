package dev.ffmalloc.buddy;

import dev.ffmalloc.memory.Memory;

/**
 * In-band placement (see {@link InBandLayout}): the state table is a byte array at the start of the span, the
 * free-list links live in the free blocks.
 */
final class InBandMetadata implements BuddyMetadata {

    private final Memory memory;
    /** Address of the state byte of block 0; the span starts here too. */
    private final long tableAddr;
    /** Address of block 0. */
    private final long spanAddr;
    private final int minBlockShift;

    InBandMetadata(final Memory memory, final long spanAddr, final int minBlockShift) {
        this.memory = memory;
        this.tableAddr = spanAddr;
        this.spanAddr = spanAddr;
        this.minBlockShift = minBlockShift;
    }

    private long blockAddr(final long blockIndex) {
        return spanAddr + (blockIndex << minBlockShift);
    }

    @Override
    public int state(final long blockIndex) {
        return memory.getByte(InBandLayout.stateAddr(tableAddr, blockIndex)) & 0xFF;
    }

    @Override
    public void setState(final long blockIndex, final int stateWord) {
        memory.setByte(InBandLayout.stateAddr(tableAddr, blockIndex), (byte) stateWord);
    }

    @Override
    public long nextFree(final long blockIndex) {
        return memory.getLong(InBandLayout.nextFreeAddr(blockAddr(blockIndex)));
    }

    @Override
    public void setNextFree(final long blockIndex, final long nextIndex) {
        memory.setLong(InBandLayout.nextFreeAddr(blockAddr(blockIndex)), nextIndex);
    }

    @Override
    public long prevFree(final long blockIndex) {
        return memory.getLong(InBandLayout.prevFreeAddr(blockAddr(blockIndex)));
    }

    @Override
    public void setPrevFree(final long blockIndex, final long prevIndex) {
        memory.setLong(InBandLayout.prevFreeAddr(blockAddr(blockIndex)), prevIndex);
    }
}

package dev.ffmalloc.bench.heap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Slots over Netty's {@code PooledByteBufAllocator.DEFAULT.directBuffer(size)} and {@code release()}, the pooled
 * direct memory a Netty user would reach for. Netty cannot be asked for an alignment: it is ignored (Netty's pooled
 * buffers start at least 16-byte aligned within their chunk in practice, but nothing promises it).
 *
 * <p>Whether Netty gives the calling thread a cache depends on the thread: on JDK 25 without {@code Unsafe}, only
 * Netty's own {@code FastThreadLocalThread}s get one. The suite therefore runs this heap on a plain thread and on a
 * Netty thread (see {@code NettyThreadExecutor}).
 */
public final class NettySlots implements SlotHeap {

    /** {@code buffers[slot]} is the slot's buffer, or null when the slot is empty. */
    private final ByteBuf[] buffers;
    private final PooledByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;

    /** @param slots the number of slots */
    public NettySlots(final int slots) {
        this.buffers = new ByteBuf[slots];
    }

    @Override
    public int capacity() {
        return buffers.length;
    }

    @Override
    public boolean allocate(final int slot, final long byteSize, final long byteAlignment) {
        buffers[slot] = allocator.directBuffer(Math.toIntExact(byteSize));
        return true;
    }

    @Override
    public void free(final int slot) {
        buffers[slot].release();
        buffers[slot] = null;
    }

    @Override
    public boolean reallocate(final int slot, final long newByteSize, final long byteAlignment) {
        // Netty moves the contents into a buffer of the new capacity from the same pool, as realloc does.
        buffers[slot].capacity(Math.toIntExact(newByteSize));
        return true;
    }

    @Override
    public boolean holds(final int slot) {
        return buffers[slot] != null;
    }

    @Override
    public void storeLong(final int slot, final long value) {
        buffers[slot].setLongLE(0, value);
    }

    @Override
    public long loadLong(final int slot) {
        return buffers[slot].getLongLE(0);
    }
}

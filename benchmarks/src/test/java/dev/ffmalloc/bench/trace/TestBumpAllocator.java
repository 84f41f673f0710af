package dev.ffmalloc.bench.trace;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorCounters;
import dev.ffmalloc.alloc.AllocatorErrors;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.memory.NativeMemory;
import org.agrona.BitUtil;
import org.agrona.collections.Long2LongHashMap;

/**
 * A test double: a bump allocator that never reuses memory, so that where every block lands (and hence the
 * footprint a replay must report) can be worked out by hand. Optionally "forgets" to copy on reallocation, to prove
 * that the replayer notices lost contents.
 */
final class TestBumpAllocator implements Allocator {

    private final NativeMemory memory;
    private final boolean copiesOnReallocate;
    private final Long2LongHashMap liveSizes = new Long2LongHashMap(-1);
    private final AllocatorCounters counters = new AllocatorCounters();
    private long nextAddr;

    TestBumpAllocator(final NativeMemory memory, final boolean copiesOnReallocate) {
        this.memory = memory;
        this.copiesOnReallocate = copiesOnReallocate;
        this.nextAddr = memory.baseAddress();
    }

    @Override
    public long tryAllocate(final long byteSize, final long byteAlignment) {
        AllocatorErrors.checkRequest(byteSize, byteAlignment, memory.byteSize());
        final long served = Math.max(1, byteSize);
        final long blockAddr = BitUtil.align(nextAddr, byteAlignment);
        if (blockAddr + served > memory.endAddress()) {
            return NO_BLOCK;
        }
        nextAddr = blockAddr + served;
        liveSizes.put(blockAddr, served);
        counters.onAllocate(served);
        return blockAddr;
    }

    @Override
    public void free(final long address) {
        final long size = liveSizes.remove(address);
        if (size < 0) {
            throw AllocatorErrors.notInHeap(address);
        }
        counters.onFree(size);
    }

    @Override
    public long reallocate(final long address, final long newByteSize, final long byteAlignment) {
        if (copiesOnReallocate) {
            return Allocator.super.reallocate(address, newByteSize, byteAlignment);
        }
        final long newAddress = allocate(newByteSize, byteAlignment);
        free(address);
        return newAddress;
    }

    @Override
    public long usableSize(final long address) {
        final long size = liveSizes.get(address);
        if (size < 0) {
            throw AllocatorErrors.notInHeap(address);
        }
        return size;
    }

    @Override
    public long maxAllocationSize() {
        return memory.byteSize();
    }

    @Override
    public Memory memory() {
        return memory;
    }

    @Override
    public AllocatorStats stats() {
        return counters.snapshot(memory.byteSize(), memory.endAddress() - nextAddr);
    }

    @Override
    public void checkIntegrity() {
        // Nothing to walk: the live map is the whole state.
    }
}

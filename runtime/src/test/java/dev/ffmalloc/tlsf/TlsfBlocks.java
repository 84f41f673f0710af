package dev.ffmalloc.tlsf;

import dev.ffmalloc.memory.Memory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helpers: a pool's blocks as a list, and byte-for-byte contents that a moved block must keep. */
final class TlsfBlocks {

    /** One block as {@link Tlsf#forEachBlock} reports it. */
    record Block(long addr, long size, boolean used) {
    }

    private TlsfBlocks() {
    }

    /** @return the blocks of pool {@code pool} in address order */
    static List<Block> of(final Tlsf tlsf, final int pool) {
        final List<Block> blocks = new ArrayList<>();
        tlsf.forEachBlock(pool, (blockAddr, blockSize, used) -> blocks.add(new Block(blockAddr, blockSize, used)));
        return blocks;
    }

    /** @return the blocks of every pool, pool after pool */
    static List<Block> all(final Tlsf tlsf) {
        final List<Block> blocks = new ArrayList<>();
        for (int pool = 0; pool < tlsf.poolCount(); pool++) {
            blocks.addAll(of(tlsf, pool));
        }
        return blocks;
    }

    /** @return the block that starts at {@code blockAddr}, or null */
    static Block at(final Tlsf tlsf, final long blockAddr) {
        for (final Block block : all(tlsf)) {
            if (block.addr() == blockAddr) {
                return block;
            }
        }
        return null;
    }

    /** Fills every byte of {@code [addr, addr + byteSize)} with a value derived from {@code seed} and the offset. */
    static void fill(final Memory memory, final long addr, final long byteSize, final int seed) {
        for (long offset = 0; offset < byteSize; offset++) {
            memory.setByte(addr + offset, (byte) (seed * 31 + offset * 7));
        }
    }

    /** Checks every byte written by {@link #fill}. */
    static void check(final Memory memory, final long addr, final long byteSize, final int seed) {
        for (long offset = 0; offset < byteSize; offset++) {
            final byte expected = (byte) (seed * 31 + offset * 7);
            if (memory.getByte(addr + offset) != expected) {
                assertEquals(expected, memory.getByte(addr + offset), "byte " + offset + " of the block at 0x"
                    + Long.toHexString(addr));
            }
        }
    }
}

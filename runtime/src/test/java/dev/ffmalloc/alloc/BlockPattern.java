package dev.ffmalloc.alloc;

import dev.ffmalloc.memory.Memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fills a block with bytes derived from its id and checks them later, to catch an allocator that hands out or
 * overwrites memory that belongs to a live block. The head (up to {@link #HEAD_BYTES}) and the last byte are
 * written, which catches overlap at both ends without making a million-operation test slow.
 */
public final class BlockPattern {

    /** How many leading bytes of a block carry the pattern. */
    public static final int HEAD_BYTES = 64;

    private BlockPattern() {
    }

    private static byte patternByte(final long id, final long offset) {
        long x = (id + 1) * 0x9E3779B97F4A7C15L + offset * 0xBF58476D1CE4E5B9L;
        x ^= x >>> 31;
        return (byte) x;
    }

    /** Writes the pattern of block {@code id} into the block. */
    public static void write(final Memory memory, final long address, final long byteSize, final long id) {
        final long head = Math.min(byteSize, HEAD_BYTES);
        for (long offset = 0; offset < head; offset++) {
            memory.setByte(address + offset, patternByte(id, offset));
        }
        if (byteSize > head) {
            memory.setByte(address + byteSize - 1, patternByte(id, byteSize - 1));
        }
    }

    /** Checks that the pattern of block {@code id} is intact. */
    public static void check(final Memory memory, final long address, final long byteSize, final long id) {
        final long head = Math.min(byteSize, HEAD_BYTES);
        for (long offset = 0; offset < head; offset++) {
            assertByte(memory, address, offset, id);
        }
        if (byteSize > head) {
            assertByte(memory, address, byteSize - 1, id);
        }
    }

    /**
     * Checks the pattern of block {@code id}, written for {@code byteSize} bytes, in the first {@code keptBytes}
     * bytes that a reallocation kept (its last byte only if the kept part reaches it).
     */
    public static void checkKept(final Memory memory, final long address, final long byteSize, final long keptBytes,
                                 final long id) {
        final long head = Math.min(Math.min(byteSize, HEAD_BYTES), keptBytes);
        for (long offset = 0; offset < head; offset++) {
            assertByte(memory, address, offset, id);
        }
        if (byteSize > HEAD_BYTES && keptBytes >= byteSize) {
            assertByte(memory, address, byteSize - 1, id);
        }
    }

    /** Checks that the byte at {@code offset} of the block at {@code address} holds block {@code id}'s pattern. */
    private static void assertByte(final Memory memory, final long address, final long offset, final long id) {
        final byte expected = patternByte(id, offset);
        final byte actual = memory.getByte(address + offset);
        if (expected != actual) {
            assertEquals(expected, actual, "block " + id + " at 0x" + Long.toHexString(address)
                + " corrupted at offset " + offset);
        }
    }
}

package dev.ffmalloc.alloc;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reference model of a heap: the live blocks as an ordered map from address to (size, id), on the Java heap.
 * It fails a test on the first block that overlaps another, leaves the heap's bounds or is misaligned, and on a
 * free of a block it does not hold.
 */
public final class ShadowHeap {

    /** A live block as the model knows it. */
    public record Block(long address, long byteSize, long id) {
        long end() {
            return address + Math.max(byteSize, 1);
        }
    }

    private final TreeMap<Long, Block> blocks = new TreeMap<>();
    private final long lowAddress;
    private final long highAddress;
    private long requestedBytes;

    /** Blocks must lie inside {@code [lowAddress, highAddress)}. */
    public ShadowHeap(final long lowAddress, final long highAddress) {
        this.lowAddress = lowAddress;
        this.highAddress = highAddress;
    }

    /** Records a block the allocator just handed out, checking it against every live block. */
    public void allocated(final long address, final long byteSize, final long byteAlignment, final long id) {
        final Block block = new Block(address, byteSize, id);
        assertTrue(address != 0, "allocator returned address 0");
        assertEquals(0, address & (byteAlignment - 1),
            () -> "block " + id + " at 0x" + Long.toHexString(address) + " not aligned to " + byteAlignment);
        assertTrue(address >= lowAddress && block.end() <= highAddress,
            () -> "block " + id + " [0x" + Long.toHexString(address) + ", 0x" + Long.toHexString(block.end())
                + ") outside the heap [0x" + Long.toHexString(lowAddress) + ", 0x" + Long.toHexString(highAddress) + ")");
        final Map.Entry<Long, Block> below = blocks.floorEntry(address);
        if (below != null && below.getValue().end() > address) {
            fail("block " + id + " at 0x" + Long.toHexString(address) + " overlaps block " + below.getValue());
        }
        final Map.Entry<Long, Block> above = blocks.ceilingEntry(address);
        if (above != null && above.getKey() < block.end()) {
            fail("block " + id + " at 0x" + Long.toHexString(address) + " overlaps block " + above.getValue());
        }
        blocks.put(address, block);
        requestedBytes += byteSize;
    }

    /** Records a free; the block must be live in the model. */
    public Block freed(final long address) {
        final Block block = blocks.remove(address);
        if (block == null) {
            fail("model holds no live block at 0x" + Long.toHexString(address));
        }
        requestedBytes -= block.byteSize();
        return block;
    }

    /** @return the live block at {@code address}, or null */
    public Block get(final long address) {
        return blocks.get(address);
    }

    /** @return how many blocks are live */
    public int liveBlocks() {
        return blocks.size();
    }

    /** @return the sum of the sizes asked for by the live blocks */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** @return the live blocks in address order */
    public Iterable<Block> blocks() {
        return blocks.values();
    }
}

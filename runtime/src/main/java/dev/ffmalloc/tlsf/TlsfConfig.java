package dev.ffmalloc.tlsf;

import java.util.Objects;

import static dev.ffmalloc.tlsf.TlsfLayout.GRANULARITY;
import static dev.ffmalloc.tlsf.TlsfLayout.HEADER_SIZE;
import static dev.ffmalloc.tlsf.TlsfLayout.MIN_BLOCK_SIZE_LOG2;
import static dev.ffmalloc.tlsf.TlsfLayout.SENTINEL_SIZE;

/**
 * The parameters of a {@link Tlsf} heap, validated once: FLLEN and SLLEN, with the size-class mapping they define,
 * and the {@linkplain QuickListConfig quick lists} in front of the free lists.
 *
 * <h2>Size classes</h2>
 * A block size {@code s} (header included, a multiple of {@value TlsfLayout#GRANULARITY}, at least
 * {@value TlsfLayout#MIN_BLOCK_SIZE}) belongs to first level {@code fl = floor(log2 s) - 5}, which covers
 * {@code [2^(fl+5), 2^(fl+6))}, and inside it to second level {@code sl}, one of {@code SLLEN} equal slices of that
 * range, each {@code 2^(fl+5-SLI)} bytes wide ({@code SLI = log2 SLLEN}). The pair is encoded as one list index
 * {@code (fl << SLI) | sl}.
 * <ul>
 *   <li>{@link #mapFloor}: the list whose range holds {@code s}; a free block goes there.</li>
 *   <li>{@link #mapCeil}: the first list whose every block is at least {@code s}; a search starts there, so any
 *       block it finds fits (good fit in constant time).</li>
 * </ul>
 *
 * <h2>Formulas</h2>
 * <ul>
 *   <li>largest block: {@code 2^(FLLEN+5) - 16}; a pool larger than that plus its 16-byte sentinel is split into
 *       several pools;</li>
 *   <li>largest request: {@code 2^(FLLEN+5) - 32}, a block of the largest size less its header;</li>
 *   <li>largest block good fit can find: the lower bound of the last list,
 *       {@code 2^(FLLEN+5) - 2^(FLLEN+4-SLI)}, rounded down to 16 (a larger request is served only by the look
 *       at the head of its own list that {@link Tlsf} makes before it reports no fit);</li>
 *   <li>rounding of the search: a request of block size {@code s} may skip a free block smaller than
 *       {@code s * (1 + 1/SLLEN)}, the worst-case external cost of the good fit; lists below
 *       {@code 32 * SLLEN} bytes hold one block size each, so small requests lose nothing to it;</li>
 *   <li>internal fragmentation per block: the 16-byte header, up to 15 bytes of rounding, and a remainder of 16
 *       bytes that is too small to split off (a remainder of 32 bytes or more is always split off).</li>
 * </ul>
 *
 * <h2>Worked example: the defaults, FLLEN = 32, SLLEN = 32</h2>
 * SLI = 5. First level 7 covers [4096, 8192) in 32 slices of 128 bytes. A request of 5000 bytes needs a block of
 * 5024 bytes: {@code mapFloor(5024)} is (7, 7), the slice [4992, 5120); {@code mapCeil(5024)} is (7, 8), whose
 * blocks are at least 5120 bytes, so the search may skip a free block of 5024 to 5119 bytes. Every block below
 * 1024 bytes has a list of its own. The largest block is {@code 2^37 - 16} bytes (128 GiB), the largest request
 * {@code 2^37 - 32} bytes, the largest block good fit finds {@code 2^37 - 2^31} bytes. The tables hold 32 x 32
 * list heads (8 KiB) and 32 second-level bitmaps.
 *
 * <h2>Why these defaults</h2>
 * SLLEN = 32 (the TLSF paper's recommended SLI of 4 to 5) gives exact lists to every block under 1 KiB, where most
 * requests fall, and at most 1/32 (3 %) rounding above, while the list heads stay within 8 KiB, a fraction of L1.
 * FLLEN = 32 admits blocks up to 128 GiB, more than any pool this project makes, and costs nothing at run time:
 * the first-level bitmap is one {@code long} whatever its length.
 *
 * @param flLen FLLEN, the number of first-level ranges, 1 to {@link #MAX_FL_LEN} (43)
 * @param slLen SLLEN, the number of second-level slices per range, a power of two from 1 to 64
 * @param quickLists the quick lists in front of the free lists ({@link QuickListConfig})
 */
public record TlsfConfig(int flLen, int slLen, QuickListConfig quickLists) {

    /**
     * Largest FLLEN: blocks stay below {@code 2^48} (256 TiB, more than x86_64's 4-level address space), the bound
     * of the size field, whose top bits hold the {@linkplain TlsfLayout#addressTag address tag}.
     */
    public static final int MAX_FL_LEN = TlsfLayout.MAX_BLOCK_SIZE_LOG2 - MIN_BLOCK_SIZE_LOG2;

    /** Largest SLLEN: one {@code long} bitmap per first level. */
    public static final int MAX_SL_LEN = Long.SIZE;

    /** Default FLLEN; see the class comment. */
    public static final int DEFAULT_FL_LEN = 32;

    /** Default SLLEN; see the class comment. */
    public static final int DEFAULT_SL_LEN = 32;

    /** The default configuration: the default FLLEN and SLLEN, and the default quick lists. */
    public static final TlsfConfig DEFAULT = new TlsfConfig(DEFAULT_FL_LEN, DEFAULT_SL_LEN, QuickListConfig.DEFAULT);

    /**
     * @throws IllegalArgumentException naming FLLEN or SLLEN if it is out of range or not a power of two
     * @throws NullPointerException     if {@code quickLists} is null
     */
    public TlsfConfig {
        Objects.requireNonNull(quickLists, "quickLists");
        if (flLen < 1 || flLen > MAX_FL_LEN) {
            throw outOfRange("FLLEN", "flLen", flLen, MAX_FL_LEN);
        }
        if (slLen < 1 || slLen > MAX_SL_LEN) {
            throw outOfRange("SLLEN", "slLen", slLen, MAX_SL_LEN);
        }
        if ((slLen & (slLen - 1)) != 0) {
            throw new IllegalArgumentException("SLLEN is not a power of two: slLen=" + slLen);
        }
    }

    /**
     * FLLEN and SLLEN with the {@linkplain QuickListConfig#DEFAULT default quick lists}.
     *
     * @throws IllegalArgumentException naming FLLEN or SLLEN if it is out of range or not a power of two
     */
    public TlsfConfig(final int flLen, final int slLen) {
        this(flLen, slLen, QuickListConfig.DEFAULT);
    }

    /** @return this configuration with other quick lists ({@link QuickListConfig#OFF} for none) */
    public TlsfConfig withQuickLists(final QuickListConfig newQuickLists) {
        return new TlsfConfig(flLen, slLen, newQuickLists);
    }

    /** @return SLI, log2 of SLLEN: how many bits of the list index are the second level */
    public int sli() {
        return Integer.numberOfTrailingZeros(slLen);
    }

    /** @return how many free lists there are, {@code FLLEN * SLLEN} (list indexes are below this) */
    public int listCount() {
        return flLen * slLen;
    }

    /** @return the largest block size, {@code 2^(FLLEN+5) - 16} */
    public long maxBlockSize() {
        return (1L << (flLen + MIN_BLOCK_SIZE_LOG2)) - GRANULARITY;
    }

    /** @return the largest pool, sentinel included: bigger ranges are split into several pools */
    public long maxPoolSize() {
        return maxBlockSize() + SENTINEL_SIZE;
    }

    /** @return the largest block the good-fit search can find: the lower bound of the last list */
    public long maxGoodFitBlockSize() {
        final int topLog2 = flLen + MIN_BLOCK_SIZE_LOG2;
        final int sliceLog2 = Math.max(topLog2 - 1 - sli(), 0);
        return ((1L << topLog2) - (1L << sliceLog2)) & -GRANULARITY;
    }

    /** @return the largest request this configuration can ever serve: the largest block less its header */
    public long maxAllocationSize() {
        return maxBlockSize() - HEADER_SIZE;
    }

    /**
     * The list a free block of {@code blockSize} bytes belongs to.
     *
     * @param blockSize a block size, {@value TlsfLayout#MIN_BLOCK_SIZE} to {@link #maxBlockSize()}
     * @return the list index {@code (fl << SLI) | sl}
     */
    public int mapFloor(final long blockSize) {
        final int sizeLog2 = 63 - Long.numberOfLeadingZeros(blockSize);
        final int fl = sizeLog2 - MIN_BLOCK_SIZE_LOG2;
        final int sli = sli();
        // Bring the bits just below the leading one to the bottom; a negative distance rotates left, which is
        // right for sizes whose slices are narrower than a byte.
        final int sl = (int) Long.rotateRight(blockSize, sizeLog2 - sli) & (slLen - 1);
        return (fl << sli) | sl;
    }

    /**
     * The first list whose every block is at least {@code blockSize} bytes: where a search for that size starts.
     *
     * @param blockSize a block size, {@value TlsfLayout#MIN_BLOCK_SIZE} to {@link #maxBlockSize()}
     * @return the list index {@code (fl << SLI) | sl}, at or above {@link #listCount()} if the size is above
     *         {@link #maxGoodFitBlockSize()}
     */
    public int mapCeil(final long blockSize) {
        final int sizeLog2 = 63 - Long.numberOfLeadingZeros(blockSize);
        final int sliceLog2 = sizeLog2 - sli();
        // Round up to the next slice boundary; slices narrower than a byte need no rounding.
        final long rounded = sliceLog2 > 0 ? blockSize + (1L << sliceLog2) - 1 : blockSize;
        return mapFloor(rounded);
    }

    /** @return the smallest block size list {@code listIndex} can hold (its range may hold no block size at all) */
    public long listLowerBound(final int listIndex) {
        final int sli = sli();
        final int sizeLog2 = (listIndex >>> sli) + MIN_BLOCK_SIZE_LOG2;
        final long slice = listIndex & (slLen - 1);
        if (sizeLog2 >= sli) {
            return (1L << sizeLog2) + (slice << (sizeLog2 - sli));
        }
        // Slices narrower than a byte: the first whole byte count at or above the slice's start.
        final int fractionBits = sli - sizeLog2;
        return (1L << sizeLog2) + ((slice + (1L << fractionBits) - 1) >>> fractionBits);
    }

    private static IllegalArgumentException outOfRange(final String parameter, final String name, final int value,
                                                       final int max) {
        return new IllegalArgumentException(parameter + " is out of range: " + name + "=" + value + ", min=1, max="
            + max);
    }
}

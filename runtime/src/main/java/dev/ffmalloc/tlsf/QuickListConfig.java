package dev.ffmalloc.tlsf;

/**
 * The limits of the quick lists a {@link Tlsf} heap keeps in front of its free lists (see {@link Tlsf}, "Quick
 * lists"): how many freed blocks of one size wait to be handed out again, up to which request size, and how many
 * bytes they may hold in all.
 *
 * <h2>Why these defaults</h2>
 * <ul>
 *   <li>depth 8: with allocations and frees of one size in random order, a list of depth {@code d} is empty at an
 *       allocation about {@code 1 / (d + 1)} of the time, so 8 serves about 9 in 10 from the list; glibc's tcache
 *       keeps 7;</li>
 *   <li>requests up to 4 KiB: a page, what most programs allocate often (glibc's tcache stops at 1 KiB; our
 *       benchmark W2 allocates up to 4 KiB); larger blocks are rarer and cost more to park;</li>
 *   <li>at most 8 MiB parked, and never more than an eighth of the heap: bounds what the lists keep away from
 *       merging, so a fixed heap's footprint grows by at most that much (the shared traces stay at 1.25 or better);
 *       8 MiB is what benchmark W2's 4,096 blocks of 16 B to 4 KiB park at depth 8 (about 2 MiB on average, with
 *       room for its swings). Whatever the limits, the heap parks no more than its free lists hold, and a heap that
 *       runs out of fitting free blocks takes every parked block back first.</li>
 * </ul>
 *
 * @param depth          blocks kept per size, 0 to {@link #MAX_DEPTH}; 0 turns the quick lists off
 * @param maxRequestSize the largest request (bytes) served from a quick list, 1 to {@link #MAX_REQUEST_SIZE}
 * @param maxBytes       the most bytes (headers included) all lists may hold together, not negative; a heap
 *                       lowers it to an eighth of its size
 */
public record QuickListConfig(int depth, long maxRequestSize, long maxBytes) {

    /** The deepest a list may be. */
    public static final int MAX_DEPTH = 64;

    /**
     * The largest request a quick list may serve. The lists are one Java array of {@code depth} addresses per block
     * size up to this, about 2 MiB of Java heap with the largest depth.
     */
    public static final long MAX_REQUEST_SIZE = 64 * 1024;

    /** The default limits; see the class comment. */
    public static final QuickListConfig DEFAULT = new QuickListConfig(8, 4096, 8L << 20);

    /** No quick lists: every free merges at once, as in the TLSF paper and rlsf. */
    public static final QuickListConfig OFF = new QuickListConfig(0, 1, 0);

    /**
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public QuickListConfig {
        if (depth < 0 || depth > MAX_DEPTH) {
            throw outOfRange("depth", depth, 0, MAX_DEPTH);
        }
        if (maxRequestSize < 1 || maxRequestSize > MAX_REQUEST_SIZE) {
            throw outOfRange("maxRequestSize", maxRequestSize, 1, MAX_REQUEST_SIZE);
        }
        if (maxBytes < 0) {
            throw outOfRange("maxBytes", maxBytes, 0, Long.MAX_VALUE);
        }
    }

    /** @return whether any block is ever parked */
    public boolean enabled() {
        return depth > 0 && maxBytes > 0;
    }

    /** @return the largest block size (header included) a list holds */
    public long maxBlockSize() {
        return TlsfLayout.blockSizeFor(maxRequestSize);
    }

    private static IllegalArgumentException outOfRange(final String name, final long value, final long min,
                                                       final long max) {
        return new IllegalArgumentException("quick list " + name + " is out of range: " + name + "=" + value
            + ", min=" + min + ", max=" + max);
    }
}

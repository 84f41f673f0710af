package dev.ffmalloc.bench.workload;

/**
 * The order in which W3 slab-objects frees its blocks (WORKLOADS.md): a Fisher-Yates shuffle of {@code 0..n-1}
 * driven by xorshift64* from {@link XorShift64Star#SEED0}, the same permutation every round.
 *
 * <pre>
 *   for i = n-1 down to 1: j = next() mod (i+1), unsigned; swap(perm[i], perm[j])
 * </pre>
 */
public final class FreeOrderPermutation {

    /** Blocks allocated and freed by one round of W3. */
    public static final int BLOCKS = 1_000_000;

    /** Size of every W3 block. */
    public static final long OBJECT_BYTE_SIZE = 48;

    /** Alignment of every W3 block. */
    public static final long BYTE_ALIGNMENT = 8;

    private FreeOrderPermutation() {
    }

    /**
     * @param count the number of elements, at least 1
     * @param seed  the xorshift64* seed ({@link XorShift64Star#SEED0} for W3)
     * @return a new permutation of {@code 0..count-1}
     */
    public static int[] shuffled(final int count, final long seed) {
        if (count < 1) {
            throw new IllegalArgumentException("permutation needs at least one element: count=" + count);
        }
        final int[] order = new int[count];
        for (int index = 0; index < count; index++) {
            order[index] = index;
        }
        final XorShift64Star random = new XorShift64Star(seed);
        for (int index = count - 1; index >= 1; index--) {
            final int other = (int) Long.remainderUnsigned(random.next(), index + 1L);
            final int kept = order[index];
            order[index] = order[other];
            order[other] = kept;
        }
        return order;
    }
}

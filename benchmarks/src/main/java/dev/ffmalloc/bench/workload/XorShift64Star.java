package dev.ffmalloc.bench.workload;

/**
 * The random numbers of every workload (WORKLOADS.md): xorshift64* with 64-bit unsigned arithmetic, so that the
 * same sizes, slots and orders come out here as in the C version of the workloads.
 *
 * <p>Java's {@code long} arithmetic wraps modulo 2^64 and {@code >>>} is the unsigned shift, which is exactly the
 * unsigned arithmetic the definition asks for.
 */
public final class XorShift64Star {

    /** The seed of thread 0: {@code 0x9E3779B97F4A7C15} (the 64-bit golden ratio). */
    public static final long SEED0 = 0x9E3779B97F4A7C15L;

    private static final long MULTIPLIER = 0x2545F4914F6CDD1DL;

    /** Never 0: xorshift maps 0 to 0 forever. */
    private long state;

    /**
     * @param seed the first state; not 0
     * @throws IllegalArgumentException if {@code seed} is 0
     */
    public XorShift64Star(final long seed) {
        if (seed == 0) {
            throw new IllegalArgumentException("xorshift64* seed must not be 0: seed=0");
        }
        this.state = seed;
    }

    /**
     * @param threadIndex the 0-based thread index {@code t}
     * @return the seed of thread {@code t}: {@code SEED0 * (t + 1)} modulo 2^64
     */
    public static long seedOfThread(final int threadIndex) {
        if (threadIndex < 0) {
            throw new IllegalArgumentException("thread index is negative: threadIndex=" + threadIndex);
        }
        return SEED0 * (threadIndex + 1L);
    }

    /** @return the next 64-bit output (all bits used, read as unsigned) */
    public long next() {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return x * MULTIPLIER;
    }
}

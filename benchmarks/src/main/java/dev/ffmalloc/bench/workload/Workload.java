package dev.ffmalloc.bench.workload;

/**
 * The workloads of WORKLOADS.md, with what a contender needs to know to open a heap for one of them.
 */
public enum Workload {

    /** W1 pair-fixed: allocate 64 bytes (alignment 8), store, free at once. */
    PAIR("W1", "pair-fixed", 1, 16L << 20, 64),

    /** W2 churn-random: {@link ChurnStep} over a live set of 4,096 slots. */
    CHURN("W2", "churn-random", 1, 64L << 20, ChurnStep.MAX_BYTE_SIZE),

    /** W3 slab-objects: a million 48-byte blocks allocated, then freed in {@link FreeOrderPermutation} order. */
    SLAB_OBJECTS("W3", "slab-objects", 1, 256L << 20, FreeOrderPermutation.OBJECT_BYTE_SIZE),

    /** W4 two-thread: W2 on two threads at once against one shared allocator. */
    TWO_THREAD_CHURN("W4", "two-thread", 2, 128L << 20, ChurnStep.MAX_BYTE_SIZE),

    /** Replays of the recorded traces (TRACES.md). */
    TRACE_REPLAY("traces", "trace replay", 1, 256L << 20, 0);

    private final String id;
    private final String title;
    private final int threads;
    private final long fixedHeapBytes;
    private final long largestBlockBytes;

    Workload(final String id, final String title, final int threads, final long fixedHeapBytes,
             final long largestBlockBytes) {
        this.id = id;
        this.title = title;
        this.threads = threads;
        this.fixedHeapBytes = fixedHeapBytes;
        this.largestBlockBytes = largestBlockBytes;
    }

    /** @return the short name of WORKLOADS.md ({@code W1}..{@code W4}, {@code traces}) */
    public String id() {
        return id;
    }

    /** @return the title of WORKLOADS.md */
    public String title() {
        return title;
    }

    /** @return the threads that share one allocator instance */
    public int threads() {
        return threads;
    }

    /**
     * @return the size of the fixed heap a project allocator gets: room for the largest live set with generous
     *         slack for headers and fragmentation (W2 holds at most 16 MiB live, W3 48 MB, the perl trace 22 MB)
     */
    public long fixedHeapBytes() {
        return fixedHeapBytes;
    }

    /** @return the largest block of the workload (0 for traces), the floor's distance between two slots */
    public long largestBlockBytes() {
        return largestBlockBytes;
    }
}

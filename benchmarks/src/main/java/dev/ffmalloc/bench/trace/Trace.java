package dev.ffmalloc.bench.trace;

/**
 * A parsed allocation trace (TRACES.md), held in primitive arrays so that a replay reads memory and nothing else:
 * operation {@code i} is {@code operations[i]} on block {@code blockIds[i]}, with {@code byteSizes[i]} and
 * {@code byteAlignments[i]}.
 *
 * <p>Invariants (checked by {@link TraceParser}): block IDs are dense ({@code 0..blockCount-1}, in order of first
 * allocation) and never reused; every {@link #FREE} and {@link #REALLOCATE} names a live block; a reallocation
 * carries the alignment its block was allocated with.
 */
public final class Trace {

    /** {@code a ID SIZE ALIGN}: allocate. */
    public static final byte ALLOCATE = 0;

    /** {@code f ID}: free (size and alignment are 0). */
    public static final byte FREE = 1;

    /** {@code r ID SIZE}: reallocate to SIZE, keeping the first {@code min(old, new)} bytes. */
    public static final byte REALLOCATE = 2;

    private final String name;
    private final String description;
    private final byte[] operations;
    private final int[] blockIds;
    private final long[] byteSizes;
    private final long[] byteAlignments;
    private final int blockCount;
    private final long peakLiveBytes;

    Trace(final String name, final String description, final byte[] operations, final int[] blockIds,
          final long[] byteSizes, final long[] byteAlignments, final int blockCount, final long peakLiveBytes) {
        this.name = name;
        this.description = description;
        this.operations = operations;
        this.blockIds = blockIds;
        this.byteSizes = byteSizes;
        this.byteAlignments = byteAlignments;
        this.blockCount = blockCount;
        this.peakLiveBytes = peakLiveBytes;
    }

    /** @return the trace's name (its file name without {@code .trace.gz}) */
    public String name() {
        return name;
    }

    /** @return the first comment of the file, without {@code #} (empty if none) */
    public String description() {
        return description;
    }

    /** @return the number of operations */
    public int operationCount() {
        return operations.length;
    }

    /** @return the number of distinct blocks (IDs {@code 0..blockCount-1}) */
    public int blockCount() {
        return blockCount;
    }

    /** @return the largest sum of live block sizes at any point of the trace */
    public long peakLiveBytes() {
        return peakLiveBytes;
    }

    /** @return {@link #ALLOCATE}, {@link #FREE} or {@link #REALLOCATE} for operation {@code index} */
    public byte operation(final int index) {
        return operations[index];
    }

    /** @return the block of operation {@code index} */
    public int blockId(final int index) {
        return blockIds[index];
    }

    /** @return the size of operation {@code index} (0 for a free) */
    public long byteSize(final int index) {
        return byteSizes[index];
    }

    /** @return the alignment of operation {@code index} (0 for a free) */
    public long byteAlignment(final int index) {
        return byteAlignments[index];
    }

    // Package-private views for the replay loop, which reads the arrays directly.

    byte[] operations() {
        return operations;
    }

    int[] blockIds() {
        return blockIds;
    }

    long[] byteSizes() {
        return byteSizes;
    }

    long[] byteAlignments() {
        return byteAlignments;
    }
}

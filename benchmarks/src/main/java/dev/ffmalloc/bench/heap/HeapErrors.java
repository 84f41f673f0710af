package dev.ffmalloc.bench.heap;

/** Exceptions of the benchmark heaps, in the project's message style; built on cold paths only. */
public final class HeapErrors {

    private HeapErrors() {
    }

    /** A workload's allocation found no room: the contender's heap is too small for the workload. */
    public static IllegalStateException noRoom(final long byteSize, final long byteAlignment) {
        return new IllegalStateException("contender heap has no room for a workload block: byteSize=" + byteSize
            + ", byteAlignment=" + byteAlignment);
    }

    /** A contender asked to serve a workload it does not declare. */
    public static IllegalArgumentException unsupported(final String contender, final String workload) {
        return new IllegalArgumentException("contender does not serve this workload: contender=" + contender
            + ", workload=" + workload);
    }
}

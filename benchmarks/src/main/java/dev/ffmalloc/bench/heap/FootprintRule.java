package dev.ffmalloc.bench.heap;

/** How a heap's footprint (the memory it needs at once) is measured during a trace replay. */
public enum FootprintRule {

    /**
     * A fixed heap: the end of the highest block ever handed out (address plus usable size) minus the heap's base,
     * i.e. the smallest heap that would have served the trace the same way.
     */
    HIGHEST_BLOCK_END("highest block end handed out minus heap base"),

    /** A growable heap: the high-water mark of the bytes it obtained from its source (its pools). */
    HEAP_BYTES_OBTAINED("high-water mark of pool bytes obtained from the source"),

    /** The heap does not say (the baselines): no footprint is reported. */
    NOT_MEASURED("not measured");

    private final String description;

    FootprintRule(final String description) {
        this.description = description;
    }

    /** @return the rule in words, for the results table */
    public String description() {
        return description;
    }
}

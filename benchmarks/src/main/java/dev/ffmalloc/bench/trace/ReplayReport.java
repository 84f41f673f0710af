package dev.ffmalloc.bench.trace;

/**
 * What one replay of a trace reports (TRACES.md).
 *
 * @param trace              the trace's name
 * @param operations         operations replayed
 * @param nanosPerOperation  time of the replay loop per operation, or {@code NaN} when the pass was not timed
 * @param peakLiveBytes      the largest sum of live block sizes (a property of the trace)
 * @param peakFootprintBytes the most memory the heap needed at once, by its {@code FootprintRule}; -1 if the heap
 *                           cannot tell
 * @param failures           allocations and reallocations the heap could not serve
 */
public record ReplayReport(String trace, long operations, double nanosPerOperation, long peakLiveBytes,
                           long peakFootprintBytes, long failures) {

    /**
     * @return footprint divided by peak live bytes (1.0 is perfect), or {@code NaN} if either is unknown or some
     *         request failed: a failed block never reached the heap, while the peak live bytes count the whole trace
     */
    public double footprintRatio() {
        if (peakFootprintBytes < 0 || peakLiveBytes <= 0 || failures > 0) {
            return Double.NaN;
        }
        return (double) peakFootprintBytes / peakLiveBytes;
    }

    /** @return this report with the time of a separate timed pass */
    public ReplayReport withNanosPerOperation(final double nanos) {
        return new ReplayReport(trace, operations, nanos, peakLiveBytes, peakFootprintBytes, failures);
    }
}

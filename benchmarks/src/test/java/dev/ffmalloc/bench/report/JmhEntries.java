package dev.ffmalloc.bench.report;

/** Entries of a JMH JSON result file, written by hand for the report's tests. */
final class JmhEntries {

    private JmhEntries() {
    }

    /** An entry with one-second iterations and no error figure. */
    static String entry(final String benchmark, final String mode, final String params, final double score,
                        final String unit, final String secondary) {
        return entry(benchmark, mode, params, score, "\"NaN\"", unit, secondary, "\"1 s\"");
    }

    /**
     * @param scoreError      the error as JSON text ({@code "\"NaN\""} or a number)
     * @param measurementTime the iteration length as JSON text ({@code "\"1 s\""}), or null to leave the field out
     */
    static String entry(final String benchmark, final String mode, final String params, final double score,
                        final String scoreError, final String unit, final String secondary,
                        final String measurementTime) {
        return """
            {"jmhVersion": "1.37", "benchmark": "dev.ffmalloc.bench.%s", "mode": "%s", "threads": 1, "forks": 1,
             "jvm": "/jdk/bin/java", "jvmArgs": [], "jdkVersion": "25.0.3", "vmName": "OpenJDK 64-Bit Server VM",
             "vmVersion": "25.0.3+9-LTS", "warmupIterations": 2, "warmupTime": "1 s", "warmupBatchSize": 1,
             "measurementIterations": 4, %s "measurementBatchSize": 1,
             "params": {%s},
             "primaryMetric": {"score": %s, "scoreError": %s, "scoreConfidence": ["NaN", "NaN"],
                               "scorePercentiles": {}, "scoreUnit": "%s", "rawData": [[1.0]]},
             "secondaryMetrics": {%s}}
            """.formatted(benchmark, mode, measurementTime == null ? "" : "\"measurementTime\": " + measurementTime
            + ",", params, score, scoreError, unit, secondary);
    }

    /** The {@code -prof gc} figure. */
    static String gc(final double bytesPerOperation) {
        return "\"\u00b7gc.alloc.rate.norm\": {\"score\": " + bytesPerOperation + ", \"scoreUnit\": \"B/op\"}";
    }

    /** The figures of {@code ReplayFiguresProfiler} for a replay without failures, with {@link #gc}. */
    static String replay(final double operations, final double peakLive, final double footprint,
                         final double bytesPerReplay) {
        return replay(operations, peakLive, footprint, bytesPerReplay, 0);
    }

    /** The figures of {@code ReplayFiguresProfiler}, with {@link #gc}; a footprint below 0 is "not measured". */
    static String replay(final double operations, final double peakLive, final double footprint,
                         final double bytesPerReplay, final double failures) {
        return gc(bytesPerReplay)
            + ", \"replay.operations\": {\"score\": " + operations + "}"
            + ", \"replay.peakLiveBytes\": {\"score\": " + peakLive + "}"
            + ", \"replay.peakFootprintBytes\": {\"score\": " + footprint + "}"
            + ", \"replay.footprintRatio\": {\"score\": " + (footprint < 0 ? -1 : footprint / peakLive) + "}"
            + ", \"replay.failures\": {\"score\": " + failures + "}";
    }
}

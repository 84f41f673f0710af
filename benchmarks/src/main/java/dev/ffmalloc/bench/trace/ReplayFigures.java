package dev.ffmalloc.bench.trace;

/**
 * The figures of the measuring pass of the trace replay running in this JVM, handed from the benchmark's setup to
 * {@code ReplayFiguresProfiler}, which reports them as secondary results of the JMH run (so that they land in the
 * same JSON file as the times).
 */
public final class ReplayFigures {

    private static volatile ReplayReport latest;

    private ReplayFigures() {
    }

    /** Publishes the report of a measuring pass. */
    public static void publish(final ReplayReport report) {
        latest = report;
    }

    /** @return the last published report, or null if no replay ran in this JVM */
    public static ReplayReport latest() {
        return latest;
    }
}

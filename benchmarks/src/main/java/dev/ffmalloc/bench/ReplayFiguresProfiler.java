package dev.ffmalloc.bench;

import dev.ffmalloc.bench.trace.ReplayFigures;
import dev.ffmalloc.bench.trace.ReplayReport;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.util.Collection;
import java.util.List;

/**
 * Reports the figures of a trace replay's measuring pass ({@link ReplayFigures}) as secondary results:
 * {@code replay.operations}, {@code replay.peakLiveBytes}, {@code replay.peakFootprintBytes} (-1 when the contender
 * cannot tell), {@code replay.footprintRatio} and {@code replay.failures}. They do not depend on timing, so every
 * iteration reports the same values. Benchmarks other than the replay get nothing.
 *
 * <p>Use: {@code -prof dev.ffmalloc.bench.ReplayFiguresProfiler} (the suite runner adds it).
 */
public final class ReplayFiguresProfiler implements InternalProfiler {

    /** Prefix of every result label. */
    public static final String PREFIX = "replay.";

    @Override
    public String getDescription() {
        return "peak live bytes, peak footprint and failures of a trace replay's measuring pass";
    }

    @Override
    public void beforeIteration(final BenchmarkParams benchmarkParams, final IterationParams iterationParams) {
        // The figures are published once, by the benchmark's trial setup.
    }

    @Override
    public Collection<? extends Result> afterIteration(final BenchmarkParams benchmarkParams,
                                                       final IterationParams iterationParams,
                                                       final IterationResult result) {
        final ReplayReport report = ReplayFigures.latest();
        if (report == null || !benchmarkParams.getBenchmark().startsWith(TraceReplayBenchmark.class.getName())) {
            return List.of();
        }
        final double ratio = report.footprintRatio();
        return List.of(
            figure("operations", report.operations(), "ops"),
            figure("peakLiveBytes", report.peakLiveBytes(), "B"),
            figure("peakFootprintBytes", report.peakFootprintBytes(), "B"),
            figure("footprintRatio", Double.isNaN(ratio) ? -1 : ratio, "ratio"),
            figure("failures", report.failures(), "count"));
    }

    private static ScalarResult figure(final String name, final double value, final String unit) {
        return new ScalarResult(PREFIX + name, value, unit, AggregationPolicy.MAX);
    }
}

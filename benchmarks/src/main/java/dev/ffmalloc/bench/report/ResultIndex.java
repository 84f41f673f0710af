package dev.ffmalloc.bench.report;

import dev.ffmalloc.bench.Contender;
import dev.ffmalloc.bench.trace.TraceFiles;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The results of one suite run, looked up the way the table needs them: by benchmark class, method, contender and
 * trace, with scores converted to common units.
 */
public final class ResultIndex {

    /**
     * Below this many Java heap bytes per operation a result counts as garbage-free: one 16-byte object every 100
     * operations would already show 0.16.
     */
    public static final double ZERO_GARBAGE_BYTES = 0.05;

    /**
     * What JMH itself allocates per measurement iteration (its timers, results and the GC profiler's sampling: about
     * 10 KiB on JDK 25) is spread over the iteration's operations, so a slow benchmark shows a few tenths of a byte
     * per operation that no allocator made. A result under 1 byte per operation whose bytes per iteration stay below
     * this bound counts as garbage-free too (1 byte or more per operation is an allocator's doing at any speed).
     */
    public static final double JMH_BYTES_PER_ITERATION = 16 * 1024;

    /** The suite's benchmark classes (simple names). */
    public static final String PAIR = "PairBenchmark";
    /** W2. */
    public static final String CHURN = "ChurnBenchmark";
    /** W3. */
    public static final String SLAB_OBJECTS = "SlabObjectsBenchmark";
    /** W4. */
    public static final String TWO_THREAD = "TwoThreadChurnBenchmark";
    /** Trace replays. */
    public static final String TRACE_REPLAY = "TraceReplayBenchmark";

    private static final Set<String> SUITE_CLASSES = Set.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD, TRACE_REPLAY);

    private final List<BenchmarkResult> results;

    /** @param results every entry of the result file */
    public ResultIndex(final List<BenchmarkResult> results) {
        this.results = List.copyOf(results);
    }

    /** @return every entry */
    public List<BenchmarkResult> all() {
        return results;
    }

    /** @return the entry of a suite benchmark for a contender (and trace, or null), or null if it did not run */
    public BenchmarkResult find(final String className, final String method, final String contender,
                                final String trace) {
        for (final BenchmarkResult result : results) {
            if (isSuite(result, className, method) && contender.equals(result.param("contender"))
                && (trace == null || trace.equals(result.param("trace")))) {
                return result;
            }
        }
        return null;
    }

    /** @return the contenders that ran a suite benchmark, in {@link Contender} order (unknown labels last) */
    public List<String> contenders(final String className, final String method) {
        final Set<String> labels = new LinkedHashSet<>();
        for (final BenchmarkResult result : results) {
            if (isSuite(result, className, method) && result.param("contender") != null) {
                labels.add(result.param("contender"));
            }
        }
        final List<String> ordered = new ArrayList<>(labels);
        ordered.sort(Comparator.comparingInt(ResultIndex::declarationOrder));
        return ordered;
    }

    /** @return the traces that were replayed, in the order of {@link TraceFiles#NAMES} (unknown names last) */
    public List<String> traces() {
        final Set<String> traces = new LinkedHashSet<>();
        for (final BenchmarkResult result : results) {
            if (isSuite(result, TRACE_REPLAY, "replay") && result.param("trace") != null) {
                traces.add(result.param("trace"));
            }
        }
        final List<String> ordered = new ArrayList<>(traces);
        ordered.sort(Comparator.comparingInt(trace -> TraceFiles.NAMES.contains(trace)
            ? TraceFiles.NAMES.indexOf(trace) : Integer.MAX_VALUE));
        return ordered;
    }

    /** @return the entries of benchmarks that are not the suite's own (x86 and any later ones) */
    public List<BenchmarkResult> others() {
        final List<BenchmarkResult> others = new ArrayList<>();
        for (final BenchmarkResult result : results) {
            if (!isSuiteClass(result)) {
                others.add(result);
            }
        }
        return others;
    }

    /** @return the score in nanoseconds per operation, for a time-per-operation score */
    public static double nanosPerOperation(final BenchmarkResult result) {
        return switch (result.scoreUnit()) {
            case "ns/op" -> result.score();
            case "us/op" -> result.score() * 1e3;
            case "ms/op" -> result.score() * 1e6;
            case "s/op" -> result.score() * 1e9;
            default -> throw new IllegalArgumentException("not a time per operation: unit=" + result.scoreUnit()
                + ", benchmark=" + result.benchmark());
        };
    }

    /** @return the score in millions of operations per second, for a throughput score */
    public static double millionsPerSecond(final BenchmarkResult result) {
        return switch (result.scoreUnit()) {
            case "ops/ns" -> result.score() * 1e3;
            case "ops/us" -> result.score();
            case "ops/ms" -> result.score() / 1e3;
            case "ops/s" -> result.score() / 1e6;
            default -> throw new IllegalArgumentException("not a throughput: unit=" + result.scoreUnit()
                + ", benchmark=" + result.benchmark());
        };
    }

    /** @return how many times faster {@code result} is than {@code reference} (both times or both throughputs) */
    public static double speedup(final BenchmarkResult result, final BenchmarkResult reference) {
        if (result == null || reference == null) {
            return Double.NaN;
        }
        if (result.scoreUnit().startsWith("ops/")) {
            return millionsPerSecond(result) / millionsPerSecond(reference);
        }
        return nanosPerOperation(reference) / nanosPerOperation(result);
    }

    /**
     * @return whether the result shows no garbage: below {@link #ZERO_GARBAGE_BYTES} per operation, or below 1
     *         byte per operation and {@link #JMH_BYTES_PER_ITERATION} per measurement iteration (a missing figure
     *         is not zero)
     */
    public static boolean isGarbageFree(final BenchmarkResult result) {
        final double bytesPerOperation = result.bytesPerOperation();
        return bytesPerOperation < ZERO_GARBAGE_BYTES
            || bytesPerOperation < 1 && bytesPerIteration(result) < JMH_BYTES_PER_ITERATION;
    }

    /**
     * @return Java heap bytes allocated per measurement iteration, from bytes per operation and the score; {@code NaN}
     *         if the iteration's length is unknown
     */
    public static double bytesPerIteration(final BenchmarkResult result) {
        if (result.measurementNanos() < 0) {
            return Double.NaN;
        }
        final double operationsPerIteration = result.scoreUnit().startsWith("ops/")
            ? millionsPerSecond(result) * 1e6 * result.measurementNanos() / 1e9
            : result.measurementNanos() / nanosPerOperation(result);
        return result.bytesPerOperation() * operationsPerIteration;
    }

    /** @return the contender of a label, or null if the label is not one of {@link Contender}'s */
    public static Contender contender(final String label) {
        for (final Contender contender : Contender.values()) {
            if (contender.label().equals(label)) {
                return contender;
            }
        }
        return null;
    }

    private static int declarationOrder(final String label) {
        final Contender contender = contender(label);
        return contender == null ? Integer.MAX_VALUE : contender.ordinal();
    }

    private static boolean isSuite(final BenchmarkResult result, final String className, final String method) {
        return isSuiteClass(result) && result.className().equals(className) && result.method().equals(method);
    }

    private static boolean isSuiteClass(final BenchmarkResult result) {
        return result.packageName().equals("dev.ffmalloc.bench") && SUITE_CLASSES.contains(result.className());
    }
}

package dev.ffmalloc.bench.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static dev.ffmalloc.bench.report.JmhEntries.entry;
import static dev.ffmalloc.bench.report.JmhEntries.gc;
import static dev.ffmalloc.bench.report.JmhEntries.replay;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Result files that are incomplete or unusual: a target the run did not measure says so rather than "met", and the
 * tables show "-" rather than a wrong or NaN figure.
 */
final class ReportEdgeCasesTest {

    private static final List<String> TRACES = List.of("ls-recursive", "perl-hash", "python-wordcount");

    private static String traceEntry(final String contender, final String trace, final String figures) {
        return entry("TraceReplayBenchmark.replay", "avgt", "\"contender\": \"" + contender + "\", \"trace\": \""
            + trace + "\"", 100.0, "us/op", figures);
    }

    private static String contender(final String label) {
        return "\"contender\": \"" + label + "\"";
    }

    /** @return W3's allocation and free entries of {@code label}, 10 ns each, with {@code figures} */
    private static List<String> slabHalves(final String label, final String figures) {
        return List.of(entry("SlabObjectsBenchmark.allocation", "avgt", contender(label), 10.0, "ns/op", figures),
            entry("SlabObjectsBenchmark.free", "avgt", contender(label), 10.0, "ns/op", figures));
    }

    private static Targets.Target target(final List<String> entries, final String goalStart) {
        for (final Targets.Target target : Targets.evaluate(new ResultIndex(BenchmarkResult.readAll(
            "[" + String.join(",", entries) + "]")))) {
            if (target.goal().startsWith(goalStart)) {
                return target;
            }
        }
        throw new AssertionError("no target starts with: " + goalStart);
    }

    private static String row(final List<String> entries, final String start) {
        return ResultsTable.render(BenchmarkResult.readAll("[" + String.join(",", entries) + "]"), new Properties(),
            "x.json").lines().filter(line -> line.startsWith(start)).findFirst().orElseThrow();
    }

    @Test
    void aReplayWithFailedRequestsDoesNotCountForTheFootprintTarget() {
        final List<String> entries = new ArrayList<>();
        for (final String trace : TRACES) {
            entries.add(traceEntry("malloc", trace, replay(1000, 1_000_000, -1, 0)));
            // The failed blocks never reached the heap, so its footprint looks better than perfect: 0.6.
            entries.add(traceEntry("tlsf", trace, replay(1000, 1_000_000, 600_000, 0, 5_000)));
        }
        final Targets.Target footprint = target(entries, "TLSF footprint");
        assertEquals(Targets.Status.NOT_MEASURED, footprint.status(), footprint.toString());
        assertEquals("no contender replayed every trace (ls-recursive, perl-hash, python-wordcount) without a failed"
            + " request", footprint.measured());
    }

    @Test
    void aRunMissingAShippedTraceHasNotMeasuredTheFootprintTargets() {
        final List<String> entries = List.of(traceEntry("malloc", "ls-recursive", replay(1000, 1_000_000, -1, 0)),
            traceEntry("tlsf", "ls-recursive", replay(1000, 1_000_000, 1_100_000, 0)));
        assertEquals(Targets.Status.NOT_MEASURED, target(entries, "TLSF footprint").status());
        assertEquals(Targets.Status.NOT_MEASURED, target(entries, "Traces: footprint").status());
    }

    @Test
    void slabCachesThatMakeGarbageMissTheSlabTarget() {
        final List<String> entries = new ArrayList<>();
        entries.addAll(slabHalves("malloc", gc(0)));
        entries.addAll(slabHalves("slab", gc(24)));
        assertEquals(Targets.Status.MISSED, target(entries, "W3: slab").status());
    }

    @Test
    void aRunWithoutTheGcProfilerHasNotMeasuredTheGarbageTargets() {
        final List<String> entries = List.of(
            entry("ChurnBenchmark.step", "avgt", contender("malloc"), 200.0, "ns/op", ""),
            entry("ChurnBenchmark.step", "avgt", contender("tlsf"), 50.0, "ns/op", ""));
        final Targets.Target tlsfW2 = target(entries, "TLSF W2");
        assertEquals(Targets.Status.NOT_MEASURED, tlsfW2.status());
        assertEquals("no eligible result at 0 B/op (some results have no B/op figure: run with -prof gc)",
            tlsfW2.measured());
        assertEquals(Targets.Status.NOT_MEASURED, target(entries, "Every project allocator").status());
    }

    /** A contender left out for want of its B/op figure might have met the target: not measured, unless one met it. */
    @Test
    void aTargetMissedWhileSomeResultsLackTheirGcFigureIsNotMeasured() {
        final List<String> churn = List.of(
            entry("ChurnBenchmark.step", "avgt", contender("malloc"), 200.0, "ns/op", gc(0)),
            entry("ChurnBenchmark.step", "avgt", contender("tlsf"), 150.0, "ns/op", gc(0)),
            entry("ChurnBenchmark.step", "avgt", contender("buddy"), 50.0, "ns/op", ""));
        final Targets.Target w2 = target(churn, "W2: the best general-purpose");
        assertEquals(Targets.Status.NOT_MEASURED, w2.status());
        assertEquals("tlsf: 1.33x (some results have no B/op figure: run with -prof gc)", w2.measured());
        final List<String> churnMet = List.of(churn.get(0), churn.get(2),
            entry("ChurnBenchmark.step", "avgt", contender("tlsf"), 80.0, "ns/op", gc(0)));
        assertEquals(Targets.Status.MET, target(churnMet, "W2: the best general-purpose").status());
        final List<String> slabs = new ArrayList<>();
        slabs.addAll(slabHalves("malloc", gc(0)));
        slabs.addAll(slabHalves("slab", gc(24)));
        slabs.addAll(slabHalves("slab-16k-masked", ""));
        assertEquals(Targets.Status.NOT_MEASURED, target(slabs, "W3: slab").status());
    }

    @Test
    void realGarbageUnderOneByteIsRounded() {
        // 0.12377 B/op at 10 ns/op over 1 s: 12 MB per iteration, real garbage, shown rounded.
        final List<String> entries = List.of(entry("ChurnBenchmark.step", "avgt", contender("malloc"), 200.0,
            "ns/op", gc(0)), entry("ChurnBenchmark.step", "avgt", contender("buddy"), 10.0, "ns/op", gc(0.12377)));
        assertEquals("| buddy, in-band, 16 B min block (`buddy`) | project | 10.0 | - | 20.00x | 0.124 |",
            row(entries, "| buddy"));
    }

    @Test
    void aRunOfSomeWorkloadsHasNotMeasuredTheGarbageTargetOfAll() {
        final List<String> entries = List.of(entry("PairBenchmark.pair", "avgt", contender("malloc"), 20.0, "ns/op",
            gc(0)), entry("PairBenchmark.pair", "avgt", contender("tlsf"), 10.0, "ns/op", gc(0)));
        final Targets.Target zero = target(entries, "Every project allocator");
        assertEquals(Targets.Status.NOT_MEASURED, zero.status());
        assertEquals("W2 not run, W3 alloc not run, W3 free not run, W4 not run", zero.measured());
    }

    /** 0.9 B/op at 10 ns/op is 90 MB per one-second iteration: garbage, whatever the file says of the iteration. */
    @Test
    void garbageIsNotTakenForJmhsOwnWhenTheIterationLengthIsMissingOrLong() {
        for (final String time : new String[] {"\"1 s\"", "\"1 hr\"", "\"1 day\"", "\"forever\"", null}) {
            final List<String> entries = List.of(
                entry("PairBenchmark.pair", "avgt", contender("malloc"), 20.0, "\"NaN\"", "ns/op", gc(0), time),
                entry("PairBenchmark.pair", "avgt", contender("tlsf"), 10.0, "\"NaN\"", "ns/op", gc(0.9), time));
            final Targets.Target zero = target(entries, "Every project allocator");
            assertEquals(Targets.Status.MISSED, zero.status(), "measurementTime=" + time + ": " + zero);
        }
    }

    @Test
    void aReplayWithoutItsFiguresShowsDashes() {
        final List<String> entries = List.of(traceEntry("malloc", "perl-hash", gc(0)),
            traceEntry("tlsf", "perl-hash", gc(0)));
        assertEquals("| perl-hash | TLSF, default configuration, one pool (`tlsf`) | - | 1.00x | - | - | - | - | - |",
            row(entries, "| perl-hash | TLSF"));
    }

    @Test
    void jmhsOwnGarbageIsShownUnderOneByte() {
        // 0.9996 B/op at 100,000 ns/op: 10,000 operations and 9,996 bytes per iteration, JMH's own.
        final List<String> entries = List.of(entry("ChurnBenchmark.step", "avgt", contender("malloc"), 200.0, "ns/op",
            gc(0)), entry("ChurnBenchmark.step", "avgt", contender("linked-list"), 100_000.0, "ns/op", gc(0.9996)));
        assertEquals("| linked-list first fit (`linked-list`) | project | 100,000 | - | 0.00x | ~0 (0.999) |",
            row(entries, "| linked-list"));
    }

    @Test
    void theErrorIsShownInTheUnitOfTheScoreBesideIt() {
        // 0.02 us/op +- 0.001 us is 20.0 ns/op +- 1.0 ns; 0.01 ops/ns +- 0.002 is 10.0 Msteps/s +- 2.0.
        final List<String> entries = List.of(
            entry("PairBenchmark.pair", "avgt", contender("malloc"), 0.02, "0.001", "us/op", gc(0), "\"1 s\""),
            entry("TwoThreadChurnBenchmark.step", "thrpt", contender("malloc"), 0.01, "0.002", "ops/ns", gc(0),
                "\"1 s\""));
        assertEquals("| malloc/free downcall (`malloc`) | baseline | 20.0 | 1.0 | 1.00x | 0 |",
            row(entries.subList(0, 1), "| malloc/free downcall"));
        assertEquals("| malloc/free downcall (`malloc`) | baseline | 10.0 | 2.0 | 1.00x | 0 |",
            row(entries.subList(1, 2), "| malloc/free downcall"));
    }

    @Test
    void anEntryWithoutItsBenchmarkNameIsRefusedByName() {
        final String entry = entry("PairBenchmark.pair", "avgt", contender("malloc"), 20.0, "ns/op", gc(0))
            .replace("\"benchmark\": \"dev.ffmalloc.bench.PairBenchmark.pair\",", "");
        assertEquals("JMH result entry lacks a field: field=benchmark", assertThrows(IllegalArgumentException.class,
            () -> BenchmarkResult.readAll("[" + entry + "]")).getMessage());
        final String nameless = entry("PairBenchmark.pair", "avgt", contender("malloc"), 20.0, "ns/op", gc(0))
            .replace("dev.ffmalloc.bench.PairBenchmark.pair", "pair");
        assertEquals("JMH result entry names no class and method: benchmark=pair", assertThrows(
            IllegalArgumentException.class, () -> BenchmarkResult.readAll("[" + nameless + "]")).getMessage());
        assertFalse(entry.contains("\"benchmark\""));
    }
}

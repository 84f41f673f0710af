package dev.ffmalloc.bench.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static dev.ffmalloc.bench.report.JmhEntries.entry;
import static dev.ffmalloc.bench.report.JmhEntries.gc;
import static dev.ffmalloc.bench.report.JmhEntries.replay;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table and the targets from a small hand-written JMH result file whose ratios are worked out by hand.
 */
final class ResultsTableTest {

    private static List<BenchmarkResult> sampleRun() {
        final List<String> entries = new ArrayList<>();
        entries.add(entry("PairBenchmark.pair", "avgt", "\"contender\": \"malloc\"", 20.0, "ns/op", gc(0.001)));
        entries.add(entry("PairBenchmark.pair", "avgt", "\"contender\": \"tlsf\"", 8.0, "ns/op", gc(0.002)));
        entries.add(entry("PairBenchmark.pair", "avgt", "\"contender\": \"floor\"", 4.0, "ns/op", gc(0.0)));
        entries.add(entry("ChurnBenchmark.step", "avgt", "\"contender\": \"malloc\"", 200.0, "ns/op", gc(0.0)));
        entries.add(entry("ChurnBenchmark.step", "avgt", "\"contender\": \"buddy\"", 50.0, "ns/op", gc(16.0)));
        entries.add(entry("ChurnBenchmark.step", "avgt", "\"contender\": \"tlsf\"", 90.0, "ns/op", gc(0.01)));
        // 0.12 B/op over 1 s / 12,000 ns = 83,333 operations: 10,000 bytes per iteration, JMH's own.
        entries.add(entry("ChurnBenchmark.step", "avgt", "\"contender\": \"linked-list\"", 12_000.0, "ns/op",
            gc(0.12)));
        entries.add(entry("TwoThreadChurnBenchmark.step", "thrpt", "\"contender\": \"malloc\"", 10.0, "ops/us",
            gc(0.0)));
        entries.add(entry("TwoThreadChurnBenchmark.step", "thrpt", "\"contender\": \"tlsf\"", 25.0, "ops/us",
            gc(0.0)));
        // 0.2 B/op over 1 s at 2 ops/us: 400,000 bytes per iteration, real garbage.
        entries.add(entry("TwoThreadChurnBenchmark.step", "thrpt", "\"contender\": \"buddy\"", 2.0, "ops/us",
            gc(0.2)));
        entries.add(entry("TraceReplayBenchmark.replay", "avgt", "\"contender\": \"malloc\", \"trace\": \"perl-hash\"",
            1000.0, "us/op", replay(10_000, 1_000_000, -1, 50)));
        entries.add(entry("TraceReplayBenchmark.replay", "avgt", "\"contender\": \"tlsf\", \"trace\": \"perl-hash\"",
            500.0, "us/op", replay(10_000, 1_000_000, 1_200_000, 50)));
        entries.add(entry("TraceReplayBenchmark.replay", "avgt",
            "\"contender\": \"tlsf\", \"trace\": \"ls-recursive\"", 100.0, "us/op",
            replay(2_000, 100_000, 140_000, 0)));
        entries.add(entry("TraceReplayBenchmark.replay", "avgt",
            "\"contender\": \"tlsf\", \"trace\": \"python-wordcount\"", 300.0, "us/op",
            replay(5_000, 500_000, 550_000, 0)));
        entries.add(entry("x86.PagingBenchmark.walk", "avgt", "\"levels\": \"4\"", 12.5, "ns/op", gc(0.0)));
        return BenchmarkResult.readAll("[" + String.join(",", entries) + "]");
    }

    @Test
    void targetsAreJudgedAgainstMallocOfTheSameRun() {
        final List<Targets.Target> targets = Targets.evaluate(new ResultIndex(sampleRun()));
        // W1: 20 / 8 = 2.5 for the only project allocator.
        assertEquals("tlsf: 2.50x", targets.get(0).measured());
        assertEquals(Targets.Status.MET, targets.get(0).status());
        // W2: buddy is 4x faster but makes 16 B/op of garbage; tlsf (0.01 B/op counts as 0): 200 / 90 = 2.22.
        assertEquals("tlsf: 2.22x", targets.get(1).measured());
        assertEquals(Targets.Status.MET, targets.get(1).status());
        // Traces: tlsf 1.2 on perl-hash, 1.4 on ls-recursive and 1.1 on python-wordcount; its worst is above 1.3.
        assertEquals("tlsf: worst 1.40 over 3 traces", targets.get(2).measured());
        assertEquals(Targets.Status.MISSED, targets.get(2).status());
        assertEquals(Targets.Status.NOT_MEASURED, targets.get(3).status(), "no slab result");
        assertEquals("tlsf: 2.50x", targets.get(4).measured());
        assertEquals(Targets.Status.MET, targets.get(4).status());
        assertEquals(Targets.Status.MISSED, targets.get(6).status());
        assertEquals("buddy W2 (16.000 B/op), buddy W4 (0.200 B/op)", targets.get(7).measured());
        assertEquals(Targets.Status.MISSED, targets.get(7).status());
    }

    @Test
    void theSlabTargetJudgesTheSlowerHalfOfTheBestCacheAndNamesTheFloorOfAFree() {
        final List<String> entries = new ArrayList<>();
        for (final String[] result : new String[][] {
            {"malloc", "200.0", "300.0"}, {"slab", "25.0", "100.0"}, {"slab-16k-native", "40.0", "75.0"},
            {"floor-slab-free", "4.0", "40.0"}}) {
            entries.add(entry("SlabObjectsBenchmark.allocation", "avgt", "\"contender\": \"" + result[0] + "\"",
                Double.parseDouble(result[1]), "ns/op", gc(0.0)));
            entries.add(entry("SlabObjectsBenchmark.free", "avgt", "\"contender\": \"" + result[0] + "\"",
                Double.parseDouble(result[2]), "ns/op", gc(0.0)));
        }
        final Targets.Target slab = Targets.evaluate(new ResultIndex(BenchmarkResult.readAll(
            "[" + String.join(",", entries) + "]"))).get(3);
        // slab: 8x and 3x, worst 3x; slab-16k-native: 5x and 4x, worst 4x; the floor is a baseline, never the best.
        assertEquals("slab-16k-native: allocation 5.00x, free 4.00x (floor-slab-free: 7.50x)", slab.measured());
        assertEquals(Targets.Status.MISSED, slab.status());
    }

    @Test
    void uncheckedContendersAreShownBesideTheTargetsButNeverJudged() {
        final List<String> entries = new ArrayList<>();
        entries.add(entry("PairBenchmark.pair", "avgt", "\"contender\": \"malloc\"", 20.0, "ns/op", gc(0.0)));
        entries.add(entry("PairBenchmark.pair", "avgt", "\"contender\": \"tlsf\"", 25.0, "ns/op", gc(0.0)));
        entries.add(entry("PairBenchmark.pair", "avgt", "\"contender\": \"tlsf-unchecked\"", 10.0, "ns/op",
            gc(0.0)));
        for (final String[] result : new String[][] {
            {"malloc", "200.0", "300.0"}, {"slab-16k-masked", "40.0", "100.0"},
            {"slab-16k-masked-unchecked", "20.0", "50.0"}}) {
            entries.add(entry("SlabObjectsBenchmark.allocation", "avgt", "\"contender\": \"" + result[0] + "\"",
                Double.parseDouble(result[1]), "ns/op", gc(0.0)));
            entries.add(entry("SlabObjectsBenchmark.free", "avgt", "\"contender\": \"" + result[0] + "\"",
                Double.parseDouble(result[2]), "ns/op", gc(0.0)));
        }
        final List<Targets.Target> targets = Targets.evaluate(new ResultIndex(BenchmarkResult.readAll(
            "[" + String.join(",", entries) + "]")));
        // W1 (#3): tlsf, 20 / 25 = 0.8; the unchecked 2x is not a project allocator as shipped.
        assertEquals("tlsf: 0.80x", targets.get(0).measured());
        assertEquals(Targets.Status.MISSED, targets.get(0).status());
        // W3: 5x and 3x checked, judged; 10x and 6x unchecked, beside it.
        assertEquals("slab-16k-masked: allocation 5.00x, free 3.00x (unchecked memory, not judged:"
            + " slab-16k-masked-unchecked: allocation 10.00x, free 6.00x)", targets.get(3).measured());
        assertEquals(Targets.Status.MISSED, targets.get(3).status());
        // TLSF W1: 0.8x judged, 2x beside it.
        assertEquals("tlsf: 0.80x (unchecked memory, not judged: tlsf-unchecked: 2.00x)", targets.get(4).measured());
        assertEquals(Targets.Status.MISSED, targets.get(4).status());
    }

    @Test
    void tablesShowScoresRatiosBytesFootprintsAndOtherBenchmarks() {
        final Properties machine = new Properties();
        machine.setProperty("cpus", "2");
        machine.setProperty("cpuModel", "AMD EPYC");
        machine.setProperty("os", "Linux 6.1 amd64");
        machine.setProperty("date", "2026-11-22T04:00:00Z");
        final String table = ResultsTable.render(sampleRun(), machine, "results/suite-1.json");
        assertTrue(table.contains("- Machine: 2 CPUs (nproc), AMD EPYC, Linux 6.1 amd64; run at 2026-11-22T04:00:00Z"),
            table);
        assertTrue(table.contains("- JDK: 25.0.3 OpenJDK 64-Bit Server VM 25.0.3+9-LTS; JMH per benchmark, `-prof gc`:"
            + " 1 fork(s), 2 x 1 s warm-up, 4 x 1 s measured (PairBenchmark, "), table);
        assertTrue(!table.contains("Smoke run"), table);
        assertTrue(table.contains("| TLSF, default configuration, one pool (`tlsf`) | project | 8.0 | - | 2.50x | 0 |"),
            table);
        assertTrue(table.contains("| floor (same stores, no allocation) (`floor`) | baseline | 4.0 | - | 5.00x | 0 |"),
            table);
        assertTrue(table.contains("| buddy, in-band, 16 B min block (`buddy`) | project | 50.0 | - | 4.00x | 16.0 |"),
            table);
        assertTrue(table.contains("| linked-list first fit (`linked-list`) | project | 12,000 | - | 0.02x |"
            + " ~0 (0.120) |"), table);
        assertTrue(table.contains("| buddy, in-band, 16 B min block (`buddy`) | project | 2.0 | - | 0.20x | 0.200 |"),
            table);
        // W4: throughput, 25 / 10.
        assertTrue(table.contains("| TLSF, default configuration, one pool (`tlsf`) | project | 25.0 | - | 2.50x | 0 |"),
            table);
        // perl-hash: 500 us / 10,000 ops = 50 ns/op; 1000 / 500 = 2x; 1,200,000 B = 1,172 KiB; 50 B / 10,000 ops.
        assertTrue(table.contains("| perl-hash | TLSF, default configuration, one pool (`tlsf`) | 50.0 | 2.00x | 977 KiB"
            + " | 1,172 KiB | 1.20 | 0 | 0 |"), table);
        assertTrue(table.contains("| perl-hash | malloc/free downcall (`malloc`) | 100.0 | 1.00x | 977 KiB |"
            + " not measured | - | 0 | 0 |"), table);
        assertTrue(table.indexOf("| ls-recursive |") < table.indexOf("| perl-hash |"), "traces in TRACES.md order");
        assertTrue(table.contains("### dev.ffmalloc.bench.x86.PagingBenchmark"), table);
        assertTrue(table.contains("| walk | {levels=4} | avgt | 1 | 12.5 | - | ns/op | 0 |"), table);
        assertTrue(table.contains("W3 slab-objects\n\nns per allocation"), table);
        assertTrue(table.contains("| #4 | W3: slab allocation and free each >= 5x faster than malloc, at 0 B/op |"
            + " no slab result at 0 B/op with its malloc reference | not measured |"), table);
    }

    @Test
    void shortIterationsAreFlaggedAsASmokeRun() {
        final String smoke = entry("PairBenchmark.pair", "avgt", "\"contender\": \"malloc\"", 20.0, "ns/op", gc(0))
            .replace("\"1 s\"", "\"200 ms\"");
        final String table = ResultsTable.render(BenchmarkResult.readAll("[" + smoke + "]"), new Properties(),
            "x.json");
        assertTrue(table.contains("> **Smoke run**"), table);
        assertTrue(table.contains("- Machine: ? CPUs (nproc), CPU model not recorded"), table);
    }
}

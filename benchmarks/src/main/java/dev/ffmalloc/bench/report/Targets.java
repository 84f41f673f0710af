package dev.ffmalloc.bench.report;

import dev.ffmalloc.bench.Contender;
import dev.ffmalloc.bench.trace.TraceFiles;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import static dev.ffmalloc.bench.report.ResultIndex.CHURN;
import static dev.ffmalloc.bench.report.ResultIndex.PAIR;
import static dev.ffmalloc.bench.report.ResultIndex.SLAB_OBJECTS;
import static dev.ffmalloc.bench.report.ResultIndex.TRACE_REPLAY;
import static dev.ffmalloc.bench.report.ResultIndex.TWO_THREAD;

/**
 * The performance targets of issues 3 and 4, judged from one run: every ratio is against the malloc downcall of the
 * same run.
 */
public final class Targets {

    /** Whether a target is met. */
    public enum Status {
        /** Measured and met. */
        MET("met"),
        /** Measured and missed. */
        MISSED("**not met**"),
        /** Some figure it needs is not in the run. */
        NOT_MEASURED("not measured");

        private final String text;

        Status(final String text) {
            this.text = text;
        }

        /** @return the status as the table shows it */
        public String text() {
            return text;
        }
    }

    /**
     * One target and what the run shows.
     *
     * @param issue    the issue that sets it
     * @param goal     the target in words
     * @param measured the deciding figures
     * @param status   met or not
     */
    public record Target(String issue, String goal, String measured, Status status) {
    }

    private static final String REFERENCE = Contender.REFERENCE.label();
    private static final double FOOTPRINT_LIMIT = 1.3;

    private Targets() {
    }

    /** @return every target, judged on {@code index} */
    public static List<Target> evaluate(final ResultIndex index) {
        // The speed targets judge the library as it ships; unchecked memory, an opt-in, is shown beside TLSF and
        // slab. The garbage target counts every project contender, unchecked ones too.
        final Predicate<Contender> checked = contender -> !contender.runsUnchecked();
        final Predicate<Contender> project = checked.and(Contender::isProject);
        final Predicate<Contender> general =
            checked.and(contender -> contender.family() == Contender.Family.GENERAL_PURPOSE);
        final Predicate<Contender> tlsf = checked.and(contender -> contender.label().startsWith("tlsf"));
        final Predicate<Contender> uncheckedTlsf = contender -> contender.runsUnchecked()
            && contender.label().startsWith("tlsf");
        final List<Target> targets = new ArrayList<>();
        targets.add(speedTarget(index, "#3", "W1: the fastest project allocator >= 2x faster than malloc", PAIR,
            "pair", project, 2.0, false));
        targets.add(speedTarget(index, "#3", "W2: the best general-purpose project allocator >= 2x faster than"
            + " malloc, at 0 B/op", CHURN, "step", general, 2.0, true));
        targets.add(footprintTarget(index, "#3", "Traces: footprint ratio <= 1.3 on every trace (best"
            + " general-purpose allocator)", general));
        targets.add(slabTarget(index));
        targets.add(withNote(speedTarget(index, "#4", "TLSF W1 >= 1.5x faster than malloc", PAIR, "pair", tlsf, 1.5,
            false), uncheckedNote(speedTarget(index, "", "", PAIR, "pair", uncheckedTlsf, 1.5, false))));
        targets.add(withNote(speedTarget(index, "#4", "TLSF W2 >= 2x faster than malloc, at 0 B/op", CHURN, "step",
            tlsf, 2.0, true), uncheckedNote(speedTarget(index, "", "", CHURN, "step", uncheckedTlsf, 2.0, true))));
        targets.add(footprintTarget(index, "#4", "TLSF footprint ratio <= 1.3 on every trace", tlsf));
        targets.add(zeroGarbageTarget(index));
        return targets;
    }

    private static Target speedTarget(final ResultIndex index, final String issue, final String goal,
                                      final String className, final String method,
                                      final Predicate<Contender> eligible, final double minimum,
                                      final boolean garbageFree) {
        final BenchmarkResult reference = index.find(className, method, REFERENCE, null);
        String bestLabel = null;
        double bestSpeedup = Double.NEGATIVE_INFINITY;
        boolean garbageUnknown = false;
        for (final String label : eligibleContenders(index, className, method, eligible)) {
            final BenchmarkResult result = index.find(className, method, label, null);
            if (garbageFree && Double.isNaN(result.bytesPerOperation())) {
                garbageUnknown = true;
                continue;
            }
            if (garbageFree && !ResultIndex.isGarbageFree(result)) {
                continue;
            }
            final double speedup = ResultIndex.speedup(result, reference);
            if (speedup > bestSpeedup) {
                bestSpeedup = speedup;
                bestLabel = label;
            }
        }
        final String unknownNote = garbageUnknown ? " (some results have no B/op figure: run with -prof gc)" : "";
        if (reference == null || bestLabel == null || Double.isNaN(bestSpeedup)) {
            final boolean measured = reference != null && !eligibleContenders(index, className, method, eligible)
                .isEmpty();
            return new Target(issue, goal, "no eligible result" + (garbageFree ? " at 0 B/op" : "") + unknownNote,
                verdict(false, measured, garbageUnknown));
        }
        return new Target(issue, goal, bestLabel + ": " + ratio(bestSpeedup) + unknownNote,
            verdict(bestSpeedup >= minimum, true, garbageUnknown));
    }

    /**
     * @return met if {@code met}; else not measured if the run lacks what it needs, or if a result left out for a
     *         missing B/op figure might have met it; else missed
     */
    private static Status verdict(final boolean met, final boolean measured, final boolean garbageUnknown) {
        if (met) {
            return Status.MET;
        }
        return measured && !garbageUnknown ? Status.MISSED : Status.NOT_MEASURED;
    }

    private static Target footprintTarget(final ResultIndex index, final String issue, final String goal,
                                          final Predicate<Contender> eligible) {
        // Every shipped trace, whichever the run holds: a trace that failed to replay for every contender is missing.
        final List<String> traces = TraceFiles.NAMES;
        String bestLabel = null;
        double bestWorstRatio = Double.POSITIVE_INFINITY;
        for (final String label : eligibleContenders(index, TRACE_REPLAY, "replay", eligible)) {
            double worstRatio = 0;
            for (final String trace : traces) {
                final BenchmarkResult result = index.find(TRACE_REPLAY, "replay", label, trace);
                // A replay with failed requests did not replay the trace (its heap never held the failed blocks).
                final double ratio = result == null || !(result.secondary("replay.failures") == 0) ? Double.NaN
                    : result.secondary("replay.footprintRatio");
                worstRatio = ratio > 0 ? Math.max(worstRatio, ratio) : Double.NaN;
                if (Double.isNaN(worstRatio)) {
                    break;
                }
            }
            if (!Double.isNaN(worstRatio) && worstRatio < bestWorstRatio) {
                bestWorstRatio = worstRatio;
                bestLabel = label;
            }
        }
        if (bestLabel == null) {
            return new Target(issue, goal, "no contender replayed every trace (" + String.join(", ", traces)
                + ") without a failed request", Status.NOT_MEASURED);
        }
        return new Target(issue, goal, bestLabel + ": worst " + String.format(Locale.ROOT, "%.2f", bestWorstRatio)
            + " over " + traces.size() + " traces", bestWorstRatio <= FOOTPRINT_LIMIT ? Status.MET : Status.MISSED);
    }

    /** @return {@code target} with {@code notes} (the empty ones dropped) in one parenthesis after its figure */
    private static Target withNote(final Target target, final String... notes) {
        final List<String> shown = new ArrayList<>();
        for (final String note : notes) {
            if (!note.isEmpty()) {
                shown.add(note);
            }
        }
        return shown.isEmpty() ? target : new Target(target.issue(), target.goal(),
            target.measured() + " (" + String.join("; ", shown) + ")", target.status());
    }

    /**
     * @return what the best unchecked contender measured, as a note; empty if none ran. Only its figure is used:
     *         its own status (against the same minimum) is not a verdict
     */
    private static String uncheckedNote(final Target unchecked) {
        return unchecked.status() == Status.NOT_MEASURED ? "" : "unchecked memory, not judged: " + unchecked.measured();
    }

    private static Target slabTarget(final ResultIndex index) {
        final Target checked = slabTarget(index, false);
        return checked.status() == Status.NOT_MEASURED ? checked : withNote(checked, floorOfSlabFree(index),
            uncheckedNote(slabTarget(index, true)));
    }

    /** @return the slab target judged on the slab contenders that run {@code unchecked} or not */
    private static Target slabTarget(final ResultIndex index, final boolean unchecked) {
        final String goal = "W3: slab allocation and free each >= 5x faster than malloc, at 0 B/op";
        final BenchmarkResult allocReference = index.find(SLAB_OBJECTS, "allocation", REFERENCE, null);
        final BenchmarkResult freeReference = index.find(SLAB_OBJECTS, "free", REFERENCE, null);
        String bestText = null;
        double bestSpeedup = Double.NEGATIVE_INFINITY;
        boolean garbageMeasured = false;
        boolean garbageUnknown = false;
        for (final String label : eligibleContenders(index, SLAB_OBJECTS, "allocation",
            contender -> contender.label().startsWith("slab") && contender.runsUnchecked() == unchecked)) {
            final BenchmarkResult alloc = index.find(SLAB_OBJECTS, "allocation", label, null);
            final BenchmarkResult free = index.find(SLAB_OBJECTS, "free", label, null);
            if (free == null) {
                continue;
            }
            if (Double.isNaN(alloc.bytesPerOperation()) || Double.isNaN(free.bytesPerOperation())) {
                garbageUnknown = true;
                continue;
            }
            garbageMeasured = true;
            if (!ResultIndex.isGarbageFree(alloc) || !ResultIndex.isGarbageFree(free)) {
                continue;
            }
            final double allocSpeedup = ResultIndex.speedup(alloc, allocReference);
            final double freeSpeedup = ResultIndex.speedup(free, freeReference);
            if (Math.min(allocSpeedup, freeSpeedup) > bestSpeedup) {
                bestSpeedup = Math.min(allocSpeedup, freeSpeedup);
                bestText = label + ": allocation " + ratio(allocSpeedup) + ", free " + ratio(freeSpeedup);
            }
        }
        final String unknownNote = garbageUnknown ? " (some results have no B/op figure: run with -prof gc)" : "";
        if (allocReference == null || freeReference == null || bestText == null || Double.isNaN(bestSpeedup)) {
            final boolean measured = allocReference != null && freeReference != null && garbageMeasured;
            return new Target("#4", goal, "no slab result at 0 B/op with its malloc reference" + unknownNote,
                verdict(false, measured, garbageUnknown));
        }
        return new Target("#4", goal, bestText + unknownNote, verdict(bestSpeedup >= 5.0, true, garbageUnknown));
    }

    /** @return the ratio of the floor under a one-page slab free, to read a slab's free against; empty if not run */
    private static String floorOfSlabFree(final ResultIndex index) {
        final BenchmarkResult freeReference = index.find(SLAB_OBJECTS, "free", REFERENCE, null);
        final BenchmarkResult floor = index.find(SLAB_OBJECTS, "free", Contender.FLOOR_SLAB_FREE.label(), null);
        return floor == null ? ""
            : Contender.FLOOR_SLAB_FREE.label() + ": " + ratio(ResultIndex.speedup(floor, freeReference));
    }

    private static Target zeroGarbageTarget(final ResultIndex index) {
        final String goal = "Every project allocator allocates 0 B/op on the Java heap on W1 to W4";
        final String[][] benchmarks = {
            {PAIR, "pair", "W1"}, {CHURN, "step", "W2"}, {SLAB_OBJECTS, "allocation", "W3 alloc"},
            {SLAB_OBJECTS, "free", "W3 free"}, {TWO_THREAD, "step", "W4"}};
        final List<String> offenders = new ArrayList<>();
        final List<String> unmeasured = new ArrayList<>();
        int measured = 0;
        for (final String[] benchmark : benchmarks) {
            final List<String> labels = eligibleContenders(index, benchmark[0], benchmark[1], Contender::isProject);
            if (labels.isEmpty()) {
                unmeasured.add(benchmark[2] + " not run");
            }
            for (final String label : labels) {
                final BenchmarkResult result = index.find(benchmark[0], benchmark[1], label, null);
                if (Double.isNaN(result.bytesPerOperation())) {
                    unmeasured.add(label + " " + benchmark[2] + " without a B/op figure");
                    continue;
                }
                measured++;
                if (!ResultIndex.isGarbageFree(result)) {
                    offenders.add(label + " " + benchmark[2] + " (" + String.format(Locale.ROOT, "%.3f",
                        result.bytesPerOperation()) + " B/op)");
                }
            }
        }
        if (!offenders.isEmpty()) {
            return new Target("#3", goal, String.join(", ", offenders), Status.MISSED);
        }
        return unmeasured.isEmpty()
            ? new Target("#3", goal, "all " + measured + " results at 0 B/op", Status.MET)
            : new Target("#3", goal, String.join(", ", unmeasured), Status.NOT_MEASURED);
    }

    private static List<String> eligibleContenders(final ResultIndex index, final String className,
                                                   final String method, final Predicate<Contender> eligible) {
        final List<String> labels = new ArrayList<>();
        for (final String label : index.contenders(className, method)) {
            final Contender contender = ResultIndex.contender(label);
            if (contender != null && eligible.test(contender)) {
                labels.add(label);
            }
        }
        return labels;
    }

    static String ratio(final double speedup) {
        return Double.isNaN(speedup) ? "-" : String.format(Locale.ROOT, "%.2fx", speedup);
    }
}
